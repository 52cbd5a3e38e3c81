package dev.baton.ha;

import dev.baton.ha.VipUnit.PeerRecord;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.HighAvailabilitySettings;
import dev.baton.config.PeerLinkSettings;
import dev.baton.config.PeerSettings;
import dev.baton.dataplane.engine.AgentWatchdog;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.agent.Agent;
import dev.baton.agent.AgentRunner;
import dev.baton.agent.CycleProfile;
import dev.baton.agent.IdleStrategy;
import dev.baton.agent.MillisClock;
import dev.baton.agent.OwnerThread;
import dev.baton.agent.ThreadFailure;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.ha.notify.NotifyHook;
import dev.baton.ha.notify.StateChange;
import dev.baton.keepalive.HeartbeatDue;
import dev.baton.keepalive.KeepAliveEvent;
import dev.baton.keepalive.KeepAliveManager;
import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerLink;
import dev.baton.keepalive.PeerSockets;
import dev.baton.keepalive.PeerTransport;
import dev.baton.agent.RateLimitedLog;
import dev.baton.monitor.MonitorAction;
import dev.baton.monitor.MonitorState;
import dev.baton.monitor.MonitorTimers;
import dev.baton.monitor.PeerView;
import dev.baton.monitor.ServiceMonitor;
import dev.baton.monitor.SyncState;
import dev.baton.monitor.Transition;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.ThreadScheduling;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerKey;
import dev.baton.peer.ServiceNoticeFlyweight;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
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
public final class HaAgent implements Agent, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HaAgent.class.getName());

    private final BatonConfig config;
    private final HighAvailabilitySettings settings;
    private final Dataplane dataplane;
    private final Replication replication;
    private final MillisClock clock;
    private final int routerNumber;
    private final String routerKey;
    /** The services digest peers compare (keep-alives carry it); a reload changes it. */
    private long configDigest;

    private final Peers peers;
    /** {@code ctl status}, and the VIPs an operator's command names. */
    private final StatusReport statusReport;
    /** Decodes, verifies and encodes what goes to and comes from the peers. */
    private final PeerMessages messages;
    private final KeepAliveManager keepAlive;
    private final VipUnit[] groups;
    private final LocalLinks localLinks;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final HaEventLog events;
    /** The operator's script run on every state change ({@code notify.on-state-change}), or {@code null} without one. */
    private final NotifyHook notify;
    /** Cycles whose heartbeats were not sent because the router stalled longer than t2 within the cycle. */
    private long heartbeatsWithheld;
    /** The reach-ability manager's seat (RM 230), or {@code null} when the configuration has no reachability set. */
    private final ReachabilitySeat reachability;
    /** The operator's drains and weights, kept identical on every router (SERVER_SETTINGS). */
    private final OperatorSettingsSeat operatorSettings;
    /** Reachability chunks from peers while this router has no reachability set (nothing to compare them with). */
    private long reachabilityChunksIgnored;
    /** This run's incarnation (from the state directory's counter): what a peer must echo. */
    private final long incarnation;

    /** When this agent was built; its monitors start (315) in its first cycle. */
    private long builtAtMs;
    /** Whether the first cycle has started the monitors. */
    private boolean listening;
    /** When {@link #doWork} last ran: a gap longer than t2 means this router itself stalled. */
    private long lastCycleMs;
    private volatile boolean running;
    private AgentRunner runner;
    private Thread thread;
    /** How long the agent parks after a cycle without work: well under a keep-alive interval. */
    static final long IDLE_NANOS = 500_000;
    private ThreadFailure threadFailure = ThreadFailure.HALT;
    /** The hand-over of every VIP at SIGTERM. */
    private final ShutdownHandover shutdown;
    /** Switch-over, failback and yield between running routers: the query flush, the trail, the heir's stream. */
    private final LiveHandover handover;
    /** The standby side of replication: which active's stream each VIP's copy follows, and whether it is verified. */
    private final StandbyCopy standbyCopy;
    /** The duty cycle's phases, timed by {@link #profile}. */
    private static final int PHASE_COMMANDS = 0;
    private static final int PHASE_PEER_MESSAGES = 1;
    private static final int PHASE_REPLICATION_OUT = 2;
    private static final int PHASE_SHARD_EVENTS = 3;
    private static final int PHASE_KEEPALIVE_EVENTS = 4;
    private static final int PHASE_LOCAL_LINKS = 5;
    private static final int PHASE_MONITORS = 6;
    private static final int PHASE_HEARTBEATS = 7;
    /** Where the duty cycle spends its time (counters {@code agent_phase_us}, {@code agent_gap_us}). */
    private final CycleProfile profile = new CycleProfile("commands", "peer messages", "replication out", "shard events",
            "keep-alive events", "local links", "monitors", "heartbeats");
    /** Beaten every cycle; worker 0 drops every VIP when it stops. */
    private final AgentWatchdog watchdog;
    private long watchdogTripsSeen;

    /**
     * Binds the peer links (on the calling thread: inside the router's network namespace). Every VIP's monitor
     * starts listening (transition 315) in the agent's first cycle ({@link #startListening}).
     *
     * @param replication the shards the data plane's workers run (built before the data plane)
     * @param key         the shared secret the per-pair keys are derived from
     * @param incarnation this run's incarnation, greater than every earlier run's: from
     *                    {@link dev.baton.peer.IncarnationStore} in {@code high-availability.state-directory},
     *                    never from the clock
     * @throws IOException when a link address cannot be bound
     */
    public HaAgent(BatonConfig config, Dataplane dataplane, Replication replication, PeerKey key, long incarnation,
                   MillisClock clock, LinkWatcher links) throws IOException {
        this(config, dataplane, replication, key, incarnation, clock, links, PeerSockets.UDP, System::currentTimeMillis);
    }

    /**
     * As above, over the given sockets (UDP in a router, an in-memory network with injected faults in the simulation
     * tests) and with the given wall clock (epoch milliseconds: event times, and the versions of an operator's
     * settings; the agent's own clock is monotonic).
     */
    public HaAgent(BatonConfig config, Dataplane dataplane, Replication replication, PeerKey key, long incarnation,
                   MillisClock clock, LinkWatcher links, PeerSockets sockets, java.util.function.LongSupplier wallClockMs)
            throws IOException {
        this.events = new HaEventLog(wallClockMs);
        this.notify = config.notifyScript().map(n -> NotifyHook.of(n, config.router().id())).orElse(null);
        if (incarnation == 0) {
            throw new IllegalArgumentException("incarnation 0 means \"none heard\" in an echo; runs count from 1");
        }
        this.incarnation = incarnation;
        this.config = config;
        this.settings = config.highAvailability().orElseThrow(() -> new IllegalArgumentException("no high-availability section"));
        this.dataplane = dataplane;
        this.replication = replication;
        this.clock = clock;
        this.watchdog = dataplane.agentWatchdog();
        this.routerNumber = (int) settings.routerNumber();
        this.routerKey = Peers.keyOfRouter(routerNumber);
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
        this.peers = new Peers(peerConfigs);
        int[] peerIds = peers.routerIds();
        long nowMs = clock.nowMs();
        // Per-pair keys derived from the shared secret; every message names its receiver.
        MessageComposer composer = new MessageComposer(routerNumber, incarnation, key, peerIds);
        MessageVerifier verifier = new MessageVerifier(routerNumber, key, peerIds, new VerdictCounters());
        PeerTransport transport = new PeerTransport(peerConfigs, composer, verifier, RateLimitedLog.DEFAULT_INTERVAL_MS, sockets);
        long updateIntervalMs = settings.updateInterval().toMillis();
        this.keepAlive = new KeepAliveManager(peerConfigs, updateIntervalMs, settings.linkFailureTime().toMillis(), nowMs);

        MonitorTimers timers = new MonitorTimers(settings.listenTimeout().toMillis(), settings.standbyTimeout().toMillis(),
                settings.preemptTimeout().toMillis(), updateIntervalMs, settings.handoverDrain().toMillis());
        int[] vips = dataplane.services().distinctVips();
        this.localLinks = new LocalLinks(config.interfaces(), links, events, nowMs);
        this.groups = new VipUnit[vips.length];
        this.messages = new PeerMessages(peers, groups, replication, transport, keepAlive, incarnation, events, clock,
                configDigest, new PeerListener());
        HandoverActions handoverActions = new HandoverActions();
        this.shutdown = new ShutdownHandover(groups, settings.shutdownHandoverTimeout().toMillis(),
                workerMask(replication.workers()), events, handoverActions);
        this.handover = new LiveHandover(peers, events, workerMask(replication.workers()),
                settings.preemptTimeout().toMillis(), settings.handoverDrain().toMillis(), handoverActions);
        this.standbyCopy = new StandbyCopy(peers, replication, handover, handoverActions);
        for (int v = 0; v < vips.length; v++) {
            int vip = vips[v];
            groups[v] = new VipUnit(v, vip, config, routerKey, timers, peers, settings.gratuitousArp(),
                    localLinks.neededBy(config, vip), t -> onTransition(Ipv4.format(vip), t));
        }
        this.reachability = ReachabilitySeat.of(config, groups, peers, messages, events, new ReachabilityAgent());
        this.operatorSettings = new OperatorSettingsSeat(settings.routerNumber(), incarnation, dataplane.services(),
                dataplane.health(), peers, messages, events);
        this.statusReport = new StatusReport(routerNumber, incarnation, configDigest, groups, peers, replication, messages);
        HaCounters.register(dataplane.counters(), read -> query(read), messages, keepAlive, peers, groups, replication,
                watchdog, () -> heartbeatsWithheld, profile, dataplane);
        if (reachability != null) {
            reachability.registerCounters(dataplane.counters(), read -> query(read));
        }
        operatorSettings.registerCounters(dataplane.counters(), read -> query(read));
        if (notify != null) {
            notify.registerCounters(dataplane.counters());
        }
        lastCycleMs = nowMs;
        builtAtMs = nowMs;
    }

    private static InetSocketAddress socket(int address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(Ipv4.format(address)), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + Ipv4.format(address), e);
        }
    }

    // ====================================================================================== per-VIP state

    private void onTransition(String vip, Transition t) {
        String reason = peers.forPeople(t.reason());
        events.transition(t.atMs(), vip, t.reference(), t.from().name() + stateSuffix(t.syncFrom()),
                t.to().name() + stateSuffix(t.syncTo()), t.changedState() || t.syncFrom() != t.syncTo(), reason);
        if (notify != null && t.changedState()) {
            // A FIG. 3 state change (not a sync sub-state's, nor a note): queued for the script, never waited for.
            notify.stateChanged(new StateChange(vip, t.from().name(), t.to().name(), reason, t.reference()), t.atMs());
        }
    }

    private static String stateSuffix(SyncState sync) {
        return switch (sync) {
            case NONE -> "";
            case SYNC_IN -> "/SYNC-IN";
            case SYNC_OUT -> "/SYNC-OUT";
            case IN_SYNC -> "/in-sync";
        };
    }

    // ====================================================================================== duty cycle

    /**
     * Starts the agent thread. A cycle that fails with a {@link RuntimeException} is logged and the agent
     * carries on; an {@link Error} halts the router ({@link ThreadFailure}): a router whose
     * agent died would forward and answer ARP with no keep-alives going out.
     */
    public void start() {
        running = true;
        // The daemon starts the data plane and the control socket between construction and here: that time
        // (tens of milliseconds, more on a loaded host) is not a stall of this agent.
        lastCycleMs = clock.nowMs();
        if (notify != null) {
            notify.start();
        }
        runner = new AgentRunner(this, clock, IdleStrategy.park(IDLE_NANOS), threadFailure);
        thread = runner.start("baton-ha", HaAgent::runsBeforeOtherThreads);
    }

    @Override
    public String roleName() {
        return "the HA agent";
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
    @Override
    public int doWork(long nowMs) {
        watchdog.beat(); // the data plane drops the VIPs if this stops for longer than t2
        profile.begin();
        if (!listening) {
            startListening(nowMs);
        }
        int work = 0;
        // Before anything that was queued during a stall is read: a router that did not run for longer than
        // t2 has been replaced, and must not treat the new active's keep-alives as a partition to win.
        long stalledMs = nowMs - lastCycleMs;
        lastCycleMs = nowMs;
        // The watchdog's verdict counts too: its clock read and this one may differ by a millisecond, and the
        // VIPs it dropped must not stay "active" here with nothing forwarding them.
        long trips = watchdog.trips();
        boolean droppedByWatchdog = trips != watchdogTripsSeen;
        watchdogTripsSeen = trips;
        if (stalledMs > settings.standbyTimeout().toMillis() || droppedByWatchdog) {
            // The previous cycle's longest phase tells the agent's own work (a phase as long as the stall) from
            // a thread that did not run at all (CPU starvation, a stop-the-world pause, SIGSTOP).
            String text = "this router did not run for " + stalledMs + " ms (longer than t2): stopped, paused or starved"
                    + (droppedByWatchdog ? "; the data plane's watchdog dropped every VIP" : "")
                    + "; the cycle before took longest in " + profile.longestPhaseOfPreviousCycle();
            events.note(nowMs, "", 0, text, true);
            // Nor may it conclude that a peer failed from a silence it did not listen through (a standby took a
            // VIP from a live active this way, 0.6 s after its own start, in the failover lab).
            keepAlive.onSelfStalled(stalledMs, nowMs);
            for (VipUnit group : groups) {
                execute(group, group.monitor.onSelfStalled(stalledMs, nowMs), nowMs);
                if (stalledMs > settings.linkFailureTime().toMillis()) {
                    // Silent for longer than the link failure time, this router was declared failed by the active,
                    // which dropped its update stream (see PEER_FAILED below): the copy is no longer kept current.
                    standbyCopy.abandon(group, "this router did not run for " + stalledMs + " ms, longer than the link failure time:"
                            + " the active dropped its update stream", nowMs);
                }
            }
        }
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
            work++;
        }
        for (int w = 0; w < replication.workers(); w++) {
            work += replication.shard(w).commands().moveBacklog();
        }
        profile.end(PHASE_COMMANDS);
        work += messages.receive(nowMs);
        profile.end(PHASE_PEER_MESSAGES);
        work += messages.sendReplication(nowMs);
        profile.end(PHASE_REPLICATION_OUT);
        ShardEvent event;
        while ((event = replication.events().poll()) != null) {
            onShardEvent(event, nowMs);
            work++;
        }
        profile.end(PHASE_SHARD_EVENTS);
        for (KeepAliveEvent e : keepAlive.poll(nowMs)) {
            onKeepAliveEvent(e, nowMs);
            work++;
        }
        profile.end(PHASE_KEEPALIVE_EVENTS);
        if (localLinks.poll(nowMs)) {
            for (VipUnit group : groups) {
                LocalLinks.Verdict verdict = localLinks.verdict(group.neededInterfaces);
                group.lastDownWasClientSide = verdict.clientSideDown();
                execute(group, group.monitor.onLocalLinks(verdict.allUp(), verdict.detail(), nowMs), nowMs);
            }
        }
        profile.end(PHASE_LOCAL_LINKS);
        for (VipUnit group : groups) {
            handover.poll(group, nowMs);
            if (nowMs >= group.monitor.nextDeadlineMs()) {
                execute(group, group.monitor.onTick(nowMs), nowMs);
            }
            work += announce(group, nowMs);
            if (!shutdown.begun()) {
                standbyCopy.followTheActive(group, nowMs); // a router that stops does not ask the new active for a dump
            }
        }
        work += shutdown.progress(nowMs);
        if (reachability != null) {
            work += reachability.poll(nowMs);
        }
        work += operatorSettings.poll(nowMs);
        profile.end(PHASE_MONITORS);
        // Last: a heartbeat carries the state this cycle ended in. Sent before a state change (a link lost, a
        // timer expired), it would tell the peers "active" after the GAVE_UP that follows it.
        if (stalledWithinCycle(nowMs)) {
            return work;
        }
        for (HeartbeatDue due : keepAlive.heartbeatsDue(nowMs)) {
            messages.sendKeepAlive(due.peerRouterId(), due.linkIndex(), nowMs);
            work++;
        }
        profile.end(PHASE_HEARTBEATS);
        return work;
    }

    /**
     * The first cycle: every VIP's monitor starts listening (315) now, not when the agent was built. The daemon
     * builds the agent, then starts the data plane and the control socket, then the agent's thread; on a loaded
     * host that took 600 ms, longer than t1, and a restarted primary whose t1 had run from construction went
     * ACTIVE (326) in its first cycle without having listened at all, beside the live active. Nor does the
     * keep-alive manager declare a peer failed for a silence this router did not listen through.
     */
    private void startListening(long nowMs) {
        listening = true;
        lastCycleMs = nowMs;
        keepAlive.onSelfStalled(nowMs - builtAtMs, nowMs);
        for (VipUnit group : groups) {
            execute(group, group.monitor.start(nowMs), nowMs);
        }
    }

    /**
     * Whether the clock has moved on more than t2 since this cycle began: this router was stopped inside it
     * (SIGSTOP, a pause of the whole machine), and what the cycle decided rests on a world that has moved on.
     */
    private boolean stalledSinceCycleStart() {
        return clock.nowMs() - lastCycleMs > settings.standbyTimeout().toMillis();
    }

    /**
     * Whether this router stopped for longer than t2 in the middle of this cycle (SIGSTOP, a pause of the whole
     * machine): the state the cycle computed from {@code cycleMs} is older than the peers' verdict on this
     * router, so it must not be claimed in a keep-alive. A standby may have taken the VIP over meanwhile; a
     * claim of ACTIVE now would make it yield to a router that re-evaluates (321) and withdraws the claim at
     * its next cycle. The clock is read afresh here; the next cycle sees the stall and re-evaluates.
     */
    private boolean stalledWithinCycle(long cycleMs) {
        long stalledMs = clock.nowMs() - cycleMs;
        if (stalledMs <= settings.standbyTimeout().toMillis()) {
            return false;
        }
        heartbeatsWithheld++;
        events.note(clock.nowMs(), "", 0, "this cycle took " + stalledMs + " ms (longer than t2; longest so far in "
                + profile.longestPhaseOfCycle() + "): its keep-alives are withheld, its state is re-evaluated next cycle", true);
        return true;
    }

    // ====================================================================================== peer messages

    /** What the hand-overs, at shutdown and between running routers, ask of the conductor. */
    private final class HandoverActions implements ShutdownHandover.ShutdownConductor {
        @Override
        public void execute(VipUnit group, List<MonitorAction> actions, long nowMs) {
            HaAgent.this.execute(group, actions, nowMs);
        }

        @Override
        public boolean hasSynchronizedStandby(VipUnit group) {
            return synchronizedStandby(group) >= 0;
        }

        @Override
        public void flushUpdates(VipUnit group, long nowMs) {
            toEveryShard(ShardCommands.Kind.FLUSH_UPDATES, 0, 0, group.index, 0, nowMs);
        }

        @Override
        public void toEveryShard(ShardCommands.Kind kind, int flags, int reason, int vipIndex, int peerIndex, long nowMs) {
            HaAgent.this.toEveryShard(kind, flags, reason, vipIndex, peerIndex, nowMs);
        }
    }

    /** What peers say, decoded by {@link PeerMessages}, carried to the VIP units' monitors. */
    private final class PeerListener implements PeerMessages.Listener {

        /**
         * A peer authenticated under a new incarnation is a new run of that router, with empty tables and sync
         * sessions numbered from the start again: a stream to or from its earlier run means nothing to it, and a
         * request of the new run could be taken for a repeat of the old one's (the same session number).
         */
        @Override
        public void reachabilityChunk(int peer, dev.baton.peer.ReachabilityReportFlyweight chunk, long nowMs) {
            if (reachability != null) {
                reachability.onChunk(peer, chunk, nowMs);
            } else {
                reachabilityChunksIgnored++;
            }
        }

        @Override
        public void serverSettings(int peer, dev.baton.peer.ServerSettingsFlyweight message, long nowMs) {
            operatorSettings.onMessage(peer, message, nowMs);
        }

        @Override
        public void peerRestarted(int peer, long nowMs) {
            if (reachability != null) {
                reachability.peerRestarted(peer);
            }
            operatorSettings.peerRestarted(peer);
            for (VipUnit group : groups) {
                group.dumpCompleteWorkers[peer] = 0;
                toEveryShard(ShardCommands.Kind.FORGET_PEER, 0, 0, group.index, peer, nowMs);
                // The active this router follows is gone as surely as if it had crashed (it has, if it restarted
                // this fast): its new run has an empty table, so this copy is the only one; take over with it now
                // (348) rather than after t2, or wipe it to follow an empty table.
                execute(group, group.monitor.onActivePeerLost(peers.key(peer), nowMs), nowMs);
                if (group.followedPeer == peer) {
                    standbyCopy.abandon(group, peers.name(peer) + " restarted: its earlier run's stream is over", nowMs);
                }
            }
        }

        @Override
        public void peerHeard(VipUnit group, int peer, PeerRecord record, long nowMs) {
            PeerRecord previous = group.peerRecords[peer];
            boolean wasUnheard = group.unheardSinceFailure[peer];
            group.peerRecords[peer] = record;
            group.unheardSinceFailure[peer] = false;
            checkConfiguration(group, peer, record, nowMs);
            execute(group, group.monitor.onPeerHeard(new PeerView(peers.key(peer), record.role(), record.priority(), record.state(),
                    record.sync() == SyncState.IN_SYNC, record.term(), record.linksUp()), nowMs), nowMs);
            standbyCopy.onPeerHeard(group, peer, record, nowMs);
            // Active when this router last announced, or after: its own announcement may be the upstream's latest.
            // (A peer that handed the VIP over to this router claimed ACTIVE last before this router's takeover.)
            boolean mayHaveAnnounced = wasUnheard || (previous != null && previous.state() == MonitorState.ACTIVE
                    && previous.atMs() >= group.announcements.startedAtMs());
            if (mayHaveAnnounced && record.state() != MonitorState.ACTIVE) {
                reannounce(group, peer, wasUnheard, nowMs);
            }
        }

        @Override
        public void notice(VipUnit group, int peer, MessageType type, int reason, long nowMs) {
            ServiceMonitor monitor = group.monitor;
            List<MonitorAction> actions = switch (type) {
                case SWITCHOVER_QUERY -> handover.onQuery(group, peer, reason == ServiceNoticeFlyweight.REASON_REACHABILITY,
                        shutdown.begun(), nowMs);
                case SWITCHOVER_ACCEPT -> monitor.onSwitchoverAccepted(peers.key(peer), nowMs);
                case SWITCHOVER_DECLINE -> {
                    List<MonitorAction> takeBack = monitor.onSwitchoverDeclined(peers.key(peer), nowMs);
                    // A router that is stopping does not take the VIP back to exit with it: it gives it up (GAVE_UP,
                    // reason shutdown) so that a standby takes it over at once, as at the hand-over deadline.
                    yield shutdown.begun() && !takeBack.isEmpty()
                            ? monitor.onLocalLinks(false, "shutting down: " + peers.name(peer) + " declined the VIP", nowMs)
                            : takeBack;
                }
                case GAVE_UP -> monitor.onActiveGaveUp(peers.key(peer), PeerMessages.noticeReason(reason), nowMs);
                // The active asks this standby to preempt: its operator asked (347), or its reach-ability manager found
                // this router reaches more (345).
                case TAKEOVER_REQUEST -> reason == ServiceNoticeFlyweight.REASON_REACHABILITY
                        ? monitor.onReachabilityBetter("the active's reach-ability manager finds this router reaches more", nowMs)
                        : monitor.onOperatorSwitchover(nowMs);
                default -> List.of();
            };
            execute(group, actions, nowMs);
        }

        @Override
        public boolean syncRequested(VipUnit group, int peer, long nowMs) {
            if (group.monitor.state() != MonitorState.ACTIVE) {
                return false;
            }
            if (group.monitor.sync() != SyncState.SYNC_OUT) {
                // Its completed dumps stay counted until the shards start the new ones (STREAM_ENDED): a request
                // delayed or duplicated on the way, which they ignore, must not unmake a synchronized standby.
                execute(group, group.monitor.onSyncRequested(peers.key(peer), nowMs), nowMs);
            }
            return true;
        }
    }

    private void checkConfiguration(VipUnit group, int peer, PeerRecord record, long nowMs) {
        boolean differs = record.configDigest() != configDigest;
        if (differs != group.configDiffers) {
            group.configDiffers = differs;
            String text = differs
                    ? "configuration differs from " + peers.name(peer) + "'s (services digest " + Long.toHexString(record.configDigest())
                      + " there, " + Long.toHexString(configDigest) + " here): replicated connections may point at other servers;"
                      + " make the services, table timeouts and workers equal"
                    : "configuration equal to " + peers.name(peer) + "'s again";
            events.configuration(nowMs, group.name, peers.name(peer), differs, text);
            if (!differs) {
                standbyCopy.configurationEqualAgain(group, peer, nowMs);
            }
        }
    }

    /**
     * A reload changed the configuration in place ({@code baton ctl reload}; the data plane has it already): the
     * services digest peers compare, and the operator's settings under the servers' new ids. Agent thread (use
     * {@link #query}). A peer that runs the other configuration sees the digests differ until it reloads too; then a
     * standby copies its active's table afresh ({@link StandbyCopy#configurationEqualAgain}).
     */
    public void reconfigure(BatonConfig next, dev.baton.dataplane.service.ServerRemap remap) {
        long nowMs = clock.nowMs();
        configDigest = next.servicesDigest();
        messages.configDigest(configDigest);
        statusReport.configDigest(configDigest);
        Dataplane.Generation generation = dataplane.generation();
        operatorSettings.reconfigure(generation.services(), generation.health(), remap);
        events.note(nowMs, "", 0, "configuration reloaded: services digest " + Long.toHexString(configDigest), false);
    }

    // ====================================================================================== shards

    /**
     * The bit set of every worker, 1..64 of them ({@code ConfigLimits.MAX_WORKERS}). Not
     * {@code (1L << workers) - 1}: Java shifts a long by {@code workers & 63}, so 64 workers gave 0 and no
     * standby ever counted as synchronized.
     */
    static long workerMask(int workers) {
        return -1L >>> (Long.SIZE - workers);
    }

    private void onShardEvent(ShardEvent event, long nowMs) {
        VipUnit group = groups[event.vipIndex()];
        long allWorkers = workerMask(replication.workers());
        switch (event.kind()) {
            case SYNCHRONIZED -> standbyCopy.onSynchronized(group, event.worker(), event.peerIndex(), nowMs);
            case RESYNC_NEEDED -> standbyCopy.onResynchronizationNeeded(group, event.worker(), event.reason(), nowMs);
            case FLUSHED -> group.flushedWorkers |= 1L << event.worker();
            case STREAM_ENDED -> group.dumpCompleteWorkers[event.peerIndex()] &= ~(1L << event.worker());
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
        int peer = peers.indexOfRouter(event.peerRouterId());
        messages.chooseSyncLink(peer);
        String text = event.kind().isLinkEvent()
                ? "link " + event.linkIndex() + " to " + event.peerName() + " (" + peers.config(peer).links().get(event.linkIndex()).describe() + ") "
                  + (event.kind() == KeepAliveEvent.Kind.LINK_ALIVE ? "alive" : "failed") + ": " + event.reason()
                : "peer " + event.peerName() + " " + (event.kind() == KeepAliveEvent.Kind.PEER_ALIVE ? "alive" : "failed") + ": " + event.reason();
        boolean failure = event.kind() == KeepAliveEvent.Kind.LINK_FAILED || event.kind() == KeepAliveEvent.Kind.PEER_FAILED;
        if (event.kind().isLinkEvent()) {
            events.link(nowMs, !failure, text);
        } else {
            events.peer(nowMs, peers.name(peer), !failure, text);
        }
        if (event.kind() == KeepAliveEvent.Kind.PEER_ALIVE) {
            for (VipUnit group : groups) {
                if (group.forwarding) {
                    int v = group.index;
                    toEveryShard(ShardCommands.Kind.RESUME_SENDER, 0, 0, v, peer, nowMs);
                }
            }
        }
        if (event.kind() == KeepAliveEvent.Kind.PEER_FAILED) {
            for (VipUnit group : groups) {
                group.unheardSinceFailure[peer] = true;
                execute(group, group.monitor.onActivePeerLost(peers.key(peer), nowMs), nowMs);
                handover.onPeerFailed(group, peer, nowMs);
                if (group.followedPeer == peer) {
                    // Both ends abandon the stream when either sees the other fail: the active drops its sender
                    // below on its side, so a copy kept here would silently stop following.
                    standbyCopy.abandon(group, peers.name(peer) + " failed: its update stream is abandoned", nowMs);
                }
                // Streaming to it stops; when it is heard again it gets a new dump (ReplicationShard.resumeSender).
                group.dumpCompleteWorkers[peer] = 0;
                toEveryShard(ShardCommands.Kind.DROP_SENDER, 0, 0, group.index, peer, nowMs);
            }
        }
    }

    // ====================================================================================== actions

    private void execute(VipUnit group, List<MonitorAction> actions, long nowMs) {
        VipOwnership ownership = dataplane.ownership();
        int v = group.index;
        for (MonitorAction action : actions) {
            switch (action) {
                case MonitorAction.AnswerArp a -> {
                    group.answeringArp = a.answer();
                    ownership.answerArpByIndex(v, a.answer());
                    if (!a.answer()) {
                        group.announcements.stop();
                    }
                }
                case MonitorAction.Forward f -> {
                    boolean wasForwarding = group.forwarding;
                    group.forwarding = f.forward();
                    ownership.forwardByIndex(v, f.forward());
                    if (f.forward() && !wasForwarding) {
                        handover.onTakeover(group, nowMs);
                    } else if (!f.forward() && wasForwarding) {
                        java.util.Arrays.fill(group.dumpCompleteWorkers, 0);
                        handover.onStopForwarding(group, nowMs);
                    }
                }
                case MonitorAction.SendGratuitousArp g -> {
                    group.announcements.start(nowMs);
                    announce(group, nowMs);
                }
                // The query says why: an active handing over for better reachability (345) may fail back later.
                case MonitorAction.SendSwitchoverQuery q -> messages.sendNotice(group.activePeerIndex(), MessageType.SWITCHOVER_QUERY, v,
                        group.monitor.preemptReference() == 345 ? ServiceNoticeFlyweight.REASON_REACHABILITY
                                : ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                case MonitorAction.SendSwitchoverAccept a ->
                        messages.sendNotice(peers.indexOfKey(a.peer()), MessageType.SWITCHOVER_ACCEPT, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                case MonitorAction.SendSwitchoverDecline d ->
                        messages.sendNotice(peers.indexOfKey(d.peer()), MessageType.SWITCHOVER_DECLINE, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                // A receiver that found a gap or a digest mismatch restarts its dump by itself, and drift detection
                // forces one; here only a new active needs following (the monitor emits this entering STANDBY, or
                // losing sync in it).
                case MonitorAction.SendSyncRequest r -> standbyCopy.followTheActive(group, nowMs);
                case MonitorAction.SendUpdates u -> {
                    // The shards stream changes on their own t4; a keep-alive now tells every peer at once. Not from
                    // a cycle that stalled longer than t2: the takeover was decided on a world that has moved on,
                    // and the next cycle re-evaluates it (seed 793587: a peer yielded to the claim, withdrawn a
                    // cycle later, and nobody was active).
                    if (!u.fullDump()) {
                        if (stalledSinceCycleStart()) {
                            heartbeatsWithheld++;
                        } else {
                            messages.sendKeepAliveToAll(nowMs);
                        }
                    }
                }
                case MonitorAction.AnnounceGaveUp g -> {
                    int reason = shutdown.begun() ? ServiceNoticeFlyweight.REASON_SHUTDOWN
                            : group.lastDownWasClientSide ? ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN
                            : ServiceNoticeFlyweight.REASON_SERVER_INTERFACE_DOWN;
                    messages.sendNoticeToAll(MessageType.GAVE_UP, v, reason, nowMs);
                }
                case MonitorAction.RequestPeerTakeover r -> {
                    int standby = synchronizedStandby(group);
                    if (standby < 0) {
                        group.switchoverOutcome = "operator switch-over refused: no synchronized standby to hand the VIP to"
                                + " (one that verified this router's dump and says it is synchronized in its keep-alives)";
                        events.note(nowMs, group.name, 347, group.switchoverOutcome, false);
                    } else {
                        group.switchoverOutcome = "operator switch-over: asked " + peers.name(standby) + " to take the VIP";
                        messages.sendNotice(standby, MessageType.TAKEOVER_REQUEST, v, ServiceNoticeFlyweight.REASON_OPERATOR, nowMs);
                    }
                }
            }
        }
    }

    /**
     * The first peer that is a synchronized standby of this router for the VIP, or -1: its last keep-alive says
     * it is a synchronized standby, and it verified this router's dump on every worker. The keep-alive alone says
     * only that its copy followed some active: a router that took the VIP a moment ago (335, 348) is not yet
     * followed by the other standbys, whose copies lack what it opened since. The simulation found one (seed
     * 56340): asked 5 ms after a switch-over, a third router preempted, saw the new active's newer term, abandoned
     * its preemption to resynchronize, and the accepted hand-over left the VIP with no active for t2.
     */
    private int synchronizedStandby(VipUnit group) {
        for (int p = 0; p < peers.count(); p++) {
            if (isSynchronizedStandby(group, p)) {
                return p;
            }
        }
        return -1;
    }

    /** Whether peer {@code p} is a synchronized standby of this router for the VIP (see {@link #synchronizedStandby}). */
    private boolean isSynchronizedStandby(VipUnit group, int p) {
        PeerRecord r = group.peerRecords[p];
        return r != null && r.state() == MonitorState.STANDBY && r.sync() == SyncState.IN_SYNC && r.linksUp()
                && group.dumpCompleteWorkers[p] == workerMask(replication.workers())
                && keepAlive.status(peers.routerId(p)).state() == dev.baton.keepalive.LinkState.ALIVE;
    }

    /** Why peer {@code p} is not a synchronized standby of this router for the VIP, in words. */
    private String notSynchronizedStandby(VipUnit group, int p) {
        PeerRecord r = group.peerRecords[p];
        if (r == null || keepAlive.status(peers.routerId(p)).state() != dev.baton.keepalive.LinkState.ALIVE) {
            return "not heard";
        }
        if (r.state() != MonitorState.STANDBY || r.sync() != SyncState.IN_SYNC) {
            return r.state() + "/" + r.sync();
        }
        if (!r.linksUp()) {
            return "a local link of it is down";
        }
        return "has not verified this router's dump yet";
    }

    /** What the reach-ability manager's seat asks of the agent. */
    private final class ReachabilityAgent implements ReachabilitySeat.Agent {
        @Override
        public boolean synchronizedStandby(VipUnit group, int p) {
            return isSynchronizedStandby(group, p);
        }

        @Override
        public String notReady(VipUnit group, int p) {
            return notSynchronizedStandby(group, p);
        }

        @Override
        public boolean stopping() {
            return shutdown.begun();
        }

        @Override
        public void execute(VipUnit group, List<MonitorAction> actions, long nowMs) {
            HaAgent.this.execute(group, actions, nowMs);
        }
    }

    /**
     * Element {@code index} of this router's reachability set (configuration order) is reached or not, as its
     * probes say. Agent thread (the probes' owner hands results over with {@link #submit}); ignored without a
     * reachability section.
     */
    public void reachabilityElement(int index, dev.baton.probe.Health health) {
        if (reachability != null) {
            reachability.manager().elementHealth(index, health);
        }
    }

    /**
     * An operator drained or undrained server {@code serverId} here ({@code baton ctl drain}): on the board the
     * workers read, and to every peer. Agent thread ({@link #query}).
     */
    public Void drain(int serverId, boolean drained) {
        operatorSettings.drain(serverId, drained, clock.nowMs());
        return null;
    }

    /** An operator set server {@code serverId}'s weight here ({@code baton ctl weight}). Agent thread ({@link #query}). */
    public Void weight(int serverId, int weight) {
        operatorSettings.weight(serverId, weight, clock.nowMs());
        return null;
    }

    /** The drains and weights an operator set, here or on a peer, with their stamps. Agent thread ({@link #query}). */
    public java.util.Map<String, Object> serverSettingsStatus() {
        return operatorSettings.status();
    }

    /** The drains and weights this router holds (each a stamped register), read on the agent thread. */
    public dev.baton.sync.OperatorSettings serverSettings() {
        return operatorSettings.registers();
    }

    /** The operator's settings' seat. Agent thread. */
    OperatorSettingsSeat operatorSettings() {
        return operatorSettings;
    }

    /** This router's reach-ability manager, or {@code null} without a reachability section. Agent thread. */
    ReachabilitySeat reachability() {
        return reachability;
    }

    /** One command to every worker's shard (no allocation; the shards run it in their next duty cycle). */
    private void toEveryShard(ShardCommands.Kind kind, int flags, int reason, int vipIndex, int peerIndex, long nowMs) {
        for (int w = 0; w < replication.workers(); w++) {
            ShardCommands commands = replication.shard(w).commands();
            long lostBefore = commands.lost();
            commands.offer(kind, flags, reason, vipIndex, peerIndex, nowMs);
            if (commands.lost() != lostBefore) {
                // Thousands of commands queued: worker w has not run for a long time (its watchdog says more).
                events.note(nowMs, "", 0, "worker " + w + " did not take a " + kind + " command: its queue and the agent's"
                        + " backlog are full (" + commands.lost() + " lost); its replication state may be stale", true);
            }
        }
    }

    /**
     * A peer that was active for the VIP, or that this router could not hear (it may have taken the VIP over
     * then), is not active now: the upstream may still send the VIP's traffic to it, since its gratuitous ARP was
     * the last one heard, and nobody else would tell the upstream otherwise until its ARP cache expires (the
     * simulation found it: a router took over during a partition, stalled, and came back as a standby; the
     * active's announcement was older than the partition, and every new connection went to the standby). The
     * active announces the VIP again, as a VRRP master does when it hears a lower-priority advertisement.
     */
    private void reannounce(VipUnit group, int peer, boolean wasUnheard, long nowMs) {
        if (group.monitor.state() != MonitorState.ACTIVE || !group.answeringArp) {
            return;
        }
        group.announcements.start(nowMs);
        announce(group, nowMs);
        events.note(nowMs, group.name, 0, "announcing the VIP again: " + peers.name(peer)
                + (wasUnheard ? " is heard again after a failure" : " is no longer active")
                + ", and the upstream may still send to it", false);
    }

    /**
     * IP takeover: gratuitous ARP for the VIP ({@code ArpHandler#announce}), {@code count} times {@code interval}
     * apart, then every {@code reannounce} while active. Worker 0 sends it, through its client-facing ports, as a
     * command on its shard's ring (no object per announcement).
     */
    private int announce(VipUnit group, long nowMs) {
        // Nor does a stalled cycle announce the VIP: the upstream would move to a router about to re-evaluate.
        if (stalledSinceCycleStart() || !group.announcements.due(nowMs, group.answeringArp)) {
            return 0;
        }
        ShardCommands commands = replication.shard(0).commands();
        commands.offer(ShardCommands.Kind.ANNOUNCE, 0, 0, group.index, 0, nowMs);
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

    /** Runs {@code command} on the agent thread at its next cycle, without waiting (a probe result, say). */
    public void post(Runnable command) {
        commands.add(command);
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
        for (VipUnit group : statusReport.named(target)) {
            group.switchoverOutcome = null;
            execute(group, group.monitor.onOperatorSwitchover(nowMs), nowMs);
            Transition last = group.monitor.last();
            String what = group.switchoverOutcome != null ? group.switchoverOutcome
                    : last == null ? "nothing to do" : peers.forPeople(last.reason());
            outcome.add(group.name + " (" + String.join(", ", group.services) + "): " + what);
        }
        return outcome;
    }

    /** The event history, oldest first. Agent thread (use {@link #query}). */
    public List<HaEvent> events() {
        return events.events();
    }

    /** The status for {@code baton ctl status}: per VIP and per peer. Agent thread (use {@link #query}). */
    /**
     * What {@code baton ctl reachability} shows (RM 230): this router's set and state, each peer's report, each
     * VIP's last decision. Agent thread (through {@link #query}).
     *
     * @throws IllegalArgumentException when the configuration has no reachability section
     */
    public java.util.Map<String, Object> reachabilityStatus() {
        if (reachability == null) {
            throw new IllegalArgumentException("this router has no reachability section: nothing is probed or compared"
                    + " (docs/configuration.md, reachability)");
        }
        java.util.Map<String, Object> status = reachability.status(clock.nowMs());
        status.put("chunks_ignored", reachabilityChunksIgnored);
        return status;
    }

    public HaStatus status() {
        return statusReport.build(clock.nowMs(), heartbeatsWithheld);
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

    /** This run's incarnation, which peers must echo before their messages count. */
    public long incarnation() {
        return incarnation;
    }

    /**
     * Authentic messages ignored because their sender had not echoed this run's incarnation: replays from before
     * a restart, and a live peer's messages during the first round trip. Agent thread (use {@link #query}).
     */
    public long ignoredBeforeEcho() {
        return messages.runs().ignoredBeforeEcho();
    }

    /** Whether peer {@code peerIndex}'s current run has echoed this run's incarnation. Agent thread. */
    public boolean peerEchoed(int peerIndex) {
        return messages.runs().echoedThisRun(peerIndex);
    }

    /** Rejected peer messages (wrong key, replay, malformed header...). Agent thread (use {@link #query}). */
    public long rejectedMessages() {
        return messages.transport().verdicts().rejected();
    }

    // ====================================================================================== shutdown

    /**
     * SIGTERM: hands every VIP this router is active for to a synchronized standby, flushing the pending updates
     * first, or gives it up after {@code shutdown-handover-timeout} ({@link ShutdownHandover}). Agent thread;
     * {@link #shutdownComplete} turns true when every VIP is done.
     */
    public void beginShutdown(long nowMs) {
        shutdown.begin(nowMs);
    }

    /** Whether every VIP's hand-over at shutdown is done (handed over and drained, or given up). Any thread. */
    public boolean shutdownComplete() {
        return shutdown.complete();
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
            while (!shutdown.complete() && System.nanoTime() - startNs < waitNs && thread.isAlive()) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
        running = false;
        if (runner != null) {
            runner.close();
        }
        long nowMs = clock.nowMs();
        for (VipUnit group : groups) {
            if (group.monitor.state() == MonitorState.ACTIVE) {
                messages.sendNoticeToAll(MessageType.GAVE_UP, group.index, ServiceNoticeFlyweight.REASON_SHUTDOWN, nowMs);
            }
        }
        messages.close();
        if (notify != null) {
            // After the hand-over above, so that its transitions reach the script too (bounded by notify.timeout).
            notify.close();
        }
    }

    /** The notify hook, or {@code null} without {@code notify} in the configuration (tests run it by hand). */
    NotifyHook notifyHook() {
        return notify;
    }
}
