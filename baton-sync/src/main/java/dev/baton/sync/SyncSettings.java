package dev.baton.sync;

import dev.baton.peer.MessageType;

/**
 * Tuning of one synchronization stream (the patent's SM 220, FIG. 2). All times are milliseconds on the
 * caller's injected clock.
 *
 * @param windowBatches         flow control of the full dump: the most SYNC_BATCH messages sent and not yet
 *                              acknowledged at once (at most 4,096, the receiver's reorder limit); each cumulative
 *                              ACK opens the window again; also the most batches resent per NACK
 * @param recordsPerSyncBatch   records per SYNC_BATCH, 1..{@code SYNC_BATCH.maxRecords()} (58: one unfragmented datagram)
 * @param recordsPerUpdateBatch records per UPDATE_BATCH, 1..{@code UPDATE_BATCH.maxRecords()} (50); a full batch
 *                              is sent at once, without waiting for the update interval
 * @param updateIntervalMs      the patent's t4: a non-empty update batch waits at most this long before it is sent
 * @param retainedUpdateBatches update batches kept for resending on a NACK; a gap older than these forces a
 *                              full resync (a new dump)
 * @param retransmitTimeoutMs   without acknowledgement progress for this long, the sender resends what is
 *                              outstanding, and a standby waiting for a dump repeats its SYNC_REQUEST
 * @param newConnectionDelayMs  a batch that holds a new connection goes out this long after the previous batch
 *                              was closed at the earliest, instead of t4 after its first change: a connection whose
 *                              SYN the active forwarded is lost with the active until the standby has it, and t4
 *                              is many round trips of a LAN. Only while the standby keeps up (fewer than a quarter
 *                              of the retained batches unacknowledged), so a slow standby gets fuller batches
 *                              rather than a forced resync. At least 0, at most t4 (t4: no early batches)
 */
public record SyncSettings(int windowBatches, int recordsPerSyncBatch, int recordsPerUpdateBatch,
                           long updateIntervalMs, int retainedUpdateBatches, long retransmitTimeoutMs,
                           long newConnectionDelayMs) {

    /** The default delay for batches that hold a new connection: the next millisecond. */
    public static final long NEW_CONNECTION_DELAY_MS = 1;

    /** Without early batches for new connections: every batch waits t4 (or fills). */
    public SyncSettings(int windowBatches, int recordsPerSyncBatch, int recordsPerUpdateBatch,
                        long updateIntervalMs, int retainedUpdateBatches, long retransmitTimeoutMs) {
        this(windowBatches, recordsPerSyncBatch, recordsPerUpdateBatch, updateIntervalMs, retainedUpdateBatches,
                retransmitTimeoutMs, updateIntervalMs);
    }

    public SyncSettings {
        if (newConnectionDelayMs < 0 || newConnectionDelayMs > updateIntervalMs) {
            throw new IllegalArgumentException("newConnectionDelayMs must be 0.." + updateIntervalMs + " (t4): "
                    + newConnectionDelayMs);
        }
        if (windowBatches < 1 || windowBatches > SyncReceiver.SYNC_REORDER_LIMIT) {
            // A receiver keeps dump batches only within SYNC_REORDER_LIMIT of the expected one.
            throw new IllegalArgumentException("windowBatches must be 1.." + SyncReceiver.SYNC_REORDER_LIMIT + ": " + windowBatches);
        }
        if (recordsPerSyncBatch < 1 || recordsPerSyncBatch > MessageType.SYNC_BATCH.maxRecords()) {
            throw new IllegalArgumentException("recordsPerSyncBatch must be 1.." + MessageType.SYNC_BATCH.maxRecords()
                    + ": " + recordsPerSyncBatch);
        }
        if (recordsPerUpdateBatch < 1 || recordsPerUpdateBatch > MessageType.UPDATE_BATCH.maxRecords()) {
            throw new IllegalArgumentException("recordsPerUpdateBatch must be 1.." + MessageType.UPDATE_BATCH.maxRecords()
                    + ": " + recordsPerUpdateBatch);
        }
        if (updateIntervalMs < 0 || retransmitTimeoutMs < 1) {
            throw new IllegalArgumentException("updateIntervalMs must be >= 0 and retransmitTimeoutMs >= 1");
        }
        if (retainedUpdateBatches < 2) {
            throw new IllegalArgumentException("retainedUpdateBatches must be at least 2: " + retainedUpdateBatches);
        }
    }

    /**
     * Defaults for fast failover on a LAN: a window of 32 full batches (about 46 KB in flight), t4 = 50 ms
     * (a standby is at most one interval behind), 256 retained update batches (12,800 changes), and a
     * 200 ms retransmission timeout (well above a LAN round trip).
     */
    public static SyncSettings defaults() {
        return new SyncSettings(32, MessageType.SYNC_BATCH.maxRecords(), MessageType.UPDATE_BATCH.maxRecords(),
                50, 256, 200, NEW_CONNECTION_DELAY_MS);
    }
}
