package dev.baton.dataplane.io;

import java.lang.foreign.MemorySegment;

/**
 * One interface as the forwarding code sees it: a batch of received frames, and a transmit ring to claim
 * slots in. The forwarding stages know nothing else about the transport, so the same code runs against
 * AF_PACKET rings ({@link AfPacketPort}) in the lab and against memory ({@link MemoryPacketPort}) in unit
 * tests (the Netty "embedded channel" idea).
 *
 * <p>Owned by one forwarding thread: neither receive nor claim/commit is thread-safe.
 */
public interface PacketPort extends AutoCloseable {

    /** Interface name, e.g. {@code eth0}. */
    String name();

    /** The interface's own MAC address (48 bits in a long): the source of every frame Baton sends here. */
    long macAddress();

    /**
     * Whether received frames are preceded by, and transmitted frames must be preceded by, a 10-byte
     * {@code virtio_net_hdr} (PACKET_VNET_HDR). With it, GSO super-frames and partial checksums pass
     * through unchanged.
     */
    boolean hasVirtioHeader();

    /**
     * Delivers received frames to {@code sink}, at most about {@code maxBatches} ring blocks' worth.
     * Frames are valid only during the callback; the sink may rewrite them in place.
     *
     * @return frames delivered
     */
    int receive(FrameSink sink, int maxBatches);

    /**
     * Claims the next transmit slot for {@code length} bytes (including the virtio header when
     * {@link #hasVirtioHeader()}).
     *
     * @return the offset in {@link #txBuffer()} to write at, or -1 when the ring is full or the frame is
     *         larger than a slot
     */
    long claim(int length);

    /** The largest {@link #claim} length a transmit slot holds (virtio header included). */
    int maxTransmitLength();

    /** The memory that {@link #claim} offsets refer to. */
    MemorySegment txBuffer();

    /** Hands the claimed slot, holding {@code length} bytes, to the kernel. */
    void commit(int length);

    /** Tells the kernel to send what was committed since the last flush: one syscall per batch. */
    void flush();

    /**
     * Blocks for at most {@code timeoutMs} until frames are ready to receive.
     *
     * @return whether frames are ready
     */
    boolean awaitFrames(int timeoutMs);

    @Override
    void close();

    /** Receives frames from {@link #receive}. */
    @FunctionalInterface
    interface FrameSink {
        /**
         * @param port           the port the frame arrived on
         * @param buffer         memory holding the frame
         * @param frameOffset    offset of the Ethernet header in {@code buffer}
         * @param frameLength    bytes of frame from the Ethernet header on
         * @param virtioOffset   offset of the virtio_net_hdr just before the frame, or -1
         * @param status         TP_STATUS_* bits of the frame (for example CSUMNOTREADY, VLAN_VALID)
         * @param vlanTci        the 802.1Q tag control information the kernel stripped, when VLAN_VALID
         */
        void onFrame(PacketPort port, MemorySegment buffer, long frameOffset, int frameLength,
                     long virtioOffset, int status, int vlanTci);
    }
}
