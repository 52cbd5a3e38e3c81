package dev.baton.ha;

/**
 * Replication counters of one VIP in one worker shard, summed by {@link #plus} over the shards for
 * {@code baton ctl status}.
 *
 * @param followedPeer      the active peer followed (standby), or -1
 * @param synchronized_     whether the shard's copy is verified equal to the active's
 * @param recordsApplied    records applied from dumps and updates (standby)
 * @param applyFailures     records that found the table full (a resync follows)
 * @param gaps              gaps detected in a dump or the update stream (each NACKed)
 * @param resyncs           full resynchronizations (gap not repairable, digest mismatch)
 * @param digestMismatches  dumps whose digest did not match
 * @param duplicatesOrStale messages already applied or from an abandoned session
 * @param dumpsSent         dumps started to standbys (active)
 * @param dumpRecordsSent   records sent in dumps
 * @param updatesSent       update records sent (insert, state change, remove, refresh)
 * @param batchesResent     batches resent after a NACK or timeout
 * @param updatesUnacknowledged updates not yet acknowledged by the standbys
 * @param unroutedMessages  messages for a sender or receiver this shard does not have (stale, or another VIP)
 * @param inboundDropped    messages the agent could not queue to this worker (ring full)
 * @param outboundDropped   messages this worker could not queue to the agent (ring full)
 */
public record SyncCounters(int followedPeer, boolean synchronized_, long recordsApplied, long applyFailures, long gaps,
                           long resyncs, long digestMismatches, long duplicatesOrStale, long dumpsSent,
                           long dumpRecordsSent, long updatesSent, long batchesResent, long updatesUnacknowledged,
                           long unroutedMessages, long inboundDropped, long outboundDropped) {

    /** The sum over shards; {@code synchronized_} only when every shard is. */
    public SyncCounters plus(SyncCounters o) {
        return new SyncCounters(followedPeer >= 0 ? followedPeer : o.followedPeer, synchronized_ && o.synchronized_,
                recordsApplied + o.recordsApplied, applyFailures + o.applyFailures, gaps + o.gaps, resyncs + o.resyncs,
                digestMismatches + o.digestMismatches, duplicatesOrStale + o.duplicatesOrStale, dumpsSent + o.dumpsSent,
                dumpRecordsSent + o.dumpRecordsSent, updatesSent + o.updatesSent, batchesResent + o.batchesResent,
                updatesUnacknowledged + o.updatesUnacknowledged, unroutedMessages + o.unroutedMessages,
                inboundDropped + o.inboundDropped, outboundDropped + o.outboundDropped);
    }
}
