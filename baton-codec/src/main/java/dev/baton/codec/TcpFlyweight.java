package dev.baton.codec;

/**
 * Flyweight over a TCP header (RFC 9293 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (data offset > 5 words)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Sequence and acknowledgment numbers are returned as raw 32-bit {@code int}s: compare them with modular
 * arithmetic (RFC 9293 §3.4), show them with {@link Integer#toUnsignedLong}. Wrap, check {@link #valid()},
 * then read. Offsets are absolute within the wrapped segment. Not thread-safe: one instance per thread.
 */
public final class TcpFlyweight extends Flyweight<TcpFlyweight> {

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_NUMBER_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_NUMBER_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = InternetChecksum.TCP_CHECKSUM_OFFSET;
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Length of a header without options, in bytes. */
    public static final int MIN_HEADER_LENGTH = 20;

    /** Control bits of {@link #flags()} (RFC 9293 §3.1; CWR and ECE from RFC 3168). */
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** Whether the header, options included, is present: data offset at least 20 bytes and within length. Never throws. */
    public boolean valid() {
        if (!wrappedRangeHolds(MIN_HEADER_LENGTH)) {
            return false;
        }
        int dataOffset = dataOffset();
        return dataOffset >= MIN_HEADER_LENGTH && dataOffset <= length();
    }

    public int sourcePort() {
        return u16At(SOURCE_PORT_OFFSET);
    }

    public TcpFlyweight sourcePort(int port) {
        putU16At(SOURCE_PORT_OFFSET, port);
        return this;
    }

    public int destinationPort() {
        return u16At(DESTINATION_PORT_OFFSET);
    }

    public TcpFlyweight destinationPort(int port) {
        putU16At(DESTINATION_PORT_OFFSET, port);
        return this;
    }

    public int sequenceNumber() {
        return i32At(SEQUENCE_NUMBER_OFFSET);
    }

    public TcpFlyweight sequenceNumber(int sequenceNumber) {
        putI32At(SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    public int acknowledgmentNumber() {
        return i32At(ACKNOWLEDGMENT_NUMBER_OFFSET);
    }

    public TcpFlyweight acknowledgmentNumber(int acknowledgmentNumber) {
        putI32At(ACKNOWLEDGMENT_NUMBER_OFFSET, acknowledgmentNumber);
        return this;
    }

    /** Header length in bytes (data offset &times; 4): where the payload starts. */
    public int dataOffset() {
        return highNibbleAt(DATA_OFFSET_OFFSET) * 4;
    }

    /** Sets the header length in bytes (a multiple of 4, 20 to 60); the reserved bits are kept. */
    public TcpFlyweight dataOffset(int bytes) {
        putHighNibbleAt(DATA_OFFSET_OFFSET, bytes >>> 2);
        return this;
    }

    /** The eight control bits: {@link #FIN} ... {@link #CWR}. */
    public int flags() {
        return u8At(FLAGS_OFFSET);
    }

    public TcpFlyweight flags(int flags) {
        putU8At(FLAGS_OFFSET, flags);
        return this;
    }

    public boolean isFin() {
        return (flags() & FIN) != 0;
    }

    public boolean isSyn() {
        return (flags() & SYN) != 0;
    }

    public boolean isRst() {
        return (flags() & RST) != 0;
    }

    public boolean isPsh() {
        return (flags() & PSH) != 0;
    }

    public boolean isAck() {
        return (flags() & ACK) != 0;
    }

    public boolean isUrg() {
        return (flags() & URG) != 0;
    }

    /** Receive window, unscaled (the window scale option, RFC 7323, is not applied). */
    public int window() {
        return u16At(WINDOW_OFFSET);
    }

    public TcpFlyweight window(int window) {
        putU16At(WINDOW_OFFSET, window);
        return this;
    }

    public int checksum() {
        return u16At(CHECKSUM_OFFSET);
    }

    public TcpFlyweight checksum(int checksum) {
        putU16At(CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int urgentPointer() {
        return u16At(URGENT_POINTER_OFFSET);
    }

    public TcpFlyweight urgentPointer(int urgentPointer) {
        putU16At(URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /** Absolute offset of the payload in the segment: {@code offset() + dataOffset()}. */
    public long payloadOffset() {
        return absoluteOffset(dataOffset());
    }

    /**
     * The checksum this segment should carry over IPv4, computed as if the field were zero.
     *
     * @param segmentLength TCP header plus data in bytes: the IPv4 total length minus its header length
     *                      (not the frame length, which may include Ethernet padding)
     */
    public int computeChecksum(int sourceAddress, int destinationAddress, int segmentLength) {
        return InternetChecksum.transportChecksum(wrappedSegment(), offset(), segmentLength, CHECKSUM_OFFSET,
                sourceAddress, destinationAddress, Ipv4Flyweight.PROTOCOL_TCP);
    }

    /** Whether the checksum verifies over the pseudo-header and {@code segmentLength} bytes. */
    public boolean checksumValid(int sourceAddress, int destinationAddress, int segmentLength) {
        return InternetChecksum.transportChecksumValid(wrappedSegment(), offset(), segmentLength,
                sourceAddress, destinationAddress, Ipv4Flyweight.PROTOCOL_TCP);
    }
}
