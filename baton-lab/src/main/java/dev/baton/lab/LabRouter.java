package dev.baton.lab;

import dev.baton.control.protocol.ControlClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code baton run} process in a lab router's namespace, for the demo, the acceptance tests and the
 * lab benchmarks. It runs the same JVM and class path as the caller, so tests exercise exactly the code
 * they were built with. The control socket is a path in the file system, reachable from every namespace.
 */
public final class LabRouter implements AutoCloseable {

    /**
     * The {@code baton} command's main class ({@code baton-control}), named rather than referenced: the lab sits below
     * the control module. Every caller has it on its class path: the demo runs from {@code baton.jar}, the acceptance
     * tests and the benchmarks depend on {@code baton-control}.
     */
    public static final String BATON_MAIN_CLASS = "dev.baton.control.cli.Baton";

    private final Path config;
    private final Path socket;
    private final LabProcess process;

    private LabRouter(Path config, Path socket, LabProcess process) {
        this.config = config;
        this.socket = socket;
        this.process = process;
    }

    /**
     * A service of a lab router's configuration, on the lab's first VIP, over every lab server.
     *
     * @param scheduler   {@code wrr} or {@code wlc}
     * @param persistence a YAML duration: {@code 0s} for none
     * @param weights     per lab server, in order; empty for weight 1 each
     */
    public record Service(String name, String protocol, List<Integer> ports, String scheduler, String persistence, List<Integer> weights) {

        /** HTTP on port 80, round robin, no persistence, equal weights. */
        public static Service web() {
            return new Service("web", "tcp", List.of(80), "wrr", "0s", List.of());
        }
    }

    /**
     * The {@code high-availability} part of a lab router's configuration (docs/configuration.md, "High
     * availability"): this router's number, its role, priority and failback for every service (the lab serves
     * one VIP, so they are the same on all of them), the key file, the peers, and any timer to set.
     *
     * @param routerNumber this router's {@code high-availability.router-number}
     * @param role         {@code primary} or {@code backup}, for every service
     * @param failback     {@code automatic} or {@code manual}, for every service
     * @param priority     0..65535, for every service
     * @param keyFile      the pre-shared key file (mode 600), the same for every router of the pair
     * @param peers        the other routers
     * @param settings     further {@code high-availability} keys and their YAML values, in order (e.g.
     *                     {@code "handover-drain" -> "500ms"}); empty for the documented defaults
     */
    public record HaPeering(long routerNumber, String role, String failback, int priority, Path keyFile, List<Peer> peers,
                            Map<String, String> settings) {

        public HaPeering {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(failback, "failback");
            Objects.requireNonNull(keyFile, "keyFile");
            peers = List.copyOf(peers);
            settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        }

        /** Default timers, priority 100. */
        public static HaPeering of(long routerNumber, String role, String failback, Path keyFile, List<Peer> peers) {
            return new HaPeering(routerNumber, role, failback, 100, keyFile, peers, Map.of());
        }

        /** The same with {@code failback} instead. */
        public HaPeering withFailback(String otherFailback) {
            return new HaPeering(routerNumber, role, otherFailback, priority, keyFile, peers, settings);
        }
    }

    /**
     * A peer router of {@link HaPeering}.
     *
     * @param name         the peer's {@code router.id} ({@link #routerId(Lab, RouterHost)} for a lab router)
     * @param routerNumber its {@code high-availability.router-number}
     * @param links        the paths to it; keep-alives go over every one
     */
    public record Peer(String name, long routerNumber, List<Link> links) {

        public Peer {
            links = List.copyOf(links);
        }

        /** Lab router {@code peer} as a peer. */
        public static Peer of(Lab lab, RouterHost peer, long routerNumber, List<Link> links) {
            return new Peer(routerId(lab, peer), routerNumber, links);
        }
    }

    /** One path to a peer: this router's address on it and the peer's (no prefix length). */
    public record Link(String local, String peer) {

        public Link {
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** The {@code router.id} the lab's configurations give {@code router}: "{@code <prefix>-<name>}". */
    public static String routerId(Lab lab, RouterHost router) {
        return lab.prefix() + '-' + router.name();
    }

    /** A configuration for {@code router} in {@code lab} serving {@code services} with one worker. */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services) {
        return config(lab, router, socket, services, 1);
    }

    /**
     * The system property naming the data path the lab's routers run ({@code router.datapath}): {@code xdp}, a
     * router's default, unless it says {@code af-packet}. The acceptance module runs its data-plane and failover
     * suites once more with {@code af-packet} (issue #10: both paths pass the same suites).
     */
    public static final String DATAPATH_PROPERTY = "baton.lab.datapath";

    /**
     * The system property naming a directory where every lab router records its AOT configuration when it exits
     * ({@code -XX:AOTMode=record}, JDK 25): the training run of {@code bin/baton aot} and of the failover benchmark's
     * AOT comparison. A router killed with SIGKILL records nothing.
     */
    public static final String AOT_RECORD_PROPERTY = "baton.lab.aot.record";
    /**
     * The system property giving the routers' class path, when it is not the calling JVM's: a benchmark passes
     * baton-control's self-contained jar alone. The JVM records an AOT configuration only for a class path of jars
     * ("Cannot have non-empty directory in paths": a router started with the benchmark's classes directory recorded
     * nothing).
     */
    public static final String CLASSPATH_PROPERTY = "baton.lab.router.classpath";
    /** The system property naming an AOT cache every lab router starts from ({@code -XX:AOTCache}). */
    public static final String AOT_CACHE_PROPERTY = "baton.lab.aot.cache";
    private static final java.util.concurrent.atomic.AtomicInteger AOT_RECORDS = new java.util.concurrent.atomic.AtomicInteger();

    /** The data path from {@link #DATAPATH_PROPERTY}. */
    public static String datapath() {
        String datapath = System.getProperty(DATAPATH_PROPERTY, "xdp");
        if (!datapath.equals("xdp") && !datapath.equals("af-packet")) {
            throw new IllegalArgumentException("-D" + DATAPATH_PROPERTY + " is xdp or af-packet, not '" + datapath + "'");
        }
        return datapath;
    }

    /** The lab configurations' {@code table.capacity}. */
    public static final int TABLE_CAPACITY = 100_000;

    /** Small TPACKET_V3 rings: the lab runs several routers on a 2-core machine. */
    public static final String LAB_RING = "{ block-size: 1MiB, block-count: 8, block-timeout: 1ms, tx-frame-size: 65664, tx-frame-count: 128 }";

    /** A configuration for {@code router} in {@code lab} serving {@code services} with {@code workers} workers. */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services, int workers) {
        return config(lab, router, socket, services, workers, LAB_RING);
    }

    /**
     * A configuration for {@code router} in {@code lab} serving {@code services} with {@code workers} workers
     * and the given {@code router.ring} (a YAML flow mapping).
     */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services, int workers, String ring) {
        return config(lab, router, socket, services, workers, ring, null);
    }

    /**
     * A configuration for {@code router} in {@code lab} as one router of a high-availability group: the same as
     * {@link #config(Lab, RouterHost, Path, List, int, String)} (so that peers' services digests agree), every
     * service with {@code peering}'s role, priority and failback, and a {@code high-availability} section.
     */
    public static String haConfig(Lab lab, RouterHost router, Path socket, List<Service> services, int workers, String ring,
                                  HaPeering peering) {
        return config(lab, router, socket, services, workers, ring, Objects.requireNonNull(peering, "peering"));
    }

    private static String config(Lab lab, RouterHost router, Path socket, List<Service> services, int workers, String ring,
                                 HaPeering peering) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("router:\n  id: ").append(routerId(lab, router)).append('\n')
                .append("  control-socket: ").append(socket).append('\n')
                .append("  workers: ").append(workers).append('\n')
                .append("  datapath: ").append(datapath()).append('\n')
                .append("  ring: ").append(ring).append('\n');
        yaml.append("interfaces:\n");
        if (router.clientInterface().equals(router.serverInterface())) {
            yaml.append("  - { name: ").append(router.clientInterface()).append(", role: both, address: ").append(router.clientAddress()).append(" }\n");
        } else {
            yaml.append("  - { name: ").append(router.clientInterface()).append(", role: client, address: ").append(router.clientAddress()).append(" }\n");
            yaml.append("  - { name: ").append(router.serverInterface()).append(", role: server, address: ").append(router.serverAddress()).append(" }\n");
        }
        yaml.append("table: { capacity: ").append(TABLE_CAPACITY).append(" }\n");
        yaml.append("neighbours: { refresh: 5s, retry: 200ms, stale-after: 20s }\n");
        yaml.append("services:\n");
        List<ServerHost> servers = lab.servers();
        for (Service service : services) {
            yaml.append("  - name: ").append(service.name()).append('\n')
                    .append("    vip: ").append(lab.vips().getFirst()).append('\n')
                    .append("    protocol: ").append(service.protocol()).append('\n')
                    .append("    ports: ").append(service.ports()).append('\n')
                    .append("    scheduler: ").append(service.scheduler()).append('\n')
                    .append("    persistence: ").append(service.persistence()).append('\n');
            if (peering != null) {
                yaml.append("    role: ").append(peering.role()).append('\n')
                        .append("    priority: ").append(peering.priority()).append('\n')
                        .append("    failback: ").append(peering.failback()).append('\n');
            }
            yaml.append("    servers:\n");
            for (int i = 0; i < servers.size(); i++) {
                int weight = service.weights().isEmpty() ? 1 : service.weights().get(i);
                yaml.append("      - { address: ").append(servers.get(i).address()).append(", weight: ").append(weight).append(" }\n");
            }
        }
        if (peering != null) {
            yaml.append("high-availability:\n")
                    .append("  router-number: ").append(peering.routerNumber()).append('\n')
                    .append("  key-file: ").append(peering.keyFile()).append('\n')
                    // Each router its own incarnation counter, inside this run's work directory, kept across the
                    // router's restarts within the run.
                    .append("  state-directory: ").append(stateDirectory(lab, router)).append('\n');
            peering.settings().forEach((key, value) -> yaml.append("  ").append(key).append(": ").append(value).append('\n'));
            yaml.append("  peers:\n");
            for (Peer peer : peering.peers()) {
                yaml.append("    - name: ").append(peer.name()).append('\n')
                        .append("      router-number: ").append(peer.routerNumber()).append('\n')
                        .append("      links:\n");
                for (Link link : peer.links()) {
                    yaml.append("        - { local: ").append(link.local()).append(", peer: ").append(link.peer()).append(" }\n");
                }
            }
        }
        return yaml.toString();
    }

    /**
     * The nice value of the lab's high-availability routers ({@code HaLabPair}): ahead of the lab's own load, as a
     * router's host would run it. The forwarding benchmarks keep 0: they give each contestant its own CPUs.
     */
    public static final int HA_ROUTER_NICE = -10;

    /** Where {@code router} of {@code lab} keeps its incarnation counter: its own directory of the run's work directory. */
    public static Path stateDirectory(Lab lab, RouterHost router) {
        return lab.workDirectory().resolve(router.name()).resolve("state").toAbsolutePath();
    }

    /** Writes {@code yaml} to the lab's work directory and starts {@code baton run} in {@code router}'s namespace. */
    public static LabRouter start(Lab lab, RouterHost router, String yaml, Path socket) throws IOException {
        return start(lab, router, yaml, socket, 0);
    }

    /** {@link #start(Lab, RouterHost, String, Path)} with the router process at nice value {@code nice}. */
    public static LabRouter start(Lab lab, RouterHost router, String yaml, Path socket, int nice) throws IOException {
        return start(lab, router, yaml, socket, nice, List.of(),
                System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path")));
    }

    /**
     * {@link #start(Lab, RouterHost, String, Path)} through {@code launcher}, a command that takes the {@code baton}
     * command's arguments ({@code run --config FILE} is appended), instead of this JVM and class path: the Debian
     * package's test runs the installed {@code /usr/bin/baton}. The launcher must exec the JVM in the same process
     * (as {@code /usr/bin/baton} does), so that {@link #pid()} and {@link #kill(String)} reach the router itself.
     */
    public static LabRouter startWith(Lab lab, RouterHost router, String yaml, Path socket, List<String> launcher) throws IOException {
        if (launcher.isEmpty()) {
            throw new IllegalArgumentException("the launcher is a command, not nothing");
        }
        Path dir = lab.workDirectory().resolve(router.name());
        Files.createDirectories(dir);
        Path config = dir.resolve("baton.yaml");
        Files.writeString(config, yaml);
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("run", "--config", config.toString()));
        return started(router, socket, dir, config, command);
    }

    /**
     * {@link #start(Lab, RouterHost, String, Path, int)} with {@code wrapper} before the JVM (each program of it execs
     * the next, so {@link #pid()} stays the JVM's: {@code env}, {@code setpriv}) and the router's class path:
     * {@code ServiceUserLabTest} runs the router as an unprivileged user with only its unit's capabilities, from a
     * class path that user can read.
     */
    public static LabRouter start(Lab lab, RouterHost router, String yaml, Path socket, int nice, List<String> wrapper,
                                  String classPath) throws IOException {
        Path dir = lab.workDirectory().resolve(router.name());
        Files.createDirectories(dir);
        Path config = dir.resolve("baton.yaml");
        Files.writeString(config, yaml);
        List<String> command = new ArrayList<>();
        // A router's host gives it the CPU before anything else (in production its unit's Nice=, docs/operations.md):
        // in the HA lab the clients, servers and test JVM share these two cores. A stop-the-world pause (a young GC,
        // a safepoint) stops the agent's real-time thread too, and lasts as long as the JVM's own threads wait for
        // a CPU: at nice 0 beside the lab's load one young GC took 169 ms of wall time, past t2 (60 ms).
        command.add("nice");
        command.add("-n");
        command.add(Integer.toString(nice));
        command.addAll(wrapper);
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        // ZGC, as bin/env.sh: its pauses stay under a millisecond. Serial's young collections paused a lab router
        // for 43 to 105 ms (its safepoint log), past t2 (60 ms): the active left the VIP for a stall of its own.
        command.add("-XX:+UseZGC");
        command.add("-Xmx256m");
        command.add("-XX:+ExitOnOutOfMemoryError"); // as bin/env.sh: a router out of memory exits, never limps on
        String record = System.getProperty(AOT_RECORD_PROPERTY);
        if (record != null) {
            command.add("-XX:AOTMode=record");
            command.add("-XX:AOTConfiguration=" + Path.of(record).resolve(routerId(lab, router) + "-"
                    + AOT_RECORDS.incrementAndGet() + ".aotconf"));
        }
        String cache = System.getProperty(AOT_CACHE_PROPERTY);
        if (cache != null) {
            command.add("-XX:AOTCache=" + cache);
        }
        // Every stop-the-world pause with its wall time: a router that "did not run for 117 ms" says whether the JVM
        // held it (a safepoint waiting for its threads, a GC) or the machine did (longPauses).
        command.add("-Xlog:safepoint:file=" + dir.resolve("safepoints-%p.log") + ":time");
        command.add("-cp");
        command.add(classPath);
        command.add(BATON_MAIN_CLASS);
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        return started(router, socket, dir, config, command);
    }

    private static LabRouter started(RouterHost router, Path socket, Path dir, Path config, List<String> command) {
        LabProcess process = router.spawn(command, dir.resolve("baton.log"));
        LabRouter labRouter = new LabRouter(config, socket, process);
        try {
            labRouter.awaitReady(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            labRouter.close();
            throw e;
        }
        return labRouter;
    }

    /** Waits until the control socket answers. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("baton run exited early; its log:\n" + process.output());
            }
            if (Files.exists(socket)) {
                try {
                    ControlClient.call(socket, "status", Map.of());
                    return;
                } catch (ControlClient.ControlException e) {
                    last = e;
                }
            }
            pause(50);
        }
        throw new IllegalStateException("baton run did not answer on " + socket + " within " + timeout
                + (last == null ? "" : " (" + last.getMessage() + ")") + "; its log:\n" + process.output());
    }

    /** Waits until every server of every service has a resolved MAC address. */
    @SuppressWarnings("unchecked")
    public void awaitServersResolved(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> stats = (Map<String, Object>) ctl("stats", Map.of());
            boolean all = true;
            for (Object service : (List<Object>) stats.get("services")) {
                for (Object server : (List<Object>) ((Map<String, Object>) service).get("servers")) {
                    all &= Boolean.TRUE.equals(((Map<String, Object>) server).get("resolved"));
                }
            }
            if (all) {
                return;
            }
            pause(50);
        }
        throw new IllegalStateException("servers not resolved within " + timeout + "; stats: " + ctl("stats", Map.of()));
    }

    /** One control-socket command. */
    public Object ctl(String command, Map<String, Object> args) {
        return ControlClient.call(socket, command, args);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> stats() {
        return (Map<String, Object>) ctl("stats", Map.of());
    }

    /**
     * The sum of every counter named {@code name} ({@code ctl counters}) whose labels include {@code labels} (key,
     * value, key, value...).
     */
    @SuppressWarnings("unchecked")
    public long counter(String name, String... labels) {
        long sum = 0;
        for (Object o : (List<Object>) ctl("counters", Map.of())) {
            Map<String, Object> row = (Map<String, Object>) o;
            Map<String, Object> rowLabels = (Map<String, Object>) row.get("labels");
            boolean matches = name.equals(row.get("name"));
            for (int i = 0; matches && i + 1 < labels.length; i += 2) {
                matches = labels[i + 1].equals(rowLabels.get(labels[i]));
            }
            if (matches) {
                sum += ((Number) row.get("value")).longValue();
            }
        }
        return sum;
    }

    public Path socket() {
        return socket;
    }

    public Path configFile() {
        return config;
    }

    public LabProcess process() {
        return process;
    }

    public String log() {
        return process.output();
    }

    /**
     * The JVM's stop-the-world pauses of at least {@code minMs} (from its safepoint log): when it began, what for,
     * how long reaching the safepoint took and the total. Empty when there were none or the log is gone.
     */
    public List<String> longPauses(long minMs) {
        Path log = config.resolveSibling("safepoints-" + pid() + ".log");
        List<String> pauses = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log)) {
                java.util.regex.Matcher total = TOTAL.matcher(line);
                if (total.find() && Long.parseLong(total.group(1)) >= minMs * 1_000_000) {
                    pauses.add(line);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
        return pauses;
    }

    private static final java.util.regex.Pattern TOTAL = java.util.regex.Pattern.compile("Total: (\\d+) ns");

    /** The {@code baton run} process's id (the JVM itself: {@code ip netns exec} execs it). */
    public long pid() {
        return process.pid();
    }

    /**
     * Sends {@code signal} ({@code KILL}, {@code STOP}, {@code CONT}, {@code TERM}, ...) to this router's process
     * only, by PID ({@code kill -s SIGNAL <pid>}). The lab's failover tests kill -9 an active router, or freeze
     * and thaw it.
     *
     * @throws IllegalStateException if the process has already exited or kill(1) fails
     */
    public void kill(String signal) {
        String name = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        if (!name.matches("[A-Z0-9]+")) {
            throw new IllegalArgumentException("not a signal name: " + signal);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("baton run (pid " + pid() + ") has already exited");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + name + " " + pid() + " did not finish within 10 s");
            }
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + name + " " + pid() + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + name + " to " + pid(), e);
        }
    }

    /** Waits up to {@code timeout} for the process to exit (after {@link #kill(String)} with KILL, say). */
    public boolean awaitExit(Duration timeout) {
        return process.waitFor(timeout).isPresent();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the router with SIGTERM (it removes its nftables table and socket), then SIGKILL after 5 s. */
    @Override
    public void close() {
        // A router recording its AOT configuration writes it (some 20 MB) after its orderly shutdown: SIGKILL at the
        // usual 5 s left empty files in the failover benchmark's training run.
        process.stop(System.getProperty(AOT_RECORD_PROPERTY) != null ? Duration.ofSeconds(30) : Duration.ofSeconds(5));
    }
}
