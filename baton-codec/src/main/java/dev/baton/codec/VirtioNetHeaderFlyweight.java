package dev.baton.codec;

/**
 * Flyweight over {@code struct virtio_net_hdr} (include/uapi/linux/virtio_net.h; virtio spec 1.2 §5.1.6),
 * the 10-byte header an AF_PACKET socket with {@code PACKET_VNET_HDR} puts before every frame. It says
 * whether the frame still needs its L4 checksum ({@link #F_NEEDS_CSUM}: CHECKSUM_PARTIAL, finish it with
 * {@link InternetChecksum#completePartialChecksum}) and whether it is a GSO super-frame.
 *
 * <p>Unlike everything else in this package the fields are <b>little-endian</b>: the kernel writes them
 * in the legacy virtio byte order, which is the host's, and x86_64 is little-endian.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7   (byte, bit)
 * +---------------+---------------+-------------------------------+
 * |     flags     |   gso_type    |    hdr_len (le16, bytes)      |
 * +---------------+---------------+-------------------------------+
 * |    gso_size (le16, bytes)     |   csum_start (le16, bytes)    |
 * +-------------------------------+-------------------------------+
 * |   csum_offset (le16, bytes)   |
 * +-------------------------------+
 * </pre>
 *
 * <p>Offsets are absolute within the wrapped segment. Not thread-safe: one instance per thread.
 */
public final class VirtioNetHeaderFlyweight extends Flyweight<VirtioNetHeaderFlyweight> {

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HEADER_LENGTH_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CHECKSUM_START_OFFSET = 6;
    public static final int CHECKSUM_OFFSET_OFFSET = 8;
    /** {@code sizeof(struct virtio_net_hdr)}. */
    public static final int LENGTH = 10;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: checksum from csum_start, stored at csum_start + csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the checksum has been verified. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** Flag bit of gso_type: the TCP segments carry ECN CWR. */
    public static final int GSO_ECN = 0x80;

    /** Whether all 10 bytes are present. Never throws. */
    public boolean valid() {
        return wrappedRangeHolds(LENGTH);
    }

    /** Zeroes the header: a complete frame, no checksum work, no GSO (what to send with a finished frame). */
    public VirtioNetHeaderFlyweight clear() {
        // Two stores rather than asSlice().fill(): no slice object on the transmit path.
        putI64At(FLAGS_OFFSET, 0L);
        putU16LittleEndianAt(CHECKSUM_OFFSET_OFFSET, 0);
        return this;
    }

    public int flags() {
        return u8At(FLAGS_OFFSET);
    }

    public VirtioNetHeaderFlyweight flags(int flags) {
        putU8At(FLAGS_OFFSET, flags);
        return this;
    }

    /** Whether the frame is CHECKSUM_PARTIAL: its L4 checksum field holds only the pseudo-header sum. */
    public boolean needsChecksum() {
        return (flags() & F_NEEDS_CSUM) != 0;
    }

    /** {@link #GSO_NONE}, or a GSO kind possibly with {@link #GSO_ECN} set. */
    public int gsoType() {
        return u8At(GSO_TYPE_OFFSET);
    }

    public VirtioNetHeaderFlyweight gsoType(int gsoType) {
        putU8At(GSO_TYPE_OFFSET, gsoType);
        return this;
    }

    /** Whether the frame is a GSO super-frame, to be segmented into {@link #gsoSize()}-byte payloads. */
    public boolean isGso() {
        return (gsoType() & ~GSO_ECN) != GSO_NONE;
    }

    /** {@code hdr_len}: bytes of headers (Ethernet to L4) to replicate in each GSO segment. */
    public int headerLength() {
        return u16LittleEndianAt(HEADER_LENGTH_OFFSET);
    }

    public VirtioNetHeaderFlyweight headerLength(int bytes) {
        putU16LittleEndianAt(HEADER_LENGTH_OFFSET, bytes);
        return this;
    }

    /** {@code gso_size}: payload bytes per GSO segment (the MSS for TCP). */
    public int gsoSize() {
        return u16LittleEndianAt(GSO_SIZE_OFFSET);
    }

    public VirtioNetHeaderFlyweight gsoSize(int bytes) {
        putU16LittleEndianAt(GSO_SIZE_OFFSET, bytes);
        return this;
    }

    /** {@code csum_start}: offset from the start of the Ethernet frame where checksumming starts. */
    public int checksumStart() {
        return u16LittleEndianAt(CHECKSUM_START_OFFSET);
    }

    public VirtioNetHeaderFlyweight checksumStart(int bytes) {
        putU16LittleEndianAt(CHECKSUM_START_OFFSET, bytes);
        return this;
    }

    /** {@code csum_offset}: offset of the checksum field from {@link #checksumStart()} (16 TCP, 6 UDP). */
    public int checksumOffset() {
        return u16LittleEndianAt(CHECKSUM_OFFSET_OFFSET);
    }

    public VirtioNetHeaderFlyweight checksumOffset(int bytes) {
        putU16LittleEndianAt(CHECKSUM_OFFSET_OFFSET, bytes);
        return this;
    }
}
