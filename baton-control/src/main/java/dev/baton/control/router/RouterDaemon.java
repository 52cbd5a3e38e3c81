package dev.baton.control.router;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigReload;
import dev.baton.config.ServiceConfig;
import dev.baton.config.HighAvailabilitySettings;
import dev.baton.config.InterfaceConfig;
import dev.baton.control.metrics.MetricsServer;
import dev.baton.control.metrics.RouterMetrics;
import dev.baton.control.web.StatusPage;
import dev.baton.control.socket.ControlServer;
import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterSnapshot;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.engine.Inspector;
import dev.baton.dataplane.engine.ServerAdmin;
import dev.baton.dataplane.health.HealthChecks;
import dev.baton.agent.MillisClock;
import dev.baton.agent.ThreadFailure;
import dev.baton.dataplane.io.AfPacketPort;
import dev.baton.dataplane.service.ServerRemap;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.xdp.XdpDatapath;
import dev.baton.ha.HaAgent;
import dev.baton.ha.HaEvent;
import dev.baton.ha.LinkWatcher;
import dev.baton.ha.Replication;
import dev.baton.ha.SyncCounters;
import dev.baton.peer.PeerKey;
import dev.baton.peer.IncarnationStore;
import dev.baton.peer.PeerKeyException;
import dev.baton.nativeio.NetworkInterfaces;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A running router ({@code baton run}): the host guard, the data plane on AF_PACKET rings, and the control
 * socket. Started in that order and stopped in reverse, so the kernel never handles VIP traffic while
 * Baton is up, and the nftables table never outlives the process that needed it.
 */
public final class RouterDaemon implements AutoCloseable, ConfigReloader {

    private static final Logger LOG = Logger.getLogger(RouterDaemon.class.getName());

    /** The configuration in force: the file as last loaded or reloaded ({@link #reload}). */
    private volatile BatonConfig config;
    private final HostGuard guard;
    private final Dataplane dataplane;
    private final Inspector inspector;
    private final ServerAdmin servers;
    /** Health checks and reachability probes, or {@code null} when the configuration has none; a reload replaces it. */
    private volatile ProbeThread probes;
    /** Where the probe thread's reachability verdicts go: the HA agent's reach-ability manager, or nowhere. */
    private final HealthChecks.Feed reachabilityFeed;
    private final ControlServer control;
    /** One reload at a time ({@code ctl reload} and SIGHUP may come together). */
    private final Object reloadLock = new Object();
    private volatile int reloads;
    private volatile Instant loadedAt = Instant.now();
    /** The Prometheus endpoint ({@code metrics.listen}), or null without a {@code metrics} section. */
    private final MetricsServer metrics;
    /** The HA agent, or null when the router serves alone (no {@code high-availability} section). */
    private final HaAgent agent;
    private final Instant started = Instant.now();

    private RouterDaemon(BatonConfig config) throws IOException {
        this.config = config;
        checkInterfaces(config);
        this.guard = new HostGuard(config);
        guard.install();
        Dataplane plane = null;
        ControlServer server = null;
        HaAgent ha = null;
        ProbeThread probes = null;
        MetricsServer metrics = null;
        try {
            var portFactory = AfPacketPort.factory(config.router().ring());
            // The XDP fast path first (issue #10): where it cannot run, the rings carry everything, and the log says why.
            XdpDatapath fastPath = XdpDatapath.open(config, ServiceMap.of(config));
            if (fastPath.active()) {
                LOG.info(() -> "data path: " + fastPath.status());
            } else {
                LOG.warning(() -> "data path: " + fastPath.status());
            }
            if (config.highAvailability().isPresent()) {
                // With peers, every VIP starts unowned: the monitor listens for t1 before it takes any (FIG. 3, 321).
                HighAvailabilitySettings settings = config.highAvailability().get();
                PeerKey key = loadKey(config, settings);
                Replication replication = new Replication(config.router().workers(), settings.peers().size(),
                        ServiceMap.of(config), Replication.syncSettings(settings));
                plane = new Dataplane(config, portFactory, MillisClock.SYSTEM, false, replication::extensionFor, fastPath);
                // Before the first peer message: this run's incarnation, one more than the last run's, on disk,
                // never from the clock (a clock set back would let old datagrams replay).
                long incarnation = nextIncarnation(config, settings);
                ha = new HaAgent(config, plane, replication, key, incarnation, MillisClock.SYSTEM, LinkWatcher.KERNEL);
            } else {
                plane = new Dataplane(config, portFactory, MillisClock.SYSTEM, true, w -> null, fastPath);
            }
            this.inspector = new Inspector(plane);
            HaAgent feedTo = ha;
            // With peers, an operator's drain and weight go through the HA agent, which sends them to every peer so
            // that a takeover keeps them; alone, straight onto the board.
            this.servers = ha == null ? new ServerAdmin(plane) : new ServerAdmin(plane, new ServerAdmin.Settings() {
                @Override
                public void drain(int serverId, boolean drained) {
                    feedTo.query(() -> feedTo.drain(serverId, drained));
                }

                @Override
                public void weight(int serverId, int weight) {
                    feedTo.query(() -> feedTo.weight(serverId, weight));
                }
            });
            // Health checks and the reachability set's probes, on a thread of their own; an element's verdict goes to
            // the HA agent's thread, where the reach-ability manager lives.
            this.reachabilityFeed = feedTo == null ? HealthChecks.Feed.NONE
                    : (index, health, cause) -> feedTo.post(() -> feedTo.reachabilityElement(index, health));
            server = new ControlServer(config.router().controlSocket());
            this.agent = ha;
            register(server);
            plane.start();
            if (ha != null) {
                ha.start();
            }
            probes = ProbeThread.start(config, plane, reachabilityFeed, new long[HealthChecks.PROBE_COUNTERS]);
            this.probes = probes;
            server.start();
            // The status page shows what ctl status and ctl stats show, from the same handlers (thread-safe: they ask
            // the agent and the workers through their queues); before the constructor ends, a request gets a 503.
            metrics = RouterMetrics.start(config, plane, new StatusPage(() -> Map.of("status", status(), "stats", inspector.stats())));
        } catch (IOException | RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            if (probes != null) {
                probes.close();
            }
            if (server != null) {
                server.close();
            }
            if (ha != null) {
                ha.close();
            }
            if (plane != null) {
                plane.close();
            }
            guard.close();
            throw e;
        }
        this.dataplane = plane;
        this.control = server;
        this.metrics = metrics;
    }


    private static long nextIncarnation(BatonConfig config, HighAvailabilitySettings settings) throws IOException {
        try {
            return IncarnationStore.next(settings.stateDirectory());
        } catch (IncarnationStore.IncarnationStoreException e) {
            throw new IOException(config.source() + ": high-availability.state-directory: " + e.getMessage(), e);
        }
    }

    private static PeerKey loadKey(BatonConfig config, HighAvailabilitySettings settings) throws IOException {
        try {
            return PeerKey.load(settings.keyFile());
        } catch (PeerKeyException e) {
            throw new IOException(config.source() + ": high-availability.key-file: " + e.getMessage(), e);
        }
    }


    /**
     * Checks, before anything is changed on the host, that every configured interface exists here and is
     * up, so a typo fails with the configuration's words rather than a system call's.
     */
    static void checkInterfaces(BatonConfig config) throws IOException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.interfaces().size(); i++) {
            InterfaceConfig itf = config.interfaces().get(i);
            String where = config.source() + ": interfaces[" + i + "].name: ";
            try {
                NetworkInterfaces.index(itf.name());
            } catch (RuntimeException e) {
                problems.add(where + "no interface '" + itf.name() + "' on this host (see `ip link`)");
                continue;
            }
            if (!NetworkInterfaces.isUp(itf.name())) {
                problems.add(where + "interface '" + itf.name() + "' is down (ip link set " + itf.name() + " up)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(String.join("\n", problems));
        }
    }

    public static RouterDaemon start(BatonConfig config) throws IOException {
        // Every thread of the router process, the control socket's included: one that dies halts the router with
        // status 70 rather than leaving it half alive. Workers and the agent set it themselves.
        Thread.setDefaultUncaughtExceptionHandler(ThreadFailure.HALT);
        RouterDaemon daemon = new RouterDaemon(config);
        LOG.info(() -> "router " + config.router().id() + " forwarding for " + config.services().size()
                + " service(s) with " + config.router().workers() + " worker(s); control socket " + config.router().controlSocket());
        return daemon;
    }

    private void register(ControlServer server) {
        server.handle("stats", args -> inspector.stats());
        server.handle("counters", args -> counters());
        server.handle("connections", args -> inspector.connections(intArg(args, "limit", 100)));
        server.handle("lookup", args -> inspector.lookup(
                "udp".equalsIgnoreCase(String.valueOf(args.getOrDefault("protocol", "tcp"))) ? 17 : 6,
                Ipv4.parse(String.valueOf(args.get("client"))), intArg(args, "client_port", 0),
                Ipv4.parse(String.valueOf(args.get("vip"))), intArg(args, "vip_port", 0)));
        server.handle("status", args -> status());
        server.handle("events", args -> events(intArg(args, "limit", 100)));
        server.handle("switchover", args -> switchover(args.get("target") == null ? null : String.valueOf(args.get("target"))));
        server.handle("health", args -> {
            ProbeThread running = probes;
            if (running == null) {
                throw new IllegalArgumentException("no service has a health-check and there is no reachability set: nothing is probed");
            }
            return running.status();
        });
        server.handle("reachability", args -> {
            if (agent == null) {
                throw new IllegalArgumentException("high availability is not configured: reachability compares this router with its peers");
            }
            Map<String, Object> status = agent.query(agent::reachabilityStatus);
            ProbeThread running = probes;
            if (running != null) {
                // Each element of this router's set with its probe, when it last changed and why (the probe thread's).
                status.put("probes", running.status().get("reachability_set"));
            }
            return status;
        });
        server.handle("drain", args -> servers.drain(stringArg(args, "service"), stringArg(args, "server")));
        server.handle("undrain", args -> servers.undrain(stringArg(args, "service"), stringArg(args, "server")));
        server.handle("weight", args -> servers.weight(stringArg(args, "service"), stringArg(args, "server"),
                intArg(args, "weight", -1)));
        server.handle("reload", args -> {
            try {
                return reload();
            } catch (ConfigException e) {
                // The file's problems, one a line with file:line: ctl prints them under "refused".
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        });
    }

    /**
     * Reads the configuration file again and applies it in place (docs/operations.md, "Reload"): {@code baton ctl
     * reload}, SIGHUP, {@code systemctl reload}. Services, servers, weights, health checks, table timeouts and
     * neighbour timers change; established connections keep their servers (those of a removed server go on to it
     * while its service says {@code on-server-down: keep}, else they are removed). A file with any problem, or one
     * that changes what only a restart can (interfaces, workers, peers, the VIPs...), changes nothing: the problems
     * come back, each with file:line.
     *
     * <p>In order: the new file is checked against the running configuration; the probe thread stops (the health
     * board keeps its verdicts); the data plane moves every worker to the new services ({@link Dataplane#reconfigure});
     * the HA agent takes the new services digest and moves the operator's settings; the next configuration's probes
     * start. Operator commands wait meanwhile (they hold the data plane's lock too).
     *
     * @return the outcome ({@code reloaded} or {@code unchanged}), the file, each change, the services digest
     * @throws ConfigException when the file has problems, or asks for what a reload cannot do
     */
    @Override
    public Map<String, Object> reload() throws ConfigException {
        synchronized (reloadLock) {
            BatonConfig running = config;
            BatonConfig next = ConfigReload.load(running.source(), running);
            List<String> changes = ConfigReload.changes(running, next);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("outcome", changes.isEmpty() ? "unchanged" : "reloaded");
            answer.put("config", running.source().toString());
            answer.put("changes", changes);
            if (changes.isEmpty()) {
                answer.put("config_digest", Long.toHexString(running.servicesDigest()));
                return answer;
            }
            int removed;
            synchronized (dataplane) {
                List<ServiceMap.DepartingServer> departing = departing(next);
                String refusal = dataplane.refusal(next, departing);
                if (refusal != null) {
                    throw new IllegalArgumentException(running.source() + ": " + refusal);
                }
                try {
                    guard.update(next);
                } catch (IOException e) {
                    throw new IllegalStateException("the nftables rules for the new configuration's probes could not be"
                            + " installed: " + e.getMessage(), e);
                }
                ProbeThread stopping = probes;
                long[] carried = stopping == null ? new long[HealthChecks.PROBE_COUNTERS] : stopping.stop();
                probes = null;
                Dataplane.Reconfiguration done = dataplane.reconfigure(next, departing);
                if (agent != null) {
                    agent.query(() -> {
                        agent.reconfigure(next, done.remap());
                        return null;
                    });
                }
                config = next;
                probes = ProbeThread.start(next, dataplane, reachabilityFeed, carried);
                removed = done.connectionsRemoved();
                answer.put("departing_servers", departing.stream().map(d -> d.service() + " " + Ipv4.format(d.address())).toList());
            }
            reloads++;
            loadedAt = Instant.now();
            answer.put("connections_removed", removed);
            answer.put("config_digest", Long.toHexString(next.servicesDigest()));
            LOG.info(() -> "reloaded " + next.source() + ": " + String.join("; ", changes) + (removed > 0 ? "; " + removed
                    + " connection(s) of removed services or servers removed" : ""));
            return answer;
        }
    }

    /**
     * The servers {@code next} no longer lists that still carry connections, in services that keep a server's
     * connections going ({@code on-server-down: keep}): they stay, departing, for those connections alone. Those of a
     * removed service, or of a service that drops them, are removed with the server.
     */
    private List<ServiceMap.DepartingServer> departing(BatonConfig next) {
        ServiceMap current = dataplane.services();
        // Which servers the file removes: the reload's own mapping, against the file's servers alone.
        ServerRemap removed = ServerRemap.between(current, ServiceMap.of(next));
        long[] active = dataplane.activeConnections(); // under the data plane's lock: the ids cannot change meanwhile
        List<ServiceMap.DepartingServer> departing = new ArrayList<>();
        for (int id = 0; id < current.totalServers(); id++) {
            String service = current.name(current.serviceOfServer(id));
            boolean keeps = next.service(service).map(s -> s.onServerDown() == ServiceConfig.OnServerDown.KEEP).orElse(false);
            if (removed.server(id) == ServerRemap.GONE && keeps && active[id] > 0) {
                departing.add(new ServiceMap.DepartingServer(service, current.serverAddress(id)));
            }
        }
        return departing;
    }

    /** A required text argument of a control request. */
    static String stringArg(Map<String, Object> args, String name) {
        Object value = args.get(name);
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return text;
    }

    /** Every counter of the router, one row each: name, type, labels, value ({@code baton ctl counters}). */
    private List<Object> counters() {
        List<Object> rows = new ArrayList<>();
        for (CounterSnapshot.Sample sample : dataplane.counters().snapshot().samples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", sample.counter().name());
            row.put("type", sample.counter().type().name().toLowerCase());
            Map<String, Object> labels = new LinkedHashMap<>();
            for (CounterRegistry.Label label : sample.counter().labels()) {
                labels.put(label.key(), label.value());
            }
            row.put("labels", labels);
            row.put("value", sample.value());
            rows.add(row);
        }
        return rows;
    }

    private Map<String, Object> events(int limit) {
        Map<String, Object> answer = new LinkedHashMap<>();
        if (agent == null) {
            answer.put("events", List.of());
            answer.put("note", "high availability is not configured: this router serves every VIP alone");
            return answer;
        }
        List<HaEvent> all = agent.query(agent::events);
        List<Object> events = new ArrayList<>();
        for (HaEvent e : all.subList(Math.max(0, all.size() - limit), all.size())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Instant.ofEpochMilli(e.epochMs()).toString());
            m.put("vip", e.vip());
            m.put("kind", e.kind());
            m.put("reference", e.reference());
            m.put("from", e instanceof HaEvent.StateChange change ? change.from() : "");
            m.put("to", e instanceof HaEvent.StateChange change ? change.to() : "");
            switch (e) {
                case HaEvent.PeerChange p -> m.put("peer", p.peer());
                case HaEvent.Handshake h -> m.put("peer", h.peer());
                case HaEvent.ConfigDifference c -> m.put("peer", c.peer());
                default -> {
                }
            }
            m.put("text", e.text());
            events.add(m);
        }
        answer.put("events", events);
        return answer;
    }

    private Map<String, Object> switchover(String target) {
        if (agent == null) {
            throw new IllegalArgumentException("high availability is not configured: there is no standby to switch over to");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", agent.query(() -> agent.switchover(target)));
        return answer;
    }

    private Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("router", config.router().id());
        status.put("config", config.source().toString());
        // The services digest a peer compares with its own (with peers, high_availability shows whether they differ),
        // and when the file was last loaded: after a reload on one router of a pair, the two differ until the other's.
        status.put("config_digest", Long.toHexString(config.servicesDigest()));
        status.put("config_loaded", loadedAt.toString());
        status.put("reloads", reloads);
        status.put("uptime_s", Duration.between(started, Instant.now()).toSeconds());
        // The process, for `baton drill --hard` on this host: it kills the active by PID only when the process there
        // started when this one did (a recycled PID, or a router on another host, is refused).
        ProcessHandle self = ProcessHandle.current();
        status.put("pid", self.pid());
        self.info().startInstant().ifPresent(start -> status.put("process_started", start.toString()));
        status.put("workers", config.router().workers());
        // Which data path carries the established flows, and where XDP runs (native or generic) or why it does not.
        status.put("datapath", dataplane.fastPath().status());
        List<Object> interfaces = new ArrayList<>();
        for (InterfaceConfig itf : config.interfaces()) {
            interfaces.add(Map.of("name", itf.name(), "role", itf.role().name().toLowerCase(), "address", itf.address().toString()));
        }
        status.put("interfaces", interfaces);
        status.put("nftables_table", "netdev " + guard.tableName());
        List<Object> services = new ArrayList<>();
        for (var service : config.services()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", service.name());
            s.put("vip", Ipv4.format(service.vip()));
            s.put("ports", service.ports().toString());
            s.put("owned", dataplane.ownership().owns(service.vip()));
            services.add(s);
        }
        status.put("services", services);
        if (agent != null) {
            Map<String, Object> ha = HaStatusJson.of(agent.query(agent::status));
            // Replication counters live in the workers: ask each (outside the agent thread).
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> vips = (List<Map<String, Object>>) ha.get("vips");
            for (int v = 0; v < vips.size(); v++) {
                vips.get(v).put("replication", replicationCounters(agent.syncCounters(v)));
            }
            Map<String, Object> watchdog = new LinkedHashMap<>();
            watchdog.put("silence_limit_ms", dataplane.agentWatchdog().silenceLimitMs());
            watchdog.put("trips", dataplane.agentWatchdog().trips());
            ha.put("agent_watchdog", watchdog);
            // Drains and weights an operator set, here or on a peer: every router holds them (SERVER_SETTINGS).
            ha.put("server_settings", agent.query(agent::serverSettingsStatus));
            status.put("high_availability", ha);
        }
        return status;
    }

    private static Map<String, Object> replicationCounters(SyncCounters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_applied", c.recordsApplied());
        m.put("apply_failures", c.applyFailures());
        m.put("gaps", c.gaps());
        m.put("resyncs", c.resyncs());
        m.put("digest_mismatches", c.digestMismatches());
        m.put("duplicates_or_stale", c.duplicatesOrStale());
        m.put("dumps_sent", c.dumpsSent());
        m.put("dump_records_sent", c.dumpRecordsSent());
        m.put("updates_sent", c.updatesSent());
        m.put("batches_resent", c.batchesResent());
        m.put("updates_unacknowledged", c.updatesUnacknowledged());
        m.put("unrouted_messages", c.unroutedMessages());
        m.put("ring_drops", c.inboundDropped() + c.outboundDropped());
        // Hostile or impossible replication input, and the capacity sub-state.
        m.put("sync_status", c.syncStatus());
        m.put("invalid_records", c.invalidRecords());
        m.put("out_of_window", c.outOfWindow());
        m.put("handler_failures", c.handlerFailures());
        m.put("capacity_refusals", c.capacityRefusals());
        if (c.capacityRefusals() > 0) {
            m.put("refused_active_entries", c.refusedActiveEntries());
            m.put("offered_capacity", c.offeredCapacity());
        }
        m.put("resumed_streams", c.resumedStreams());
        m.put("held_batches", c.heldBatches());
        m.put("trailed_records_skipped", c.trailedRecordsSkipped());
        m.put("stale_requests", c.staleRequests());
        m.put("stale_acknowledgements", c.staleAcknowledgements());
        return m;
    }

    /**
     * A whole-number request argument. A value beyond an int is refused, never wrapped: 4294967297 must not
     * become a limit of 1, nor 1.9 a limit of 1.
     */
    static int intArg(Map<String, Object> args, String name, int defaultValue) {
        Object value = args.get(name);
        if (value == null) {
            return defaultValue;
        }
        long whole;
        if (value instanceof Long l) {
            whole = l;
        } else if (value instanceof Integer i) {
            whole = i;
        } else if (value instanceof String text && text.matches("-?[0-9]{1,10}")) {
            whole = Long.parseLong(text);
        } else {
            throw new IllegalArgumentException(name + " must be a whole number, e.g. \"" + name + "\": " + defaultValue
                    + "; got " + describe(value));
        }
        if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " " + whole + " is out of range (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) whole;
    }

    /** A hostile value in an error message: its kind, and at most its first 32 characters. */
    private static String describe(Object value) {
        String text = String.valueOf(value);
        return (value instanceof String ? "text " : value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " ")
                + (text.length() > 32 ? text.substring(0, 32) + "..." : text);
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    public BatonConfig config() {
        return config;
    }

    /** The HA agent, or null without a high-availability section. */
    public HaAgent agent() {
        return agent;
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        control.close();
        ProbeThread running = probes;
        if (running != null) {
            running.close();
        }
        if (agent != null) {
            agent.close();
        }
        dataplane.close();
        guard.close();
        LOG.info(() -> "router " + config.router().id() + " stopped");
    }
}
