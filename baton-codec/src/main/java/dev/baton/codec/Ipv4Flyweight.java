package dev.baton.codec;

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
 * Accessors do no checks. {@link #length()} counts the bytes available, which may exceed
 * {@link #totalLength()} (Ethernet pads short frames to 60 bytes). Addresses are {@code int}s, 192.0.2.1 =
 * {@code 0xC0000201}. Offsets are absolute within the wrapped segment. Not thread-safe: one instance per thread.
 */
public final class Ipv4Flyweight extends Flyweight<Ipv4Flyweight> {

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

    /**
     * Whether the header is well formed and present: version 4, IHL at least 5, the whole header (options
     * included) within the available bytes, and a total length no shorter than the header. The datagram
     * behind the header may be cut short. Never throws.
     */
    public boolean validHeader() {
        if (!wrappedRangeHolds(MIN_HEADER_LENGTH)) {
            return false;
        }
        int headerLength = headerLength();
        return version() == VERSION
                && headerLength >= MIN_HEADER_LENGTH
                && headerLength <= length()
                && totalLength() >= headerLength;
    }

    /**
     * {@link #validHeader()} and the whole datagram present: {@link #totalLength()} within the available
     * bytes. What a packet to be forwarded must satisfy. Never throws.
     */
    public boolean valid() {
        return validHeader() && totalLength() <= length();
    }

    public int version() {
        return highNibbleAt(VERSION_AND_HEADER_LENGTH_OFFSET);
    }

    public Ipv4Flyweight version(int version) {
        putHighNibbleAt(VERSION_AND_HEADER_LENGTH_OFFSET, version);
        return this;
    }

    /** Header length in bytes (IHL &times; 4). */
    public int headerLength() {
        return lowNibbleAt(VERSION_AND_HEADER_LENGTH_OFFSET) * 4;
    }

    /** Sets the header length in bytes (a multiple of 4, 20 to 60); the version nibble is kept. */
    public Ipv4Flyweight headerLength(int bytes) {
        putLowNibbleAt(VERSION_AND_HEADER_LENGTH_OFFSET, bytes >>> 2);
        return this;
    }

    /** The type-of-service octet, now DSCP (6 bits) and ECN (2 bits), RFC 2474 / RFC 3168. */
    public int typeOfService() {
        return u8At(TYPE_OF_SERVICE_OFFSET);
    }

    public Ipv4Flyweight typeOfService(int typeOfService) {
        putU8At(TYPE_OF_SERVICE_OFFSET, typeOfService);
        return this;
    }

    /** Length of the datagram, header and data, in bytes. */
    public int totalLength() {
        return u16At(TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Flyweight totalLength(int bytes) {
        putU16At(TOTAL_LENGTH_OFFSET, bytes);
        return this;
    }

    public int identification() {
        return u16At(IDENTIFICATION_OFFSET);
    }

    public Ipv4Flyweight identification(int identification) {
        putU16At(IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The three flag bits: {@link #FLAG_DONT_FRAGMENT}, {@link #FLAG_MORE_FRAGMENTS}. */
    public int flags() {
        return flagsAndFragmentOffset() >>> 13;
    }

    /** Sets the three flag bits, keeping the fragment offset. */
    public Ipv4Flyweight flags(int flags) {
        int word = (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) | ((flags & 0b111) << 13);
        putU16At(FLAGS_AND_FRAGMENT_OFFSET_OFFSET, word);
        return this;
    }

    /** The fragment offset as on the wire, in 8-octet units. */
    public int fragmentOffset() {
        return flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK;
    }

    /** Sets the fragment offset in 8-octet units, keeping the flags. */
    public Ipv4Flyweight fragmentOffset(int units) {
        int word = (flagsAndFragmentOffset() & ~FRAGMENT_OFFSET_MASK) | (units & FRAGMENT_OFFSET_MASK);
        putU16At(FLAGS_AND_FRAGMENT_OFFSET_OFFSET, word);
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
        return u8At(TIME_TO_LIVE_OFFSET);
    }

    public Ipv4Flyweight ttl(int hops) {
        putU8At(TIME_TO_LIVE_OFFSET, hops);
        return this;
    }

    public int protocol() {
        return u8At(PROTOCOL_OFFSET);
    }

    public Ipv4Flyweight protocol(int protocol) {
        putU8At(PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int headerChecksum() {
        return u16At(HEADER_CHECKSUM_OFFSET);
    }

    public Ipv4Flyweight headerChecksum(int checksum) {
        putU16At(HEADER_CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The header checksum the header should carry, computed as if the checksum field were zero. */
    public int computeHeaderChecksum() {
        return checksumSkippingField(headerLength(), HEADER_CHECKSUM_OFFSET);
    }

    /** Computes and stores the header checksum (after changing any header field). */
    public Ipv4Flyweight writeHeaderChecksum() {
        return headerChecksum(computeHeaderChecksum());
    }

    /** Whether the header checksum verifies: the checksum over the whole header is zero (RFC 1071). */
    public boolean headerChecksumValid() {
        return checksumVerifies(headerLength());
    }

    public int sourceAddress() {
        return i32At(SOURCE_ADDRESS_OFFSET);
    }

    public Ipv4Flyweight sourceAddress(int address) {
        putI32At(SOURCE_ADDRESS_OFFSET, address);
        return this;
    }

    public int destinationAddress() {
        return i32At(DESTINATION_ADDRESS_OFFSET);
    }

    public Ipv4Flyweight destinationAddress(int address) {
        putI32At(DESTINATION_ADDRESS_OFFSET, address);
        return this;
    }

    /** Absolute offset of the payload (the L4 header) in the segment: {@code offset() + headerLength()}. */
    public long payloadOffset() {
        return absoluteOffset(headerLength());
    }

    /** Bytes of payload according to the header: {@code totalLength() - headerLength()}. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    private int flagsAndFragmentOffset() {
        return u16At(FLAGS_AND_FRAGMENT_OFFSET_OFFSET);
    }
}
