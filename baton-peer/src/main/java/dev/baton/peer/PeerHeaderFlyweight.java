package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Flyweight over a whole peer message: the fixed header, the payload and the authentication tag.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Magic (0xBA70)         |    Version    |     Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Flags             |        Payload Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Sender Router Id                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Destination Router Id                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                    Incarnation (64 bits)                      +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Sequence Number (64 bits)                    +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Payload (Payload Length bytes)             ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     HMAC-SHA256 tag over header and payload, truncated to     |
 * +                  its first 128 bits (16 bytes)                +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Version 2 turned version 1's reserved word at offset 12 into the Destination Router
 * Id: the router the message is for, under the tag, so an authentic message cannot be relayed to a third
 * router and accepted there. The tag is computed under the key of the (sender, destination) pair
 * ({@link PeerKey#pairKey}). A version 1 datagram is rejected as {@link Verdict#BAD_VERSION}.
 *
 * <p>A datagram is exactly {@code HEADER_LENGTH + payloadLength + TAG_LENGTH} bytes, at most
 * {@link #MAX_MESSAGE_LENGTH}. Wrap it with the datagram's received length, check {@link #valid()}, then
 * read. Not thread-safe: one instance per thread.
 */
public final class PeerHeaderFlyweight extends Flyweight<PeerHeaderFlyweight> {

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int FLAGS_OFFSET = 4;
    public static final int PAYLOAD_LENGTH_OFFSET = 6;
    public static final int SENDER_ROUTER_ID_OFFSET = 8;
    /** Version 2: the receiver's router id (version 1 had a reserved zero word here). */
    public static final int DESTINATION_ROUTER_ID_OFFSET = 12;
    public static final int INCARNATION_OFFSET = 16;
    public static final int SEQUENCE_OFFSET = 24;
    public static final int HEADER_LENGTH = 32;
    /** Where the payload starts, relative to the message. */
    public static final int PAYLOAD_OFFSET = HEADER_LENGTH;

    /** "BA70": Baton. Lets a receiver drop stray datagrams on the port before any crypto. */
    public static final int MAGIC = 0xBA70;
    /**
     * The only version this code speaks; a receiver rejects any other (BAD_VERSION). 2: Destination Router
     * Id, per-pair keys and the keep-alive's Echoed Incarnation. 3: the keep-alive's per-service Term.
     */
    public static final int VERSION = 3;
    /** HMAC-SHA256 truncated to 128 bits, as RFC 4868 §2.3 does for IPsec (HMAC-SHA-256-128). */
    public static final int TAG_LENGTH = 16;
    /**
     * The largest datagram: a 1500-byte Ethernet MTU less the IPv4 (20) and UDP (8) headers, so that no
     * peer message is ever fragmented (a lost fragment would lose the whole message).
     */
    public static final int MAX_MESSAGE_LENGTH = 1472;
    public static final int MIN_MESSAGE_LENGTH = HEADER_LENGTH + TAG_LENGTH;
    public static final int MAX_PAYLOAD_LENGTH = MAX_MESSAGE_LENGTH - HEADER_LENGTH - TAG_LENGTH;

    /**
     * Whether the wrapped range is inside the segment and holds exactly a header, a payload of the stated
     * length and a tag, within {@link #MAX_MESSAGE_LENGTH}. Checks neither magic, version nor type (the
     * verifier reports those separately). Never throws.
     */
    public boolean valid() {
        return wrappedRangeHolds(0) && length() >= MIN_MESSAGE_LENGTH && length() <= MAX_MESSAGE_LENGTH
                && length() == HEADER_LENGTH + payloadLength() + TAG_LENGTH;
    }

    public int magic() {
        return u16At(MAGIC_OFFSET);
    }

    public PeerHeaderFlyweight magic(int magic) {
        putU16At(MAGIC_OFFSET, magic);
        return this;
    }

    public int version() {
        return u8At(VERSION_OFFSET);
    }

    public PeerHeaderFlyweight version(int version) {
        putU8At(VERSION_OFFSET, version);
        return this;
    }

    /** The raw type code; {@link MessageType#fromCode} maps it. */
    public int typeCode() {
        return u8At(TYPE_OFFSET);
    }

    public PeerHeaderFlyweight typeCode(int typeCode) {
        putU8At(TYPE_OFFSET, typeCode);
        return this;
    }

    /** Flag bits; none is defined in version 2 (zero on send, ignored on receipt; covered by the tag). */
    public int flags() {
        return u16At(FLAGS_OFFSET);
    }

    public PeerHeaderFlyweight flags(int flags) {
        putU16At(FLAGS_OFFSET, flags);
        return this;
    }

    public int payloadLength() {
        return u16At(PAYLOAD_LENGTH_OFFSET);
    }

    public PeerHeaderFlyweight payloadLength(int payloadLength) {
        putU16At(PAYLOAD_LENGTH_OFFSET, payloadLength);
        return this;
    }

    /** The sender's router id (unsigned 32 bits, from the configuration; unique among the peers). */
    public int senderRouterId() {
        return i32At(SENDER_ROUTER_ID_OFFSET);
    }

    public PeerHeaderFlyweight senderRouterId(int routerId) {
        putI32At(SENDER_ROUTER_ID_OFFSET, routerId);
        return this;
    }

    /** The router id the message is for (unsigned 32 bits); the receiver rejects any other (WRONG_DESTINATION). */
    public int destinationRouterId() {
        return i32At(DESTINATION_ROUTER_ID_OFFSET);
    }

    public PeerHeaderFlyweight destinationRouterId(int routerId) {
        putI32At(DESTINATION_ROUTER_ID_OFFSET, routerId);
        return this;
    }

    /** The sender's incarnation, one more at every start ({@link IncarnationStore}); compare unsigned. */
    public long incarnation() {
        return i64At(INCARNATION_OFFSET);
    }

    public PeerHeaderFlyweight incarnation(long incarnation) {
        putI64At(INCARNATION_OFFSET, incarnation);
        return this;
    }

    /** The sender's per-incarnation sequence number, from 1 up; compare unsigned. */
    public long sequence() {
        return i64At(SEQUENCE_OFFSET);
    }

    public PeerHeaderFlyweight sequence(long sequence) {
        putI64At(SEQUENCE_OFFSET, sequence);
        return this;
    }

    /** Absolute offset of the payload in the segment. */
    public long payloadOffset() {
        return offset() + PAYLOAD_OFFSET;
    }

    /** Offset of the tag relative to the message: the number of bytes the tag covers. */
    public int tagOffset() {
        return HEADER_LENGTH + payloadLength();
    }
}
