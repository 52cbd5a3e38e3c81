package dev.baton.bench.lab;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Segment;
import dev.baton.lab.ServerHost;
import dev.baton.lab.UpstreamHost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Baton against the Linux kernel's IP forwarding, in one run, on the same lab path ({@code bench/lab.sh};
 * method and results in docs/benchmarks.md).
 *
 * <pre>
 *   trafgen (upstream ns, CPU 0) --front bridge--> router ns --back bridge--> s0, s1 (nftables ingress counters)
 *   iperf3 client (c0) --client bridge--> upstream --front--> router ns --back--> iperf3 server (s0 or s1)
 * </pre>
 *
 * For each repetition, Baton first ({@code baton run} pinned to CPU 1, kernel forwarding off), then the kernel
 * (Baton stopped, {@code ip_forward=1}, a route for the VIP, RPS to CPU 1); each runs a UDP window of 64-byte
 * frames over many flows and then an iperf3 TCP stream. Medians, ratios and every repetition are printed.
 */
public final class LabForwardingBenchmark {

    static final String VIP = "192.0.2.10";
    static final int UDP_PORT = 9000;
    static final int TCP_PORT = 5201;
    static final int FIRST_SOURCE_PORT = 10000;
    /** trafgen's CPU. */
    static final int GENERATOR_CPU = 0;
    /** Baton's JVM, or the kernel's forwarding through RPS. */
    static final int ROUTER_CPU = 1;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BACKGROUND_SAMPLE = Duration.ofSeconds(1);
    /** How long to wait, before each measurement, for both CPUs to be nearly idle. */
    private static final Duration QUIET_WAIT = Duration.ofSeconds(120);
    /** "Nearly idle": at most this busy share over {@link #BACKGROUND_SAMPLE}. */
    private static final double QUIET_BUSY_FRACTION = 0.25;
    private static final Duration LOAD_POLL = Duration.ofSeconds(5);
    private static final List<String> TOOLS = List.of("trafgen", "iperf3", "nft", "taskset", "timeout", "getconf");
    private static final List<String> TOOL_DIRECTORIES = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");
    /** Baton's services: the UDP sink's port, and iperf3's. */
    private static final List<LabRouter.Service> SERVICES = List.of(
            new LabRouter.Service("udp-sink", "udp", List.of(UDP_PORT), "wrr", "0s", List.of()),
            // iperf3 opens a control and a data connection: persistence sends both to the same server.
            new LabRouter.Service("iperf", "tcp", List.of(TCP_PORT), "wrr", "300s", List.of()));

    private final LabBenchmarkOptions options;
    private final long ticksPerSecond;

    LabForwardingBenchmark(LabBenchmarkOptions options, long ticksPerSecond) {
        this.options = options;
        this.ticksPerSecond = ticksPerSecond;
    }

    public static void main(String[] args) {
        BenchArguments.main("lab benchmark", LabBenchmarkOptions.USAGE, args, LabBenchmarkOptions::parse, LabForwardingBenchmark::missingPrerequisite,
                options -> new LabForwardingBenchmark(options, clockTicksPerSecond()).run());
    }

    /** Why the benchmark cannot run here, or null. */
    static String missingPrerequisite() {
        if (!Lab.isSupported()) {
            return Lab.unsupportedReason();
        }
        for (String tool : TOOLS) {
            if (TOOL_DIRECTORIES.stream().noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                return tool + " not found in " + TOOL_DIRECTORIES + " (bench/lab.sh installs the Debian packages: "
                        + "netsniff-ng, iperf3, nftables, util-linux, coreutils, libc-bin)";
            }
        }
        try {
            CpuTicks.read(ROUTER_CPU);
        } catch (RuntimeException e) {
            return "CPU " + ROUTER_CPU + " is needed for the router (generator on CPU " + GENERATOR_CPU + "): " + e.getMessage();
        }
        return null;
    }

    void run() {
        System.out.println("# Baton vs Linux kernel forwarding, lab benchmark");
        System.out.println("started " + Instant.now() + " on " + firstLine(command("uname", "-srm")) + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version());
        System.out.println(firstLine(command("trafgen", "--version")) + "; " + firstLine(command("iperf3", "--version")));
        System.out.println("options: " + options);
        waitForQuietMachine();
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            System.out.println(lab.describe());
            UdpSinks sinks = UdpSinks.install(lab.servers(), VIP, UDP_PORT, lab.workDirectory());
            startIperfServers(lab);
            UpstreamHost upstream = lab.upstream();
            RouterHost router = lab.router(0);
            String packetConfig = UdpGenerator.packetConfig(upstream.interfaceOn(Segment.FRONT).orElseThrow().mac(),
                    router.clientMac(), lab.client(0).address(), VIP, FIRST_SOURCE_PORT, options.flows(), UDP_PORT);
            Path trafgenConfig = UdpGenerator.writeConfig(lab.workDirectory().resolve("udp-64.trafgen"), packetConfig);
            System.out.println("trafgen packet (" + UdpGenerator.FRAME_LENGTH_BYTES + " B + FCS = 64 B), sent from "
                    + upstream.namespace() + " on " + upstream.frontInterface() + ":\n" + packetConfig);

            List<Measurement> measurements = new ArrayList<>();
            for (int repetition = 1; repetition <= options.repetitions(); repetition++) {
                Measurement baton = measureBaton(lab, sinks, trafgenConfig, repetition);
                measurements.add(baton);
                System.out.print(LabReport.measurement(baton, router.clientInterface()));
                Measurement kernel = measureKernel(lab, sinks, trafgenConfig, repetition);
                measurements.add(kernel);
                System.out.print(LabReport.measurement(kernel, router.clientInterface()));
                System.out.flush();
            }
            System.out.println();
            System.out.println(LabReport.summary(measurements));
            System.out.println("finished " + Instant.now() + "; 1-minute load average " + loadAverage());
        }
    }

    private Measurement measureBaton(Lab lab, UdpSinks sinks, Path trafgenConfig, int repetition) {
        RouterHost router = lab.router(0);
        if (options.batonRps()) {
            KernelForwarding.steerReceive(router, ROUTER_CPU);
        }
        try (BatonUnderTest baton = BatonUnderTest.start(lab, router, SERVICES, options.ring(), ROUTER_CPU)) {
            if (repetition == 1) {
                System.out.println("Baton configuration (pid " + baton.pid() + ", all threads pinned to CPU " + ROUTER_CPU
                        + (options.batonRps() ? "; RPS to CPU " + ROUTER_CPU + " on " + router.clientInterface() : "") + "):");
                System.out.println(baton.configuration().strip().indent(4));
            }
            return measure(ForwardingPath.BATON, lab, sinks, trafgenConfig, repetition, baton);
        } finally {
            if (options.batonRps()) {
                KernelForwarding.steerReceive(router, -1);
            }
        }
    }

    private Measurement measureKernel(Lab lab, UdpSinks sinks, Path trafgenConfig, int repetition) {
        ServerHost server = lab.server(0);
        KernelForwarding forwarding = KernelForwarding.enable(lab.router(0), lab.upstream(), VIP, server.address(), ROUTER_CPU);
        try {
            if (repetition == 1) {
                System.out.println("Kernel forwarding: ip_forward=1, route " + VIP + "/32 via " + server.address()
                        + ", rps_cpus=" + KernelForwarding.rpsMask(ROUTER_CPU) + " on " + lab.router(0).clientInterface());
            }
            return measure(ForwardingPath.KERNEL, lab, sinks, trafgenConfig, repetition, null);
        } finally {
            forwarding.close();
        }
    }

    /** The UDP window, then the TCP run, on whatever forwards now; {@code baton} is null for the kernel. */
    private Measurement measure(ForwardingPath path, Lab lab, UdpSinks sinks, Path trafgenConfig, int repetition,
                                BatonUnderTest baton) {
        double[] background = background();
        UdpResult udp = measureUdp(path, lab, sinks, trafgenConfig, baton);

        Map<String, Long> before = baton == null ? Map.of() : BatonCounters.flatten(baton.stats());
        CpuTicks otherBefore = CpuTicks.read(GENERATOR_CPU);
        CpuTicks routerBefore = CpuTicks.read(ROUTER_CPU);
        long startNs = System.nanoTime();
        TcpResult tcp = measureTcp(lab);
        long elapsedNs = System.nanoTime() - startNs;
        double tcpOtherBusy = CpuTicks.read(GENERATOR_CPU).minus(otherBefore).busyFraction(elapsedNs, ticksPerSecond);
        double tcpRouterBusy = CpuTicks.read(ROUTER_CPU).minus(routerBefore).busyFraction(elapsedNs, ticksPerSecond);
        Map<String, Long> tcpLosses = baton == null ? Map.of()
                : BatonCounters.losses(BatonCounters.delta(before, BatonCounters.flatten(baton.stats())));
        return new Measurement(repetition, path, udp, tcp, background[0], background[1], tcpOtherBusy, tcpRouterBusy, tcpLosses);
    }

    /**
     * Busy shares of the generator and router CPUs over one second with no load, repeated (bounded by
     * {@link #QUIET_WAIT}) until both are nearly idle: another process on them would be measured as forwarding
     * cost. The last sample is returned and printed with the measurement either way.
     */
    private double[] background() {
        long deadlineNs = System.nanoTime() + QUIET_WAIT.toNanos();
        boolean noted = false;
        while (true) {
            CpuTicks generator = CpuTicks.read(GENERATOR_CPU);
            CpuTicks router = CpuTicks.read(ROUTER_CPU);
            long startNs = System.nanoTime();
            pause(BACKGROUND_SAMPLE);
            long elapsedNs = System.nanoTime() - startNs;
            double[] busy = {CpuTicks.read(GENERATOR_CPU).minus(generator).busyFraction(elapsedNs, ticksPerSecond),
                    CpuTicks.read(ROUTER_CPU).minus(router).busyFraction(elapsedNs, ticksPerSecond)};
            boolean quiet = busy[0] <= QUIET_BUSY_FRACTION && busy[1] <= QUIET_BUSY_FRACTION;
            if (quiet || System.nanoTime() - deadlineNs >= 0) {
                if (!quiet) {
                    System.out.printf(Locale.ROOT, "NOTE: CPUs still busy before the load (%.0f %% / %.0f %%): this measurement shares them%n",
                            100 * busy[0], 100 * busy[1]);
                }
                return busy;
            }
            if (!noted) {
                System.out.printf(Locale.ROOT, "CPUs busy before the load (%.0f %% / %.0f %%), waiting up to %d s ...%n",
                        100 * busy[0], 100 * busy[1], QUIET_WAIT.toSeconds());
                noted = true;
            }
        }
    }

    /** Counters read at one instant (as nearly as a few short commands allow). */
    private record Snapshot(long nanoTime, long delivered, long rxPackets, long rxDropped, ProcessTicks process,
                            CpuTicks generatorCpu, CpuTicks routerCpu) {
    }

    private Snapshot snapshot(RouterHost router, UdpSinks sinks, BatonUnderTest baton) {
        long startNs = System.nanoTime();
        long delivered = sinks.total();
        long[] rx = interfaceReceiveCounters(router);
        ProcessTicks process = baton == null ? null : ProcessTicks.read(baton.pid());
        CpuTicks generatorCpu = CpuTicks.read(GENERATOR_CPU);
        CpuTicks routerCpu = CpuTicks.read(ROUTER_CPU);
        long endNs = System.nanoTime();
        return new Snapshot(startNs + (endNs - startNs) / 2, delivered, rx[0], rx[1], process, generatorCpu, routerCpu);
    }

    /** {@code rx_packets} and {@code rx_dropped} of the router's client-facing interface. */
    private static long[] interfaceReceiveCounters(RouterHost router) {
        String statistics = "/sys/class/net/" + router.clientInterface() + "/statistics/";
        String[] lines = KernelForwarding.run(router, "cat", statistics + "rx_packets", statistics + "rx_dropped").stdout().strip().split("\n");
        return new long[]{Long.parseLong(lines[0].strip()), Long.parseLong(lines[1].strip())};
    }

    private UdpResult measureUdp(ForwardingPath path, Lab lab, UdpSinks sinks, Path trafgenConfig, BatonUnderTest baton) {
        RouterHost router = lab.router(0);
        Duration timeLimit = options.udpWarmup().plus(options.udpWindow()).plusSeconds(10);
        Path log = lab.workDirectory().resolve("trafgen-" + path.name().toLowerCase(Locale.ROOT) + ".log");
        LabProcess generator = UdpGenerator.start(lab.upstream(), lab.upstream().frontInterface(), trafgenConfig,
                options.udpMaxPackets(), timeLimit, GENERATOR_CPU, log);
        try {
            pause(options.udpWarmup());
            if (!generator.isAlive()) {
                throw new IllegalStateException("trafgen stopped during the warm-up; its output:\n" + generator.output());
            }
            Map<String, Long> before = baton == null ? Map.of() : BatonCounters.flatten(baton.stats());
            ForeignLoad foreign = ForeignLoad.begin();
            Snapshot start = snapshot(router, sinks, baton);
            pause(options.udpWindow());
            Snapshot end = snapshot(router, sinks, baton);
            ForeignLoad.Usage foreignLoad = foreign.since(ticksPerSecond, end.nanoTime - start.nanoTime);
            boolean exhausted = !generator.isAlive();
            Map<String, Long> counters = baton == null ? Map.of() : BatonCounters.delta(before, BatonCounters.flatten(baton.stats()));
            UdpResult result = new UdpResult(path, end.nanoTime - start.nanoTime,
                    (end.rxPackets + end.rxDropped) - (start.rxPackets + start.rxDropped), end.rxDropped - start.rxDropped,
                    end.delivered - start.delivered,
                    baton == null ? null : end.process.minus(start.process),
                    end.generatorCpu.minus(start.generatorCpu), end.routerCpu.minus(start.routerCpu), ticksPerSecond,
                    counters, exhausted, foreignLoad);
            if (result.deliveredPackets() == 0) {
                throw new IllegalStateException(path.label + " delivered no packet to the sinks (offered "
                        + result.offeredPackets() + ")" + (baton == null ? "" : "; Baton's log:\n" + baton.log()));
            }
            return result;
        } finally {
            generator.stop();
        }
    }

    private TcpResult measureTcp(Lab lab) {
        long seconds = options.tcpTime().toSeconds();
        List<String> command = List.of("iperf3", "-c", VIP, "-p", Integer.toString(TCP_PORT), "-t", Long.toString(seconds),
                // Leave out the first second (slow start), and report in JSON.
                "-O", "1", "-J", "--connect-timeout", "5000");
        ExecResult result = lab.client(0).exec(Duration.ofSeconds(seconds + 25), command);
        if (result.timedOut()) {
            throw new IllegalStateException("iperf3 timed out: " + result.stderr());
        }
        try {
            return TcpResult.parseIperfJson(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + " (exit status " + result.exitCode() + ", stderr: "
                    + result.stderr().strip() + ")", e);
        }
    }

    private static void startIperfServers(Lab lab) {
        for (ServerHost server : lab.servers()) {
            LabProcess iperf = server.spawn(List.of("iperf3", "-s", "-p", Integer.toString(TCP_PORT), "--forceflush"),
                    lab.workDirectory().resolve(server.name() + "-iperf3.log"));
            iperf.awaitOutput("Server listening", COMMAND_TIMEOUT);
        }
    }

    /**
     * Waits, bounded by {@code --load-wait-s}, until the 1-minute load average is below {@code --max-load}:
     * the machine's two CPUs are shared, and someone else's work on them would be measured as ours.
     */
    private void waitForQuietMachine() {
        long deadlineNs = System.nanoTime() + options.loadWait().toNanos();
        double load = loadAverage();
        if (load >= options.maxLoad()) {
            System.out.printf(Locale.ROOT, "1-minute load average %.2f >= %.2f: waiting up to %d s for the machine to quieten%n",
                    load, options.maxLoad(), options.loadWait().toSeconds());
            System.out.println(firstLines(command("ps", "-eo", "pid,pcpu,etime,comm", "--sort=-pcpu"), 6));
        }
        while (load >= options.maxLoad() && System.nanoTime() - deadlineNs < 0) {
            pause(LOAD_POLL);
            load = loadAverage();
        }
        if (load >= options.maxLoad()) {
            System.out.printf(Locale.ROOT, "NOTE: 1-minute load average still %.2f (wanted below %.2f): other work shares the CPUs; "
                    + "compare ratios, and look at the background CPU figures of each measurement%n", load, options.maxLoad());
        } else {
            System.out.printf(Locale.ROOT, "1-minute load average %.2f (below %.2f)%n", load, options.maxLoad());
        }
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/loadavg", e);
        }
    }

    /** {@code USER_HZ}, the unit of /proc CPU times (sysconf(_SC_CLK_TCK)). */
    static long clockTicksPerSecond() {
        String value = command("getconf", "CLK_TCK").strip();
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("getconf CLK_TCK printed '" + value + "'", e);
        }
    }

    /** Runs a short local command (outside the lab) and returns its standard output. */
    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            return output;
        } catch (IOException e) {
            return "(" + String.join(" ", command) + ": " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String firstLine(String text) {
        return firstLines(text, 1);
    }

    private static String firstLines(String text, int count) {
        return String.join("\n", text.strip().lines().limit(count).toList());
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
