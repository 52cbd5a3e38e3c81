package dev.baton.sync;

/**
 * What a {@link SyncReceiver} reports to the monitoring manager (the patent's MM 240): the "cache
 * synchronized" event behind transition 346, and the need for a new dump.
 */
public interface SyncEvents {

    /** Reports nothing. */
    SyncEvents NONE = new SyncEvents() {
        @Override
        public void onSynchronized(int serviceId, long nowMs) {
        }

        @Override
        public void onResynchronizationNeeded(int serviceId, int reason, long nowMs) {
        }
    };

    /** The dump is complete and this router's table has the active's entry count and digest. */
    void onSynchronized(int serviceId, long nowMs);

    /**
     * The local copy is no longer known to be identical: the dump's digest did not match, or the active
     * started a new dump because a gap could not be repaired. The receiver is back in SYNC-IN.
     *
     * @param reason a {@link dev.baton.peer.SyncRequestFlyweight} reason code ({@code REASON_GAP},
     *               {@code REASON_DIGEST_MISMATCH})
     */
    void onResynchronizationNeeded(int serviceId, int reason, long nowMs);

    /**
     * The active's partition holds more entries than this router's table can: no dump is
     * applied; the receiver asks again only after a back-off. Reported once per refusal.
     *
     * @param activeEntries the active's entry count for the stream
     * @param standbyRoom   the entries this table could hold for it
     */
    default void onCapacityRefused(int serviceId, long activeEntries, long standbyRoom, long nowMs) {
    }
}
