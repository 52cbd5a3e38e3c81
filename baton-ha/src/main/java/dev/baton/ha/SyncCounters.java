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
 * @param syncStatus        the receiver's sub-state: idle, sync-in, synchronized or capacity-refused (the worst shard's)
 * @param invalidRecords    replication records refused before the table (bad protocol, state, service, server)
 * @param outOfWindow       dump batches or ends carrying a sequence no sender within its window could send
 * @param handlerFailures   inbound messages whose handling threw, consumed and not redelivered
 * @param capacityRefusals  dumps refused because the active's partition exceeds this table's room
 * @param refusedActiveEntries the active's entry count at the last capacity refusal (the largest over shards)
 * @param offeredCapacity   this table's room for the partition at the last capacity refusal (the smallest over shards)
 * @param resumedStreams    dumps pushed unasked to a standby heard again after its stream was dropped
 * @param heldBatches       update batches that arrived beyond a gap and were held for it (standby)
 * @param trailedRecordsSkipped records of a trailed stream (the old active's, after a takeover) not applied: this
 *                          table had the connection, or they were no insert
 * @param staleRequests     SYNC_REQUESTs of an older session than the one in progress, ignored (active)
 * @param staleAcknowledgements ACKs and NACKs of an earlier session, or for a gap already repaired, ignored (active)
 */
public record SyncCounters(int followedPeer, boolean synchronized_, long recordsApplied, long applyFailures, long gaps,
                           long resyncs, long digestMismatches, long duplicatesOrStale, long dumpsSent,
                           long dumpRecordsSent, long updatesSent, long batchesResent, long updatesUnacknowledged,
                           long unroutedMessages, long inboundDropped, long outboundDropped, String syncStatus,
                           long invalidRecords, long outOfWindow, long handlerFailures, long capacityRefusals,
                           long refusedActiveEntries, long offeredCapacity, long resumedStreams, long heldBatches,
                           long trailedRecordsSkipped, long staleRequests, long staleAcknowledgements) {

    private static final java.util.List<String> STATUS_BY_SEVERITY =
            java.util.List.of("synchronized", "idle", "sync-in", "capacity-refused");

    /** The sum over shards; {@code synchronized_} only when every shard is. */
    public SyncCounters plus(SyncCounters o) {
        return new SyncCounters(followedPeer >= 0 ? followedPeer : o.followedPeer, synchronized_ && o.synchronized_,
                recordsApplied + o.recordsApplied, applyFailures + o.applyFailures, gaps + o.gaps, resyncs + o.resyncs,
                digestMismatches + o.digestMismatches, duplicatesOrStale + o.duplicatesOrStale, dumpsSent + o.dumpsSent,
                dumpRecordsSent + o.dumpRecordsSent, updatesSent + o.updatesSent, batchesResent + o.batchesResent,
                updatesUnacknowledged + o.updatesUnacknowledged, unroutedMessages + o.unroutedMessages,
                inboundDropped + o.inboundDropped, outboundDropped + o.outboundDropped,
                STATUS_BY_SEVERITY.indexOf(syncStatus) >= STATUS_BY_SEVERITY.indexOf(o.syncStatus) ? syncStatus : o.syncStatus,
                invalidRecords + o.invalidRecords, outOfWindow + o.outOfWindow, handlerFailures + o.handlerFailures,
                capacityRefusals + o.capacityRefusals, Math.max(refusedActiveEntries, o.refusedActiveEntries),
                offeredCapacity == 0 ? o.offeredCapacity : o.offeredCapacity == 0 ? offeredCapacity
                        : Math.min(offeredCapacity, o.offeredCapacity), resumedStreams + o.resumedStreams,
                heldBatches + o.heldBatches, trailedRecordsSkipped + o.trailedRecordsSkipped, staleRequests + o.staleRequests,
                staleAcknowledgements + o.staleAcknowledgements);
    }
}
