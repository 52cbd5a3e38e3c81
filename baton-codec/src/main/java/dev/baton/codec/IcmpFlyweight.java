package dev.baton.codec;

/**
 * Flyweight over an ICMP message (RFC 792). Baton forwards ICMP errors about a connection (above all
 * "fragmentation needed", RFC 1191) to the server that owns it, found from the original header the error
 * quotes at {@link #innerOffset()}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo: Identifier             |  echo: Sequence Number        |
 * |  frag. needed: unused (0)     |  Next-Hop MTU (RFC 1191 §4)   |
 * |  other errors: unused (0)                                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  errors: Internet Header + at least 64 bits of original data  |
 * |  echo: data ...                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Wrap, check {@link #valid()}, then read. Offsets are absolute within the wrapped segment. Not
 * thread-safe: one instance per thread.
 */
public final class IcmpFlyweight extends Flyweight<IcmpFlyweight> {

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    /** The second 32-bit word, whose meaning depends on the type. */
    public static final int REST_OF_HEADER_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_NUMBER_OFFSET = 6;
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    /** Length of the fixed header, in bytes; an error's quoted IPv4 header follows it. */
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    /** Codes of {@link #TYPE_DESTINATION_UNREACHABLE}. */
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    /** Whether the 8-byte header is present. Never throws. */
    public boolean valid() {
        return wrappedRangeHolds(HEADER_LENGTH);
    }

    public int type() {
        return u8At(TYPE_OFFSET);
    }

    public IcmpFlyweight type(int type) {
        putU8At(TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return u8At(CODE_OFFSET);
    }

    public IcmpFlyweight code(int code) {
        putU8At(CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return u16At(CHECKSUM_OFFSET);
    }

    public IcmpFlyweight checksum(int checksum) {
        putU16At(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Echo request/reply identifier. */
    public int identifier() {
        return u16At(IDENTIFIER_OFFSET);
    }

    public IcmpFlyweight identifier(int identifier) {
        putU16At(IDENTIFIER_OFFSET, identifier);
        return this;
    }

    /** Echo request/reply sequence number. */
    public int sequenceNumber() {
        return u16At(SEQUENCE_NUMBER_OFFSET);
    }

    public IcmpFlyweight sequenceNumber(int sequenceNumber) {
        putU16At(SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    /** MTU of the next-hop link in bytes, carried by "fragmentation needed" (RFC 1191 §4); 0 from old routers. */
    public int nextHopMtu() {
        return u16At(NEXT_HOP_MTU_OFFSET);
    }

    public IcmpFlyweight nextHopMtu(int bytes) {
        putU16At(NEXT_HOP_MTU_OFFSET, bytes);
        return this;
    }

    /**
     * Whether this is an error message that quotes the offending datagram's header (RFC 792): destination
     * unreachable, source quench, redirect, time exceeded or parameter problem.
     */
    public boolean isError() {
        int type = type();
        return type == TYPE_DESTINATION_UNREACHABLE
                || type == TYPE_SOURCE_QUENCH
                || type == TYPE_REDIRECT
                || type == TYPE_TIME_EXCEEDED
                || type == TYPE_PARAMETER_PROBLEM;
    }

    /** Whether this is "destination unreachable, fragmentation needed and DF set" (RFC 792, RFC 1191). */
    public boolean isFragmentationNeeded() {
        return type() == TYPE_DESTINATION_UNREACHABLE && code() == CODE_FRAGMENTATION_NEEDED;
    }

    /** Absolute offset of the quoted original IPv4 header of an error message: 8 bytes in. */
    public long innerOffset() {
        return absoluteOffset(HEADER_LENGTH);
    }

    /** Bytes available after the header (the quoted datagram of an error). */
    public int innerLength() {
        return length() - HEADER_LENGTH;
    }

    /** The checksum the message should carry over {@code messageLength} bytes, computed as if the field were zero. */
    public int computeChecksum(int messageLength) {
        return checksumSkippingField(messageLength, CHECKSUM_OFFSET);
    }

    /**
     * Whether the checksum verifies over {@code messageLength} bytes: the whole ICMP message, i.e. the IPv4
     * payload length (RFC 792: no pseudo-header).
     */
    public boolean checksumValid(int messageLength) {
        return checksumVerifies(messageLength);
    }
}
