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
 */
public record RingSettings(int blockSizeBytes, int blockCount, int blockTimeoutMs, int txFrameSizeBytes, int txFrameCount) {

    public RingSettings {
        if (blockSizeBytes <= 0 || blockCount <= 0 || blockTimeoutMs <= 0 || txFrameSizeBytes <= 0 || txFrameCount <= 0) {
            throw new IllegalArgumentException("ring geometry must be positive: " + blockSizeBytes + ", " + blockCount
                    + ", " + blockTimeoutMs + ", " + txFrameSizeBytes + ", " + txFrameCount);
        }
    }

    /** Bytes of one RX ring: {@code blockSizeBytes x blockCount}. */
    public long rxRingBytes() {
        return (long) blockSizeBytes * blockCount;
    }

    /** Bytes of TX slots in one TX ring: {@code txFrameSizeBytes x txFrameCount}. */
    public long txRingBytes() {
        return (long) txFrameSizeBytes * txFrameCount;
    }
}
