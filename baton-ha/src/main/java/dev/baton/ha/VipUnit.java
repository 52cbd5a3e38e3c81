package dev.baton.ha;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.GratuitousArpSettings;
import dev.baton.config.ServiceConfig;
import dev.baton.monitor.Failback;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.MonitorTimers;
import dev.baton.monitor.Role;
import dev.baton.monitor.ServiceMonitor;
import dev.baton.monitor.SyncState;
import dev.baton.monitor.Transition;
import dev.baton.peer.KeepAliveFlyweight;

import java.util.ArrayList;
import java.util.List;

/**
 * One VIP and every service on it: the unit of takeover (ARP moves an address, not a port). Its monitor (FIG. 3),
 * its ownership flags as last set, what each peer last said about it, its replication progress, its
 * announcements and its hand-over at shutdown. The HA agent's per-VIP state; agent thread only.
 */
final class VipUnit {
    final int index;
    final int vip;
    final String name;
    final List<String> services = new ArrayList<>();
    final ServiceMonitor monitor;
    /** The local interfaces this VIP needs up to be served ({@link LocalLinks#neededBy}). */
    final int[] neededInterfaces;
    final PeerRecord[] peerRecords;
    /** Per peer: declared failed and not heard since (it may have taken the VIP over meanwhile). */
    final boolean[] unheardSinceFailure;
    boolean forwarding;
    boolean answeringArp;
    /** The peer the shards follow (its dump), or -1. */
    int followedPeer = -1;
    /** Whether the switch-over query waiting for its flush came from a standby that reaches more (345). */
    boolean queryForBetterReachability;
    /** The followed active's term while its stream is followed, or -1 until its first keep-alive after {@code follow}. */
    long followedTerm = -1;
    /**
     * The old active whose update stream the shards still apply after this router took the VIP over from it
     * ({@link ReplicationShard#trail}), or -1; and until when: its hand-over drain plus t3.
     */
    int trailedPeer = -1;
    long trailEndsMs;
    /**
     * The peer that took the VIP over from this router, whose stream the shards keep for its trail
     * ({@link ReplicationShard#dropSenders}), or -1; and until when: the hand-over drain plus t3.
     */
    int heirPeer = -1;
    long heirStreamEndsMs;
    long syncedWorkers;
    /**
     * Per peer: the workers whose dump to that standby it acknowledged, and whose stream to it still runs
     * (DUMP_COMPLETE sets a bit, STREAM_ENDED clears it; the agent also clears a peer's bits when it fails or
     * restarts, and every bit when this router stops forwarding). All set: a standby of this router, one an
     * operator switch-over or the SIGTERM hand-over may hand the VIP to.
     */
    final long[] dumpCompleteWorkers;
    /** When its gratuitous ARP announcements are due. */
    final AnnouncementSchedule announcements;
    long driftSinceMs = Long.MIN_VALUE;
    long lastActiveDigest;
    boolean configDiffers;
    /** Whether the last local link failure was on the client side (the GAVE_UP reason). */
    boolean lastDownWasClientSide;
    /** What the agent did with the last operator switch-over on the active (the monitor only asks). */
    String switchoverOutcome;
    /** Where this VIP's hand-over at shutdown stands. */
    ShutdownStep shutdownStep = ShutdownStep.NONE;
    /** Workers whose shards reported every queued change acknowledged since the last flush began. */
    long flushedWorkers;
    /**
     * The peer whose switch-over query waits for this VIP's queued changes to reach it (the hand-over happens once
     * they are acknowledged), or -1; and until when it waits at most.
     */
    int queryFlushPeer = -1;
    long queryFlushDeadlineMs;
    /** The monitor's transitions so far (sync sub-state changes included). */
    long transitions;

    private final Peers peers;

    /**
     * @param routerKey      this router's id in the monitors
     * @param peers          the configured peers
     * @param neededInterfaces the local interfaces the VIP needs ({@link LocalLinks#neededBy})
     * @param transitions    receives every transition of the VIP's monitor
     */
    VipUnit(int index, int vip, BatonConfig config, String routerKey, MonitorTimers timers, Peers peers,
            GratuitousArpSettings gratuitousArp, int[] neededInterfaces,
            java.util.function.Consumer<Transition> transitions) {
        this.index = index;
        this.vip = vip;
        this.name = Ipv4.format(vip);
        this.peerRecords = new PeerRecord[peers.count()];
        this.unheardSinceFailure = new boolean[peers.count()];
        this.dumpCompleteWorkers = new long[peers.count()];
        this.announcements = new AnnouncementSchedule(gratuitousArp.count(), gratuitousArp.interval().toMillis(),
                gratuitousArp.reannounce().toMillis());
        this.neededInterfaces = neededInterfaces;
        this.peers = peers;
        ServiceConfig first = null;
        for (ServiceConfig service : config.services()) {
            if (service.vip() == vip) {
                services.add(service.name());
                if (first == null) {
                    first = service;
                }
            }
        }
        Role role = first.role() == ServiceConfig.ServiceRole.PRIMARY ? Role.PRIMARY : Role.BACKUP;
        Failback failback = first.failback() == ServiceConfig.Failback.MANUAL ? Failback.MANUAL : Failback.AUTOMATIC;
        this.monitor = new ServiceMonitor(name, routerKey, role, failback, first.priority(), timers, t -> {
            this.transitions++;
            transitions.accept(t);
        });
    }

    /** The index of the peer this VIP's monitor hears as active, or -1. */
    int activePeerIndex() {
        String active = monitor.activePeer();
        return active == null ? -1 : peers.indexOfKey(active);
    }

    /** A VIP's hand-over at shutdown ({@link HaAgent#beginShutdown}). */
    enum ShutdownStep {
        /** Not shutting down. */
        NONE,
        /** Active: waiting for every worker's pending updates to be sent and acknowledged. */
        FLUSHING,
        /** Flushed; the synchronized standby was asked to take the VIP (the operator switch-over path, 347). */
        REQUESTED,
        /** The standby took it (355): no ARP answers; forwarding goes on for the hand-over drain. */
        HANDED_OVER,
        /** Nothing more to do: drained, given up, or this router was not active for the VIP. */
        DONE
    }

    /** What a peer last said about one VIP in its keep-alive. */
    record PeerRecord(long atMs, MonitorState state, Role role, SyncState sync, int priority, int flags, long tableSize,
                      long tableDigest, long configDigest, long term) {

        boolean linksUp() {
            return (flags & KeepAliveFlyweight.FLAG_LINKS_DOWN) == 0;
        }
    }
}
