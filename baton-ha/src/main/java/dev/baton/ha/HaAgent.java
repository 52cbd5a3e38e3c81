package dev.baton.ha;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.Ipv4;
import dev.baton.codec.MacAddress;
import dev.baton.config.BatonConfig;
import dev.baton.config.HighAvailabilitySettings;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.PeerLinkSettings;
import dev.baton.config.PeerSettings;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.engine.AgentWatchdog;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.engine.DutyCycleLoop;
import dev.baton.dataplane.engine.MillisClock;
import dev.baton.dataplane.engine.OwnerThread;
import dev.baton.dataplane.engine.ThreadFailure;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.keepalive.HeartbeatDue;
import dev.baton.keepalive.KeepAliveEvent;
import dev.baton.keepalive.KeepAliveManager;
import dev.baton.keepalive.LinkStatus;
import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerLink;
import dev.baton.keepalive.PeerStatus;
import dev.baton.keepalive.PeerTransport;
import dev.baton.monitor.Failback;
import dev.baton.monitor.MonitorAction;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.MonitorTimers;
import dev.baton.monitor.PeerView;
import dev.baton.monitor.Role;
import dev.baton.monitor.ServiceMonitor;
import dev.baton.monitor.SyncState;
import dev.baton.monitor.Transition;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.ThreadScheduling;
import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.peer.ServiceNoticeFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The high-availability agent of one router: its own thread drives, per VIP, the monitoring manager's state
 * machine (FIG. 3, {@link ServiceMonitor}), and for the router the keep-alive manager ({@link KeepAliveManager}
 * over a {@link PeerTransport} on every link) and the agent side of the synchronization manager (routing
 * sync messages between the peers and the workers' {@link ReplicationShard}s). It carries out the monitor's
 * actions: VIP ownership ({@link VipOwnership}: ARP answering and forwarding), IP takeover by gratuitous ARP
 * through worker 0's client-facing ports, and the peer notices (switch-over query and accept, gave-up,
 * takeover request).
 *
 * <p>The unit of takeover is a VIP with every service on it (the table partition; ARP is per address). Its
 * id on the wire is the VIP's index in the configuration ({@code docs/protocol.md}).
 *
 * <p>Threads: {@link #doWork} runs on the agent thread ({@link #start}), or on a test's thread with a
 * stepped clock. Other threads reach it only through {@link #query} (status, events, switch-over).
 */
public final class HaAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HaAgent.class.getName());
    /** How often the local interfaces' carrier is read (one ioctl each). */
    static final long LINK_CHECK_INTERVAL_MS = 20;
    /** How long the active's table must be quiet, and the standby's differ, before drift is declared. */
    static final long DRIFT_GRACE_MS = 1_000;
    static final int HISTORY_LIMIT = 1_000;

    private final BatonConfig config;
    private final HighAvailabilitySettings settings;
    private final Dataplane dataplane;
    private final Replication replication;
    private final MillisClock clock;
    private final LinkWatcher links;
    private final int routerNumber;
    private final String routerKey;
    private final long configDigest;

    private final PeerConfig[] peers;
    private final String[] peerKeys;
    private final PeerTransport transport;
    private final KeepAliveManager keepAlive;
    private final VipGroup[] groups;
    private final List<InterfaceConfig> watchedInterfaces;
    private final boolean[] interfaceUp;

    private final KeepAliveFlyweight keepAliveOut = new KeepAliveFlyweight();
    private final KeepAliveFlyweight keepAliveIn = new KeepAliveFlyweight();
    private final ServiceNoticeFlyweight notice = new ServiceNoticeFlyweight();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<HaEvent> history = new ArrayDeque<>();
    private final MessageRing.Handler outboundHandler = this::sendSync;
    private final PeerTransport.MessageHandler messageHandler = this::onMessage;
    /** The time of the cycle in progress, for the handlers above (no capturing lambda per cycle). */
    private long cycleNowMs;
    /** Per peer: the link replication uses, the first alive one (updated on link events). */
    private int[] syncLink;
    /** Per peer: incarnation and sequence of the newest keep-alive or notice acted on. */
    private long[] stateIncarnation;
    private long[] stateSequence;
    private long staleStateClaims;
    /** This run's incarnation (from the state directory's counter): what a peer must echo (issue #7 item 3). */
    private final long incarnation;
    /** Per peer: the newest incarnation authenticated from it, 0 if none: what this router echoes to it. */
    private final long[] heardIncarnation;
    /** Per peer: whether one of its keep-alives echoed this router's incarnation (in run {@link #echoedIncarnation}). */
    private final boolean[] echoed;
    /** Per peer: the incarnation of that peer whose keep-alive echoed this router's (meaningful when echoed). */
    private final long[] echoedIncarnation;
    /** Per peer: the lowest sequence, in that incarnation, of a keep-alive that echoed this router's incarnation. */
    private final long[] echoedFromSequence;
    /** Authentic messages ignored because their sender had not (yet) echoed this router's incarnation. */
    private long ignoredBeforeEcho;

    private long nextLinkCheckMs;
    /** When {@link #doWork} last ran: a gap longer than t2 means this router itself stalled. */
    private long lastCycleMs;
    private long malformedMessages;
    private long unknownVipRecords;
    private long streamsWithoutWorker;
    private long lastStreamWarningMs = Long.MIN_VALUE / 2;
    private long syncRequestsRefused;
    private volatile boolean running;
    private Thread thread;
    private ThreadFailure threadFailure = ThreadFailure.HALT;
    private boolean shuttingDown;
    private long shutdownDeadlineMs = Long.MAX_VALUE;
    private volatile boolean shutdownComplete;
    private long handedOverAtShutdown;
    private long gaveUpAtShutdown;
    /** Beaten every cycle; worker 0 drops every VIP when it stops (issue #7 item 7). */
    private final AgentWatchdog watchdog;
    private long watchdogTripsSeen;

    /**
     * Binds the peer links (on the calling thread: inside the router's network namespace) and starts every
     * VIP's monitor in LISTEN (transition 315).
     *
     * @param replication the shards the data plane's workers run (built before the data plane)
     * @param key         the shared secret the per-pair keys are derived from (issue #7 item 13)
     * @param incarnation this run's incarnation, greater than every earlier run's: from
     *                    {@link dev.baton.peer.IncarnationStore} in {@code high-availability.state-directory}
     *                    (issue #7 item 3), never from the clock
     * @throws IOException when a link address cannot be bound
     */
    public HaAgent(BatonConfig config, Dataplane dataplane, Replication replication, PeerKey key, long incarnation,
                   MillisClock clock, LinkWatcher links) throws IOException {
        if (incarnation == 0) {
            throw new IllegalArgumentException("incarnation 0 means \"none heard\" in an echo; runs count from 1");
        }
        this.incarnation = incarnation;
        this.config = config;
        this.settings = config.highAvailability().orElseThrow(() -> new IllegalArgumentException("no high-availability section"));
        this.dataplane = dataplane;
        this.replication = replication;
        this.clock = clock;
        this.links = links;
        this.watchdog = dataplane.agentWatchdog();
        this.routerNumber = (int) settings.routerNumber();
        this.routerKey = key(routerNumber);
        this.configDigest = config.servicesDigest();
        if (replication.workers() != dataplane.workerCount()) {
            throw new IllegalArgumentException("replication has " + replication.workers() + " shards for "
                    + dataplane.workerCount() + " workers");
        }

        List<PeerConfig> peerConfigs = new ArrayList<>();
        for (PeerSettings peer : settings.peers()) {
            List<PeerLink> peerLinks = new ArrayList<>();
            for (PeerLinkSettings link : peer.links()) {
                peerLinks.add(new PeerLink(socket(link.localAddress(), settings.port()), socket(link.peerAddress(), settings.port())));
            }
            peerConfigs.add(new PeerConfig((int) peer.routerNumber(), peer.name(), peerLinks));
        }
        this.peers = peerConfigs.toArray(PeerConfig[]::new);
        this.peerKeys = new String[peers.length];
        this.syncLink = new int[peers.length];
        this.stateIncarnation = new long[peers.length];
        this.stateSequence = new long[peers.length];
        this.heardIncarnation = new long[peers.length];
        this.echoed = new boolean[peers.length];
        this.echoedIncarnation = new long[peers.length];
        this.echoedFromSequence = new long[peers.length];
        int[] peerIds = new int[peers.length];
        for (int p = 0; p < peers.length; p++) {
            peerKeys[p] = key(peers[p].routerId());
            peerIds[p] = peers[p].routerId();
        }
        long nowMs = clock.nowMs();
        // Per-pair keys derived from the shared secret; every message names its receiver (issue #7 item 13).
        MessageComposer composer = new MessageComposer(routerNumber, incarnation, key, peerIds);
        MessageVerifier verifier = new MessageVerifier(routerNumber, key, peerIds, new VerdictCounters());
        this.transport = new PeerTransport(peerConfigs, composer, verifier);
        long updateIntervalMs = settings.updateInterval().toMillis();
        this.keepAlive = new KeepAliveManager(peerConfigs, updateIntervalMs, settings.linkFailureTime().toMillis(), nowMs);

        MonitorTimers timers = new MonitorTimers(settings.listenTimeout().toMillis(), settings.standbyTimeout().toMillis(),
                settings.preemptTimeout().toMillis(), updateIntervalMs, settings.handoverDrain().toMillis());
        int[] vips = dataplane.services().distinctVips();
        this.watchedInterfaces = config.interfaces();
        this.interfaceUp = new boolean[watchedInterfaces.size()];
        java.util.Arrays.fill(interfaceUp, true);
        this.groups = new VipGroup[vips.length];
        for (int v = 0; v < vips.length; v++) {
            groups[v] = new VipGroup(v, vips[v], timers);
        }
        for (VipGroup group : groups) {
            execute(group, group.monitor.start(nowMs), nowMs);
        }
        nextLinkCheckMs = nowMs;
        lastCycleMs = nowMs;
    }

    private static InetSocketAddress socket(int address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(Ipv4.format(address)), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + Ipv4.format(address), e);
        }
    }

    /** A router's key in the monitors: its number, zero-padded so that text order is numeric order. */
    static String key(int routerNumber) {
        return String.format("%010d", Integer.toUnsignedLong(routerNumber));
    }

    // ====================================================================================== per-VIP state

    /** One VIP and every service on it: the unit of takeover. */
    final class VipGroup {
        final int index;
        final int vip;
        final String name;
        final List<String> services = new ArrayList<>();
        final ServiceMonitor monitor;
        /** Indexes into {@link #watchedInterfaces} this VIP needs up to be served. */
        final List<Integer> neededInterfaces = new ArrayList<>();
        final PeerRecord[] peerRecords = new PeerRecord[peers.length];
        boolean forwarding;
        boolean answeringArp;
        /** The peer the shards follow (its dump), or -1. */
        int followedPeer = -1;
        long syncedWorkers;
        final long[] dumpCompleteWorkers = new long[peers.length];
        int announcementsLeft;
        long nextAnnouncementMs;
        long nextReannounceMs = Long.MAX_VALUE;
        long driftSinceMs = Long.MIN_VALUE;
        long lastActiveDigest;
        boolean configDiffers;
        /** Whether the last local link failure was on the client side (the GAVE_UP reason). */
        boolean lastDownWasClientSide;
        long announcements;
        /** What the agent did with the last operator switch-over on the active (the monitor only asks). */
        String switchoverOutcome;
        /** Where this VIP's hand-over at shutdown stands (issue #7 item 9). */
        ShutdownStep shutdownStep = ShutdownStep.NONE;
        /** Workers whose shards reported every queued change acknowledged since the shutdown began. */
        long flushedWorkers;

        VipGroup(int index, int vip, MonitorTimers timers) {
            this.index = index;
            this.vip = vip;
            this.name = Ipv4.format(vip);
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
            this.monitor = new ServiceMonitor(name, routerKey, role, failback, first.priority(), timers, this::onTransition);
            for (int i = 0; i < watchedInterfaces.size(); i++) {
                InterfaceConfig itf = watchedInterfaces.get(i);
                boolean needed = itf.role().facesClients();
                if (!needed && itf.role().facesServers()) {
                    for (ServiceConfig service : config.services()) {
                        if (service.vip() == vip && service.servers().stream().anyMatch(s -> itf.address().contains(s.address()))) {
                            needed = true;
                            break;
                        }
                    }
                }
                if (needed) {
                    neededInterfaces.add(i);
                }
            }
        }

        private void onTransition(Transition t) {
            String text = t.toString();
            LOG.log(t.changedState() || t.syncFrom() != t.syncTo() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, text);
            record(new HaEvent(t.atMs(), System.currentTimeMillis(), name, t.changedState() || t.syncFrom() != t.syncTo() ? "transition" : "note",
                    t.reference(), t.from().name() + stateSuffix(t.syncFrom()), t.to().name() + stateSuffix(t.syncTo()),
                    displayReason(t.reason())));
        }

        int activePeerIndex() {
            String active = monitor.activePeer();
            return active == null ? -1 : peerIndexOfKey(active);
        }
    }

    /** A VIP's hand-over at shutdown (issue #7 item 9, {@link #beginShutdown}). */
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
    record PeerRecord(long atMs, MonitorState state, Role role, int syncCode, int priority, long tableSize,
                      long tableDigest, long configDigest) {
    }

    private static String stateSuffix(SyncState sync) {
        return switch (sync) {
            case NONE -> "";
            case SYNC_IN -> "/SYNC-IN";
            case SYNC_OUT -> "/SYNC-OUT";
            case IN_SYNC -> "/in-sync";
        };
    }

    /** Replaces router keys in a monitor's reason with the peers' names, for people. */
    private String displayReason(String reason) {
        String text = reason;
        for (int p = 0; p < peers.length; p++) {
            text = text.replace(peerKeys[p], peers[p].name());
        }
        return text;
    }

    private int peerIndexOfKey(String key) {
        for (int p = 0; p < peers.length; p++) {
            if (peerKeys[p].equals(key)) {
                return p;
            }
        }
        return -1;
    }

    private int peerIndexOf(int routerId) {
        for (int p = 0; p < peers.length; p++) {
            if (peers[p].routerId() == routerId) {
                return p;
            }
        }
        return -1;
    }

    // ====================================================================================== duty cycle

    /**
     * Starts the agent thread. A cycle that fails with a {@link RuntimeException} is logged and the agent
     * carries on; an {@link Error} halts the router ({@link ThreadFailure}, issue #7 item 7): a router whose
     * agent died would forward and answer ARP with no keep-alives going out.
     */
    public void start() {
        running = true;
        // The daemon starts the data plane and the control socket between construction and here: that time
        // (tens of milliseconds, more on a loaded host) is not a stall of this agent.
        lastCycleMs = clock.nowMs();
        DutyCycleLoop loop = new DutyCycleLoop("the HA agent", clock, this::doWork, () -> LockSupport.parkNanos(500_000),
                () -> running, threadFailure);
        thread = Thread.ofPlatform().name("baton-ha").daemon(true).uncaughtExceptionHandler(threadFailure).unstarted(() -> {
            runsBeforeOtherThreads();
            loop.run();
        });
        thread.start();
    }

    /**
     * The agent must run at least once every t2, or a standby takes its VIPs over. On the 2-vCPU lab machine
     * with both CPUs busy, a thread at nice 0 or even nice -10 waited up to 240 ms for a CPU; under a
     * real-time policy none waited over 30 ms ({@link ThreadScheduling}). So the agent's thread asks for
     * {@code SCHED_RR} ({@link ThreadScheduling#AGENT_REALTIME_PRIORITY}), as keepalived's VRRP process does
     * ({@code vrrp_rt_priority}); without it a nice value of {@link ThreadScheduling#AGENT_NICE}; without CAP_SYS_NICE
     * its default weight, said once. The workers keep the default policy: they may be busy for long.
     */
    private static void runsBeforeOtherThreads() {
        int realtime = ThreadScheduling.realtimeCallingThread(ThreadScheduling.AGENT_REALTIME_PRIORITY);
        if (realtime == 0) {
            return;
        }
        int nice = ThreadScheduling.niceCallingThread(ThreadScheduling.AGENT_NICE);
        LOG.log(System.Logger.Level.WARNING, "the HA agent thread runs without a real-time policy (SCHED_RR "
                + ThreadScheduling.AGENT_REALTIME_PRIORITY + " refused: " + LibC.errnoName(realtime) + "), "
                + (nice == 0 ? "at nice " + ThreadScheduling.AGENT_NICE : "at its default weight (nice refused: "
                + LibC.errnoName(nice) + ")") + "; it needs CAP_SYS_NICE. Kept from a CPU for longer than t2 by"
                + " other threads, this router's VIPs move to a standby");
    }

    /** What happens when the agent thread dies: {@link ThreadFailure#HALT} unless a test injects another. */
    public HaAgent threadFailure(ThreadFailure failure) {
        this.threadFailure = failure;
        return this;
    }

    /**
     * One cycle: commands, peer messages, replication traffic both ways, shard events, keep-alive failures
     * and heartbeats, local links, the monitors' timers, gratuitous ARP announcements.
     *
     * @return work done; 0 lets the caller idle
     */
    public int doWork(long nowMs) {
        watchdog.beat(); // the data plane drops the VIPs if this stops for longer than t2
        int work = 0;
        // Before anything that was queued during a stall is read: a router that did not run for longer than
        // t2 has been replaced, and must not treat the new active's keep-alives as a partition to win.
        long stalledMs = nowMs - lastCycleMs;
        lastCycleMs = nowMs;
        // The watchdog's verdict counts too: its clock read and this one may differ by a millisecond, and the
        // VIPs it dropped must not stay "active" here with nothing forwarding them (issue #7 item 7).
        long trips = watchdog.trips();
        boolean droppedByWatchdog = trips != watchdogTripsSeen;
        watchdogTripsSeen = trips;
        if (stalledMs > settings.standbyTimeout().toMillis() || droppedByWatchdog) {
            String text = "this router did not run for " + stalledMs + " ms (longer than t2): stopped, paused or starved"
                    + (droppedByWatchdog ? "; the data plane's watchdog dropped every VIP" : "");
            LOG.log(System.Logger.Level.WARNING, text);
            record(new HaEvent(nowMs, System.currentTimeMillis(), "", "note", 0, "", "", text));
            // Nor may it conclude that a peer failed from a silence it did not listen through (a standby took a
            // VIP from a live active this way, 0.6 s after its own start, in the failover lab).
            keepAlive.onSelfStalled(stalledMs, nowMs);
            for (VipGroup group : groups) {
                execute(group, group.monitor.onSelfStalled(stalledMs, nowMs), nowMs);
            }
        }
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
            work++;
        }
        cycleNowMs = nowMs;
        work += transport.receive(nowMs, messageHandler);
        for (int w = 0; w < replication.workers(); w++) {
            work += replication.fromWorker(w).drain(outboundHandler, MessageRing.MAX_PAYLOAD_LENGTH);
        }
        ShardEvent event;
        while ((event = replication.events().poll()) != null) {
            onShardEvent(event, nowMs);
            work++;
        }
        for (KeepAliveEvent e : keepAlive.poll(nowMs)) {
            onKeepAliveEvent(e, nowMs);
            work++;
        }
        if (nowMs >= nextLinkCheckMs) {
            nextLinkCheckMs = nowMs + LINK_CHECK_INTERVAL_MS;
            checkLocalLinks(nowMs);
        }
        for (VipGroup group : groups) {
            if (nowMs >= group.monitor.nextDeadlineMs()) {
                execute(group, group.monitor.onTick(nowMs), nowMs);
            }
            work += announce(group, nowMs);
            if (!shuttingDown) {
                followTheActive(group, nowMs); // a router that stops does not ask the new active for a dump
            }
        }
        if (shuttingDown) {
            work += progressShutdown(nowMs);
        }
        // Last: a heartbeat carries the state this cycle ended in. Sent before a state change (a link lost, a
        // timer expired), it would tell the peers "active" after the GAVE_UP that follows it.
        for (HeartbeatDue due : keepAlive.heartbeatsDue(nowMs)) {
            sendKeepAlive(due.peerRouterId(), due.linkIndex(), nowMs);
            work++;
        }
        return work;
    }

    /**
     * A standby that no longer forwards follows the active's table: asks it for a dump (SYNC-IN), unless its
     * shards already follow that peer. Deferred while a hand-over drain still forwards from this table, which
     * a dump would empty first.
     */
    private void followTheActive(VipGroup group, long nowMs) {
        MonitorState state = group.monitor.state();
        if ((state != MonitorState.STANDBY && state != MonitorState.PREEMPT) || group.forwarding) {
            return;
        }
        int active = group.activePeerIndex();
        if (active >= 0 && group.followedPeer != active) {
            follow(group, active, SyncRequestFlyweight.REASON_NEW_STANDBY, false, nowMs);
            if (group.monitor.sync() == SyncState.IN_SYNC) {
                // The tables were equal when this router handed over or gave up (355, 341), but the dump now
                // replaces this copy: until it is verified this router is not a standby to hand a VIP to.
                execute(group, group.monitor.onSyncLost("following " + peers[active].name() + ": a full dump replaces this copy", nowMs), nowMs);
            }
        }
    }

    private void follow(VipGroup group, int peer, int reason, boolean force, long nowMs) {
        group.followedPeer = peer;
        group.syncedWorkers = 0;
        int v = group.index;
        for (int w = 0; w < replication.workers(); w++) {
            ReplicationShard shard = replication.shard(w);
            dataplane.worker(w).submit(() -> {
                if (force) {
                    shard.unfollow(v);
                }
                shard.follow(v, peer, reason, nowMs);
            });
        }
    }

    // ====================================================================================== peer messages

    private void onMessage(int peerId, int linkIndex, MessageVerifier verifier, PeerMessageBuffer buffer) {
        long nowMs = cycleNowMs;
        int peer = peerIndexOf(peerId);
        if (peer < 0) {
            return;
        }
        MessageType type = verifier.type();
        if (!echoesThisRun(peer, type, buffer, verifier.header())) {
            ignoredBeforeEcho++;
            return;
        }
        if (claimsState(type)) {
            if (!newestStateClaim(peer, verifier.header().incarnation(), verifier.header().sequence())) {
                if (type == MessageType.KEEPALIVE) {
                    keepAlive.onHeartbeat(peerId, linkIndex, nowMs); // the link is alive, the claim is stale
                }
                staleStateClaims++;
                return;
            }
        }
        MemorySegment segment = buffer.segment();
        long offset = PeerHeaderFlyweight.PAYLOAD_OFFSET;
        int length = verifier.header().payloadLength();
        switch (type) {
            case KEEPALIVE -> onKeepAlive(peer, linkIndex, segment, offset, length, nowMs);
            case SYNC_REQUEST, SYNC_BATCH, SYNC_END, UPDATE_BATCH, ACK, NACK -> routeSync(peer, type, segment, offset, length, nowMs);
            case SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST -> onNotice(peer, type, segment, offset, length, nowMs);
        }
    }

    /**
     * The nonce handshake of issue #7 item 3: whether this authentic message may be acted on, because its sender
     * has shown it heard this run of this router. Each keep-alive echoes the newest incarnation its sender has
     * authenticated from the receiver. A datagram captured before this router restarted echoes an older
     * incarnation (or none), and so does every message its sender sent before it heard this run: all are
     * ignored, liveness included, since a replayed keep-alive must neither hold this router in standby nor make
     * it take over, and a replayed GAVE_UP must not count. The first keep-alive that echoes this router's
     * incarnation opens its sender's run (that incarnation) from its sequence number on: the sender numbers
     * every message of a run from one counter, so anything it sent from that sequence on was sent after it
     * heard this run; notices and sync messages carry no echo and count from that sequence on too. A peer
     * that restarts starts a new incarnation, which again counts only once it echoes. Until a live peer
     * answers, this router behaves as if alone; two routers starting together each echo the other after one
     * keep-alive round trip (one update interval).
     */
    private boolean echoesThisRun(int peer, MessageType type, PeerMessageBuffer buffer, PeerHeaderFlyweight header) {
        long peerIncarnation = header.incarnation();
        long sequence = header.sequence();
        // The verifier rejects an incarnation older than the newest it authenticated (STALE_INCARNATION).
        heardIncarnation[peer] = peerIncarnation;
        if (type == MessageType.KEEPALIVE) {
            keepAliveIn.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, header.payloadLength());
            if (keepAliveIn.valid() && keepAliveIn.echoedIncarnation() == incarnation) {
                if (!echoed[peer] || echoedIncarnation[peer] != peerIncarnation) {
                    echoed[peer] = true;
                    echoedIncarnation[peer] = peerIncarnation;
                    echoedFromSequence[peer] = sequence;
                    String text = peers[peer].name() + " (incarnation " + Long.toUnsignedString(peerIncarnation)
                            + ") echoed this router's incarnation " + Long.toUnsignedString(incarnation)
                            + ": its messages count from sequence " + Long.toUnsignedString(sequence);
                    LOG.log(System.Logger.Level.INFO, text);
                    record(new HaEvent(cycleNowMs, System.currentTimeMillis(), "", "handshake", 0, "", "", text));
                } else if (Long.compareUnsigned(sequence, echoedFromSequence[peer]) < 0) {
                    echoedFromSequence[peer] = sequence; // an earlier echo that arrived late: still after this run began
                }
                return true;
            }
        }
        return echoed[peer] && echoedIncarnation[peer] == peerIncarnation
                && Long.compareUnsigned(sequence, echoedFromSequence[peer]) >= 0;
    }

    /** Keep-alives and notices say what their sender is now; sync messages are ordered by their own streams. */
    private static boolean claimsState(MessageType type) {
        return switch (type) {
            case KEEPALIVE, SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST -> true;
            default -> false;
        };
    }

    /**
     * Whether a keep-alive or notice is the newest word from its sender about its state. Every message a
     * router sends, on any link, takes the next sequence number of one counter; copies on several links
     * arrive in any order (each link's socket is drained in turn), so an older keep-alive saying "active"
     * may arrive after the GAVE_UP that followed it. Acting on it would undo the takeover.
     */
    private boolean newestStateClaim(int peer, long incarnation, long sequence) {
        if (incarnation == stateIncarnation[peer] && sequence < stateSequence[peer]) {
            return false;
        }
        if (incarnation != stateIncarnation[peer] || sequence > stateSequence[peer]) {
            stateIncarnation[peer] = incarnation;
            stateSequence[peer] = sequence;
        }
        return true;
    }

    private void onKeepAlive(int peer, int linkIndex, MemorySegment segment, long offset, int length, long nowMs) {
        keepAlive.onHeartbeat(peers[peer].routerId(), linkIndex, nowMs);
        keepAliveIn.wrap(segment, offset, length);
        if (!keepAliveIn.valid()) {
            malformedMessages++;
            return;
        }
        for (int i = 0; i < keepAliveIn.serviceCount(); i++) {
            int v = keepAliveIn.serviceId(i);
            MonitorState state = stateOfCode(keepAliveIn.state(i));
            if (v < 0 || v >= groups.length || state == null) {
                unknownVipRecords++;
                continue;
            }
            VipGroup group = groups[v];
            Role role = keepAliveIn.role(i) == KeepAliveFlyweight.ROLE_PRIMARY ? Role.PRIMARY : Role.BACKUP;
            PeerRecord record = new PeerRecord(nowMs, state, role, keepAliveIn.syncState(i), keepAliveIn.priority(i),
                    keepAliveIn.tableSize(i), keepAliveIn.tableDigest(i), keepAliveIn.configDigest(i));
            group.peerRecords[peer] = record;
            checkConfiguration(group, peer, record, nowMs);
            execute(group, group.monitor.onPeerHeard(new PeerView(peerKeys[peer], role, record.priority(), state,
                    record.syncCode() == KeepAliveFlyweight.SYNC_DONE), nowMs), nowMs);
            checkDrift(group, peer, record, nowMs);
        }
    }

    private void checkConfiguration(VipGroup group, int peer, PeerRecord record, long nowMs) {
        boolean differs = record.configDigest() != configDigest;
        if (differs != group.configDiffers) {
            group.configDiffers = differs;
            String text = differs
                    ? "configuration differs from " + peers[peer].name() + "'s (services digest " + Long.toHexString(record.configDigest())
                      + " there, " + Long.toHexString(configDigest) + " here): replicated connections may point at other servers;"
                      + " make the services, table timeouts and workers equal"
                    : "configuration equal to " + peers[peer].name() + "'s again";
            LOG.log(differs ? System.Logger.Level.WARNING : System.Logger.Level.INFO, group.name + ": " + text);
            record(new HaEvent(nowMs, System.currentTimeMillis(), group.name, "config", 0, "", "", text));
        }
    }

    /**
     * Periodic digest comparison (issue #3): a synchronized standby whose copy differs from the active's while
     * the active's table has been quiet for {@link #DRIFT_GRACE_MS} has drifted (a lost change the sequence
     * numbers could not see, a bug): it resynchronizes. Under constant change the two digests are never
     * sampled at the same point; the per-dump digest check and the update sequence numbers cover that case.
     */
    private void checkDrift(VipGroup group, int peer, PeerRecord record, long nowMs) {
        if (group.monitor.state() != MonitorState.STANDBY || group.monitor.sync() != SyncState.IN_SYNC
                || group.followedPeer != peer || record.state() != MonitorState.ACTIVE) {
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
            execute(group, group.monitor.onSyncLost(reason, nowMs), nowMs);
            follow(group, peer, SyncRequestFlyweight.REASON_DIGEST_MISMATCH, true, nowMs);
        }
    }

    private static MonitorState stateOfCode(int code) {
        for (MonitorState state : MonitorState.values()) {
            if (state.code == code) {
                return state;
            }
        }
        return null;
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
            if (nowMs - lastStreamWarningMs >= 10_000) {
                lastStreamWarningMs = nowMs;
                LOG.log(System.Logger.Level.WARNING, peers[peer].name() + " replicates worker " + w + " but this router has "
                        + replication.workers() + " workers: set router.workers equal on both (" + streamsWithoutWorker + " messages so far)");
            }
            return;
        }
        VipGroup group = groups[v];
        if (type == MessageType.SYNC_REQUEST) {
            if (group.monitor.state() != MonitorState.ACTIVE) {
                syncRequestsRefused++; // not the active for this VIP: the requester will hear who is
                return;
            }
            if (group.monitor.sync() != SyncState.SYNC_OUT) {
                group.dumpCompleteWorkers[peer] = 0;
                execute(group, group.monitor.onSyncRequested(peerKeys[peer], nowMs), nowMs);
            }
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
        VipGroup group = groups[v];
        ServiceMonitor monitor = group.monitor;
        List<MonitorAction> actions = switch (type) {
            case SWITCHOVER_QUERY -> monitor.onSwitchoverQuery(peerKeys[peer], nowMs);
            case SWITCHOVER_ACCEPT -> monitor.onSwitchoverAccepted(peerKeys[peer], nowMs);
            case GAVE_UP -> monitor.onActiveGaveUp(peerKeys[peer], noticeReason(notice.reason()), nowMs);
            case TAKEOVER_REQUEST -> monitor.onOperatorSwitchover(nowMs); // the active asks this standby to preempt (347)
            default -> List.of();
        };
        execute(group, actions, nowMs);
    }

    private static String noticeReason(int code) {
        return switch (code) {
            case ServiceNoticeFlyweight.REASON_OPERATOR -> "operator";
            case ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN -> "client-facing interface down";
            case ServiceNoticeFlyweight.REASON_SERVER_INTERFACE_DOWN -> "server-facing interface down";
            case ServiceNoticeFlyweight.REASON_FAILBACK -> "failback";
            case ServiceNoticeFlyweight.REASON_SHUTDOWN -> "shutting down";
            default -> "reason " + code;
        };
    }

    // ====================================================================================== shards

    /** Outbound replication: a payload a worker produced, to the peer it names, on its first live link. */
    private void sendSync(int peer, MessageType type, MemorySegment segment, long offset, int length) {
        MemorySegment.copy(segment, offset, transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        transport.send(peers[peer].routerId(), syncLink[peer], type, length, cycleNowMs);
    }

    /**
     * Replication goes over one link, the first alive one (heartbeats go over all): sending every batch on
     * every link would double the sync traffic for nothing, since a lost batch is resent anyway.
     */
    private void chooseSyncLink(int peer) {
        PeerStatus status = keepAlive.status(peers[peer].routerId());
        int chosen = 0;
        for (LinkStatus link : status.links()) {
            if (link.state() == dev.baton.keepalive.LinkState.ALIVE) {
                chosen = link.linkIndex();
                break;
            }
        }
        syncLink[peer] = chosen;
    }

    /**
     * The bit set of every worker, 1..64 of them ({@code ConfigLimits.MAX_WORKERS}). Not
     * {@code (1L << workers) - 1}: Java shifts a long by {@code workers & 63}, so 64 workers gave 0 and no
     * standby ever counted as synchronized (issue #7 item 10).
     */
    static long workerMask(int workers) {
        return -1L >>> (Long.SIZE - workers);
    }

    private void onShardEvent(ShardEvent event, long nowMs) {
        VipGroup group = groups[event.vipIndex()];
        long allWorkers = workerMask(replication.workers());
        switch (event.kind()) {
            case SYNCHRONIZED -> {
                if (event.peerIndex() != group.followedPeer) {
                    return;
                }
                group.syncedWorkers |= 1L << event.worker();
                if (group.syncedWorkers == allWorkers) {
                    execute(group, group.monitor.onSynchronized(nowMs), nowMs);
                }
            }
            case RESYNC_NEEDED -> {
                group.syncedWorkers &= ~(1L << event.worker());
                if (group.monitor.sync() == SyncState.IN_SYNC) {
                    execute(group, group.monitor.onSyncLost("worker " + event.worker() + ": "
                            + (event.reason() == SyncRequestFlyweight.REASON_DIGEST_MISMATCH ? "dump digest mismatch" : "unrepairable gap"), nowMs), nowMs);
                }
            }
            case FLUSHED -> group.flushedWorkers |= 1L << event.worker();
            case DUMP_COMPLETE -> {
                group.dumpCompleteWorkers[event.peerIndex()] |= 1L << event.worker();
                if (group.dumpCompleteWorkers[event.peerIndex()] == allWorkers) {
                    execute(group, group.monitor.onSyncOutComplete(nowMs), nowMs);
                }
            }
        }
    }

    // ====================================================================================== keep-alive

    private void onKeepAliveEvent(KeepAliveEvent event, long nowMs) {
        int peer = peerIndexOf(event.peerRouterId());
        chooseSyncLink(peer);
        String text = event.kind().isLinkEvent()
                ? "link " + event.linkIndex() + " to " + event.peerName() + " (" + peers[peer].links().get(event.linkIndex()).describe() + ") "
                  + (event.kind() == KeepAliveEvent.Kind.LINK_ALIVE ? "alive" : "failed") + ": " + event.reason()
                : "peer " + event.peerName() + " " + (event.kind() == KeepAliveEvent.Kind.PEER_ALIVE ? "alive" : "failed") + ": " + event.reason();
        boolean failure = event.kind() == KeepAliveEvent.Kind.LINK_FAILED || event.kind() == KeepAliveEvent.Kind.PEER_FAILED;
        LOG.log(failure ? System.Logger.Level.WARNING : System.Logger.Level.INFO, text);
        record(new HaEvent(nowMs, System.currentTimeMillis(), "", event.kind().isLinkEvent() ? "link" : "peer", 0, "", "", text));
        if (event.kind() == KeepAliveEvent.Kind.PEER_FAILED) {
            for (VipGroup group : groups) {
                execute(group, group.monitor.onActivePeerLost(peerKeys[peer], nowMs), nowMs);
                // A standby that returns asks again and gets a fresh dump; its old stream is abandoned.
                int v = group.index;
                group.dumpCompleteWorkers[peer] = 0;
                for (int w = 0; w < replication.workers(); w++) {
                    ReplicationShard shard = replication.shard(w);
                    dataplane.worker(w).submit(() -> shard.dropSender(v, peer));
                }
            }
        }
    }

    private void sendKeepAlive(int peerRouterId, int linkIndex, long nowMs) {
        int length = writeKeepAlive();
        keepAliveOut.echoedIncarnation(heardIncarnation[peerIndexOf(peerRouterId)]);
        if (transport.send(peerRouterId, linkIndex, MessageType.KEEPALIVE, length, nowMs)) {
            keepAlive.onHeartbeatSent(peerRouterId, linkIndex);
        }
    }

    /** A keep-alive to every peer on every link now: a new active announces itself without waiting for t4. */
    private void sendKeepAliveToAll(long nowMs) {
        for (PeerConfig peer : peers) {
            for (int l = 0; l < peer.links().size(); l++) {
                sendKeepAlive(peer.routerId(), l, nowMs);
            }
        }
    }

    private int writeKeepAlive() {
        int length = MessageType.KEEPALIVE.payloadLength(groups.length);
        keepAliveOut.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        keepAliveOut.serviceCount(groups.length);
        for (VipGroup group : groups) {
            ServiceMonitor m = group.monitor;
            int syncCode = switch (m.sync()) {
                case NONE -> KeepAliveFlyweight.SYNC_NONE;
                case SYNC_IN -> KeepAliveFlyweight.SYNC_IN;
                case SYNC_OUT -> KeepAliveFlyweight.SYNC_OUT;
                case IN_SYNC -> KeepAliveFlyweight.SYNC_DONE;
            };
            keepAliveOut.service(group.index, group.index, m.state().code,
                    m.role() == Role.PRIMARY ? KeepAliveFlyweight.ROLE_PRIMARY : KeepAliveFlyweight.ROLE_BACKUP, syncCode,
                    m.priority(), replication.size(group.index), replication.digest(group.index), configDigest);
        }
        return length;
    }

    private void sendNotice(int peer, MessageType type, int vipIndex, int reason, long nowMs) {
        if (peer < 0) {
            return;
        }
        notice.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, ServiceNoticeFlyweight.LENGTH)
                .set(vipIndex, reason);
        // Notices go over every link: each is rare and must not wait for a link failure to be noticed.
        transport.sendOnEveryLink(peers[peer].routerId(), type, ServiceNoticeFlyweight.LENGTH, nowMs);
    }

    // ====================================================================================== local links

    private void checkLocalLinks(long nowMs) {
        boolean changed = false;
        for (int i = 0; i < watchedInterfaces.size(); i++) {
            String name = watchedInterfaces.get(i).name();
            boolean up;
            try {
                up = links.carrierUp(name);
            } catch (RuntimeException e) {
                up = false; // the interface is gone
            }
            if (up != interfaceUp[i]) {
                interfaceUp[i] = up;
                changed = true;
                String text = "interface " + name + " (" + watchedInterfaces.get(i).role() + ") " + (up ? "up with carrier" : "lost carrier or went down");
                LOG.log(up ? System.Logger.Level.INFO : System.Logger.Level.WARNING, text);
                record(new HaEvent(nowMs, System.currentTimeMillis(), "", "link", 0, "", "", text));
            }
        }
        if (!changed) {
            return;
        }
        for (VipGroup group : groups) {
            StringBuilder down = new StringBuilder();
            boolean clientSideDown = false;
            for (int i : group.neededInterfaces) {
                if (!interfaceUp[i]) {
                    InterfaceConfig itf = watchedInterfaces.get(i);
                    down.append(down.isEmpty() ? "" : ", ").append(itf.name()).append(itf.role().facesClients() ? " (client-facing)" : " (server-facing)");
                    clientSideDown |= itf.role().facesClients();
                }
            }
            boolean allUp = down.isEmpty();
            group.lastDownWasClientSide = clientSideDown;
            execute(group, group.monitor.onLocalLinks(allUp, allUp ? "every interface the VIP needs is up" : "interface " + down + " down", nowMs), nowMs);
        }
    }

    // ====================================================================================== actions

    private void execute(VipGroup group, List<MonitorAction> actions, long nowMs) {
        VipOwnership ownership = dataplane.ownership();
        int v = group.index;
        for (MonitorAction action : actions) {
            switch (action) {
                case MonitorAction.AnswerArp a -> {
                    group.answeringArp = a.answer();
                    ownership.answerArpByIndex(v, a.answer());
                    if (!a.answer()) {
                        group.announcementsLeft = 0;
                        group.nextReannounceMs = Long.MAX_VALUE;
                    }
                }
                case MonitorAction.Forward f -> {
                    boolean wasForwarding = group.forwarding;
                    group.forwarding = f.forward();
                    ownership.forwardByIndex(v, f.forward());
                    if (f.forward() && !wasForwarding) {
                        // Taking over: this table is now the reference; stop applying the old active's stream.
                        group.followedPeer = -1;
                        group.syncedWorkers = 0;
                        forEachShard(shard -> shard.unfollow(v));
                    } else if (!f.forward() && wasForwarding) {
                        java.util.Arrays.fill(group.dumpCompleteWorkers, 0);
                        forEachShard(shard -> shard.dropSenders(v));
                    }
                }
                case MonitorAction.SendGratuitousArp g -> {
                    group.announcementsLeft = settings.gratuitousArp().count();
                    group.nextAnnouncementMs = nowMs;
                    announce(group, nowMs);
                }
                case MonitorAction.SendSwitchoverQuery q ->
                        sendNotice(group.activePeerIndex(), MessageType.SWITCHOVER_QUERY, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                case MonitorAction.SendSwitchoverAccept a ->
                        sendNotice(peerIndexOfKey(a.peer()), MessageType.SWITCHOVER_ACCEPT, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                case MonitorAction.SendSyncRequest r -> {
                    // A receiver that found a gap or a digest mismatch restarts its dump by itself, and drift
                    // detection forces one; here only a new active needs following.
                    int active = group.activePeerIndex();
                    if (active >= 0 && !group.forwarding && group.followedPeer != active) {
                        follow(group, active, group.followedPeer == active ? SyncRequestFlyweight.REASON_GAP
                                : SyncRequestFlyweight.REASON_NEW_STANDBY, false, nowMs);
                    }
                }
                case MonitorAction.SendUpdates u -> {
                    // The shards stream changes on their own t4; a keep-alive now tells every peer at once.
                    if (!u.fullDump()) {
                        sendKeepAliveToAll(nowMs);
                    }
                }
                case MonitorAction.AnnounceGaveUp g -> {
                    int reason = shuttingDown ? ServiceNoticeFlyweight.REASON_SHUTDOWN
                            : group.lastDownWasClientSide ? ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN
                            : ServiceNoticeFlyweight.REASON_SERVER_INTERFACE_DOWN;
                    for (int p = 0; p < peers.length; p++) {
                        sendNotice(p, MessageType.GAVE_UP, v, reason, nowMs);
                    }
                }
                case MonitorAction.RequestPeerTakeover r -> {
                    int standby = synchronizedStandby(group);
                    if (standby < 0) {
                        group.switchoverOutcome = "operator switch-over refused: no synchronized standby to hand the VIP to"
                                + " (a standby reports itself synchronized in its keep-alives)";
                        record(new HaEvent(nowMs, System.currentTimeMillis(), group.name, "note", 347, "", "", group.switchoverOutcome));
                    } else {
                        group.switchoverOutcome = "operator switch-over: asked " + peers[standby].name() + " to take the VIP";
                        sendNotice(standby, MessageType.TAKEOVER_REQUEST, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                    }
                }
            }
        }
    }

    /** The first peer whose last keep-alive says it is a synchronized standby for the VIP, or -1. */
    private int synchronizedStandby(VipGroup group) {
        for (int p = 0; p < peers.length; p++) {
            PeerRecord r = group.peerRecords[p];
            if (r != null && r.state() == MonitorState.STANDBY && r.syncCode() == KeepAliveFlyweight.SYNC_DONE
                    && keepAlive.status(peers[p].routerId()).state() == dev.baton.keepalive.LinkState.ALIVE) {
                return p;
            }
        }
        return -1;
    }

    private void forEachShard(java.util.function.Consumer<ReplicationShard> command) {
        for (int w = 0; w < replication.workers(); w++) {
            ReplicationShard shard = replication.shard(w);
            dataplane.worker(w).submit(() -> command.accept(shard));
        }
    }

    /**
     * IP takeover: gratuitous ARP for the VIP on every client-facing port, in both forms (a request, which
     * RFC 5227 §3 recommends and every stack accepts, and a reply, which some switches and older stacks
     * need), {@code count} times {@code interval} apart, then every {@code reannounce} while active.
     */
    private int announce(VipGroup group, long nowMs) {
        boolean due = group.announcementsLeft > 0 && nowMs >= group.nextAnnouncementMs;
        boolean reannounce = group.announcementsLeft == 0 && group.answeringArp && nowMs >= group.nextReannounceMs;
        if (!due && !reannounce) {
            return 0;
        }
        int vip = group.vip;
        Forwarder worker = dataplane.worker(0);
        VipOwnership ownership = dataplane.ownership();
        worker.submit(() -> {
            // Checked again on the worker: an announcement queued just before this router yielded the VIP (two
            // actives resolved, a hand-over) must not go out after the winner's, or the upstream would send the
            // VIP's traffic to a router that no longer forwards it until its ARP entry goes stale.
            if (!ownership.answersArp(vip)) {
                return;
            }
            PacketPort[] ports = worker.ports();
            for (int i = 0; i < ports.length; i++) {
                if (worker.facesClients(i)) {
                    worker.sendArp(ports[i], ArpFlyweight.OP_REQUEST, MacAddress.BROADCAST, vip, 0L, vip);
                    worker.sendArp(ports[i], ArpFlyweight.OP_REPLY, MacAddress.BROADCAST, vip, ports[i].macAddress(), vip);
                }
            }
            worker.flushDirtyPorts();
        });
        if (due) {
            group.announcementsLeft--;
            group.nextAnnouncementMs = nowMs + settings.gratuitousArp().interval().toMillis();
        }
        long reannounceMs = settings.gratuitousArp().reannounce().toMillis();
        group.nextReannounceMs = reannounceMs > 0 ? nowMs + reannounceMs : Long.MAX_VALUE;
        group.announcements++;
        return 1;
    }

    // ====================================================================================== operator

    /**
     * Runs {@code query} on the agent thread (or directly when the agent is not started) and waits for it.
     */
    public <T> T query(Supplier<T> query) {
        if (!running) {
            return query.get();
        }
        return OwnerThread.ask("the HA agent", commands::add, query);
    }

    /**
     * Operator switch-over (transition 347) of the VIP a service or address names, or of every VIP when
     * {@code target} is null: on the active, asks the synchronized standby to take over; on a synchronized
     * standby, preempts. Agent thread (use {@link #query}).
     *
     * @return per VIP, what the monitor did or why it refused
     */
    public List<String> switchover(String target) {
        long nowMs = clock.nowMs();
        List<String> outcome = new ArrayList<>();
        for (VipGroup group : groupsNamed(target)) {
            group.switchoverOutcome = null;
            execute(group, group.monitor.onOperatorSwitchover(nowMs), nowMs);
            Transition last = group.monitor.last();
            String what = group.switchoverOutcome != null ? group.switchoverOutcome
                    : last == null ? "nothing to do" : displayReason(last.reason());
            outcome.add(group.name + " (" + String.join(", ", group.services) + "): " + what);
        }
        return outcome;
    }

    private List<VipGroup> groupsNamed(String target) {
        List<VipGroup> result = new ArrayList<>();
        for (VipGroup group : groups) {
            if (target == null || target.equals(group.name) || group.services.contains(target)) {
                result.add(group);
            }
        }
        if (result.isEmpty()) {
            List<String> known = new ArrayList<>();
            for (VipGroup group : groups) {
                known.add(group.name);
                known.addAll(group.services);
            }
            throw new IllegalArgumentException("no service or VIP named '" + target + "'; known: " + String.join(", ", known));
        }
        return result;
    }

    private void record(HaEvent event) {
        if (history.size() == HISTORY_LIMIT) {
            history.removeFirst();
        }
        history.addLast(event);
    }

    /** The event history, oldest first. Agent thread (use {@link #query}). */
    public List<HaEvent> events() {
        return List.copyOf(history);
    }

    /** The status for {@code baton ctl status}: per VIP and per peer. Agent thread (use {@link #query}). */
    public Map<String, Object> status() {
        long nowMs = clock.nowMs();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("router_number", Integer.toUnsignedLong(routerNumber));
        status.put("incarnation", Long.toUnsignedString(incarnation));
        status.put("config_digest", Long.toHexString(configDigest));
        List<Object> vips = new ArrayList<>();
        for (VipGroup group : groups) {
            ServiceMonitor m = group.monitor;
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("vip", group.name);
            v.put("services", group.services);
            v.put("role", m.role().name().toLowerCase());
            v.put("priority", m.priority());
            v.put("state", m.state().name());
            v.put("state_code", m.state().code);
            v.put("sync", m.sync().name());
            v.put("forwarding", group.forwarding);
            v.put("answering_arp", group.answeringArp);
            int active = group.activePeerIndex();
            v.put("active_peer", active < 0 ? (m.state() == MonitorState.ACTIVE ? "this router" : "") : peers[active].name());
            v.put("following", group.followedPeer < 0 ? "" : peers[group.followedPeer].name());
            v.put("table_size", replication.size(group.index));
            v.put("table_digest", Long.toHexString(replication.digest(group.index)));
            v.put("local_links_up", m.linksUp());
            v.put("config_differs", group.configDiffers);
            v.put("gratuitous_arp_sent", group.announcements);
            Transition last = m.last();
            if (last != null) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("ago_ms", nowMs - last.atMs());
                t.put("reference", last.reference());
                t.put("from", last.from().name());
                t.put("to", last.to().name());
                t.put("reason", displayReason(last.reason()));
                v.put("last_transition", t);
            }
            List<Object> peerViews = new ArrayList<>();
            for (int p = 0; p < peers.length; p++) {
                PeerRecord r = group.peerRecords[p];
                Map<String, Object> pv = new LinkedHashMap<>();
                pv.put("peer", peers[p].name());
                if (r == null) {
                    pv.put("state", "never heard");
                } else {
                    pv.put("state", r.state().name());
                    pv.put("sync", switch (r.syncCode()) {
                        case KeepAliveFlyweight.SYNC_IN -> "SYNC_IN";
                        case KeepAliveFlyweight.SYNC_OUT -> "SYNC_OUT";
                        case KeepAliveFlyweight.SYNC_DONE -> "IN_SYNC";
                        default -> "NONE";
                    });
                    pv.put("table_size", r.tableSize());
                    pv.put("table_digest", Long.toHexString(r.tableDigest()));
                    pv.put("heard_ms_ago", nowMs - r.atMs());
                }
                peerViews.add(pv);
            }
            v.put("peers", peerViews);
            vips.add(v);
        }
        status.put("vips", vips);
        List<Object> peerList = new ArrayList<>();
        for (PeerConfig peer : peers) {
            PeerStatus ps = keepAlive.status(peer.routerId());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", peer.name());
            p.put("router_number", Integer.toUnsignedLong(peer.routerId()));
            p.put("state", ps.state().name().toLowerCase());
            int index = peerIndexOf(peer.routerId());
            p.put("incarnation", Long.toUnsignedString(heardIncarnation[index]));
            p.put("echoed_our_incarnation", echoed[index] && echoedIncarnation[index] == heardIncarnation[index]);
            List<Object> linkList = new ArrayList<>();
            for (LinkStatus link : ps.links()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("link", link.linkIndex());
                l.put("addresses", link.link().describe());
                l.put("state", link.state().name().toLowerCase());
                l.put("heard_ms_ago", link.lastHeardMs() == LinkStatus.NEVER ? -1 : nowMs - link.lastHeardMs());
                l.put("heartbeats_sent", link.heartbeatsSent());
                l.put("heartbeats_received", link.heartbeatsReceived());
                l.put("failures", link.failures());
                linkList.add(l);
            }
            p.put("links", linkList);
            peerList.add(p);
        }
        status.put("peers", peerList);
        Map<String, Object> messages = new LinkedHashMap<>();
        VerdictCounters verdicts = transport.verdicts();
        for (Verdict verdict : Verdict.values()) {
            messages.put(verdict.label().replace(' ', '_').replace('-', '_'), verdicts.count(verdict));
        }
        messages.put("rejected", verdicts.rejected());
        messages.put("send_failures", transport.sendFailures());
        messages.put("foreign_source", transport.foreignSourceDrops());
        messages.put("receive_errors", transport.receiveErrors());
        messages.put("malformed", malformedMessages);
        messages.put("unknown_vip", unknownVipRecords);
        messages.put("stream_without_worker", streamsWithoutWorker);
        messages.put("sync_requests_refused", syncRequestsRefused);
        messages.put("stale_state_claims", staleStateClaims);
        messages.put("ignored_before_echo", ignoredBeforeEcho);
        status.put("peer_messages", messages);
        return status;
    }

    /** Replication counters of VIP {@code vipIndex} summed over the workers (asks each worker). Any thread. */
    public SyncCounters syncCounters(int vipIndex) {
        SyncCounters sum = null;
        for (int w = 0; w < replication.workers(); w++) {
            ReplicationShard shard = replication.shard(w);
            SyncCounters c = dataplane.query(w, f -> shard.counters(vipIndex));
            sum = sum == null ? c : sum.plus(c);
        }
        return sum;
    }

    /** Number of VIPs (takeover units). */
    public int vipCount() {
        return groups.length;
    }

    /** The VIP's monitor state. Agent thread (use {@link #query}). */
    public MonitorState state(int vipIndex) {
        return groups[vipIndex].monitor.state();
    }

    /** The VIP's sync sub-state. Agent thread (use {@link #query}). */
    public SyncState sync(int vipIndex) {
        return groups[vipIndex].monitor.sync();
    }

    /** This run's incarnation, which peers must echo before their messages count (issue #7 item 3). */
    public long incarnation() {
        return incarnation;
    }

    /**
     * Authentic messages ignored because their sender had not echoed this run's incarnation: replays from before
     * a restart, and a live peer's messages during the first round trip. Agent thread (use {@link #query}).
     */
    public long ignoredBeforeEcho() {
        return ignoredBeforeEcho;
    }

    /** Whether peer {@code peerIndex}'s current run has echoed this run's incarnation. Agent thread. */
    public boolean peerEchoed(int peerIndex) {
        return echoed[peerIndex] && echoedIncarnation[peerIndex] == heardIncarnation[peerIndex];
    }

    /** Rejected peer messages (wrong key, replay, malformed header...). Agent thread (use {@link #query}). */
    public long rejectedMessages() {
        return transport.verdicts().rejected();
    }

    // ====================================================================================== shutdown

    /**
     * SIGTERM (issue #7 item 9): hands every VIP this router is active for to a synchronized standby, the way
     * {@code baton ctl switchover} does, so no connection is lost: first every worker sends its pending update
     * batches and waits for the standby's acknowledgement ({@link ReplicationShard#flushUpdates}), then the
     * standby is asked to take the VIP (transition 347); when its switch-over query arrives this router hands
     * over (355): it stops answering ARP at once and forwards for the hand-over drain. A VIP no synchronized
     * standby accepted within {@code shutdown-handover-timeout} is given up instead: this router stops
     * answering ARP and forwarding and sends GAVE_UP (reason shutdown), so a standby takes over at once rather
     * than after t2. Agent thread; {@link #shutdownComplete} turns true when every VIP is done.
     */
    public void beginShutdown(long nowMs) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        shutdownDeadlineMs = nowMs + settings.shutdownHandoverTimeout().toMillis();
        int active = 0;
        for (VipGroup group : groups) {
            if (group.monitor.state() == MonitorState.ACTIVE) {
                active++;
                group.shutdownStep = ShutdownStep.FLUSHING;
                group.flushedWorkers = 0;
                int v = group.index;
                forEachShard(shard -> shard.flushUpdates(v, nowMs));
            } else {
                group.shutdownStep = ShutdownStep.DONE;
            }
        }
        String text = "shutting down: handing " + active + " VIP(s) to a synchronized standby within "
                + settings.shutdownHandoverTimeout().toMillis() + " ms (shutdown-handover-timeout), else giving them up";
        LOG.log(System.Logger.Level.INFO, text);
        record(new HaEvent(nowMs, System.currentTimeMillis(), "", "note", 0, "", "", text));
        progressShutdown(nowMs);
    }

    /** Whether every VIP's hand-over at shutdown is done (handed over and drained, or given up). Any thread. */
    public boolean shutdownComplete() {
        return shutdownComplete;
    }

    private int progressShutdown(long nowMs) {
        int work = 0;
        boolean done = true;
        long allWorkers = workerMask(replication.workers());
        for (VipGroup group : groups) {
            boolean active = group.monitor.state() == MonitorState.ACTIVE;
            switch (group.shutdownStep) {
                case FLUSHING -> {
                    if (!active) {
                        group.shutdownStep = ShutdownStep.DONE; // lost it meanwhile (two actives resolved, a link)
                    } else if (group.flushedWorkers == allWorkers && synchronizedStandby(group) >= 0) {
                        group.switchoverOutcome = null;
                        execute(group, group.monitor.onOperatorSwitchover(nowMs), nowMs);
                        group.shutdownStep = ShutdownStep.REQUESTED;
                        work++;
                    }
                }
                case REQUESTED -> {
                    if (!active) {
                        group.shutdownStep = ShutdownStep.HANDED_OVER;
                        handedOverAtShutdown++;
                        work++;
                    }
                }
                case HANDED_OVER -> {
                    if (!group.forwarding) {
                        group.shutdownStep = ShutdownStep.DONE; // the drain is over
                        work++;
                    }
                }
                default -> {
                }
            }
            if ((group.shutdownStep == ShutdownStep.FLUSHING || group.shutdownStep == ShutdownStep.REQUESTED)
                    && nowMs >= shutdownDeadlineMs) {
                String text = "shutting down: no synchronized standby accepted the VIP within "
                        + settings.shutdownHandoverTimeout().toMillis() + " ms; giving it up (GAVE_UP)";
                LOG.log(System.Logger.Level.WARNING, group.name + ": " + text);
                record(new HaEvent(nowMs, System.currentTimeMillis(), group.name, "note", 0, "", "", text));
                // The monitor gives the VIP up as for a local link failure (2(a), 2(b)): GAVE_UP with reason
                // shutdown, no ARP answers, no forwarding, and its keep-alives say STANDBY from now on.
                execute(group, group.monitor.onLocalLinks(false, "shutting down", nowMs), nowMs);
                group.shutdownStep = ShutdownStep.DONE;
                gaveUpAtShutdown++;
                work++;
            }
            done &= group.shutdownStep == ShutdownStep.DONE;
        }
        if (done && !shutdownComplete) {
            shutdownComplete = true;
            String text = "shutdown hand-over done: " + handedOverAtShutdown + " VIP(s) handed over, " + gaveUpAtShutdown + " given up";
            LOG.log(System.Logger.Level.INFO, text);
            record(new HaEvent(nowMs, System.currentTimeMillis(), "", "note", 0, "", "", text));
        }
        return work;
    }

    /**
     * Stops the agent. A running agent first hands its VIPs over ({@link #beginShutdown}) and waits for that,
     * at most {@code shutdown-handover-timeout} plus {@code handover-drain} plus a second; the workers must
     * still run meanwhile (the data plane closes after the agent). A VIP still active after that (an agent
     * that was never started) is given up with GAVE_UP, reason shutdown. Then the links close.
     */
    @Override
    public void close() {
        if (running && thread != null && thread.isAlive()) {
            commands.add(() -> beginShutdown(clock.nowMs()));
            long waitNs = (settings.shutdownHandoverTimeout().toMillis() + settings.handoverDrain().toMillis() + 1_000) * 1_000_000L;
            long startNs = System.nanoTime();
            while (!shutdownComplete && System.nanoTime() - startNs < waitNs && thread.isAlive()) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
        running = false;
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long nowMs = clock.nowMs();
        for (VipGroup group : groups) {
            if (group.monitor.state() == MonitorState.ACTIVE) {
                for (int p = 0; p < peers.length; p++) {
                    sendNotice(p, MessageType.GAVE_UP, group.index, ServiceNoticeFlyweight.REASON_SHUTDOWN, nowMs);
                }
            }
        }
        transport.close();
    }
}
