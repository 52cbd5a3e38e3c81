package dev.baton.ha;

import dev.baton.ha.VipUnit.PeerRecord;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.SyncState;
import dev.baton.peer.SyncRequestFlyweight;

/**
 * The standby side of the synchronization manager, per VIP: which active's stream the workers' copies follow,
 * when the copy is verified (every worker's dump checked, transition 360 to IN-SYNC), when it is no longer (a gap
 * the stream could not repair, a dump digest mismatch, the active's newer term, drift), and when a new dump is
 * asked for (SYNC-IN). Agent thread only; the VIP unit holds the state ({@code followedPeer},
 * {@code followedTerm}, {@code syncedWorkers}, the drift clock).
 */
final class StandbyCopy {

    /** How long the active's table must stay quiet before a digest that differs from it counts as drift. */
    static final long DRIFT_GRACE_MS = 1_000;

    private final Peers peers;
    private final Replication replication;
    private final LiveHandover handover;
    private final Conductor conductor;
    private final long allWorkers;

    StandbyCopy(Peers peers, Replication replication, LiveHandover handover, Conductor conductor) {
        this.peers = peers;
        this.replication = replication;
        this.handover = handover;
        this.conductor = conductor;
        this.allWorkers = HaAgent.workerMask(replication.workers());
    }

    /** A worker verified its copy against the active's dump: with every worker's, the copy is synchronized (360). */
    void onSynchronized(VipUnit group, int worker, int peer, long nowMs) {
        if (peer != group.followedPeer) {
            return;
        }
        group.syncedWorkers |= 1L << worker;
        if (group.syncedWorkers == allWorkers) {
            conductor.execute(group, group.monitor.onSynchronized(nowMs), nowMs);
        }
    }

    /** A worker's copy is no longer the active's: it asked for a new dump by itself. */
    void onResynchronizationNeeded(VipUnit group, int worker, int reason, long nowMs) {
        group.syncedWorkers &= ~(1L << worker);
        if (group.monitor.sync() == SyncState.IN_SYNC) {
            conductor.execute(group, group.monitor.onSyncLost("worker " + worker + ": "
                    + (reason == SyncRequestFlyweight.REASON_DIGEST_MISMATCH ? "dump digest mismatch" : "unrepairable gap"), nowMs), nowMs);
        }
    }

    /**
     * A standby that no longer forwards follows the active's table: asks it for a dump (SYNC-IN), unless its
     * shards already follow that peer. Deferred while a hand-over drain still forwards from this table, which
     * a dump would empty first, and while the heir has not acknowledged this router's last changes
     * ({@link LiveHandover#defersFollowing}).
     */
    void followTheActive(VipUnit group, long nowMs) {
        MonitorState state = group.monitor.state();
        if ((state != MonitorState.STANDBY && state != MonitorState.PREEMPT) || group.forwarding
                || handover.defersFollowing(group, nowMs)) {
            return;
        }
        int active = group.activePeerIndex();
        if (active >= 0 && group.followedPeer != active) {
            follow(group, active, SyncRequestFlyweight.REASON_NEW_STANDBY, false, nowMs);
            if (group.monitor.sync() == SyncState.IN_SYNC) {
                // The tables were equal when this router handed over or gave up (355, 341), but the dump now
                // replaces this copy: until it is verified this router is not a standby to hand a VIP to.
                conductor.execute(group, group.monitor.onSyncLost("following " + peers.name(active) + ": a full dump replaces this copy", nowMs), nowMs);
            }
        }
    }

    /**
     * Stops following the active's stream on every shard, and reports the copy as no longer synchronized; the
     * standby asks for a new dump when it hears an active ({@link #followTheActive}). Nothing to do for a
     * router that forwards the VIP (its table is the reference) or follows nobody.
     */
    void abandon(VipUnit group, String why, long nowMs) {
        if (group.followedPeer < 0 || group.forwarding) {
            return;
        }
        group.followedPeer = -1;
        group.syncedWorkers = 0;
        int v = group.index;
        conductor.toEveryShard(ShardCommands.Kind.UNFOLLOW, 0, 0, v, 0, nowMs);
        conductor.execute(group, group.monitor.onSyncLost(why, nowMs), nowMs);
    }

    private void follow(VipUnit group, int peer, int reason, boolean force, long nowMs) {
        group.followedPeer = peer;
        group.followedTerm = -1; // the active's term is learned from its next keep-alive
        group.syncedWorkers = 0;
        conductor.toEveryShard(ShardCommands.Kind.FOLLOW, force ? ShardCommands.FORCE : 0, reason, group.index, peer, nowMs);
    }

    /**
     * This router and the active its copy follows run the same configuration again, after a reload on one of them
     * ({@code baton ctl reload}): while they differed, the active's records named servers by its ids and this copy
     * read them by its own, so it is copied afresh (a forced dump), as a drifted copy is. Only a standby following
     * {@code peer}.
     */
    void configurationEqualAgain(VipUnit group, int peer, long nowMs) {
        if (group.followedPeer != peer || group.monitor.state() != MonitorState.STANDBY) {
            return;
        }
        group.driftSinceMs = Long.MIN_VALUE;
        conductor.execute(group, group.monitor.onSyncLost("configuration equal to " + peers.name(peer)
                + "'s again after a reload: copying its table afresh", nowMs), nowMs);
        follow(group, peer, SyncRequestFlyweight.REASON_DIGEST_MISMATCH, true, nowMs);
    }

    /**
     * A peer's keep-alive: the active this copy follows claimed a newer term ({@link #restartedStream}), or a
     * periodic digest comparison: a synchronized standby whose copy differs from the active's while
     * the active's table has been quiet for {@link #DRIFT_GRACE_MS} has drifted (a lost change the sequence
     * numbers could not see, a bug): it resynchronizes. Under constant change the two digests are never
     * sampled at the same point; the per-dump digest check and the update sequence numbers cover that case.
     */
    void onPeerHeard(VipUnit group, int peer, PeerRecord record, long nowMs) {
        if (group.followedPeer != peer) {
            return; // another standby's keep-alive says nothing about the active's table (three routers or more)
        }
        if (record.state() == MonitorState.ACTIVE && restartedStream(group, record, nowMs)) {
            return;
        }
        if (group.monitor.state() != MonitorState.STANDBY || group.monitor.sync() != SyncState.IN_SYNC
                || record.state() != MonitorState.ACTIVE) {
            group.driftSinceMs = Long.MIN_VALUE;
            return;
        }
        boolean equal = record.tableDigest() == replication.digest(group.index) && record.tableSize() == replication.size(group.index);
        if (equal || record.tableDigest() != group.lastActiveDigest) {
            group.lastActiveDigest = record.tableDigest();
            group.driftSinceMs = equal ? Long.MIN_VALUE : nowMs;
            return;
        }
        if (group.driftSinceMs == Long.MIN_VALUE) {
            group.driftSinceMs = nowMs;
        } else if (nowMs - group.driftSinceMs >= DRIFT_GRACE_MS) {
            group.driftSinceMs = Long.MIN_VALUE;
            String reason = "table digest differs from the active's (" + record.tableSize() + " entries there, "
                    + replication.size(group.index) + " here) while its table was quiet for " + DRIFT_GRACE_MS + " ms";
            conductor.execute(group, group.monitor.onSyncLost(reason, nowMs), nowMs);
            follow(group, peer, SyncRequestFlyweight.REASON_DIGEST_MISMATCH, true, nowMs);
        }
    }

    /**
     * An active that stops forwarding a VIP ends its streams to the standbys; when it takes the VIP again (a new
     * term) it streams only to those that ask. A standby that did not see the pause (the active yielded to a
     * newer claim and took the VIP back within a keep-alive interval) still follows the old stream, hears nothing
     * more on it, and takes itself for synchronized; under steady change the digest check never samples the two
     * tables at one point. The simulation found such a standby take over without a second and a half of
     * connections. So a standby whose active claims a newer term than the one it followed asks for a new dump.
     *
     * @return whether a new dump was asked for
     */
    private boolean restartedStream(VipUnit group, PeerRecord record, long nowMs) {
        if (group.followedTerm < 0 || record.term() <= group.followedTerm) {
            group.followedTerm = Math.max(group.followedTerm, record.term());
            return false;
        }
        group.followedTerm = record.term();
        if (group.monitor.sync() == SyncState.IN_SYNC) {
            conductor.execute(group, group.monitor.onSyncLost(peers.name(group.followedPeer) + " took the VIP again (term " + record.term()
                    + "): the stream this copy followed ended when it stopped forwarding", nowMs), nowMs);
        }
        follow(group, group.followedPeer, SyncRequestFlyweight.REASON_GAP, true, nowMs);
        return true;
    }
}
