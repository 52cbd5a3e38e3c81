package dev.baton.bench.lab;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Host;
import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Segment;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
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
 * Each repetition measures every contestant ({@link Contestant}) in turn on the same router namespace: the kernel
 * ({@code ip_forward=1}, a route for the VIP), Baton on AF_PACKET rings, and Baton with its XDP program in the
 * veth's driver path. Each runs a UDP window of 64-byte frames over many flows, then an iperf3 run with one TCP
 * stream and one with {@code --tcp-streams}. All the router's work runs on CPU 1: RPS there for every contestant,
 * Baton's JVM pinned there, and for XDP the veth's NAPI thread ({@link ThreadedNapi}). The client's transmit checksum
 * offload is off for every contestant, because native XDP on a veth needs it off ({@link NativeXdpOnVeth}). Medians,
 * ratios to the kernel and every repetition are printed.
 */
public final class LabForwardingBenchmark {

    static final String VIP = "192.0.2.10";
    static final int UDP_PORT = 9000;
    static final int TCP_PORT = 5201;
    static final int FIRST_SOURCE_PORT = 10000;
    /** trafgen's CPU. */
    static final int GENERATOR_CPU = 0;
    /** Every contestant's router work: Baton's JVM, the kernel's forwarding through RPS, the XDP program's NAPI thread. */
    static final int ROUTER_CPU = 1;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> TOOLS = List.of("trafgen", "iperf3", "nft", "taskset", "timeout", "getconf", "ethtool", "clang");
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
        String tool = LabPrerequisites.missingTool(TOOLS, "bench/lab.sh installs the Debian packages: "
                + "netsniff-ng, iperf3, nftables, util-linux, coreutils, libc-bin, ethtool, clang, linux-libc-dev");
        return tool != null ? tool : LabPrerequisites.missingRouterCpu();
    }

    void run() {
        System.out.println("# Baton vs Linux kernel forwarding, lab benchmark");
        System.out.println("started " + Instant.now() + " on " + firstLine(command("uname", "-srm")) + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version());
        System.out.println(firstLine(command("trafgen", "--version")) + "; " + firstLine(command("iperf3", "--version")));
        System.out.println("options: " + options);
        System.out.println("contestants, in this order in every repetition: " + options.contestantList());
        QuietMachine.awaitLowLoad(options.maxLoad(), options.loadWait());
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            System.out.println(lab.describe());
            UdpSinks sinks = UdpSinks.install(lab.servers(), VIP, UDP_PORT, lab.workDirectory());
            startIperfServers(lab);
            switchClientChecksumOffloadOff(lab.client(0));
            Path passProgram = null;
            if (options.contestants().contains(Contestant.XDP)) {
                passProgram = NativeXdpOnVeth.compilePassProgram(lab.workDirectory());
                System.out.println("XDP pass program for the bridge-side peers (xdp only): " + passProgram);
            }
            UpstreamHost upstream = lab.upstream();
            RouterHost router = lab.router(0);
            String packetConfig = UdpGenerator.packetConfig(upstream.interfaceOn(Segment.FRONT).orElseThrow().mac(),
                    router.clientMac(), lab.client(0).address(), VIP, FIRST_SOURCE_PORT, options.flows(), UDP_PORT);
            Path trafgenConfig = UdpGenerator.writeConfig(lab.workDirectory().resolve("udp-64.trafgen"), packetConfig);
            System.out.println("trafgen packet (" + UdpGenerator.FRAME_LENGTH_BYTES + " B + FCS = 64 B), sent from "
                    + upstream.namespace() + " on " + upstream.frontInterface() + ":\n" + packetConfig);

            List<Measurement> measurements = new ArrayList<>();
            for (int repetition = 1; repetition <= options.repetitions(); repetition++) {
                for (Contestant contestant : options.contestants()) {
                    Measurement m = contestant == Contestant.KERNEL
                            ? measureKernel(lab, sinks, trafgenConfig, repetition)
                            : measureBaton(contestant, lab, sinks, trafgenConfig, passProgram, repetition);
                    measurements.add(m);
                    System.out.print(LabReport.measurement(m, options.tcpStreams()));
                    System.out.flush();
                }
            }
            System.out.println();
            System.out.println(LabReport.summary(measurements, options.tcpStreams()));
            System.out.println("finished " + Instant.now() + "; 1-minute load average " + loadAverage());
        }
    }

    /**
     * Transmit checksum offload off on the iperf3 client, for every contestant: native XDP on a veth forwards a frame
     * whose checksum a local sender left to offload with that checksum unfinished (docs/operations.md, "XDP on a
     * veth"), and the comparison must be on the same client. TSO goes with it (it needs checksum offload), so the
     * client segments in software: its CPU, not the router, may then limit TCP.
     */
    private static void switchClientChecksumOffloadOff(Host client) {
        KernelForwarding.run(client, "ethtool", "-K", client.interfaceName(), "tx", "off");
        String features = KernelForwarding.run(client, "ethtool", "-k", client.interfaceName()).stdout();
        List<String> shown = features.lines().filter(line -> line.startsWith("tx-checksumming:")
                || line.startsWith("tcp-segmentation-offload:") || line.startsWith("generic-segmentation-offload:")).toList();
        if (shown.stream().noneMatch(line -> line.strip().equals("tx-checksumming: off"))) {
            throw new IllegalStateException("tx checksum offload still on for " + client.interfaceName() + ":\n" + features);
        }
        System.out.println("iperf3 client " + client.name() + " (" + client.interfaceName() + "), every contestant: "
                + String.join(", ", shown.stream().map(String::strip).toList()));
    }

    private Measurement measureBaton(Contestant contestant, Lab lab, UdpSinks sinks, Path trafgenConfig, Path passProgram,
                                     int repetition) {
        RouterHost router = lab.router(0);
        KernelForwarding.steerReceive(router, ROUTER_CPU);
        try (NativeXdpOnVeth peers = contestant == Contestant.XDP ? NativeXdpOnVeth.attachToPeers(lab, router, passProgram) : null;
             BatonUnderTest baton = BatonUnderTest.start(lab, router, SERVICES, options.ring(), contestant, ROUTER_CPU)) {
            ThreadedNapi.OnRouter onRouter = contestant == Contestant.XDP ? ThreadedNapi.onRouter(router, ROUTER_CPU)
                    : ThreadedNapi.OnRouter.NONE;
            ThreadedNapi napi = onRouter.napi();
            String napiProblem = onRouter.problem();
            try {
                if (repetition == 1) {
                    System.out.println("Baton " + contestant.label + " (pid " + baton.pid() + ", all threads pinned to CPU " + ROUTER_CPU
                            + "; RPS to CPU " + ROUTER_CPU + " on " + router.clientInterface() + "; ctl status datapath: "
                            + baton.datapathStatus() + (peers == null ? "" : "; pass programs on " + peers.describe())
                            + (napi == null ? "" : "; threaded NAPI, before the load: " + napi.placement()) + "):");
                    System.out.println(baton.configuration().strip().indent(4));
                }
                try (ServerSideSteering serverSide = steerServerSide(lab, contestant == Contestant.XDP)) {
                    return measure(contestant, lab, sinks, trafgenConfig, repetition, baton, napi, napiProblem, serverSide);
                }
            } finally {
                if (napi != null) {
                    napi.close();
                }
            }
        } finally {
            KernelForwarding.steerReceive(router, -1);
        }
    }

    private Measurement measureKernel(Lab lab, UdpSinks sinks, Path trafgenConfig, int repetition) {
        ServerHost server = lab.server(0);
        try (KernelForwarding ignored = KernelForwarding.enable(lab.router(0), lab.upstream(), VIP, server.address(), ROUTER_CPU)) {
            if (repetition == 1) {
                System.out.println("Kernel forwarding: ip_forward=1, route " + VIP + "/32 via " + server.address()
                        + ", rps_cpus=" + KernelForwarding.rpsMask(ROUTER_CPU) + " on " + lab.router(0).clientInterface());
            }
            try (ServerSideSteering serverSide = steerServerSide(lab, false)) {
                return measure(Contestant.KERNEL, lab, sinks, trafgenConfig, repetition, null, null, "", serverSide);
            }
        }
    }

    /**
     * With {@code --server-side generator-cpu}: the lab's server side steered to the generator CPU, so that the router
     * CPU carries the router's work alone ({@link ServerSideSteering}); otherwise null, and it runs where the router's
     * transmit runs. {@code peerRunsXdp}: the xdp contestant's pass program is on the peer.
     */
    private ServerSideSteering steerServerSide(Lab lab, boolean peerRunsXdp) {
        return options.serverSideOnGeneratorCpu() ? ServerSideSteering.steer(lab, lab.router(0), GENERATOR_CPU, peerRunsXdp) : null;
    }

    /**
     * The UDP window, then the two TCP runs, on whatever forwards now; {@code baton} is null for the kernel, {@code napi}
     * null unless XDP runs with threaded NAPI ({@code napiProblem} says why not, when it should have).
     */
    private Measurement measure(Contestant contestant, Lab lab, UdpSinks sinks, Path trafgenConfig, int repetition,
                                BatonUnderTest baton, ThreadedNapi napi, String napiProblem, ServerSideSteering serverSide) {
        double[] background = background();
        UdpResult udp = measureUdpUntilTheGeneratorLasts(contestant, lab, sinks, trafgenConfig, baton, napi);
        String routerWork = napiProblem;
        boolean pinned = napiProblem.isEmpty();
        if (napi != null) {
            pinned = napi.onlyOn(ROUTER_CPU);
            routerWork = napi.placement() + (pinned ? "" : " - NOT only on CPU " + ROUTER_CPU);
        }
        if (serverSide != null) {
            boolean holds = serverSide.holds();
            pinned &= holds;
            routerWork = (routerWork.isEmpty() ? "" : routerWork + "; ") + serverSide.describe()
                    + (holds ? "" : " - NOT only on CPU " + GENERATOR_CPU);
        }
        TcpRun single = measureTcp(lab, 1, baton);
        TcpRun parallel = measureTcp(lab, options.tcpStreams(), baton);
        return new Measurement(repetition, contestant, udp, single, parallel, background[0], background[1], routerWork, pinned);
    }

    /**
     * Busy shares of the generator and router CPUs over one second with no load, repeated (bounded by
     * {@code --idle-wait-s}) until both are nearly idle ({@code --idle-busy-pct}): another process on them would be
     * measured as forwarding cost. The last sample is returned and printed with the measurement either way.
     */
    private double[] background() {
        return QuietMachine.awaitIdleCpus(GENERATOR_CPU, ROUTER_CPU, options.idleWait(), options.idleBusy(), ticksPerSecond);
    }

    /** Counters read at one instant (as nearly as a few short commands allow). */
    private record Snapshot(long nanoTime, long delivered, long entered, long entryDrops, ProcessTicks process, long napiTicks,
                            CpuTicks generatorCpu, CpuTicks routerCpu) {
    }

    private Snapshot snapshot(Lab lab, UdpSinks sinks, BatonUnderTest baton, ThreadedNapi napi) {
        long startNs = System.nanoTime();
        long delivered = sinks.total();
        BridgePortCounters entry = BridgePortCounters.read(lab, lab.router(0).interfaceOn(Segment.FRONT).orElseThrow().bridgePort());
        ProcessTicks process = baton == null ? null : ProcessTicks.read(baton.pid());
        long napiTicks = napi == null ? 0 : napi.ticks();
        CpuTicks generatorCpu = CpuTicks.read(GENERATOR_CPU);
        CpuTicks routerCpu = CpuTicks.read(ROUTER_CPU);
        long endNs = System.nanoTime();
        return new Snapshot(startNs + (endNs - startNs) / 2, delivered, entry.transmitted(), entry.dropped(), process, napiTicks, generatorCpu, routerCpu);
    }

    /** The generator died before the window's end (see {@link #measureUdpUntilTheGeneratorLasts}). */
    private static final class GeneratorStopped extends IllegalStateException {
        GeneratorStopped(String message) {
            super(message);
        }
    }

    /** Measurements of a window tried at most, when the generator dies inside it. */
    static final int GENERATOR_ATTEMPTS = 3;

    /**
     * {@link #measureUdp}, again (at most {@value #GENERATOR_ATTEMPTS} times, each time said) when trafgen dies before the
     * window ends: a window with a dead generator would measure a falling load. trafgen ends on a transmit ring flush
     * that fails with EAGAIN, its socket's send buffer full of frames still queued on the way ({@link
     * GeneratorSendBuffer}, which makes it rare).
     */
    private UdpResult measureUdpUntilTheGeneratorLasts(Contestant contestant, Lab lab, UdpSinks sinks, Path trafgenConfig,
                                                      BatonUnderTest baton, ThreadedNapi napi) {
        for (int attempt = 1; ; attempt++) {
            String why;
            try {
                UdpResult udp = measureUdp(contestant, lab, sinks, trafgenConfig, baton, napi);
                if (!udp.generatorExhausted() || attempt == GENERATOR_ATTEMPTS) {
                    return udp;
                }
                why = "trafgen stopped inside the window";
            } catch (GeneratorStopped e) {
                if (attempt == GENERATOR_ATTEMPTS) {
                    throw e;
                }
                why = e.getMessage().strip().replace("\n", " | ");
            }
            System.out.printf(Locale.ROOT, "NOTE: %s %s; measuring again (attempt %d of %d)%n", contestant.label, why, attempt + 1,
                    GENERATOR_ATTEMPTS);
        }
    }

    private UdpResult measureUdp(Contestant contestant, Lab lab, UdpSinks sinks, Path trafgenConfig, BatonUnderTest baton,
                                 ThreadedNapi napi) {
        Duration timeLimit = options.udpWarmup().plus(options.udpWindow()).plusSeconds(10);
        Path log = lab.workDirectory().resolve("trafgen-" + contestant.label + ".log");
        LabProcess generator;
        try (GeneratorSendBuffer ignored = GeneratorSendBuffer.raise()) {
            generator = UdpGenerator.start(lab.upstream(), lab.upstream().frontInterface(), trafgenConfig,
                    options.udpMaxPackets(), timeLimit, GENERATOR_CPU, log);
            // trafgen prints this once its socket and ring exist: the socket has taken its send buffer.
            generator.awaitOutput(UdpGenerator.RUNNING_LINE, COMMAND_TIMEOUT);
        }
        try {
            pause(options.udpWarmup());
            if (!generator.isAlive()) {
                throw new GeneratorStopped("trafgen stopped during the warm-up; its output:\n" + generator.output());
            }
            Map<String, Long> before = baton == null ? Map.of() : baton.counters();
            ForeignLoad foreign = ForeignLoad.begin();
            Snapshot start = snapshot(lab, sinks, baton, napi);
            pause(options.udpWindow());
            Snapshot end = snapshot(lab, sinks, baton, napi);
            ForeignLoad.Usage foreignLoad = foreign.since(ticksPerSecond, end.nanoTime - start.nanoTime);
            boolean exhausted = !generator.isAlive();
            Map<String, Long> counters = baton == null ? Map.of() : BatonCounters.delta(before, baton.counters());
            long entryDrops = end.entryDrops - start.entryDrops;
            UdpResult result = new UdpResult(contestant, end.nanoTime - start.nanoTime,
                    (end.entered - start.entered) + entryDrops, entryDrops, end.delivered - start.delivered,
                    baton == null ? null : end.process.minus(start.process),
                    end.generatorCpu.minus(start.generatorCpu), end.routerCpu.minus(start.routerCpu), ticksPerSecond,
                    counters, exhausted, foreignLoad, napi == null ? -1 : end.napiTicks - start.napiTicks);
            if (result.deliveredPackets() == 0) {
                throw new IllegalStateException(contestant.label + " delivered no packet to the sinks (offered "
                        + result.offeredPackets() + ")" + (baton == null ? "" : "; Baton's log:\n" + baton.log()));
            }
            return result;
        } finally {
            generator.stop();
        }
    }

    /**
     * One iperf3 run of {@code streams} streams, with the CPUs' busy shares, Baton's losses, the frames the router's veth
     * refused and the servers' checksum errors.
     */
    private TcpRun measureTcp(Lab lab, int streams, BatonUnderTest baton) {
        Map<String, Long> before = baton == null ? Map.of() : baton.counters();
        long checksumErrorsBefore = TcpChecksumErrors.read(lab.servers());
        String port = lab.router(0).interfaceOn(Segment.FRONT).orElseThrow().bridgePort();
        long entryDropsBefore = BridgePortCounters.read(lab, port).dropped();
        CpuTicks otherBefore = CpuTicks.read(GENERATOR_CPU);
        CpuTicks routerBefore = CpuTicks.read(ROUTER_CPU);
        long startNs = System.nanoTime();
        TcpResult tcp = runIperf(lab, streams);
        long elapsedNs = System.nanoTime() - startNs;
        double otherBusy = CpuTicks.read(GENERATOR_CPU).minus(otherBefore).busyFraction(elapsedNs, ticksPerSecond);
        double routerBusy = CpuTicks.read(ROUTER_CPU).minus(routerBefore).busyFraction(elapsedNs, ticksPerSecond);
        long checksumErrors = TcpChecksumErrors.read(lab.servers()) - checksumErrorsBefore;
        long entryDrops = BridgePortCounters.read(lab, port).dropped() - entryDropsBefore;
        Map<String, Long> losses = baton == null ? Map.of() : BatonCounters.losses(BatonCounters.delta(before, baton.counters()));
        return new TcpRun(tcp, otherBusy, routerBusy, losses, checksumErrors, entryDrops);
    }

    private TcpResult runIperf(Lab lab, int streams) {
        long seconds = options.tcpTime().toSeconds();
        List<String> command = new ArrayList<>(List.of("iperf3", "-c", VIP, "-p", Integer.toString(TCP_PORT), "-t", Long.toString(seconds),
                // Leave out the first second (slow start), and report in JSON.
                "-O", "1", "-J", "--connect-timeout", "5000"));
        if (streams > 1) {
            command.addAll(List.of("-P", Integer.toString(streams)));
        }
        ExecResult result = lab.client(0).exec(Duration.ofSeconds(seconds + 25), command);
        if (result.timedOut()) {
            throw new IllegalStateException("iperf3 -P " + streams + " timed out: " + result.stderr());
        }
        try {
            return TcpResult.parseIperfJson(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + " (iperf3 -P " + streams + ", exit status " + result.exitCode()
                    + ", stderr: " + result.stderr().strip() + ")", e);
        }
    }

    private static void startIperfServers(Lab lab) {
        for (ServerHost server : lab.servers()) {
            LabProcess iperf = server.spawn(List.of("iperf3", "-s", "-p", Integer.toString(TCP_PORT), "--forceflush"),
                    lab.workDirectory().resolve(server.name() + "-iperf3.log"));
            iperf.awaitOutput("Server listening", COMMAND_TIMEOUT);
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
        return text.strip().lines().findFirst().orElse("");
    }

    private static void pause(Duration duration) {
        QuietMachine.pause(duration);
    }
}
