package dev.baton.ha;

import dev.baton.monitor.MonitorAction;
import dev.baton.monitor.MonitorState;

import java.util.List;

/**
 * A VIP handed over between two running routers (a switch-over, a failback, the SIGTERM hand-over, a yield to a
 * newer claim, 341) loses no connection the old active knew of. Three parts, each bounded in time:
 * <ul>
 *   <li><b>The query flush</b> (old active): a standby's switch-over query (346/347) is accepted (355) only once
 *       every change the workers queued for that standby is acknowledged, the changes made during its dump
 *       included, or after half of t3, within which the standby must hear the answer.</li>
 *   <li><b>The trail</b> (new active): the old active drains, forwarding what the upstream still sends it for
 *       {@code handover-drain}, new connections included; the new active keeps applying its update stream for
 *       the drain plus t3, as inserts of the connections it lacks ({@link ReplicationShard#trail}).</li>
 *   <li><b>The heir's stream</b> (old active): when it stops forwarding, its streams end, but the one to the
 *       router that took the VIP over lives on for that router's trail, so what the network lost on it is still
 *       resent ({@link ReplicationShard#dropSenders}).</li>
 * </ul>
 * Found by the failover suite (8 of 200 connections opened during a dump lost to a failback in the millisecond it
 * was verified) and the simulation's calm-connection invariant (connections opened in the drain, or whose update
 * was lost just before a yield). Agent thread only; the VIP unit holds the state.
 */
final class LiveHandover {

    private final Peers peers;
    private final HaEventLog events;
    private final Conductor conductor;
    private final long allWorkers;
    /** The longest an accepted query waits for the flush: half of t3 ({@code preempt-timeout}). */
    private final long queryFlushMs;
    /** How long the trail and the heir's stream last: {@code handover-drain} plus t3. */
    private final long tailMs;

    /**
     * @param allWorkers the bit set of every worker ({@link HaAgent#workerMask})
     */
    LiveHandover(Peers peers, HaEventLog events, long allWorkers, long preemptTimeoutMs, long handoverDrainMs,
                 Conductor conductor) {
        this.peers = peers;
        this.events = events;
        this.allWorkers = allWorkers;
        this.queryFlushMs = Math.max(1, preemptTimeoutMs / 2);
        this.tailMs = handoverDrainMs + preemptTimeoutMs;
        this.conductor = conductor;
    }

    // ------------------------------------------------------------------ the query flush (old active)

    /**
     * A standby asks for the VIP: the flush toward it begins, and the query is answered once it is acknowledged
     * ({@link #poll}). A standby that verified its dump and asked in the same millisecond (automatic failback right
     * after a resynchronization) had not yet received the changes made during the dump. Repeated queries while it
     * waits change nothing; during the shutdown hand-over, which flushed first, it accepts at once.
     *
     * @return the monitor's actions now: none while the flush is pending
     */
    List<MonitorAction> onQuery(VipUnit group, int peer, boolean forBetterReachability, boolean shuttingDown, long nowMs) {
        if (group.monitor.state() != MonitorState.ACTIVE || shuttingDown) {
            return group.monitor.onSwitchoverQuery(peers.key(peer), forBetterReachability, nowMs);
        }
        if (group.queryFlushPeer < 0) {
            group.queryFlushPeer = peer;
            group.queryForBetterReachability = forBetterReachability;
            group.queryFlushDeadlineMs = nowMs + queryFlushMs;
            group.flushedWorkers = 0;
            conductor.toEveryShard(ShardCommands.Kind.FLUSH_UPDATES, ShardCommands.ONE_PEER, 0, group.index, peer, nowMs);
        }
        return List.of();
    }

    /** Each agent cycle: answers a waiting query, ends a trail or an heir's stream whose time is up. */
    void poll(VipUnit group, long nowMs) {
        answerQueryOnceFlushed(group, nowMs);
        if (group.trailedPeer >= 0 && nowMs >= group.trailEndsMs) {
            endTrail(group, nowMs);
        }
        if (group.heirPeer >= 0 && nowMs >= group.heirStreamEndsMs) {
            // Unless this router forwards again: then the heir follows it, and the stream is an ordinary one.
            if (!group.forwarding) {
                conductor.toEveryShard(ShardCommands.Kind.FORGET_PEER, 0, 0, group.index, group.heirPeer, nowMs);
            }
            group.heirPeer = -1;
        }
    }

    private void answerQueryOnceFlushed(VipUnit group, long nowMs) {
        int peer = group.queryFlushPeer;
        if (peer < 0) {
            return;
        }
        boolean flushed = group.flushedWorkers == allWorkers;
        boolean active = group.monitor.state() == MonitorState.ACTIVE;
        if (!flushed && active && nowMs < group.queryFlushDeadlineMs) {
            return;
        }
        group.queryFlushPeer = -1;
        if (!flushed && active) {
            events.note(nowMs, group.name, 355, "switch-over query from " + peers.name(peer) + ": its pending table updates were"
                    + " not acknowledged within half of t3; handing the VIP over anyway", true);
        }
        conductor.execute(group, group.monitor.onSwitchoverQuery(peers.key(peer), group.queryForBetterReachability, nowMs), nowMs);
    }

    // ------------------------------------------------------------------ the trail (new active)

    /**
     * This router takes the VIP over: its table is the reference now. The stream of the active it followed is
     * trailed if it had one (a crashed active sends nothing more; one that failed was unfollowed already); a
     * stream it spared for an heir of its own ends.
     */
    void onTakeover(VipUnit group, long nowMs) {
        if (group.heirPeer >= 0) {
            // The heir lost the VIP to this router: its trail is over, and it asks for a dump of its own.
            conductor.toEveryShard(ShardCommands.Kind.FORGET_PEER, 0, 0, group.index, group.heirPeer, nowMs);
            group.heirPeer = -1;
        }
        int predecessor = group.followedPeer;
        group.followedPeer = -1;
        group.syncedWorkers = 0;
        if (predecessor < 0) {
            conductor.toEveryShard(ShardCommands.Kind.UNFOLLOW, 0, 0, group.index, 0, nowMs);
            return;
        }
        group.trailedPeer = predecessor;
        group.trailEndsMs = nowMs + tailMs;
        conductor.toEveryShard(ShardCommands.Kind.TRAIL, 0, 0, group.index, predecessor, nowMs);
    }

    /** The trailed peer failed: nothing more will come from it. */
    void onPeerFailed(VipUnit group, int peer, long nowMs) {
        if (group.trailedPeer == peer) {
            endTrail(group, nowMs);
        }
    }

    private void endTrail(VipUnit group, long nowMs) {
        if (group.trailedPeer >= 0) {
            group.trailedPeer = -1;
            conductor.toEveryShard(ShardCommands.Kind.UNFOLLOW, 0, 0, group.index, 0, nowMs);
        }
    }

    // ------------------------------------------------------------------ the heir's stream (old active)

    /**
     * This router stops forwarding the VIP: a trail of its own ends, its streams to the standbys end, but the
     * one to the peer that took the VIP over (when known: it was asked to, or it claimed it) lives on for that
     * peer's trail. Dropped at once, a connection whose update was lost just before a yield (341) existed in this
     * router's table only, which the new active's dump then replaced.
     */
    void onStopForwarding(VipUnit group, long nowMs) {
        endTrail(group, nowMs);
        int heir = group.activePeerIndex();
        conductor.toEveryShard(ShardCommands.Kind.DROP_SENDERS, heir >= 0 ? ShardCommands.SPARE_PEER : 0, 0, group.index,
                Math.max(heir, 0), nowMs);
        group.heirPeer = heir;
        group.heirStreamEndsMs = nowMs + tailMs;
        if (heir >= 0) {
            group.flushedWorkers = 0;
            conductor.toEveryShard(ShardCommands.Kind.FLUSH_UPDATES, ShardCommands.ONE_PEER, 0, group.index, heir, nowMs);
        }
    }

    /**
     * Whether this router must not follow the new active yet: its stream to the heir still holds changes the heir
     * has not acknowledged, and following means replacing this table with the heir's dump, which lacks them. Once
     * they are acknowledged (or the heir's trail is over), the heir has them and so will the dump. Without it, a
     * router that yielded (341) followed the heir at once, and an operator switched the VIP straight back to it
     * 41 ms later, before the resend of a lost update reached the heir: the connection was in no table.
     */
    boolean defersFollowing(VipUnit group, long nowMs) {
        return group.heirPeer >= 0 && group.flushedWorkers != allWorkers && nowMs < group.heirStreamEndsMs;
    }
}
