package dev.baton.lab;

import dev.baton.codec.Ipv4;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A virtual lab network of Linux network namespaces for Baton's tests, benchmarks and demo: clients behind an
 * upstream router, router namespaces for Baton, and servers holding the VIPs on loopback (direct server return).
 * Addresses come only from TEST-NET (RFC 5737); no route leaves the lab. Diagrams and rules: docs/lab.md.
 *
 * <pre>{@code
 * try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2)
 *         .vip("192.0.2.10").build()) {
 *     lab.server(0).startNginx();
 *     ExecResult page = lab.client(0).exec(Duration.ofSeconds(10), "curl", "-s", "http://198.51.100.11/");
 * }
 * }</pre>
 *
 * <p>Cleanup is layered: {@link #close()} (try-with-resources) ends every process the lab started and deletes
 * every namespace, which takes the bridges and veth pairs with it; a JVM shutdown hook closes labs still open;
 * a state file per lab under {@link #STATE_DIRECTORY} records the owner PID, so {@link #removeStale()} (run by
 * every {@link Builder#build()}) removes labs whose owner was killed; {@link #removeAll()} removes every lab by
 * the naming convention.
 *
 * <p>Threads: a lab and its hosts are used by the thread that built it; {@link #close()} is idempotent and may
 * also run on the shutdown hook's thread.
 */
public final class Lab implements AutoCloseable {

    /** Where state files ({@code <prefix>.state}) and per-lab work directories ({@code <prefix>/}) live. */
    public static final Path STATE_DIRECTORY = Path.of("/run/baton-lab");

    private static final System.Logger LOG = System.getLogger(Lab.class.getName());
    private static final int PREFIX_ATTEMPTS = 16;
    /** Cleanups the shutdown hook runs, by prefix: labs being built or open in this JVM and owned by it. */
    private static final Map<String, Runnable> SHUTDOWN_CLEANUPS = new ConcurrentHashMap<>();
    private static boolean shutdownHookInstalled; // guarded by Lab.class
    private static volatile String unsupportedReason; // null until probed; "" when supported

    private final LabPlan plan;
    private final UpstreamHost upstream;
    private final List<Host> clients = new ArrayList<>();
    private final List<RouterHost> routers = new ArrayList<>();
    private final List<ServerHost> servers = new ArrayList<>();
    /** Null unless the lab was built with {@link Builder#heartbeatCable(boolean)}. */
    private final HeartbeatCable heartbeatCable;
    private final List<LabProcess> processes = new ArrayList<>(); // guarded by this
    private LabState state; // guarded by this
    private boolean owner; // guarded by this: false for attached and detached handles
    private boolean closed; // guarded by this

    private Lab(LabPlan plan, LabState state, boolean owner, Map<String, Map<String, String>> macsByNamespace) {
        this.plan = plan;
        this.state = state;
        this.owner = owner;
        UpstreamHost upstreamHost = null;
        for (LabPlan.HostPlan host : plan.hosts()) {
            List<LabInterface> interfaces = interfaces(host, macsByNamespace.getOrDefault(host.namespace(), Map.of()));
            switch (host.role()) {
                case UPSTREAM -> upstreamHost = new UpstreamHost(this, host, interfaces);
                case CLIENT -> clients.add(new Host(this, host, interfaces));
                case ROUTER -> routers.add(new RouterHost(this, host, interfaces));
                case SERVER -> servers.add(new ServerHost(this, host, interfaces));
            }
        }
        this.upstream = upstreamHost;
        // The cable is found the way the MACs are: by what the routers' namespaces hold, so that attach() sees it too.
        this.heartbeatCable = routers.size() >= 2 && macsByNamespace.getOrDefault(routers.get(0).namespace(), Map.of())
                .containsKey(HeartbeatCable.interfaceName(plan.prefix(), routers.get(0).name()))
                ? HeartbeatCable.between(plan.prefix(), routers.get(0), routers.get(1)) : null;
    }

    private static List<LabInterface> interfaces(LabPlan.HostPlan host, Map<String, String> macs) {
        return host.interfaces().stream()
                .map(planned -> new LabInterface(planned.name(), planned.segment(), planned.cidr(),
                        macs.getOrDefault(planned.name(), "??:??:??:??:??:??"), planned.bridge(), planned.bridgePort()))
                .toList();
    }

    /** A builder with the defaults: two segments, 1 client, 1 router, 2 servers, no VIP, offloads on. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** The per-run prefix every name of this lab starts with, e.g. "bt3fa2". */
    public String prefix() {
        return plan.prefix();
    }

    public Layout layout() {
        return plan.layout();
    }

    /** False when the lab was built with {@code .offloads(false)}: every interface added later follows it. */
    boolean offloads() {
        return plan.offloads();
    }

    /** The VIPs, each on {@code lo} of every server. */
    public List<String> vips() {
        return plan.vipTexts();
    }

    /** Every namespace of the lab: the switch, the upstream, clients, routers and servers. */
    public List<String> namespaces() {
        return plan.namespaces();
    }

    /** The namespace holding the bridges ({@code <prefix>-sw}), e.g. for tcpdump on a bridge. */
    public String switchNamespace() {
        return plan.switchNamespace();
    }

    /** The bridge of {@code segment}; in a one-segment lab {@link Segment#BACK} is the front bridge. */
    public String bridgeName(Segment segment) {
        Segment actual = segment == Segment.BACK && plan.layout() == Layout.ONE_SEGMENT ? Segment.FRONT : segment;
        return plan.prefix() + actual.code();
    }

    public UpstreamHost upstream() {
        return upstream;
    }

    public Host client(int index) {
        return clients.get(index);
    }

    public RouterHost router(int index) {
        return routers.get(index);
    }

    public ServerHost server(int index) {
        return servers.get(index);
    }

    public List<Host> clients() {
        return List.copyOf(clients);
    }

    public List<RouterHost> routers() {
        return List.copyOf(routers);
    }

    public List<ServerHost> servers() {
        return List.copyOf(servers);
    }

    /** The heartbeat cable between routers 0 and 1, if the lab was built with one. */
    public Optional<HeartbeatCable> heartbeatCable() {
        return Optional.ofNullable(heartbeatCable);
    }

    /** Every host: upstream, clients, routers, servers. */
    public List<Host> hosts() {
        List<Host> hosts = new ArrayList<>();
        hosts.add(upstream);
        hosts.addAll(clients);
        hosts.addAll(routers);
        hosts.addAll(servers);
        return hosts;
    }

    /** The host called {@code name} ("up", "c0", "r1", "s2"). */
    public Host host(String name) {
        return hosts().stream().filter(host -> host.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + prefix() + " has no host " + name));
    }

    /** {@code /run/baton-lab/<prefix>.state}. */
    public Path stateFile() {
        return LabState.file(STATE_DIRECTORY, prefix());
    }

    /** {@code /run/baton-lab/<prefix>/}: generated configuration and logs; deleted with the lab. */
    public Path workDirectory() {
        return LabState.workDirectory(STATE_DIRECTORY, prefix());
    }

    /** False once {@link #detach()}ed, and for handles from {@link #attach(String)}. */
    public synchronized boolean isOwner() {
        return owner;
    }

    /**
     * A human-readable table of the lab: hosts, namespaces, interfaces, addresses, MACs, bridges, gateways and
     * loopback addresses. The demo prints it.
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        long ownerPid;
        synchronized (this) {
            ownerPid = state.ownerPid();
        }
        text.append("Baton lab ").append(prefix()).append(": ").append(layout().code()).append(", ")
                .append(clients.size()).append(" client(s), ").append(routers.size()).append(" router(s), ")
                .append(servers.size()).append(" server(s); VIPs ")
                .append(vips().isEmpty() ? "none" : String.join(", ", vips()))
                .append(ownerPid == 0 ? "; detached" : "; owner pid " + ownerPid).append('\n');
        text.append("bridges in ").append(switchNamespace()).append(": ").append(String.join(", ", plan.bridges().stream()
                .map(bridge -> bridge.name() + " (" + bridge.segment().name().toLowerCase(Locale.ROOT) + " "
                        + bridge.segment().subnet() + ")")
                .toList())).append('\n');
        if (heartbeatCable != null) {
            text.append("heartbeat cable ").append(HeartbeatCable.SUBNET).append(": ")
                    .append(heartbeatCable.first().router().name()).append(' ').append(heartbeatCable.first().interfaceName())
                    .append(' ').append(heartbeatCable.first().address()).append(" <-> ")
                    .append(heartbeatCable.second().router().name()).append(' ').append(heartbeatCable.second().interfaceName())
                    .append(' ').append(heartbeatCable.second().address()).append('\n');
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"HOST", "NAMESPACE", "INTERFACE", "ADDRESS", "MAC", "BRIDGE", "GATEWAY", "ON LO"});
        for (Host host : hosts()) {
            String loopback = String.join(",", host.plan.loopbackAddresses().stream().map(a -> Ipv4.cidr(a, 32)).toList());
            boolean first = true;
            for (LabInterface anInterface : host.interfaces()) {
                rows.add(new String[] {first ? host.name() : "", first ? host.namespace() : "", anInterface.name(),
                        anInterface.address(), anInterface.mac(), anInterface.bridge(),
                        first ? host.gateway().orElse("-") : "", first && !loopback.isEmpty() ? loopback : ""});
                first = false;
            }
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.length; column++) {
                line.append(String.format("%-" + (widths[column] + 2) + "s", row[column]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "Lab " + prefix() + " (" + layout().code() + ")";
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Stops every process this handle started (SIGTERM, then SIGKILL after a grace period, by PID) and, if this
     * handle owns the lab, ends every other process inside its namespaces, deletes the namespaces (and with them
     * the bridges and veth pairs), the work directory and the state file. Idempotent.
     *
     * @throws LabException if something could not be removed; the state file is then kept, so that
     *                      {@link #removeStale()} or {@link #remove(String)} can finish the job
     */
    @Override
    public void close() {
        List<LabProcess> started;
        boolean removeLab;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            started = List.copyOf(processes);
            processes.clear();
            removeLab = owner;
        }
        try {
            stopAll(started);
        } finally {
            if (removeLab) {
                try {
                    LabRemoval.removeLab(prefix(), plan.namespaces());
                } finally {
                    SHUTDOWN_CLEANUPS.remove(prefix());
                }
            }
        }
    }

    /**
     * Gives the lab away: from now on nobody owns it, so neither {@link #close()}, the shutdown hook nor
     * {@link #removeStale()} removes it, and the processes started so far keep running. For {@code baton lab up};
     * {@link #remove(String)} or {@link #removeAll()} remove it later. Processes started through this handle after
     * detaching are still stopped by {@link #close()}.
     */
    public synchronized void detach() {
        requireOpen();
        if (!owner) {
            return;
        }
        LabState detached = state.detached();
        try {
            detached.rewrite(STATE_DIRECTORY);
        } catch (IOException e) {
            throw new LabException("cannot rewrite " + stateFile() + ": " + e.getMessage(), e);
        }
        state = detached;
        owner = false;
        processes.clear();
        SHUTDOWN_CLEANUPS.remove(prefix());
    }

    synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + prefix() + " is closed");
        }
    }

    /** Records a process started in one of the lab's namespaces so that {@link #close()} stops it. */
    void track(LabProcess process) {
        synchronized (this) {
            if (!closed) {
                processes.add(process);
                if (owner) {
                    LabState updated = state.withProcess(process.pid(), String.join(" ", process.command()));
                    try {
                        updated.rewrite(STATE_DIRECTORY);
                        state = updated;
                    } catch (IOException e) {
                        // the list is informational: removal ends every process found in the namespaces anyway
                        LOG.log(System.Logger.Level.WARNING, "cannot record pid " + process.pid() + " in " + stateFile(), e);
                    }
                }
                return;
            }
        }
        process.stop(); // closed meanwhile (shutdown hook): do not leave it running
        throw new IllegalStateException("lab " + prefix() + " is closed");
    }

    private static void stopAll(Collection<LabProcess> started) {
        List<ProcessHandle> handles = new ArrayList<>();
        for (LabProcess process : started) {
            if (process.isAlive()) {
                handles.addAll(Commands.withDescendants(process.process().toHandle()));
            }
        }
        Commands.terminate(handles, Commands.STOP_GRACE);
    }

    // ------------------------------------------------------------------------------------------------ building

    /** Builds a lab; see {@link Lab#builder()}. */
    public static final class Builder {

        private String prefix;
        private Layout layout = Layout.TWO_SEGMENTS;
        private int clients = 1;
        private int routers = 1;
        private int servers = 2;
        private final List<String> vips = new ArrayList<>();
        private boolean offloads = true;
        private boolean heartbeatCable;

        private Builder() {
        }

        /** A fixed prefix ("bt" and 1..6 of [0-9a-z]) instead of "bt" and 4 random hex digits. */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder layout(Layout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /** Number of client namespaces, 0..50 (203.0.113.10 onwards). */
        public Builder clients(int clients) {
            this.clients = clients;
            return this;
        }

        /** Number of router namespaces, 0..8 (192.0.2.2 onwards, and 198.51.100.2 onwards in two segments). */
        public Builder routers(int routers) {
            this.routers = routers;
            return this;
        }

        /** Number of server namespaces, 0..50 (198.51.100.11 onwards, or 192.0.2.11 onwards in one segment). */
        public Builder servers(int servers) {
            this.servers = servers;
            return this;
        }

        /** Adds a VIP (repeatable): an address in the front subnet 192.0.2.0/24 not used by a lab host. */
        public Builder vip(String vip) {
            vips.add(Objects.requireNonNull(vip, "vip"));
            return this;
        }

        /**
         * False switches TSO, GSO, GRO and transmit checksum offload off on every lab interface (both veth ends);
         * true (the default) leaves the kernel's defaults, TSO/GSO on.
         */
        public Builder offloads(boolean offloads) {
            this.offloads = offloads;
            return this;
        }

        /**
         * True adds a {@link HeartbeatCable}: a veth pair joining routers 0 and 1 directly (203.0.113.252/30),
         * for a second peer link besides the segments. Needs at least two routers. Off by default.
         */
        public Builder heartbeatCable(boolean heartbeatCable) {
            this.heartbeatCable = heartbeatCable;
            return this;
        }

        /**
         * Removes stale labs, then creates everything; on any failure removes what it made.
         *
         * @throws IllegalArgumentException if the configuration breaks a rule (counts, prefix, VIPs)
         * @throws LabException             if the machine cannot host labs or a step fails; the message says which
         */
        public Lab build() {
            // Validate before touching the machine, so that a bad configuration never creates anything.
            LabPlan.create(prefix != null ? prefix : "bt0000", layout, clients, routers, servers, vips, offloads);
            if (heartbeatCable && routers < 2) {
                throw new IllegalArgumentException("a heartbeat cable joins routers 0 and 1: the lab needs two routers, not "
                        + routers);
            }
            requireSupported();
            Tool.SYSCTL.require();
            if (!offloads) {
                Tool.ETHTOOL.require();
            }
            try {
                removeStale();
            } catch (LabException e) {
                LOG.log(System.Logger.Level.WARNING, "removing stale labs failed; building anyway", e);
            }
            for (int attempt = 0; attempt < PREFIX_ATTEMPTS; attempt++) {
                LabPlan plan = LabPlan.create(prefix != null ? prefix : LabPlan.randomPrefix(), layout, clients, routers,
                        servers, vips, offloads);
                LabState state = LabState.ownedByCurrentProcess(plan);
                if (claim(plan, state)) {
                    return createClaimed(plan, state, heartbeatCable, created -> { });
                }
                if (prefix != null) {
                    throw new LabException("lab prefix " + prefix + " is in use (" + LabState.file(STATE_DIRECTORY, prefix)
                            + " or its namespaces exist); remove it with Lab.remove(\"" + prefix + "\")");
                }
            }
            throw new LabException("no free random lab prefix after " + PREFIX_ATTEMPTS + " attempts");
        }
    }

    static boolean claim(LabPlan plan, LabState state) {
        Set<String> existing = new TreeSet<>(Netns.list());
        if (plan.namespaces().stream().anyMatch(existing::contains)) {
            return false;
        }
        try {
            return state.claim(STATE_DIRECTORY);
        } catch (IOException e) {
            throw new LabException("cannot write lab state file in " + STATE_DIRECTORY + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a claimed lab. {@code afterNetworkCreated} runs once the network exists, before the handle is
     * returned; tests use it to make the last step fail and check that nothing is left behind.
     */
    static Lab createClaimed(LabPlan plan, LabState state, Consumer<LabPlan> afterNetworkCreated) {
        return createClaimed(plan, state, false, afterNetworkCreated);
    }

    /** {@link #createClaimed(LabPlan, LabState, Consumer)}, with a {@link HeartbeatCable} if asked. */
    static Lab createClaimed(LabPlan plan, LabState state, boolean heartbeatCable, Consumer<LabPlan> afterNetworkCreated) {
        String prefix = plan.prefix();
        installShutdownHook();
        // Until the Lab object exists, the shutdown hook removes by plan: a JVM stopped mid-build leaves nothing.
        SHUTDOWN_CLEANUPS.put(prefix, () -> LabRemoval.removeLab(prefix, plan.namespaces()));
        try {
            Files.createDirectories(LabState.workDirectory(STATE_DIRECTORY, prefix));
            LabNetwork.create(plan);
            if (heartbeatCable) {
                LabNetwork.createHeartbeatCable(plan);
            }
            afterNetworkCreated.accept(plan);
            Lab lab = new Lab(plan, state, true, LabNetwork.readMacs(plan));
            SHUTDOWN_CLEANUPS.put(prefix, lab::close);
            return lab;
        } catch (IOException | RuntimeException e) {
            LabException failure = new LabException("building lab " + prefix + " failed: " + e.getMessage(), e);
            try {
                LabRemoval.removeLab(prefix, plan.namespaces());
            } catch (RuntimeException cleanupFailure) {
                failure.addSuppressed(cleanupFailure);
            } finally {
                SHUTDOWN_CLEANUPS.remove(prefix);
            }
            throw failure;
        }
    }

    private static synchronized void installShutdownHook() {
        if (!shutdownHookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(Lab::runShutdownCleanups, "baton-lab-cleanup"));
            shutdownHookInstalled = true;
        }
    }

    private static void runShutdownCleanups() {
        for (Runnable cleanup : List.copyOf(SHUTDOWN_CLEANUPS.values())) {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "lab cleanup at JVM exit failed", e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ existing labs

    /**
     * A handle on an existing lab (one detached by {@code baton lab up}, or another process's) rebuilt from its
     * state file. The handle does not own the lab: its {@link #close()} only stops processes it started.
     *
     * @throws LabException if there is no such lab or some of its namespaces are missing
     */
    public static Lab attach(String prefix) {
        requireSupported();
        Path file = LabState.file(STATE_DIRECTORY, prefix);
        LabState state;
        try {
            state = LabState.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new LabException("no usable lab state " + file + ": " + e.getMessage(), e);
        }
        LabPlan plan = state.plan();
        List<String> existing = Netns.list();
        List<String> missing = plan.namespaces().stream().filter(namespace -> !existing.contains(namespace)).toList();
        if (!missing.isEmpty()) {
            throw new LabException("lab " + prefix + " is incomplete, missing namespaces " + missing
                    + "; remove it with Lab.remove(\"" + prefix + "\")");
        }
        return new Lab(plan, state, false, LabNetwork.readMacs(plan));
    }

    /** Every lab on this machine: those with a state file, and leftovers found by the naming convention. */
    public static List<LabStatus> list() {
        return isSupported() ? LabRemoval.list() : List.of();
    }

    /**
     * Removes every lab whose owner process is dead (killed with -9, crashed), with every process still running
     * in its namespaces. Labs of live owners and detached labs are left alone. Called by every
     * {@link Builder#build()}.
     *
     * @return the prefixes of the labs removed
     * @throws LabException if a stale lab could not be fully removed (the others still are)
     */
    public static List<String> removeStale() {
        return isSupported() ? LabRemoval.removeStale() : List.of();
    }

    /**
     * Removes every lab on the machine, whoever owns it, by state file and by the naming convention
     * ({@code bt<prefix>-…} namespaces); for {@code baton lab down --all}.
     *
     * @return the prefixes of the labs removed
     */
    public static List<String> removeAll() {
        return isSupported() ? LabRemoval.removeAll() : List.of();
    }

    /**
     * Removes the lab {@code prefix}, whoever owns it: processes in its namespaces, the namespaces, its work
     * directory and state file; for {@code baton lab down <prefix>}.
     *
     * @return false if there was no such lab
     */
    public static boolean remove(String prefix) {
        if (!LabPlan.PREFIX_PATTERN.matcher(prefix).matches()) {
            throw new IllegalArgumentException("'" + prefix + "' is not a lab prefix");
        }
        requireSupported();
        return LabRemoval.remove(prefix);
    }

    // ------------------------------------------------------------------------------------------------ support

    /** True if this machine can host labs: Linux, root, iproute2, and a network namespace can be created. */
    public static boolean isSupported() {
        return unsupportedReason().isEmpty();
    }

    /** Why labs cannot run here (for {@code assumeTrue(Lab.isSupported(), Lab.unsupportedReason())}); "" if they can. */
    public static String unsupportedReason() {
        String reason = unsupportedReason;
        if (reason == null) {
            reason = LabSupport.probe();
            unsupportedReason = reason;
        }
        return reason;
    }

    private static void requireSupported() {
        if (!isSupported()) {
            throw new LabException("this machine cannot host a lab: " + unsupportedReason());
        }
    }

}
