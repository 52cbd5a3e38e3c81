package dev.baton.nativeio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.baton.nativeio.KernelStructs.VirtioNetHdr;

/**
 * Accessors for the 10-byte {@code struct virtio_net_hdr} that {@code PACKET_VNET_HDR} places before
 * each frame: directly before the Ethernet header on RX (at {@code vnetHeaderOffset} given to
 * {@link RxVisitor}), and at the start of the data the caller writes into a TX slot.
 *
 * <pre>
 *  0        1          2             4              6               8                10
 * +--------+----------+-------------+--------------+---------------+-----------------+
 * | flags  | gso_type |   hdr_len   |   gso_size   |  csum_start   |   csum_offset   |
 * +--------+----------+-------------+--------------+---------------+-----------------+
 * </pre>
 *
 * Multi-byte fields are {@code __virtio16}: host order for packet sockets (legacy virtio on a
 * little-endian host, {@code vio_le()} in net/packet/af_packet.c). Passing the RX header back
 * unchanged on TX keeps GSO super-frames and partial checksums intact (DATAPLANE.md).
 *
 * <p>Stateless and allocation-free; accessors take the segment and the header's offset.
 */
public final class VirtioNetHeader {
    private VirtioNetHeader() {
    }

    /** Header length in bytes. */
    public static final int LENGTH = VirtioNetHdr.SIZE;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: checksum from {@code csum_start} still to be completed. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: checksum already verified. */
    public static final int F_DATA_VALID = 2;
    /** {@code VIRTIO_NET_HDR_GSO_NONE}: a plain frame. */
    public static final int GSO_NONE = 0;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV4}: a TCP/IPv4 super-frame to segment by {@code gso_size}. */
    public static final int GSO_TCPV4 = 1;
    /** {@code VIRTIO_NET_HDR_GSO_UDP}: UDP fragmentation offload. */
    public static final int GSO_UDP = 3;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV6}: a TCP/IPv6 super-frame. */
    public static final int GSO_TCPV6 = 4;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: flag bit on {@code gso_type}, TCP with ECN CWR. */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort VIRTIO16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** {@code flags}. */
    public static int flags(MemorySegment segment, long headerOffset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, headerOffset + VirtioNetHdr.FLAGS_OFFSET));
    }

    /** {@code gso_type}, including the {@link #GSO_ECN} bit. */
    public static int gsoType(MemorySegment segment, long headerOffset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, headerOffset + VirtioNetHdr.GSO_TYPE_OFFSET));
    }

    /** {@code hdr_len}: bytes of Ethernet + IP + transport headers. */
    public static int headerLength(MemorySegment segment, long headerOffset) {
        return Short.toUnsignedInt(segment.get(VIRTIO16, headerOffset + VirtioNetHdr.HDR_LEN_OFFSET));
    }

    /** {@code gso_size}: payload bytes per segment (the MSS for TCP). */
    public static int gsoSize(MemorySegment segment, long headerOffset) {
        return Short.toUnsignedInt(segment.get(VIRTIO16, headerOffset + VirtioNetHdr.GSO_SIZE_OFFSET));
    }

    /** {@code csum_start}: from the Ethernet header to where checksumming starts. */
    public static int checksumStart(MemorySegment segment, long headerOffset) {
        return Short.toUnsignedInt(segment.get(VIRTIO16, headerOffset + VirtioNetHdr.CSUM_START_OFFSET));
    }

    /** {@code csum_offset}: from {@code csum_start} to the checksum field. */
    public static int checksumOffset(MemorySegment segment, long headerOffset) {
        return Short.toUnsignedInt(segment.get(VIRTIO16, headerOffset + VirtioNetHdr.CSUM_OFFSET_OFFSET));
    }

    /** Writes a whole header. */
    public static void write(MemorySegment segment, long headerOffset, int flags, int gsoType, int headerLength,
                             int gsoSize, int checksumStart, int checksumOffset) {
        segment.set(ValueLayout.JAVA_BYTE, headerOffset + VirtioNetHdr.FLAGS_OFFSET, (byte) flags);
        segment.set(ValueLayout.JAVA_BYTE, headerOffset + VirtioNetHdr.GSO_TYPE_OFFSET, (byte) gsoType);
        segment.set(VIRTIO16, headerOffset + VirtioNetHdr.HDR_LEN_OFFSET, (short) headerLength);
        segment.set(VIRTIO16, headerOffset + VirtioNetHdr.GSO_SIZE_OFFSET, (short) gsoSize);
        segment.set(VIRTIO16, headerOffset + VirtioNetHdr.CSUM_START_OFFSET, (short) checksumStart);
        segment.set(VIRTIO16, headerOffset + VirtioNetHdr.CSUM_OFFSET_OFFSET, (short) checksumOffset);
    }

    /** Writes the header of a plain frame: no GSO, checksum complete. */
    public static void writeNone(MemorySegment segment, long headerOffset) {
        write(segment, headerOffset, 0, GSO_NONE, 0, 0, 0, 0);
    }
}
