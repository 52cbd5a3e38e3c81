package dev.baton.config;

/**
 * TPACKET_V3 ring geometry per worker and interface.
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
}
