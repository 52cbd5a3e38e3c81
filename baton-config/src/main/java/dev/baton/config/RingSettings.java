package dev.baton.config;

/**
 * TPACKET_V3 ring geometry per worker and interface (kernel Documentation/networking/packet_mmap.rst).
 * Each worker maps one RX ring and one TX ring on every interface, so the memory a router maps is
 * {@code workers x interfaces x (rxRingBytes() + txRingBytes())}.
 *
 * @param blockSizeBytes   RX block size (a power of two, a multiple of the page size)
 * @param blockCount       RX blocks
 * @param blockTimeoutMs   RX block retire timeout: the longest a partly filled block waits before the
 *                         kernel hands it over (latency bound at low rates)
 * @param txFrameSizeBytes TX slot size; must hold the largest frame sent, including a GSO super-frame
 *                         (64 KiB) when the sender uses TSO
 * @param txFrameCount     TX slots
 * @param version          the ring format: TPACKET_V3 (blocks of variable-size frames, handed over when full
 *                         or after {@code blockTimeoutMs}) or TPACKET_V2 (fixed slots, each handed over as soon
 *                         as it is written)
 * @param rxFrameSizeBytes V2 only: RX slot size; must hold the largest frame received whole
 * @param rxFrameCount     V2 only: RX slots
 */
public record RingSettings(int blockSizeBytes, int blockCount, int blockTimeoutMs, int txFrameSizeBytes, int txFrameCount,
                           Version version, int rxFrameSizeBytes, int rxFrameCount) {

    /** The RX ring format (kernel Documentation/networking/packet_mmap.rst, "TPACKET versions"). */
    public enum Version {
        /**
         * TPACKET_V2: fixed-size slots with a status word each: a frame is seen the moment it is written
         * (measured: TCP round trips through Baton ~0.1 ms), at the price of one slot per frame whatever its size.
         */
        V2,
        /**
         * TPACKET_V3: frames packed into blocks, handed over when a block is full or its retire timer
         * ({@code block-timeout}, at least 1 ms) fires: dense for small frames, but the last frame of a burst
         * waits for the timer (measured: ~1 ms round trips).
         */
        V3;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public RingSettings {
        if (blockSizeBytes <= 0 || blockCount <= 0 || blockTimeoutMs <= 0 || txFrameSizeBytes <= 0 || txFrameCount <= 0
                || rxFrameSizeBytes <= 0 || rxFrameCount <= 0 || version == null) {
            throw new IllegalArgumentException("ring geometry must be positive: " + blockSizeBytes + ", " + blockCount
                    + ", " + blockTimeoutMs + ", " + txFrameSizeBytes + ", " + txFrameCount + ", " + version
                    + ", " + rxFrameSizeBytes + ", " + rxFrameCount);
        }
    }

    /** A TPACKET_V3 geometry with the default V2 slot settings (used only if the version is changed). */
    public RingSettings(int blockSizeBytes, int blockCount, int blockTimeoutMs, int txFrameSizeBytes, int txFrameCount) {
        this(blockSizeBytes, blockCount, blockTimeoutMs, txFrameSizeBytes, txFrameCount, Version.V3,
                ConfigDefaults.RING_RX_FRAME_SIZE_BYTES, ConfigDefaults.RING_RX_FRAME_COUNT);
    }

    /** Bytes of one RX ring: {@code blockSizeBytes x blockCount} (V3) or {@code rxFrameSizeBytes x rxFrameCount} (V2). */
    public long rxRingBytes() {
        return version == Version.V2 ? (long) rxFrameSizeBytes * rxFrameCount : (long) blockSizeBytes * blockCount;
    }

    /** Bytes of TX slots in one TX ring: {@code txFrameSizeBytes x txFrameCount}. */
    public long txRingBytes() {
        return (long) txFrameSizeBytes * txFrameCount;
    }
}
