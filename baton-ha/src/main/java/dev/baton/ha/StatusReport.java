package dev.baton.ha;

import dev.baton.ha.VipUnit.PeerRecord;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.ServiceMonitor;
import dev.baton.monitor.SyncState;
import dev.baton.monitor.Transition;

import java.util.ArrayList;
import java.util.List;

/**
 * The operator's read side of the HA agent: {@code baton ctl status} as a typed {@link HaStatus} built from the VIP
 * units, the peers' records and the replication tables, and the VIPs an operator's target names. Rendering as
 * JSON or text is the control module's. Agent thread only (the agent's {@code query} brings callers there).
 */
final class StatusReport {

    private final long routerNumber;
    private final long incarnation;
    /** The services digest this router announces: a reload changes it ({@link #configDigest(long)}). */
    private long configDigest;
    private final VipUnit[] groups;
    private final Peers peers;
    private final Replication replication;
    private final PeerMessages messages;

    StatusReport(int routerNumber, long incarnation, long configDigest, VipUnit[] groups, Peers peers,
                 Replication replication, PeerMessages messages) {
        this.routerNumber = Integer.toUnsignedLong(routerNumber);
        this.incarnation = incarnation;
        this.configDigest = configDigest;
        this.groups = groups;
        this.peers = peers;
        this.replication = replication;
        this.messages = messages;
    }

    /** After a reload: the services digest of the new configuration. Agent thread. */
    void configDigest(long digest) {
        this.configDigest = digest;
    }

    /**
     * Per VIP and per peer, as of {@code nowMs}.
     *
     * @param heartbeatsWithheld the conductor's count of cycles that sent no keep-alive after a stall within them
     */
    HaStatus build(long nowMs, long heartbeatsWithheld) {
        List<HaStatus.Vip> vips = new ArrayList<>();
        for (VipUnit group : groups) {
            vips.add(vip(group, nowMs));
        }
        return new HaStatus(routerNumber, incarnation, configDigest, List.copyOf(vips), messages.peerStatus(nowMs),
                messages.counts(heartbeatsWithheld));
    }

    private HaStatus.Vip vip(VipUnit group, long nowMs) {
        ServiceMonitor m = group.monitor;
        int active = group.activePeerIndex();
        Transition last = m.last();
        HaStatus.LastTransition lastTransition = last == null ? null : new HaStatus.LastTransition(nowMs - last.atMs(),
                last.reference(), last.from(), last.to(), peers.forPeople(last.reason()));
        List<HaStatus.PeerRecord> peerRecords = new ArrayList<>();
        for (int p = 0; p < peers.count(); p++) {
            PeerRecord r = group.peerRecords[p];
            peerRecords.add(r == null
                    ? new HaStatus.PeerRecord(peers.name(p), false, null, SyncState.NONE, 0, true, 0, 0, -1)
                    : new HaStatus.PeerRecord(peers.name(p), true, r.state(), r.sync(), r.term(), r.linksUp(), r.tableSize(),
                            r.tableDigest(), nowMs - r.atMs()));
        }
        return new HaStatus.Vip(group.name, List.copyOf(group.services), m.role(), m.priority(), m.state(), m.sync(),
                m.term(), group.forwarding, group.answeringArp,
                active < 0 ? (m.state() == MonitorState.ACTIVE ? "this router" : "") : peers.name(active),
                group.followedPeer < 0 ? "" : peers.name(group.followedPeer), replication.size(group.index),
                replication.digest(group.index), m.linksUp(), group.configDiffers, group.announcements.sent(), lastTransition,
                List.copyOf(peerRecords));
    }

    /**
     * The VIPs {@code target} names (a VIP's address or one of its services' names), or every VIP for null.
     *
     * @throws IllegalArgumentException naming what is known when nothing matches
     */
    List<VipUnit> named(String target) {
        List<VipUnit> result = new ArrayList<>();
        for (VipUnit group : groups) {
            if (target == null || target.equals(group.name) || group.services.contains(target)) {
                result.add(group);
            }
        }
        if (result.isEmpty()) {
            List<String> known = new ArrayList<>();
            for (VipUnit group : groups) {
                known.add(group.name);
                known.addAll(group.services);
            }
            throw new IllegalArgumentException("no service or VIP named '" + target + "'; known: " + String.join(", ", known));
        }
        return result;
    }
}
