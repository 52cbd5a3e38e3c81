package dev.baton.nativeio;

import dev.baton.codec.VirtioNetHeaderFlyweight;

/**
 * How to set up a {@link PacketSocket}: ring geometry and socket options. Validated here except for
 * the page-size rules, which {@link PacketSocket#open} checks against the running system.
 *
 * @param rxBlockSizeBytes  RX block size; a multiple of the page size. On V3 a block must hold the
 *                          largest frame plus 48 + 32 bytes of headers, i.e. more than 64 KiB when GSO
 *                          super-frames arrive (vnetHeader); on V2 it is cut into
 *                          {@code rxFrameSizeBytes} slots and must be a whole multiple of that
 * @param rxBlockCount      RX blocks; 0 for a transmit-only socket (bound to no protocol, so it
 *                          receives nothing)
 * @param rxBlockTimeoutMs  how long the kernel may keep a partly filled block before handing it over
 *                          ({@code tp_retire_blk_tov}); bounds latency at low rates; 0 lets the
 *                          kernel derive one from the link speed. V3 only: V2 hands over every
 *                          frame at once and has no such timer
 * @param txFrameSizeBytes  TX slot size, a multiple of 16 that divides the page size or is a
 *                          multiple of it; holds 48 bytes of header plus the frame (and its virtio
 *                          header)
 * @param txFrameCount      TX slots (rounded up to fill whole blocks); 0 for a receive-only socket
 * @param vnetHeader        {@code PACKET_VNET_HDR}: a {@link dev.baton.codec.VirtioNetHeaderFlyweight} precedes every frame on
 *                          RX and TX, carrying GSO and checksum offload state
 * @param qdiscBypass       {@code PACKET_QDISC_BYPASS}: transmit straight to the driver
 * @param ignoreOutgoing    {@code PACKET_IGNORE_OUTGOING}: do not receive frames this host sends
 * @param promiscuous       {@code PACKET_MR_PROMISC} membership: receive frames for other MACs too
 * @param fanout            fanout group to join after bind, or {@code null}
 * @param ringVersion       {@code PACKET_VERSION} of the socket: {@link TpacketVersion#V3} (blocks,
 *                          the default) or {@link TpacketVersion#V2} (per-frame hand-over, no block
 *                          retire delay). Applies to both rings: it also moves TX frame data from
 *                          slot + 48 (V3) to slot + 32 (V2)
 * @param rxFrameSizeBytes  V2 only (ignored on V3): the RX slot size, a multiple of 16 that divides
 *                          {@code rxBlockSizeBytes}. A slot holds the 32-byte header, padding to a
 *                          16-byte boundary, the virtio header and the frame: the frame starts at
 *                          slot + 80 (+ 10 with vnetHeader) - 14, and a frame longer than the rest
 *                          of the slot arrives truncated ({@code snapLength < wireLength}). For GSO
 *                          super-frames (vnetHeader) use {@link #RX_V2_GSO_FRAME_SIZE_BYTES}
 * @param receiveFilter     a classic BPF program attached with {@code SO_ATTACH_FILTER} before the socket is
 *                          bound, or {@code null}: the kernel runs it on every frame of the interface and copies
 *                          into the RX ring only the frames it accepts, no more bytes of each than it returns
 *                          (a socket that wants a few frames out of a busy link pays nothing for the rest)
 */
public record PacketSocketOptions(int rxBlockSizeBytes, int rxBlockCount, int rxBlockTimeoutMs, int txFrameSizeBytes,
                                  int txFrameCount, boolean vnetHeader, boolean qdiscBypass, boolean ignoreOutgoing,
                                  boolean promiscuous, PacketFanout fanout, TpacketVersion ringVersion,
                                  int rxFrameSizeBytes, ClassicBpfProgram receiveFilter) {

    /**
     * The {@code tp_frame_size} declared for the RX ring. TPACKET_V3 places frames by their real size
     * inside blocks, so this only has to satisfy the kernel's checks (aligned, at least the header,
     * dividing the block).
     */
    public static final int RX_NOMINAL_FRAME_SIZE_BYTES = 2048;

    /**
     * A V2 RX slot that holds a 64 KiB GSO super-frame (IPv4 total length at most 65,535, plus the
     * 14-byte Ethernet header) behind the 76-byte offset the kernel puts it at with a virtio header:
     * 65,536 + 4,096 = 69,632 bytes, 17 pages.
     */
    public static final int RX_V2_GSO_FRAME_SIZE_BYTES = 65536 + 4096;

    /** Checks the values that do not depend on the page size. */
    public PacketSocketOptions {
        if (rxBlockCount < 0 || txFrameCount < 0) {
            throw new IllegalArgumentException("ring sizes must not be negative");
        }
        if (rxBlockCount == 0 && txFrameCount == 0) {
            throw new IllegalArgumentException("a packet socket needs an RX ring, a TX ring or both");
        }
        if (rxBlockCount > 0 && (rxBlockSizeBytes < RX_NOMINAL_FRAME_SIZE_BYTES
                || rxBlockSizeBytes % RX_NOMINAL_FRAME_SIZE_BYTES != 0)) {
            throw new IllegalArgumentException("rxBlockSizeBytes must be a multiple of "
                    + RX_NOMINAL_FRAME_SIZE_BYTES + " (and of the page size): " + rxBlockSizeBytes);
        }
        if (ringVersion == null) {
            throw new IllegalArgumentException("ringVersion must be V2 or V3");
        }
        if (ringVersion == TpacketVersion.V2 && rxBlockCount > 0
                && (rxFrameSizeBytes % KernelConstants.TPACKET_ALIGNMENT != 0
                || rxFrameSizeBytes < KernelStructs.Tpacket2Hdr.SIZE + 2 * KernelConstants.TPACKET_ALIGNMENT
                || rxFrameSizeBytes > rxBlockSizeBytes || rxBlockSizeBytes % rxFrameSizeBytes != 0)) {
            // Slot i then starts at i * rxFrameSizeBytes (packet_lookup_frame), with no slack per block.
            throw new IllegalArgumentException("rxFrameSizeBytes must be a multiple of "
                    + KernelConstants.TPACKET_ALIGNMENT + ", at least 64, dividing rxBlockSizeBytes "
                    + rxBlockSizeBytes + ": " + rxFrameSizeBytes);
        }
        if (rxBlockTimeoutMs < 0) {
            throw new IllegalArgumentException("rxBlockTimeoutMs must not be negative: " + rxBlockTimeoutMs);
        }
        if (txFrameCount > 0 && (txFrameSizeBytes % KernelConstants.TPACKET_ALIGNMENT != 0
                || txFrameSizeBytes < ringVersion.txDataOffset() + KernelConstants.ETH_HLEN
                + (vnetHeader ? VirtioNetHeaderFlyweight.LENGTH : 0))) {
            throw new IllegalArgumentException("txFrameSizeBytes must be a multiple of "
                    + KernelConstants.TPACKET_ALIGNMENT + " holding header and frame: " + txFrameSizeBytes);
        }
        if (fanout != null && rxBlockCount == 0) {
            throw new IllegalArgumentException("fanout needs an RX ring");
        }
        if (receiveFilter != null && rxBlockCount == 0) {
            throw new IllegalArgumentException("a receive filter needs an RX ring");
        }
    }

    /**
     * The bytes of frame (with its virtio header) one TX slot holds: the slot less the
     * {@link TpacketVersion#txDataOffset() header} of the ring version.
     */
    public int txFrameCapacityBytes() {
        return txFrameCount == 0 ? 0 : txFrameSizeBytes - ringVersion.txDataOffset();
    }

    /**
     * A builder starting from the defaults: TPACKET_V3, 16 x 256 KiB RX blocks, 1 ms timeout, 512 x 2 KiB
     * TX slots; 2 KiB V2 RX slots should V2 be chosen.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder()
                .rxBlockSizeBytes(rxBlockSizeBytes).rxBlockCount(rxBlockCount).rxBlockTimeoutMs(rxBlockTimeoutMs)
                .txFrameSizeBytes(txFrameSizeBytes).txFrameCount(txFrameCount).vnetHeader(vnetHeader)
                .qdiscBypass(qdiscBypass).ignoreOutgoing(ignoreOutgoing).promiscuous(promiscuous).fanout(fanout)
                .ringVersion(ringVersion).rxFrameSizeBytes(rxFrameSizeBytes).receiveFilter(receiveFilter);
    }

    /** Builds {@link PacketSocketOptions}; every setter returns the builder. */
    public static final class Builder {
        private int rxBlockSizeBytes = 256 * 1024;
        private int rxBlockCount = 16;
        private int rxBlockTimeoutMs = 1;
        private int txFrameSizeBytes = 2048;
        private int txFrameCount = 512;
        private boolean vnetHeader;
        private boolean qdiscBypass;
        private boolean ignoreOutgoing;
        private boolean promiscuous;
        private PacketFanout fanout;
        private TpacketVersion ringVersion = TpacketVersion.V3;
        private int rxFrameSizeBytes = 2048;
        private ClassicBpfProgram receiveFilter;

        private Builder() {
        }

        /** See {@link PacketSocketOptions#rxBlockSizeBytes()}. */
        public Builder rxBlockSizeBytes(int value) {
            this.rxBlockSizeBytes = value;
            return this;
        }

        /** See {@link PacketSocketOptions#rxBlockCount()}. */
        public Builder rxBlockCount(int value) {
            this.rxBlockCount = value;
            return this;
        }

        /** See {@link PacketSocketOptions#rxBlockTimeoutMs()}. */
        public Builder rxBlockTimeoutMs(int value) {
            this.rxBlockTimeoutMs = value;
            return this;
        }

        /** See {@link PacketSocketOptions#txFrameSizeBytes()}. */
        public Builder txFrameSizeBytes(int value) {
            this.txFrameSizeBytes = value;
            return this;
        }

        /** See {@link PacketSocketOptions#txFrameCount()}. */
        public Builder txFrameCount(int value) {
            this.txFrameCount = value;
            return this;
        }

        /** See {@link PacketSocketOptions#vnetHeader()}. */
        public Builder vnetHeader(boolean value) {
            this.vnetHeader = value;
            return this;
        }

        /** See {@link PacketSocketOptions#qdiscBypass()}. */
        public Builder qdiscBypass(boolean value) {
            this.qdiscBypass = value;
            return this;
        }

        /** See {@link PacketSocketOptions#ignoreOutgoing()}. */
        public Builder ignoreOutgoing(boolean value) {
            this.ignoreOutgoing = value;
            return this;
        }

        /** See {@link PacketSocketOptions#promiscuous()}. */
        public Builder promiscuous(boolean value) {
            this.promiscuous = value;
            return this;
        }

        /** See {@link PacketSocketOptions#fanout()}; {@code null} for none. */
        public Builder fanout(PacketFanout value) {
            this.fanout = value;
            return this;
        }

        /** See {@link PacketSocketOptions#ringVersion()}. */
        public Builder ringVersion(TpacketVersion value) {
            this.ringVersion = value;
            return this;
        }

        /** See {@link PacketSocketOptions#rxFrameSizeBytes()}; used on V2 only. */
        public Builder rxFrameSizeBytes(int value) {
            this.rxFrameSizeBytes = value;
            return this;
        }

        /** See {@link PacketSocketOptions#receiveFilter()}; {@code null} for none. */
        public Builder receiveFilter(ClassicBpfProgram value) {
            this.receiveFilter = value;
            return this;
        }

        /** Validates and builds. */
        public PacketSocketOptions build() {
            return new PacketSocketOptions(rxBlockSizeBytes, rxBlockCount, rxBlockTimeoutMs, txFrameSizeBytes,
                    txFrameCount, vnetHeader, qdiscBypass, ignoreOutgoing, promiscuous, fanout, ringVersion,
                    rxFrameSizeBytes, receiveFilter);
        }
    }
}
