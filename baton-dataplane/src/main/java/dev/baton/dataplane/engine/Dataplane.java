package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.Agent;
import dev.baton.agent.AgentRunner;
import dev.baton.agent.MillisClock;
import dev.baton.agent.OwnerThread;
import dev.baton.agent.ThreadFailure;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.TableSettings;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.ForwarderBuilder;
import dev.baton.dataplane.forward.WorkerExtension;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServerRemap;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.xdp.FastPath;
import dev.baton.dataplane.xdp.XdpDatapath;
import dev.baton.dataplane.xdp.XdpSlots;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTimeouts;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The data plane of one router: the services, the neighbour table, and one {@link Forwarder} per worker,
 * each on its own thread with its own ports (joined in a fanout group) and its own connection table shard.
 *
 * <p>Workers are sharded by client address (see {@code ClientShardFanout}): every packet of a client, and
 * every ICMP error about its flows, reaches the same worker, so shards need no locks and persistence
 * stays within one shard. ARP reaches worker 0, which owns the neighbour table.
 *
 * <p>Each worker thread is an {@link AgentRunner}; a thread that dies halts the process
 * ({@link ThreadFailure}). With high availability, worker 0 also runs the {@link AgentWatchdog}: it drops every
 * VIP when the HA agent has been silent for longer than t2.
 */
public final class Dataplane implements AutoCloseable {

    /**
     * The configuration in force with what the workers schedule by: its services, the neighbour table of their servers
     * and their health board. One object, replaced whole by {@link #reconfigure}, so a reader on another thread (ctl
     * stats, the metrics) never pairs one configuration's services with another's board.
     */
    public record Generation(BatonConfig config, ServiceMap services, NeighbourTable neighbours, ServerHealthBoard health) {
    }

    private volatile Generation generation;
    /** Each worker's counter group, and the XDP program's (null without it): replaced by {@link #reconfigure}. */
    private final CounterRegistry.Group[] workerGroups;
    private XdpCounterGroup xdpGroup;
    /** Where each server and service sits in the XDP program's maps (null without the program): a reload keeps them. */
    private XdpSlots xdpSlots;
    /** Each server's health, drain, weight and departing gauges ({@link ServerStateGroup}): replaced by a reload. */
    private CounterRegistry.Group serverStates;
    private final VipOwnership ownership;
    private final Forwarder[] workers;
    private final List<PacketPort> openedPorts = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final MillisClock clock;
    private final AgentWatchdog watchdog;
    /** Every counter of this router: the workers' register here, the HA agent's too. */
    private final CounterRegistry counters = new CounterRegistry();
    /** The XDP fast path (issue #10), or its absence and why. */
    private final XdpDatapath fastPath;
    private ThreadFailure threadFailure = ThreadFailure.HALT;
    private volatile boolean running;

    public Dataplane(BatonConfig config, PortFactory ports, MillisClock clock, boolean ownVipsInitially, ConnectionListener listener) {
        this(config, ports, clock, ownVipsInitially, w -> null, listener, ForwarderBuilder.RANDOM_HASH_SEEDS, null);
    }

    /**
     * A router's data plane: worker {@code w} runs {@code extensions.apply(w)} when not null, and the XDP fast path
     * when {@code fastPath} is active (its program loaded and attached; the data plane writes its maps and closes it
     * last).
     */
    public Dataplane(BatonConfig config, PortFactory ports, MillisClock clock, boolean ownVipsInitially,
                     IntFunction<WorkerExtension> extensions, XdpDatapath fastPath) {
        this(config, ports, clock, ownVipsInitially, extensions, ConnectionListener.NONE, ForwarderBuilder.RANDOM_HASH_SEEDS,
                fastPath);
    }

    /**
     * A data plane whose worker {@code w} also runs {@code extensions.apply(w)} (table replication), when not
     * null.
     */
    public Dataplane(BatonConfig config, PortFactory ports, MillisClock clock, boolean ownVipsInitially,
                     IntFunction<WorkerExtension> extensions) {
        this(config, ports, clock, ownVipsInitially, extensions, ConnectionListener.NONE, ForwarderBuilder.RANDOM_HASH_SEEDS, null);
    }

    /**
     * As above, with the tables' hash seeds drawn from {@code hashSeeds}, for a simulation that must replay a
     * run exactly (slot order decides the order of dumps and refreshes); a router's come from SecureRandom, so
     * that nobody outside can aim a flood at one slot.
     */
    public Dataplane(BatonConfig config, PortFactory ports, MillisClock clock, boolean ownVipsInitially,
                     IntFunction<WorkerExtension> extensions, java.util.function.LongSupplier hashSeeds) {
        this(config, ports, clock, ownVipsInitially, extensions, ConnectionListener.NONE, hashSeeds, null);
    }

    private Dataplane(BatonConfig config, PortFactory ports, MillisClock clock, boolean ownVipsInitially,
                      IntFunction<WorkerExtension> extensions, ConnectionListener listener,
                      java.util.function.LongSupplier hashSeeds, XdpDatapath fastPath) {
        this.fastPath = fastPath != null ? fastPath : XdpDatapath.none("not a router's data plane");
        this.clock = clock;
        ServiceMap services = ServiceMap.of(config);
        this.ownership = new VipOwnership(services.distinctVips(), ownVipsInitially);
        // Armed only by an agent's first beat; without high availability nothing beats and nothing is watched.
        this.watchdog = new AgentWatchdog(ownership, config.highAvailability()
                .map(ha -> ha.standbyTimeout().toMillis()).orElse(Long.MAX_VALUE));
        NeighbourTable neighbours = neighbourTable(config, services);
        ServerHealthBoard health = ServerHealthBoard.of(services);
        this.generation = new Generation(config, services, neighbours, health);
        int workerCount = config.router().workers();
        TableSettings t = config.table();
        ConnectionTimeouts timeouts = timeouts(t);
        int shardCapacity = Math.max(1, (t.capacity() + workerCount - 1) / workerCount);
        this.workers = new Forwarder[workerCount];
        this.workerGroups = new CounterRegistry.Group[workerCount];
        try {
            for (int w = 0; w < workerCount; w++) {
                ForwarderBuilder builder = new ForwarderBuilder().workerId(w).services(services).neighbours(neighbours)
                        .health(health).ownership(ownership).ownsArp(w == 0).capacity(shardCapacity).persistenceCapacity(shardCapacity)
                        .perSourceLimit(t.perSourceLimit())
                        .timeouts(timeouts).listener(listener).hashSeeds(hashSeeds);
                FastPath workerFastPath = this.fastPath.worker(w, workerCount);
                if (workerFastPath != null) {
                    builder.fastPath(workerFastPath);
                }
                WorkerExtension extension = extensions.apply(w);
                if (extension != null) {
                    builder.extension(extension);
                }
                for (InterfaceConfig itf : config.interfaces()) {
                    PacketPort port = ports.open(itf.name(), w, workerCount);
                    openedPorts.add(port);
                    builder.port(port, itf.role().facesClients(), itf.role().facesServers(), itf.address().address());
                }
                workers[w] = builder.build();
            }
            for (int w = 0; w < workerCount; w++) {
                workerGroups[w] = WorkerCounterGroup.register(counters, this, w, services);
            }
            if (this.fastPath.active()) {
                xdpSlots = XdpSlots.identity(services);
                xdpGroup = XdpCounterGroup.register(counters, this.fastPath.program(), services, xdpSlots);
            }
            serverStates = ServerStateGroup.register(counters, services, health);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The neighbour table of {@code services}' servers, each on the server-facing interface whose subnet holds it. */
    private static NeighbourTable neighbourTable(BatonConfig config, ServiceMap services) {
        List<InterfaceConfig> serverSide = config.interfaces().stream().filter(i -> i.role().facesServers()).toList();
        int[] neighbourAddresses = services.neighbourAddresses();
        int[] neighbourInterface = new int[neighbourAddresses.length];
        for (int n = 0; n < neighbourAddresses.length; n++) {
            neighbourInterface[n] = -1;
            for (int i = 0; i < serverSide.size(); i++) {
                if (serverSide.get(i).address().contains(neighbourAddresses[n])) {
                    neighbourInterface[n] = i;
                    break;
                }
            }
            if (neighbourInterface[n] < 0) {
                throw new IllegalArgumentException("server " + Ipv4.format(neighbourAddresses[n])
                        + " is outside every server-facing subnet");
            }
        }
        var n = config.neighbours();
        return new NeighbourTable(neighbourAddresses, neighbourInterface,
                n.refreshInterval().toMillis(), n.retryInterval().toMillis(), n.staleAfter().toMillis());
    }

    private static ConnectionTimeouts timeouts(TableSettings t) {
        return new ConnectionTimeouts(t.tcpSynTimeout().toMillis(), t.tcpEstablishedTimeout().toMillis(),
                t.tcpClosingTimeout().toMillis(), t.tcpClosedTimeout().toMillis(), t.udpTimeout().toMillis());
    }

    /**
     * What a reload did to the data plane: how old ids became new ones, and how many connections it removed (those
     * of a removed service, or of a removed server whose service drops a server's connections).
     */
    public record Reconfiguration(ServerRemap remap, int connectionsRemoved) {
    }

    /**
     * Applies a reloaded configuration in place ({@code baton ctl reload}; docs/operations.md, "Reload"): the
     * services of {@code next} and the {@code departing} servers that still carry connections, the neighbour timers
     * and the table's timeouts. Each worker applies it between two duty cycles ({@link Forwarder#reconfigure}), worker
     * 0 first: it owns the neighbour table and carries every MAC it knows into the new one before any worker reads
     * it. Established connections keep their servers; nothing is reopened (rings, XDP program, sockets).
     *
     * <p>The caller holds everything else that writes the health board still (the probe thread stopped, operator
     * commands held back) and gives it {@link #health()} afterwards. Not on a worker's thread.
     *
     * @throws IllegalArgumentException when {@code next} cannot be applied in place (it needs more server or service
     *                                  ids than the XDP program's maps hold); nothing has changed then
     */
    public synchronized Reconfiguration reconfigure(BatonConfig next, List<ServiceMap.DepartingServer> departing) {
        ServiceMap nextServices = ServiceMap.of(next, departing);
        Generation previous = generation;
        ServerRemap remap = ServerRemap.between(previous.services(), nextServices);
        XdpSlots nextSlots = xdpSlots(remap, nextServices);
        if (fastPath.active() && nextSlots == null) {
            throw new IllegalArgumentException(tooManyForXdp(nextServices));
        }
        int[] freedSlots = nextSlots == null ? new int[0] : xdpSlots.serverSlotsFreedBy(nextSlots);
        NeighbourTable previousNeighbours = previous.neighbours();
        NeighbourTable nextNeighbours = neighbourTable(next, nextServices);
        ServerHealthBoard nextHealth = previous.health().carriedTo(remap, nextServices.totalServers());
        ConnectionTimeouts timeouts = timeouts(next.table());
        // Out of the registry while the workers change: a snapshot in between lacks them rather than reading a worker's
        // new counters by its old services' layout.
        for (CounterRegistry.Group group : workerGroups) {
            group.remove();
        }
        int removed = 0;
        for (int w = 0; w < workers.length; w++) {
            boolean ownsNeighbours = w == 0;
            removed += query(w, worker -> {
                if (ownsNeighbours) {
                    nextNeighbours.carryOver(previousNeighbours);
                }
                if (worker.fastPath() != null) {
                    worker.fastPath().reconfigure(nextSlots, freedSlots);
                }
                return worker.reconfigure(nextServices, nextNeighbours, nextHealth, remap, timeouts);
            });
        }
        this.generation = new Generation(next, nextServices, nextNeighbours, nextHealth);
        if (nextSlots != null) {
            xdpSlots = nextSlots;
        }
        for (int w = 0; w < workers.length; w++) {
            workerGroups[w] = WorkerCounterGroup.register(counters, this, w, nextServices);
        }
        if (xdpGroup != null) {
            xdpGroup = xdpGroup.replaceFor(counters, nextServices, xdpSlots);
        }
        serverStates.remove();
        serverStates = ServerStateGroup.register(counters, nextServices, nextHealth);
        return new Reconfiguration(remap, removed);
    }

    /** The slots of {@code nextServices} in the XDP program's maps, or null without the program or room for them. */
    private XdpSlots xdpSlots(ServerRemap remap, ServiceMap nextServices) {
        if (!fastPath.active()) {
            return null;
        }
        var capacity = fastPath.program().capacity();
        return xdpSlots.next(remap, nextServices, capacity.servers(), capacity.services());
    }

    private String tooManyForXdp(ServiceMap nextServices) {
        var capacity = fastPath.program().capacity();
        return "the XDP program's maps were sized at start for " + capacity.servers() + " servers and " + capacity.services()
                + " services, those running and those the reload adds together (" + nextServices.totalServers() + " servers, "
                + nextServices.serviceCount() + " services after it): restart the router to grow them";
    }

    /**
     * Why {@link #reconfigure} would refuse {@code next} with {@code departing}, or null when it would apply it: the
     * caller asks before it stops anything.
     */
    public synchronized String refusal(BatonConfig next, List<ServiceMap.DepartingServer> departing) {
        ServiceMap nextServices = ServiceMap.of(next, departing);
        if (fastPath.active() && xdpSlots(ServerRemap.between(generation.services(), nextServices), nextServices) == null) {
            return tooManyForXdp(nextServices);
        }
        return null;
    }

    /**
     * Each server's connections in every worker's table now, by server id: one question to each worker (on its thread),
     * whatever the number of servers.
     */
    public long[] activeConnections() {
        int servers = generation.services().totalServers();
        long[] total = new long[servers];
        for (int w = 0; w < workers.length; w++) {
            long[] counts = query(w, worker -> {
                long[] own = new long[servers];
                int known = Math.min(servers, worker.services().totalServers());
                for (int id = 0; id < known; id++) {
                    own[id] = worker.counters().server(id, dev.baton.dataplane.stats.WorkerCounters.SERVER_ACTIVE);
                }
                return own;
            });
            for (int id = 0; id < servers; id++) {
                total[id] += counts[id];
            }
        }
        return total;
    }

    /** Starts one platform thread per worker, each an {@link AgentRunner} around {@link #agent}. */
    public void start() {
        running = true;
        for (Forwarder worker : workers) {
            AgentRunner runner = new AgentRunner(agent(worker.workerId()), clock, () -> worker.idle(1), threadFailure);
            runners.add(runner);
            runner.start("baton-worker-" + worker.workerId(), () -> { });
        }
    }

    /**
     * Worker {@code w} as an agent: its forwarder's duty cycle and, on worker 0, the agent watchdog
     * ({@link #doWork}). Tests drive it with an {@link dev.baton.agent.AgentInvoker} and a clock of their own.
     */
    public Agent agent(int w) {
        return new Agent() {
            @Override
            public String roleName() {
                return "worker " + w;
            }

            @Override
            public int doWork(long nowMs) {
                return Dataplane.this.doWork(w, nowMs);
            }
        };
    }

    /**
     * What happens when a worker thread dies: {@link ThreadFailure#HALT} unless a test injects another. Set
     * before {@link #start}.
     */
    public Dataplane threadFailure(ThreadFailure failure) {
        this.threadFailure = failure;
        return this;
    }

    /**
     * One duty cycle of worker {@code w}: its forwarder, and on worker 0 the agent watchdog. The worker
     * threads run this; tests drive it by hand with a stepped clock (never while started).
     */
    public int doWork(int w, long nowMs) {
        int work = workers[w].doWork(nowMs);
        if (w == 0) {
            // The clock read now, not the cycle's nowMs: the forwarder's work (a burst of frames, a dump applied)
            // can take tens of milliseconds, and a beat seen at the end of such a cycle but stamped with its
            // start made the agent look silent for longer than it was. In the lab the watchdog dropped an
            // active's VIPs for a "103 ms silence" while its agent had cycled 18 ms earlier, and a standby
            // took over with nothing wrong. One vDSO clock read per worker-0 cycle.
            work += watchdog.check(clock.nowMs());
        }
        return work;
    }

    /**
     * Duty cycles worker {@code w} has begun since {@link #start} (0 before): the service manager's watchdog tells
     * systemd the router is alive only while every worker's count grows (docs/operations.md, "Running as a service").
     * Any thread, after {@link #start}.
     */
    public long workerCycles(int w) {
        return runners.isEmpty() ? 0 : runners.get(w).cycles();
    }

    /** The watch on the HA agent's duty cycle; the agent beats it, worker 0 checks it. */
    public AgentWatchdog agentWatchdog() {
        return watchdog;
    }

    /** Runs {@code query} on worker {@code w}'s thread (or directly when not started) and waits for it. */
    public <T> T query(int w, Function<Forwarder, T> query) {
        Forwarder worker = workers[w];
        if (!running) {
            return query.apply(worker);
        }
        return OwnerThread.ask("worker " + w, worker::submit, () -> query.apply(worker));
    }

    /** Every counter of the router, read as one snapshot ({@code baton ctl stats}, {@code baton ctl counters}). */
    public CounterRegistry counters() {
        return counters;
    }

    /** The configuration in force and what the workers schedule by, as one: read it once for a consistent view. */
    public Generation generation() {
        return generation;
    }

    public BatonConfig config() {
        return generation.config();
    }

    public ServiceMap services() {
        return generation.services();
    }

    public NeighbourTable neighbours() {
        return generation.neighbours();
    }

    /** The health-check and drain verdicts every worker schedules by. */
    public ServerHealthBoard health() {
        return generation.health();
    }

    public VipOwnership ownership() {
        return ownership;
    }

    public int workerCount() {
        return workers.length;
    }

    /** The worker itself, for tests that drive it by hand (never while started). */
    public Forwarder worker(int w) {
        return workers[w];
    }

    public MillisClock clock() {
        return clock;
    }

    /** The XDP fast path: whether it runs, where, or why not ({@code ctl status}). */
    public XdpDatapath fastPath() {
        return fastPath;
    }

    @Override
    public void close() {
        running = false;
        for (AgentRunner runner : runners) {
            runner.close();
        }
        for (Forwarder worker : workers) {
            if (worker != null) {
                if (worker.fastPath() != null) {
                    worker.fastPath().close();
                }
                worker.close();
            }
        }
        for (PacketPort port : openedPorts) {
            port.close();
        }
        // Last: detached only once nothing forwards through the rings any more.
        fastPath.close();
    }
}
