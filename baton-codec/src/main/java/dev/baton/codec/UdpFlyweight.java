package dev.baton.codec;

/**
 * Flyweight over a UDP header (RFC 768).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          data octets ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   Length counts header and data in bytes; checksum 0 means "not computed".
 * </pre>
 *
 * <p>Wrap, check {@link #valid()}, then read. Offsets are absolute within the wrapped segment. Not
 * thread-safe: one instance per thread.
 */
public final class UdpFlyweight extends Flyweight<UdpFlyweight> {

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = InternetChecksum.UDP_CHECKSUM_OFFSET;
    /** Length of the header, in bytes. */
    public static final int HEADER_LENGTH = 8;
    /** The checksum field value meaning the sender computed none (RFC 768). */
    public static final int NO_CHECKSUM = 0;

    /**
     * Whether the 8-byte header is present and its length field covers at least the header. The data
     * behind may be cut short (as inside an ICMP error); see {@link #datagramComplete()}. Never throws.
     */
    public boolean valid() {
        return wrappedRangeHolds(HEADER_LENGTH) && datagramLength() >= HEADER_LENGTH;
    }

    /** Whether all {@link #datagramLength()} bytes are within the available bytes. */
    public boolean datagramComplete() {
        return datagramLength() <= length();
    }

    public int sourcePort() {
        return u16At(SOURCE_PORT_OFFSET);
    }

    public UdpFlyweight sourcePort(int port) {
        putU16At(SOURCE_PORT_OFFSET, port);
        return this;
    }

    public int destinationPort() {
        return u16At(DESTINATION_PORT_OFFSET);
    }

    public UdpFlyweight destinationPort(int port) {
        putU16At(DESTINATION_PORT_OFFSET, port);
        return this;
    }

    /** The length field: header plus data, in bytes. */
    public int datagramLength() {
        return u16At(LENGTH_OFFSET);
    }

    public UdpFlyweight datagramLength(int bytes) {
        putU16At(LENGTH_OFFSET, bytes);
        return this;
    }

    public int checksum() {
        return u16At(CHECKSUM_OFFSET);
    }

    public UdpFlyweight checksum(int checksum) {
        putU16At(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Absolute offset of the data in the segment. */
    public long payloadOffset() {
        return absoluteOffset(HEADER_LENGTH);
    }

    /**
     * The checksum to store over IPv4 for {@link #datagramLength()} bytes, computed as if the field were
     * zero; a computed 0 is returned as 0xFFFF, since 0 on the wire means "no checksum" (RFC 768).
     */
    public int computeChecksum(int sourceAddress, int destinationAddress) {
        int checksum = InternetChecksum.transportChecksum(wrappedSegment(), offset(), datagramLength(), CHECKSUM_OFFSET,
                sourceAddress, destinationAddress, Ipv4Flyweight.PROTOCOL_UDP);
        return checksum == 0 ? 0xFFFF : checksum;
    }

    /** Whether the checksum verifies, or is {@link #NO_CHECKSUM} (allowed over IPv4 by RFC 768). */
    public boolean checksumValid(int sourceAddress, int destinationAddress) {
        return checksum() == NO_CHECKSUM
                || InternetChecksum.transportChecksumValid(wrappedSegment(), offset(), datagramLength(),
                        sourceAddress, destinationAddress, Ipv4Flyweight.PROTOCOL_UDP);
    }
}
