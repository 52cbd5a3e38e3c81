package dev.baton.codec;

import java.lang.foreign.MemorySegment;

import static dev.baton.codec.WireLayouts.BE_I32;
import static dev.baton.codec.WireLayouts.BE_U16;
import static dev.baton.codec.WireLayouts.U8;

/**
 * Flyweight over an IPv4 header (RFC 791 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Flags: bit 0 reserved, bit 1 DF (don't fragment), bit 2 MF (more fragments)
 * </pre>
 *
 * <p>Two checks: {@link #validHeader()} for a header whose datagram may be cut short (the copy inside an
 * ICMP error, RFC 792), {@link #valid()} for a packet being forwarded, which must also be all there.
 * Accessors do no checks. Addresses are {@code int}s, 192.0.2.1 = {@code 0xC0000201}. Offsets are
 * absolute within the wrapped segment. Not thread-safe: one instance per thread.
 */
public final class Ipv4Flyweight {

    public static final int VERSION_AND_HEADER_LENGTH_OFFSET = 0;
    public static final int TYPE_OF_SERVICE_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_AND_FRAGMENT_OFFSET_OFFSET = 6;
    public static final int TIME_TO_LIVE_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int HEADER_CHECKSUM_OFFSET = 10;
    public static final int SOURCE_ADDRESS_OFFSET = 12;
    public static final int DESTINATION_ADDRESS_OFFSET = 16;
    /** Length of a header without options (IHL 5), in bytes. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with the most options (IHL 15), in bytes. */
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int VERSION = 4;

    /** IANA protocol numbers. */
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    /** Bits of {@link #flags()}. */
    public static final int FLAG_MORE_FRAGMENTS = 0b001;
    public static final int FLAG_DONT_FRAGMENT = 0b010;

    /** Fragment offsets count 8-octet units (RFC 791 §3.1). */
    public static final int FRAGMENT_UNIT_BYTES = 8;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;

    /**
     * Points this view at the IPv4 packet (or truncated copy of one) of {@code length} available bytes at
     * {@code offset} in {@code segment}.
     *
     * @return this
     */
    public Ipv4Flyweight wrap(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public long offset() {
        return offset;
    }

    /** Bytes available to the view, as given to {@link #wrap}; may exceed {@link #totalLength()} (padding). */
    public int length() {
        return length;
    }

    /**
     * Whether the header is well formed and present: version 4, IHL at least 5, the whole header (options
     * included) within the available bytes, and a total length no shorter than the header. The datagram
     * behind the header may be cut short. Never throws.
     */
    public boolean validHeader() {
        if (!WireLayouts.withinSegment(segment.byteSize(), offset, length) || length < MIN_HEADER_LENGTH) {
            return false;
        }
        int headerLength = headerLength();
        return version() == VERSION
                && headerLength >= MIN_HEADER_LENGTH
                && headerLength <= length
                && totalLength() >= headerLength;
    }

    /**
     * {@link #validHeader()} and the whole datagram present: {@link #totalLength()} within the available
     * bytes. What a packet to be forwarded must satisfy. Never throws.
     */
    public boolean valid() {
        return validHeader() && totalLength() <= length;
    }

    public int version() {
        return Byte.toUnsignedInt(segment.get(U8, offset + VERSION_AND_HEADER_LENGTH_OFFSET)) >>> 4;
    }

    public Ipv4Flyweight version(int version) {
        long at = offset + VERSION_AND_HEADER_LENGTH_OFFSET;
        int low = segment.get(U8, at) & 0x0F;
        segment.set(U8, at, (byte) ((version << 4) | low));
        return this;
    }

    /** Header length in bytes (IHL &times; 4). */
    public int headerLength() {
        return (segment.get(U8, offset + VERSION_AND_HEADER_LENGTH_OFFSET) & 0x0F) * 4;
    }

    /** Sets the header length in bytes (a multiple of 4, 20 to 60); the version nibble is kept. */
    public Ipv4Flyweight headerLength(int bytes) {
        long at = offset + VERSION_AND_HEADER_LENGTH_OFFSET;
        int high = segment.get(U8, at) & 0xF0;
        segment.set(U8, at, (byte) (high | ((bytes >>> 2) & 0x0F)));
        return this;
    }

    /** The type-of-service octet, now DSCP (6 bits) and ECN (2 bits), RFC 2474 / RFC 3168. */
    public int typeOfService() {
        return Byte.toUnsignedInt(segment.get(U8, offset + TYPE_OF_SERVICE_OFFSET));
    }

    public Ipv4Flyweight typeOfService(int typeOfService) {
        segment.set(U8, offset + TYPE_OF_SERVICE_OFFSET, (byte) typeOfService);
        return this;
    }

    /** Length of the datagram, header and data, in bytes. */
    public int totalLength() {
        return Short.toUnsignedInt(segment.get(BE_U16, offset + TOTAL_LENGTH_OFFSET));
    }

    public Ipv4Flyweight totalLength(int bytes) {
        segment.set(BE_U16, offset + TOTAL_LENGTH_OFFSET, (short) bytes);
        return this;
    }

    public int identification() {
        return Short.toUnsignedInt(segment.get(BE_U16, offset + IDENTIFICATION_OFFSET));
    }

    public Ipv4Flyweight identification(int identification) {
        segment.set(BE_U16, offset + IDENTIFICATION_OFFSET, (short) identification);
        return this;
    }

    /** The three flag bits: {@link #FLAG_DONT_FRAGMENT}, {@link #FLAG_MORE_FRAGMENTS}. */
    public int flags() {
        return flagsAndFragmentOffset() >>> 13;
    }

    /** Sets the three flag bits, keeping the fragment offset. */
    public Ipv4Flyweight flags(int flags) {
        int word = (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) | ((flags & 0b111) << 13);
        segment.set(BE_U16, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET, (short) word);
        return this;
    }

    /** The fragment offset as on the wire, in 8-octet units. */
    public int fragmentOffset() {
        return flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK;
    }

    /** Sets the fragment offset in 8-octet units, keeping the flags. */
    public Ipv4Flyweight fragmentOffset(int units) {
        int word = (flagsAndFragmentOffset() & ~FRAGMENT_OFFSET_MASK) | (units & FRAGMENT_OFFSET_MASK);
        segment.set(BE_U16, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET, (short) word);
        return this;
    }

    /** Where this fragment's data sits in the original datagram, in bytes. */
    public int fragmentOffsetBytes() {
        return fragmentOffset() * FRAGMENT_UNIT_BYTES;
    }

    public boolean dontFragment() {
        return (flags() & FLAG_DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (flags() & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** Whether this packet is a fragment of a larger datagram: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (flagsAndFragmentOffset() & ((FLAG_MORE_FRAGMENTS << 13) | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** Whether this is the first fragment of a fragmented datagram (MF set, offset 0): it holds the L4 header. */
    public boolean isFirstFragment() {
        return moreFragments() && fragmentOffset() == 0;
    }

    /** Whether this is a fragment after the first (offset non-zero): it carries no L4 header, so no ports. */
    public boolean isNonFirstFragment() {
        return fragmentOffset() != 0;
    }

    /** Time to live: hops left before a router discards the packet. */
    public int ttl() {
        return Byte.toUnsignedInt(segment.get(U8, offset + TIME_TO_LIVE_OFFSET));
    }

    public Ipv4Flyweight ttl(int hops) {
        segment.set(U8, offset + TIME_TO_LIVE_OFFSET, (byte) hops);
        return this;
    }

    public int protocol() {
        return Byte.toUnsignedInt(segment.get(U8, offset + PROTOCOL_OFFSET));
    }

    public Ipv4Flyweight protocol(int protocol) {
        segment.set(U8, offset + PROTOCOL_OFFSET, (byte) protocol);
        return this;
    }

    public int headerChecksum() {
        return Short.toUnsignedInt(segment.get(BE_U16, offset + HEADER_CHECKSUM_OFFSET));
    }

    public Ipv4Flyweight headerChecksum(int checksum) {
        segment.set(BE_U16, offset + HEADER_CHECKSUM_OFFSET, (short) checksum);
        return this;
    }

    /** The header checksum the header should carry, computed as if the checksum field were zero. */
    public int computeHeaderChecksum() {
        long sum = InternetChecksum.partial(segment, offset, HEADER_CHECKSUM_OFFSET, 0);
        int afterField = HEADER_CHECKSUM_OFFSET + Short.BYTES;
        sum = InternetChecksum.partial(segment, offset + afterField, headerLength() - afterField, sum);
        return InternetChecksum.fold(sum);
    }

    /** Computes and stores the header checksum (after changing any header field). */
    public Ipv4Flyweight writeHeaderChecksum() {
        return headerChecksum(computeHeaderChecksum());
    }

    /** Whether the header checksum verifies: the checksum over the whole header is zero (RFC 1071). */
    public boolean headerChecksumValid() {
        return InternetChecksum.checksum(segment, offset, headerLength()) == 0;
    }

    public int sourceAddress() {
        return segment.get(BE_I32, offset + SOURCE_ADDRESS_OFFSET);
    }

    public Ipv4Flyweight sourceAddress(int address) {
        segment.set(BE_I32, offset + SOURCE_ADDRESS_OFFSET, address);
        return this;
    }

    public int destinationAddress() {
        return segment.get(BE_I32, offset + DESTINATION_ADDRESS_OFFSET);
    }

    public Ipv4Flyweight destinationAddress(int address) {
        segment.set(BE_I32, offset + DESTINATION_ADDRESS_OFFSET, address);
        return this;
    }

    /** Absolute offset of the payload (the L4 header) in the segment: {@code offset() + headerLength()}. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Bytes of payload according to the header: {@code totalLength() - headerLength()}. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    private int flagsAndFragmentOffset() {
        return Short.toUnsignedInt(segment.get(BE_U16, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET));
    }
}
