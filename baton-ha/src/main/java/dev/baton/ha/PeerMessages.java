package dev.baton.ha;

import dev.baton.agent.MillisClock;
import dev.baton.agent.RateLimitedLog;
import dev.baton.ha.VipUnit.PeerRecord;
import dev.baton.keepalive.KeepAliveManager;
import dev.baton.keepalive.LinkState;
import dev.baton.keepalive.LinkStatus;
import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerTransport;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.ServiceMonitor;
import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.peer.ServerSettingsFlyweight;
import dev.baton.peer.ServiceNoticeFlyweight;
import dev.baton.reachability.ReportChunks;

import dev.baton.keepalive.PeerStatus;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The HA agent's peer-message adapter: everything between the authenticated datagrams of {@link PeerTransport}
 * and the conductor's typed calls. Inbound it applies the incarnation handshake and claim ordering
 * ({@link PeerRuns}), decodes keep-alives into one {@link PeerRecord} per VIP and notices into (VIP, reason),
 * and routes sync messages to the worker their stream names; outbound it writes keep-alives from the VIP units'
 * monitors, notices, and the workers' replication payloads (on one live link per peer). Every malformed or
 * unknown record is counted and dropped here, so the conductor only ever sees a VIP it has.
 *
 * <p>Agent thread only, like the conductor it serves.
 */
final class PeerMessages implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PeerMessages.class.getName());

    /** What the conductor does with what peers say; called on the agent thread, from {@link #receive}. */
    interface Listener {
        /** Peer {@code peer} is a new run (a new incarnation authenticated): its old streams mean nothing. */
        void peerRestarted(int peer, long nowMs);

        /** One VIP's record of a peer's keep-alive (the VIP exists here; the record's codes are known). */
        void peerHeard(VipUnit group, int peer, PeerRecord record, long nowMs);

        /** A switch-over query, accept or decline, a GAVE_UP or a takeover request for one VIP. */
        void notice(VipUnit group, int peer, MessageType type, int reason, long nowMs);

        /**
         * A peer asks for a dump of one VIP's table (the first message of its new stream, per worker).
         *
         * @return whether this router serves it (it is the VIP's active); the request is dropped otherwise
         */
        boolean syncRequested(VipUnit group, int peer, long nowMs);

        /** A valid chunk of a peer's reachability report (RM 230); the flyweight is valid only during the call. */
        void reachabilityChunk(int peer, ReachabilityReportFlyweight chunk, long nowMs);

        /** A valid SERVER_SETTINGS message (an operator's drains and weights); the flyweight is valid only during the call. */
        void serverSettings(int peer, ServerSettingsFlyweight settings, long nowMs);
    }

    private final Peers peers;
    private final VipUnit[] groups;
    private final Replication replication;
    private final PeerTransport transport;
    private final KeepAliveManager keepAlive;
    private final PeerRuns runs;
    private final HaEventLog events;
    private final MillisClock clock;
    /** The services digest this router announces: a reload changes it ({@link #configDigest(long)}). */
    private long configDigest;
    private final long incarnation;
    private final Listener listener;

    private final KeepAliveFlyweight keepAliveOut = new KeepAliveFlyweight();
    private final KeepAliveFlyweight keepAliveIn = new KeepAliveFlyweight();
    private final ServiceNoticeFlyweight notice = new ServiceNoticeFlyweight();
    private final ReachabilityReportFlyweight reachabilityIn = new ReachabilityReportFlyweight();
    private final ServerSettingsFlyweight settingsIn = new ServerSettingsFlyweight();
    private final MessageRing.Handler outboundHandler = this::sendSync;
    private final PeerTransport.MessageHandler messageHandler = this::onMessage;
    /** Per peer: the link replication uses, the first alive one (updated on link events). */
    private final int[] syncLink;
    /** The time of the cycle in progress, for the handlers above (no capturing lambda per cycle). */
    private long cycleNowMs;

    private long malformedMessages;
    private long unknownVipRecords;
    private long streamsWithoutWorker;
    private long syncRequestsRefused;
    /** One warning line per 10 s about sync streams from workers this router does not have. */
    private final RateLimitedLog streamWarnings = new RateLimitedLog(1, RateLimitedLog.DEFAULT_INTERVAL_MS);

    PeerMessages(Peers peers, VipUnit[] groups, Replication replication, PeerTransport transport,
                 KeepAliveManager keepAlive, long incarnation, HaEventLog events, MillisClock clock, long configDigest,
                 Listener listener) {
        this.peers = peers;
        this.groups = groups;
        this.replication = replication;
        this.transport = transport;
        this.keepAlive = keepAlive;
        this.incarnation = incarnation;
        this.runs = new PeerRuns(peers.count(), incarnation);
        this.events = events;
        this.clock = clock;
        this.configDigest = configDigest;
        this.listener = listener;
        this.syncLink = new int[peers.count()];
    }

    /** After a reload: the services digest of the new configuration. Agent thread. */
    void configDigest(long digest) {
        this.configDigest = digest;
    }

    // ====================================================================================== inbound

    /** Reads every datagram queued on the links (bounded per socket by the transport). */
    int receive(long nowMs) {
        cycleNowMs = nowMs;
        return transport.receive(nowMs, messageHandler);
    }

    private void onMessage(int peerId, int linkIndex, MessageVerifier verifier, PeerMessageBuffer buffer) {
        // The time it is read, not the cycle's: a router stopped in the middle of a cycle (SIGSTOP, a pause of the
        // machine) reads what queued meanwhile after it resumes, and a keep-alive stamped with the cycle's older
        // time would restart t2 from a moment long past, so the standby would take over a few milliseconds later.
        long nowMs = Math.max(cycleNowMs, clock.nowMs());
        int peer = peers.indexOfRouter(peerId);
        if (peer < 0) {
            return;
        }
        MessageType type = verifier.type();
        PeerHeaderFlyweight header = verifier.header();
        if (runs.restarted(peer, header.incarnation())) {
            listener.peerRestarted(peer, nowMs);
        }
        boolean hasEcho = false;
        if (type == MessageType.KEEPALIVE) {
            keepAliveIn.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, header.payloadLength());
            hasEcho = keepAliveIn.valid();
        }
        switch (runs.admit(peer, header.incarnation(), header.sequence(), hasEcho, hasEcho ? keepAliveIn.echoedIncarnation() : 0)) {
            case BEFORE_ECHO -> {
                return;
            }
            case OPENS_RUN -> events.handshake(nowMs, peers.name(peer), peers.name(peer) + " (incarnation "
                    + Long.toUnsignedString(header.incarnation()) + ") echoed this router's incarnation "
                    + Long.toUnsignedString(incarnation) + ": its messages count from sequence "
                    + Long.toUnsignedString(header.sequence()));
            case COUNTS -> {
            }
        }
        if (claimsState(type) && !runs.newestClaim(peer, header.incarnation(), header.sequence())) {
            if (type == MessageType.KEEPALIVE) {
                keepAlive.onHeartbeat(peerId, linkIndex, nowMs); // the link is alive, the claim is stale
            }
            return;
        }
        MemorySegment segment = buffer.segment();
        long offset = PeerHeaderFlyweight.PAYLOAD_OFFSET;
        int length = header.payloadLength();
        switch (type) {
            case KEEPALIVE -> onKeepAlive(peer, linkIndex, segment, offset, length, nowMs);
            case SYNC_REQUEST, SYNC_BATCH, SYNC_END, UPDATE_BATCH, ACK, NACK -> routeSync(peer, type, segment, offset, length, nowMs);
            case SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST, SWITCHOVER_DECLINE -> onNotice(peer, type, segment, offset, length, nowMs);
            case REACHABILITY_REPORT -> {
                if (!reachabilityIn.wrap(segment, offset, length).valid()) {
                    malformedMessages++; // a record out of range: the whole chunk is dropped
                    return;
                }
                listener.reachabilityChunk(peer, reachabilityIn, nowMs);
            }
            case SERVER_SETTINGS -> {
                if (!settingsIn.wrap(segment, offset, length).valid()) {
                    malformedMessages++; // a record out of range: the whole message is dropped
                    return;
                }
                listener.serverSettings(peer, settingsIn, nowMs);
            }
        }
    }

    /**
     * Keep-alives and GAVE_UP say what their sender is now: an older one that arrives after a newer one is
     * dropped. The hand-over's questions and answers (query, accept, decline, takeover request) are not claims:
     * the receiver checks each against its own state and the sender's (a late accept is declined, a late decline
     * is refused after the window or a newer claim), and dropping one because a keep-alive sent a moment after it
     * overtook it on the way turned a switch-over into a takeover by t3 without the query's flush (the simulation
     * found it: seed 602059, both copies of a query dropped so, a connection lost). Sync messages are ordered by
     * their own streams.
     */
    private static boolean claimsState(MessageType type) {
        return switch (type) {
            case KEEPALIVE, GAVE_UP -> true;
            default -> false;
        };
    }

    private void onKeepAlive(int peer, int linkIndex, MemorySegment segment, long offset, int length, long nowMs) {
        keepAlive.onHeartbeat(peers.routerId(peer), linkIndex, nowMs);
        keepAliveIn.wrap(segment, offset, length);
        if (!keepAliveIn.valid()) {
            malformedMessages++;
            return;
        }
        for (int i = 0; i < keepAliveIn.serviceCount(); i++) {
            int v = keepAliveIn.serviceId(i);
            MonitorState state = KeepAliveCodes.state(keepAliveIn.state(i));
            if (v < 0 || v >= groups.length || state == null) {
                unknownVipRecords++;
                continue;
            }
            PeerRecord record = new PeerRecord(nowMs, state, KeepAliveCodes.role(keepAliveIn.role(i)),
                    KeepAliveCodes.sync(keepAliveIn.syncState(i)), keepAliveIn.priority(i), keepAliveIn.flags(i),
                    keepAliveIn.tableSize(i), keepAliveIn.tableDigest(i), keepAliveIn.configDigest(i), keepAliveIn.term(i));
            listener.peerHeard(groups[v], peer, record, nowMs);
        }
    }

    /** A sync message from a peer goes to the worker its stream names (same worker index on both routers). */
    private void routeSync(int peer, MessageType type, MemorySegment segment, long offset, int length, long nowMs) {
        if (length < Integer.BYTES) {
            malformedMessages++;
            return;
        }
        int stream = MessageType.leadingServiceId(segment, offset);
        int v = ReplicationShard.vipOfStream(stream);
        int w = ReplicationShard.workerOfStream(stream);
        if (v >= groups.length) {
            unknownVipRecords++;
            return;
        }
        if (w >= replication.workers()) {
            streamsWithoutWorker++;
            if (streamWarnings.shouldLog(0, nowMs)) {
                streamWarnings.takeSuppressed(0);
                LOG.log(System.Logger.Level.WARNING, peers.name(peer) + " replicates worker " + w + " but this router has "
                        + replication.workers() + " workers: set router.workers equal on both (" + streamsWithoutWorker + " messages so far)");
            }
            return;
        }
        if (type == MessageType.SYNC_REQUEST && !listener.syncRequested(groups[v], peer, nowMs)) {
            syncRequestsRefused++; // not the active for this VIP: the requester will hear who is
            return;
        }
        replication.toWorker(w).offer(peer, type, segment, offset, length);
    }

    private void onNotice(int peer, MessageType type, MemorySegment segment, long offset, int length, long nowMs) {
        notice.wrap(segment, offset, length);
        if (!notice.valid()) {
            malformedMessages++;
            return;
        }
        int v = notice.serviceId();
        if (v < 0 || v >= groups.length) {
            unknownVipRecords++;
            return;
        }
        listener.notice(groups[v], peer, type, notice.reason(), nowMs);
    }

    /** A notice's reason code in words, for the event log. */
    static String noticeReason(int code) {
        return switch (code) {
            case ServiceNoticeFlyweight.REASON_OPERATOR -> "operator";
            case ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN -> "client-facing interface down";
            case ServiceNoticeFlyweight.REASON_SERVER_INTERFACE_DOWN -> "server-facing interface down";
            case ServiceNoticeFlyweight.REASON_FAILBACK -> "failback";
            case ServiceNoticeFlyweight.REASON_SHUTDOWN -> "shutting down";
            case ServiceNoticeFlyweight.REASON_REACHABILITY -> "reachability";
            default -> "reason " + code;
        };
    }

    // ====================================================================================== outbound

    /** Sends every replication payload the workers produced since the last cycle. */
    int sendReplication(long nowMs) {
        cycleNowMs = nowMs;
        int work = 0;
        for (int w = 0; w < replication.workers(); w++) {
            work += replication.fromWorker(w).drain(outboundHandler, MessageRing.MAX_PAYLOAD_LENGTH);
        }
        return work;
    }

    /** Outbound replication: a payload a worker produced, to the peer it names, on its first live link. */
    private void sendSync(int peer, MessageType type, MemorySegment segment, long offset, int length) {
        MemorySegment.copy(segment, offset, transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        transport.send(peers.routerId(peer), syncLink[peer], type, length, cycleNowMs);
    }

    /**
     * Replication goes over one link, the first alive one (heartbeats go over all): sending every batch on
     * every link would double the sync traffic for nothing, since a lost batch is resent anyway.
     */
    void chooseSyncLink(int peer) {
        int chosen = 0;
        for (LinkStatus link : keepAlive.status(peers.routerId(peer)).links()) {
            if (link.state() == LinkState.ALIVE) {
                chosen = link.linkIndex();
                break;
            }
        }
        syncLink[peer] = chosen;
    }

    /** A keep-alive with every VIP's state to one peer on one link; the keep-alive manager learns it went. */
    void sendKeepAlive(int peerRouterId, int linkIndex, long nowMs) {
        int length = writeKeepAlive();
        keepAliveOut.echoedIncarnation(runs.heard(peers.indexOfRouter(peerRouterId)));
        if (transport.send(peerRouterId, linkIndex, MessageType.KEEPALIVE, length, nowMs)) {
            keepAlive.onHeartbeatSent(peerRouterId, linkIndex);
        }
    }

    /** A keep-alive to every peer on every link now: a new active announces itself without waiting for t4. */
    void sendKeepAliveToAll(long nowMs) {
        for (int p = 0; p < peers.count(); p++) {
            for (int l = 0; l < peers.config(p).links().size(); l++) {
                sendKeepAlive(peers.routerId(p), l, nowMs);
            }
        }
    }

    private int writeKeepAlive() {
        int length = MessageType.KEEPALIVE.payloadLength(groups.length);
        keepAliveOut.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        keepAliveOut.serviceCount(groups.length);
        for (VipUnit group : groups) {
            ServiceMonitor m = group.monitor;
            keepAliveOut.service(group.index, group.index, m.state().code, KeepAliveCodes.roleCode(m.role()),
                    KeepAliveCodes.syncCode(m.sync()), m.priority(), m.linksUp() ? 0 : KeepAliveFlyweight.FLAG_LINKS_DOWN,
                    replication.size(group.index), replication.digest(group.index), configDigest, m.term());
        }
        return length;
    }

    /**
     * A notice about VIP {@code vipIndex} to peer {@code peer} (nothing for -1), over every link: each is rare
     * and must not wait for a link failure to be noticed.
     */
    void sendNotice(int peer, MessageType type, int vipIndex, int reason, long nowMs) {
        if (peer < 0) {
            return;
        }
        notice.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, ServiceNoticeFlyweight.LENGTH)
                .set(vipIndex, reason);
        transport.sendOnEveryLink(peers.routerId(peer), type, ServiceNoticeFlyweight.LENGTH, nowMs);
    }

    /**
     * Chunk {@code chunk} of this router's reachability report to peer {@code peer}, over every link (a lost chunk
     * is sent again with the next report, but a report should not wait for a link failure to be noticed).
     */
    void sendReachabilityReport(int peer, ReportChunks report, int chunk, ReachabilityReportFlyweight out, long nowMs) {
        int length = report.payloadLength(chunk);
        out.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        report.write(chunk, out);
        transport.sendOnEveryLink(peers.routerId(peer), MessageType.REACHABILITY_REPORT, length, nowMs);
    }

    /** The send buffer's segment, where a payload is written at {@code PeerHeaderFlyweight.PAYLOAD_OFFSET}. */
    java.lang.foreign.MemorySegment sendBuffer() {
        return transport.sendBuffer().segment();
    }

    /**
     * The SERVER_SETTINGS payload of {@code length} bytes already in {@link #sendBuffer()} to peer {@code peer},
     * over every link: an operator's drain must not wait for a link failure to be noticed.
     */
    void sendServerSettings(int peer, int length, long nowMs) {
        transport.sendOnEveryLink(peers.routerId(peer), MessageType.SERVER_SETTINGS, length, nowMs);
    }

    /** Keep-alives sent to peer {@code peer} so far, over all its links. */
    long heartbeatsSentTo(int peer) {
        long sent = 0;
        for (dev.baton.keepalive.LinkStatus link : keepAlive.status(peers.routerId(peer)).links()) {
            sent += link.heartbeatsSent();
        }
        return sent;
    }

    /** The same notice to every peer. */
    void sendNoticeToAll(MessageType type, int vipIndex, int reason, long nowMs) {
        for (int p = 0; p < peers.count(); p++) {
            sendNotice(p, type, vipIndex, reason, nowMs);
        }
    }

    // ====================================================================================== status

    /** Each peer as {@code baton ctl status} shows it: the keep-alive manager's view and the incarnation handshake. */
    List<HaStatus.Peer> peerStatus(long nowMs) {
        List<HaStatus.Peer> peerList = new ArrayList<>();
        for (int index = 0; index < peers.count(); index++) {
            PeerConfig peer = peers.config(index);
            PeerStatus ps = keepAlive.status(peer.routerId());
            List<HaStatus.Link> links = new ArrayList<>();
            for (LinkStatus link : ps.links()) {
                links.add(new HaStatus.Link(link.linkIndex(), link.link().describe(), link.state().name().toLowerCase(),
                        link.lastHeardMs() == LinkStatus.NEVER ? -1 : nowMs - link.lastHeardMs(), link.heartbeatsSent(),
                        link.heartbeatsReceived(), link.failures()));
            }
            peerList.add(new HaStatus.Peer(peer.name(), Integer.toUnsignedLong(peer.routerId()), ps.state().name().toLowerCase(),
                    runs.heard(index), runs.echoedThisRun(index), List.copyOf(links)));
        }
        return List.copyOf(peerList);
    }

    /** What was received, refused and dropped, by reason; with the agent's count of withheld heartbeats. */
    HaStatus.PeerMessages counts(long heartbeatsWithheld) {
        VerdictCounters verdicts = transport.verdicts();
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict verdict : Verdict.values()) {
            byVerdict.put(verdict, verdicts.count(verdict));
        }
        return new HaStatus.PeerMessages(Map.copyOf(byVerdict), verdicts.rejected(), transport.sendFailures(),
                transport.foreignSourceDrops(), transport.receiveErrors(), malformedMessages, unknownVipRecords,
                streamsWithoutWorker, syncRequestsRefused, runs.staleStateClaims(), runs.ignoredBeforeEcho(), heartbeatsWithheld);
    }

    PeerTransport transport() {
        return transport;
    }

    PeerRuns runs() {
        return runs;
    }

    long malformedMessages() {
        return malformedMessages;
    }

    long unknownVipRecords() {
        return unknownVipRecords;
    }

    long streamsWithoutWorker() {
        return streamsWithoutWorker;
    }

    long syncRequestsRefused() {
        return syncRequestsRefused;
    }

    @Override
    public void close() {
        transport.close();
    }
}
