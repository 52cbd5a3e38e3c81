package dev.baton.ha;

/**
 * What a {@link ReplicationShard} tells the HA agent about one VIP's replication on its worker: rare
 * control-path events, queued on a concurrent queue.
 *
 * @param kind      what happened
 * @param vipIndex  the VIP (table partition)
 * @param worker    the shard's worker
 * @param peerIndex the peer concerned (the standby for {@link Kind#DUMP_COMPLETE} and
 *                  {@link Kind#STREAM_ENDED}, the active otherwise)
 * @param reason    a {@code SyncRequestFlyweight} reason code for {@link Kind#RESYNC_NEEDED}, else 0
 * @param atMs      the worker's clock
 */
public record ShardEvent(Kind kind, int vipIndex, int worker, int peerIndex, int reason, long atMs) {

    public enum Kind {
        /** The shard's copy of the VIP's partition equals the active's (digest verified at SYNC_END). */
        SYNCHRONIZED,
        /** The shard's copy is no longer known to equal the active's; its receiver is dumping again. */
        RESYNC_NEEDED,
        /** The shard's dump to a standby was acknowledged; changes stream from now on. */
        DUMP_COMPLETE,
        /**
         * The shard's verified dump to a standby no longer holds: the standby asked again (a gap it could not
         * repair, a digest mismatch, a new active to follow; a capacity refusal follows no dump), or the stream
         * was dropped (the standby failed or restarted, this router stopped forwarding or follows another).
         * Reported in order after the shard's DUMP_COMPLETE, so the agent's count of verified dumps follows the
         * shard's, whatever the agent cleared on its side meanwhile.
         */
        STREAM_ENDED,
        /**
         * Every change queued when the agent asked for a flush was acknowledged by every streaming standby
         * (a hand-over at shutdown).
         */
        FLUSHED
    }
}
