package dev.baton.bench.health;

import dev.baton.nativeio.NetworkNamespace;
import dev.baton.probe.Health;
import dev.baton.probe.ProbeEngine;
import dev.baton.probe.ProbeSpec;
import dev.baton.probe.ProbeTarget;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What the probes cost the router: {@code N} TCP health checks (N listening ports on a server host) and {@code N}
 * ICMP echo elements (spread over the host's 249 addresses), each every {@code interval}, run by one
 * {@link ProbeEngine} on one thread, as the router's probe thread runs them: through the interface's probe rings
 * ({@code addLink}) with the host guard's rules ({@link ProbeEngine#ringAnswerIngressRules()}), parking
 * {@link ProbeEngine#idleMs()} between cycles, unless {@code -Dprobes.path=sockets}, {@code -Dprobes.guard=false}
 * or {@code -Dprobes.idleMs} say otherwise. Two namespaces of its own joined by a veth pair (198.51.100.1 the
 * router, 198.51.100.2-250 the host), removed at the end.
 *
 * <p>Over a veth pair a packet is received in the softirq of the CPU that sent it, so without care the host's
 * side of every exchange (its SYN-ACK, its echo reply) would be billed to the router's probe thread. With two or
 * more CPUs the benchmark separates them: the probe thread is pinned to CPU 0 and the host's accepting thread to
 * CPU 1, and RPS steers each side's receive work to its own CPU (the router's veth to CPU 0, the host's to CPU 1).
 * The router's cost is then the time CPU 0 was not idle in the measured window (from {@code /proc/stat}'s idle
 * time, which the kernel measures exactly; the probe thread and the kernel's work on the router's side), less the
 * same in a window as long with the probe thread asleep (the baseline: whatever else runs there). Keep other work
 * off CPU 0 while it runs.
 *
 * <p>Also reports the probe thread's own CPU time (user and system: its system calls, including the transmit
 * path) and the bytes it allocated per probe. Target (docs/benchmarks.md): 1,000 + 1,000 at 1 s under 2 % of
 * a core.
 *
 * <pre>java ... ProbeCostBenchmark [targets per kind, default 1000] [measured seconds, default 20] [interval ms, default 1000]</pre>
 */
public final class ProbeCostBenchmark {

    private static final String ROUTER = "198.51.100.1";
    private static final int FIRST_PORT = 20_000;
    private static final int HOST_ADDRESSES = 249; // 198.51.100.2 .. .250
    /** How long the probe thread parks when a cycle found nothing to do: the engine's {@code idleMs()} unless set. */
    private static final long IDLE_MS = Long.getLong("probes.idleMs", -1);
    /** "rings" (the router's way: on-link targets through the interface's packet rings) or "sockets" (kernel sockets). */
    private static final String PATH = System.getProperty("probes.path", "rings");
    /** With rings: the router's nftables rules that keep the probes' answers from its own kernel (HostGuard). */
    private static final boolean GUARD = !"false".equals(System.getProperty("probes.guard"));
    /**
     * Probing before the window: long enough for the JIT to compile the probe path (a router probes for days; in
     * a 5 s warm-up at 200 probes a second most of it still ran in the interpreter, at ten times the cost).
     */
    private static final long WARM_UP_MS = Long.getLong("probes.warmUpMs", 30_000);
    private static final int ROUTER_CPU = 0;
    private static final int HOST_CPU = 1;
    private static final boolean SEPARATE_CPUS = Runtime.getRuntime().availableProcessors() >= 2;

    public static void main(String[] args) throws Exception {
        int perKind = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long intervalMs = args.length > 2 ? Long.parseLong(args[2]) : 1_000;
        if (perKind < 1 || perKind > 10_000 || seconds < 1 || seconds > 600 || intervalMs < 100 || intervalMs > 60_000) {
            throw new IllegalArgumentException("targets per kind 1..10000, seconds 1..600, interval 100..60000 ms");
        }
        String prefix = "pc" + ProcessHandle.current().pid() % 100_000;
        String router = prefix + "r";
        String host = prefix + "h";
        try {
            ip("netns", "add", router);
            ip("netns", "add", host);
            ip("link", "add", prefix + "vr", "netns", router, "type", "veth", "peer", "name", prefix + "vh", "netns", host);
            ip("-n", router, "addr", "add", ROUTER + "/24", "dev", prefix + "vr");
            for (int a = 0; a < HOST_ADDRESSES; a++) {
                ip("-n", host, "addr", "add", "198.51.100." + (2 + a) + "/24", "dev", prefix + "vh");
            }
            for (String ns : List.of(router, host)) {
                ip("-n", ns, "link", "set", "lo", "up");
            }
            ip("-n", router, "link", "set", prefix + "vr", "up");
            ip("-n", host, "link", "set", prefix + "vh", "up");
            if (SEPARATE_CPUS) {
                steerReceive(router, prefix + "vr", ROUTER_CPU);
                steerReceive(host, prefix + "vh", HOST_CPU);
            }
            if (PATH.equals("rings") && GUARD) {
                // What the router's host guard installs on each of its interfaces (HostGuard).
                StringBuilder rules = new StringBuilder("add table netdev probes\nadd chain netdev probes in { type filter"
                        + " hook ingress device " + prefix + "vr priority -500; policy accept; }\n");
                for (String answers : ProbeEngine.ringAnswerIngressRules()) {
                    rules.append("add rule netdev probes in ").append(answers).append(" counter drop\n");
                }
                Process nft = new ProcessBuilder("ip", "netns", "exec", router, "nft", "-f", "-").redirectErrorStream(true).start();
                nft.getOutputStream().write(rules.toString().getBytes());
                nft.getOutputStream().close();
                String output = new String(nft.getInputStream().readAllBytes());
                if (!nft.waitFor(10, TimeUnit.SECONDS) || nft.exitValue() != 0) {
                    throw new IllegalStateException("nft failed: " + output);
                }
            }
            run(router, host, prefix + "vr", perKind, seconds, intervalMs);
        } finally {
            ipQuietly("netns", "del", router);
            ipQuietly("netns", "del", host);
        }
    }

    private static void run(String router, String host, String routerDevice, int perKind, int seconds, long intervalMs)
            throws Exception {
        InetAddress hostAddress = InetAddress.getByName("198.51.100.2");
        List<ServerSocketChannel> listeners = NetworkNamespace.callIn(host, () -> {
            List<ServerSocketChannel> channels = new ArrayList<>();
            for (int i = 0; i < perKind; i++) {
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.bind(new InetSocketAddress(hostAddress, FIRST_PORT + i), 64);
                channel.configureBlocking(false);
                channels.add(channel);
            }
            return channels;
        });
        Selector selector = Selector.open();
        for (ServerSocketChannel listener : listeners) {
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }
        Thread acceptor = Thread.ofPlatform().name("host-accept").daemon(true).start(() -> {
            pinCallingThread(HOST_CPU);
            accept(selector);
        });
        try {
            NetworkNamespace.callIn(router, () -> {
                probe(routerDevice, perKind, seconds, intervalMs);
                return null;
            });
        } finally {
            acceptor.interrupt();
            selector.close();
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }

    /** The host: accepts every connection and closes it (the probes reset theirs anyway). */
    private static void accept(Selector selector) {
        try {
            while (!Thread.currentThread().isInterrupted() && selector.isOpen()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel accepted = ((ServerSocketChannel) key.channel()).accept();
                    if (accepted != null) {
                        accepted.close();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (Exception e) {
            // the selector closed under us at the end: done
        }
    }

    private static void probe(String routerDevice, int perKind, int seconds, long intervalMs) throws Exception {
        pinCallingThread(ROUTER_CPU);
        // The baseline: CPU 0 with the probe thread asleep, over a window as long as the measured one.
        long[] baselineStart = cpuTicks(ROUTER_CPU);
        Thread.sleep(seconds * 1_000L);
        long[] baselineEnd = cpuTicks(ROUTER_CPU);
        InetAddress source = InetAddress.getByName(ROUTER);
        ProbeEngine engine = new ProbeEngine("probes", 2 * perKind);
        if (PATH.equals("rings")) {
            engine.addLink(routerDevice, source, 24);
        } else if (!PATH.equals("sockets")) {
            throw new IllegalArgumentException("probes.path is rings or sockets: " + PATH);
        }
        long now = System.currentTimeMillis();
        long timeoutMs = intervalMs / 2;
        String kinds = System.getProperty("probes.kinds", "both");
        for (int i = 0; i < perKind; i++) {
            if (!kinds.equals("icmp")) engine.add(new ProbeSpec("tcp-" + i, new ProbeTarget.Tcp(InetAddress.getByName("198.51.100.2"), FIRST_PORT + i, source),
                    intervalMs, timeoutMs, 2, 3), now);
            if (!kinds.equals("tcp")) engine.add(new ProbeSpec("icmp-" + i, new ProbeTarget.IcmpEcho(
                    InetAddress.getByName("198.51.100." + (2 + i % HOST_ADDRESSES)), source), intervalMs, timeoutMs, 2, 3), now);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long warmUpEnd = now + Math.max(3 * intervalMs, WARM_UP_MS);
        long end = warmUpEnd + seconds * 1_000L;
        long cpuStart = 0;
        long userStart = 0;
        long bytesStart = 0;
        long probesStart = 0;
        long timeoutsStart = 0;
        long[] ticksStart = null;
        long windowStartNs = 0;
        boolean measuring = false;
        long cycles = 0;
        long idleCycles = 0;
        long idleMs = 0;
        long workNs = 0;
        long idleCycleNs = 0;
        long busyCycleNs = 0;
        long measuredIdleCycles = 0;
        long measuredBusyCycles = 0;
        while (true) {
            now = System.currentTimeMillis();
            if (!measuring && now >= warmUpEnd) {
                measuring = true;
                cpuStart = threads.getCurrentThreadCpuTime();
                userStart = threads.getCurrentThreadUserTime();
                bytesStart = threads.getCurrentThreadAllocatedBytes();
                probesStart = engine.probesStarted();
                timeoutsStart = engine.timeouts();
                ticksStart = cpuTicks(ROUTER_CPU);
                windowStartNs = System.nanoTime();
            }
            if (now >= end) {
                break;
            }
            cycles++;
            long cycleStart = System.nanoTime();
            int work = engine.doWork(now) + engine.drainChanges((id, spec, health, atMs, cause) -> { });
            if (measuring) {
                long spent = System.nanoTime() - cycleStart;
                workNs += spent;
                if (work == 0) {
                    idleCycleNs += spent;
                    measuredIdleCycles++;
                } else {
                    busyCycleNs += spent;
                    measuredBusyCycles++;
                }
            }
            if (work == 0) {
                idleCycles++;
                idleMs = IDLE_MS >= 0 ? IDLE_MS : engine.idleMs();
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(idleMs));
            }
        }
        long[] ticksEnd = cpuTicks(ROUTER_CPU);
        double windowSeconds = (System.nanoTime() - windowStartNs) / 1e9;
        long cpuNs = threads.getCurrentThreadCpuTime() - cpuStart;
        long userNs = threads.getCurrentThreadUserTime() - userStart;
        long bytes = threads.getCurrentThreadAllocatedBytes() - bytesStart;
        long probes = engine.probesStarted() - probesStart;
        long timeouts = engine.timeouts() - timeoutsStart;
        int up = 0;
        for (int id = 0; id < 2 * perKind; id++) {
            up += engine.has(id) && engine.health(id) == Health.UP ? 1 : 0;
        }
        long ringIgnored = engine.ringIgnored();
        long ringFull = engine.ringFull();
        engine.onClose();
        double windowNs = seconds * 1e9;
        System.out.printf(Locale.ROOT, "targets: %d TCP + %d ICMP (%s), every %d ms, through %s%s; measured %d s after a"
                        + " warm-up; idle %d ms%n", perKind, perKind, System.getProperty("probes.kinds", "both"),
                intervalMs, PATH, PATH.equals("rings") ? (GUARD ? " with the guard's rules" : " without the guard's rules") : "",
                seconds, idleMs);
        System.out.printf(Locale.ROOT, "probes: %d (%.0f/s), timed out %d, targets up at the end %d of %d%n",
                probes, probes / (double) seconds, timeouts, up, 2 * perKind);
        System.out.printf(Locale.ROOT, "ring frames that answered nothing: %d; probe frames not sent, ring full: %d%n",
                ringIgnored, ringFull);
        System.out.printf(Locale.ROOT, "probe thread CPU: %.2f %% of one core, %.1f us per probe (user %.2f %%, %.1f us;"
                        + " system %.2f %%, %.1f us)%n",
                100.0 * cpuNs / windowNs, probes == 0 ? 0.0 : cpuNs / 1e3 / probes,
                100.0 * userNs / windowNs, probes == 0 ? 0.0 : userNs / 1e3 / probes,
                100.0 * (cpuNs - userNs) / windowNs, probes == 0 ? 0.0 : (cpuNs - userNs) / 1e3 / probes);
        System.out.printf(Locale.ROOT, "cycles: %d, idle %d; wall time inside the duty cycles: %.2f %% of the window%n",
                cycles, idleCycles, 100.0 * workNs / windowNs);
        System.out.printf(Locale.ROOT, "in the window: %d cycles with work, %.1f us each; %d without, %.1f us each%n",
                measuredBusyCycles, busyCycleNs / 1e3 / Math.max(1, measuredBusyCycles), measuredIdleCycles,
                idleCycleNs / 1e3 / Math.max(1, measuredIdleCycles));
        if (SEPARATE_CPUS) {
            // Busy = the window less the CPU's idle time. With NO_HZ the kernel measures idle time exactly at
            // each entry to and exit from idle (tick_nohz: /proc/stat's idle and iowait), while user, system and
            // softirq are sampled by the 250 Hz tick, which a thread that wakes on a timer can mostly dodge or
            // mostly meet. The sampled figure is printed too.
            double tick = 1.0 / 100; // USER_HZ
            double busy = 1.0 - idleTicks(ticksStart, ticksEnd) * tick / windowSeconds;
            double baseline = 1.0 - idleTicks(baselineStart, baselineEnd) * tick / seconds;
            double sampled = busyTicks(ticksStart, ticksEnd) * tick / windowSeconds
                    - busyTicks(baselineStart, baselineEnd) * tick / seconds;
            double softirq = (ticksEnd[6] - ticksStart[6]) * tick / windowSeconds;
            System.out.printf(Locale.ROOT, "router CPU %d (probe thread and the kernel's work on the router's side, host"
                            + " steered to CPU %d): %.2f %% of one core busy, baseline asleep %.2f %%, so the probes cost"
                            + " %.2f %% (%.1f us per probe); sampled by the tick: %.2f %%, softirq %.2f %%%n",
                    ROUTER_CPU, HOST_CPU, 100 * busy, 100 * baseline, 100 * (busy - baseline),
                    probes == 0 ? 0.0 : (busy - baseline) * windowSeconds * 1e6 / probes, 100 * sampled, 100 * softirq);
        }
        System.out.printf(Locale.ROOT, "allocated on the probe thread: %.0f bytes per probe%n", probes == 0 ? 0.0 : bytes / (double) probes);
    }

    /** The CPU's counters from /proc/stat, in USER_HZ ticks: user nice system idle iowait irq softirq steal. */
    private static long[] cpuTicks(int cpu) throws java.io.IOException {
        String prefix = "cpu" + cpu + " ";
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
            if (line.startsWith(prefix)) {
                String[] fields = line.trim().split("\\s+");
                long[] ticks = new long[8];
                for (int i = 0; i < ticks.length; i++) {
                    ticks[i] = Long.parseLong(fields[i + 1]);
                }
                return ticks;
            }
        }
        throw new IllegalStateException("no " + prefix.strip() + " in /proc/stat");
    }

    /** Ticks the CPU was idle between two readings: idle and iowait. */
    private static long idleTicks(long[] start, long[] end) {
        return end[3] - start[3] + end[4] - start[4];
    }

    /** Ticks the CPU was busy between two readings: everything but idle and iowait. */
    private static long busyTicks(long[] start, long[] end) {
        long busy = 0;
        for (int i = 0; i < start.length; i++) {
            if (i != 3 && i != 4) {
                busy += end[i] - start[i];
            }
        }
        return busy;
    }

    /** Pins the calling thread (its own task, not the process) to {@code cpu} with taskset(1). */
    private static void pinCallingThread(int cpu) {
        if (!SEPARATE_CPUS) {
            return;
        }
        try {
            String tid = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).getFileName().toString();
            run(List.of("taskset", "-p", "-c", Integer.toString(cpu), tid));
        } catch (Exception e) {
            throw new IllegalStateException("cannot pin the thread to CPU " + cpu + ": " + e.getMessage(), e);
        }
    }

    /** RPS: the receive work of {@code device} in {@code namespace} on {@code cpu} (sysfs is per namespace). */
    private static void steerReceive(String namespace, String device, int cpu) throws Exception {
        run(List.of("ip", "netns", "exec", namespace, "sh", "-c",
                "echo " + Integer.toHexString(1 << cpu) + " > /sys/class/net/" + device + "/queues/rx-0/rps_cpus"));
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command);
    }

    private static void ipQuietly(String... args) {
        try {
            ip(args);
        } catch (Exception e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }
}
