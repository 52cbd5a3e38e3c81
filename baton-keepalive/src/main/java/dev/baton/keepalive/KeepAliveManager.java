package dev.baton.keepalive;

import java.util.ArrayList;
import java.util.List;

/**
 * The keep-alive manager (patent FIG. 2, KAM 210): "in charge of monitoring the peer FTR-CRs over all the
 * configured network links", generating alive and failure notifications for the monitoring manager. Pure
 * logic: it reads no clock and sends nothing; the caller passes the time ({@code nowMs}, any monotonic
 * millisecond clock) and does the I/O.
 *
 * <p>Per link: a heartbeat is due every {@code intervalMs} ({@link #heartbeatsDue}); a verified heartbeat
 * received on it ({@link #onHeartbeat}) makes it alive; silence for {@code failureMs} (since the last
 * heartbeat, or since start when none came) makes it failed. Per peer: alive while any link is
 * alive; failed only when <em>all</em> its links are failed. One link failing is reported
 * ({@link KeepAliveEvent.Kind#LINK_FAILED}, its status and counter) and fails nothing.
 *
 * <p>{@link #poll} reports each change once, when it happens: per peer, link events in link order, then
 * the peer event they lead to. Not thread-safe: owned by the peer agent's thread.
 */
public final class KeepAliveManager {

    private final long intervalMs;
    private final long failureMs;
    private final long startMs;
    private final PeerConfig[] configs;
    private final PeerState[] peers;
    /** No link fails before this time: this router was itself not running, see {@link #onSelfStalled}. */
    private long failuresSuspendedUntilMs = Long.MIN_VALUE;

    /**
     * @param peers      the configured peers (distinct router ids)
     * @param intervalMs time between two heartbeats on a link (the update interval t4 in the peer protocol)
     * @param failureMs  silence after which a link is failed; more than {@code intervalMs}, so that a
     *                   heartbeat arriving a little late (jitter) fails nothing
     * @param startMs    the time the manager starts: the first heartbeats are due then, and a link never
     *                   heard from fails {@code failureMs} after it
     */
    public KeepAliveManager(List<PeerConfig> peers, long intervalMs, long failureMs, long startMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("heartbeat interval must be positive, got " + intervalMs + " ms");
        }
        if (failureMs <= intervalMs) {
            throw new IllegalArgumentException("failure time (" + failureMs + " ms) must exceed the heartbeat interval ("
                    + intervalMs + " ms), or every late heartbeat fails a link");
        }
        this.intervalMs = intervalMs;
        this.failureMs = failureMs;
        this.startMs = startMs;
        this.configs = peers.toArray(PeerConfig[]::new);
        this.peers = new PeerState[configs.length];
        for (int i = 0; i < configs.length; i++) {
            for (int j = 0; j < i; j++) {
                if (configs[j].routerId() == configs[i].routerId()) {
                    throw new IllegalArgumentException("peers " + configs[j].name() + " and " + configs[i].name()
                            + " share router id " + Integer.toUnsignedString(configs[i].routerId()));
                }
            }
            this.peers[i] = new PeerState(configs[i].links().size(), startMs);
        }
    }

    /**
     * The heartbeats to send now: every link whose next heartbeat time has come. Each is scheduled
     * {@code intervalMs} after this call (not after its due time: a caller that fell behind sends one
     * heartbeat, not a burst). Call {@link #onHeartbeatSent} for each one actually sent.
     */
    public List<HeartbeatDue> heartbeatsDue(long nowMs) {
        List<HeartbeatDue> due = new ArrayList<>();
        for (int p = 0; p < peers.length; p++) {
            LinkRecord[] links = peers[p].links;
            for (int l = 0; l < links.length; l++) {
                if (nowMs >= links[l].nextHeartbeatMs) {
                    links[l].nextHeartbeatMs = nowMs + intervalMs;
                    due.add(new HeartbeatDue(configs[p].routerId(), l));
                }
            }
        }
        return due;
    }

    /** Counts a heartbeat sent to {@code peerRouterId} over link {@code linkIndex} (for status). */
    public void onHeartbeatSent(int peerRouterId, int linkIndex) {
        link(peerRouterId, linkIndex).heartbeatsSent++;
    }

    /**
     * Records a verified heartbeat from {@code peerRouterId} received on link {@code linkIndex} at
     * {@code nowMs}. The caller passes only authenticated, fresh messages (baton-peer's
     * {@code MessageVerifier} accepted them): a rejected message must never reach here.
     *
     * @throws IllegalArgumentException for a peer or link that is not configured
     */
    public void onHeartbeat(int peerRouterId, int linkIndex, long nowMs) {
        LinkRecord link = link(peerRouterId, linkIndex);
        link.heartbeatsReceived++;
        if (link.lastHeardMs == LinkStatus.NEVER || nowMs > link.lastHeardMs) {
            link.lastHeardMs = nowMs;
        }
    }

    /**
     * This router did not run from {@code nowMs - stalledMs} to {@code nowMs} (stopped, paused, starved). The
     * peers' heartbeats of that time may be queued unread, or lost with a full socket buffer: a silence that
     * overlaps the stall says nothing about them. No link fails until {@code failureMs} after now, so each
     * peer has a whole failure time, counted from when this router listens again, to be heard (the same rule
     * as transition 321 for an active that stalled: listen before concluding). A peer that is really gone is
     * declared failed at most one failure time later than without the stall.
     */
    public void onSelfStalled(long stalledMs, long nowMs) {
        failuresSuspendedUntilMs = Math.max(failuresSuspendedUntilMs, nowMs + failureMs);
    }

    /**
     * Evaluates every link and peer at {@code nowMs} and returns what changed since the last poll, in
     * order: per peer, its link events by link index, then its peer event. Each change is reported once.
     */
    public List<KeepAliveEvent> poll(long nowMs) {
        List<KeepAliveEvent> events = new ArrayList<>();
        for (int p = 0; p < peers.length; p++) {
            PeerConfig config = configs[p];
            PeerState peer = peers[p];
            int alive = 0;
            int failed = 0;
            int firstAlive = -1;
            for (int l = 0; l < peer.links.length; l++) {
                LinkRecord link = peer.links[l];
                boolean heard = link.lastHeardMs != LinkStatus.NEVER && nowMs - link.lastHeardMs < failureMs;
                if (heard) {
                    if (link.state != LinkState.ALIVE) {
                        link.state = LinkState.ALIVE;
                        events.add(new KeepAliveEvent(KeepAliveEvent.Kind.LINK_ALIVE, config.routerId(), config.name(),
                                l, nowMs, "heartbeat received on link " + l + " (" + config.links().get(l).describe()
                                + ") " + (nowMs - link.lastHeardMs) + " ms ago"));
                    }
                } else {
                    long silentSinceMs = link.lastHeardMs == LinkStatus.NEVER ? startMs : link.lastHeardMs;
                    if (link.state != LinkState.FAILED && nowMs - silentSinceMs >= failureMs && nowMs >= failuresSuspendedUntilMs) {
                        link.state = LinkState.FAILED;
                        link.failures++;
                        String since = link.lastHeardMs == LinkStatus.NEVER
                                ? "no heartbeat since start, " + (nowMs - startMs) + " ms ago"
                                : "no heartbeat for " + (nowMs - link.lastHeardMs) + " ms";
                        events.add(new KeepAliveEvent(KeepAliveEvent.Kind.LINK_FAILED, config.routerId(), config.name(),
                                l, nowMs, "link " + l + " (" + config.links().get(l).describe() + ") silent: " + since
                                + ", failure time " + failureMs + " ms"));
                    }
                }
                if (link.state == LinkState.ALIVE) {
                    alive++;
                    if (firstAlive < 0) {
                        firstAlive = l;
                    }
                } else if (link.state == LinkState.FAILED) {
                    failed++;
                }
            }
            int total = peer.links.length;
            if (alive > 0 && peer.state != LinkState.ALIVE) {
                peer.state = LinkState.ALIVE;
                events.add(new KeepAliveEvent(KeepAliveEvent.Kind.PEER_ALIVE, config.routerId(), config.name(),
                        KeepAliveEvent.NO_LINK, nowMs, "heard on " + alive + " of " + total + " links (first: link "
                        + firstAlive + ", " + config.links().get(firstAlive).describe() + ")"));
            } else if (failed == total && peer.state != LinkState.FAILED) {
                peer.state = LinkState.FAILED;
                events.add(new KeepAliveEvent(KeepAliveEvent.Kind.PEER_FAILED, config.routerId(), config.name(),
                        KeepAliveEvent.NO_LINK, nowMs, "all " + total + " links silent for at least the failure time of "
                        + failureMs + " ms"));
            }
        }
        return events;
    }

    /** A snapshot of every peer and link, in configuration order. */
    public List<PeerStatus> status() {
        List<PeerStatus> result = new ArrayList<>(peers.length);
        for (int p = 0; p < peers.length; p++) {
            result.add(statusAt(p));
        }
        return result;
    }

    /** A snapshot of peer {@code peerRouterId}. */
    public PeerStatus status(int peerRouterId) {
        return statusAt(indexOf(peerRouterId));
    }

    private PeerStatus statusAt(int p) {
        PeerState peer = peers[p];
        List<LinkStatus> links = new ArrayList<>(peer.links.length);
        for (int l = 0; l < peer.links.length; l++) {
            LinkRecord link = peer.links[l];
            links.add(new LinkStatus(l, configs[p].links().get(l), link.state, link.lastHeardMs, link.heartbeatsSent,
                    link.heartbeatsReceived, link.failures));
        }
        return new PeerStatus(configs[p].routerId(), configs[p].name(), peer.state, links);
    }

    /** The configured peers, in order. */
    public List<PeerConfig> peers() {
        return List.of(configs);
    }

    public long intervalMs() {
        return intervalMs;
    }

    public long failureMs() {
        return failureMs;
    }

    private LinkRecord link(int peerRouterId, int linkIndex) {
        LinkRecord[] links = peers[indexOf(peerRouterId)].links;
        if (linkIndex < 0 || linkIndex >= links.length) {
            throw new IllegalArgumentException("peer " + Integer.toUnsignedString(peerRouterId) + " has no link "
                    + linkIndex + " (it has " + links.length + ")");
        }
        return links[linkIndex];
    }

    private int indexOf(int peerRouterId) {
        for (int p = 0; p < configs.length; p++) {
            if (configs[p].routerId() == peerRouterId) {
                return p;
            }
        }
        throw new IllegalArgumentException("router " + Integer.toUnsignedString(peerRouterId) + " is not a configured peer");
    }

    /** Mutable per-peer state. */
    private static final class PeerState {
        final LinkRecord[] links;
        LinkState state = LinkState.UNKNOWN;

        PeerState(int linkCount, long startMs) {
            links = new LinkRecord[linkCount];
            for (int i = 0; i < linkCount; i++) {
                links[i] = new LinkRecord(startMs);
            }
        }
    }

    /** Mutable per-link state. */
    private static final class LinkRecord {
        long nextHeartbeatMs;
        long lastHeardMs = LinkStatus.NEVER;
        LinkState state = LinkState.UNKNOWN;
        long heartbeatsSent;
        long heartbeatsReceived;
        long failures;

        LinkRecord(long startMs) {
            nextHeartbeatMs = startMs;
        }
    }
}
