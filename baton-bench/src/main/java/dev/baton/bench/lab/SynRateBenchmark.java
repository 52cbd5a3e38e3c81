package dev.baton.bench.lab;

import dev.baton.codec.Ipv4;
import dev.baton.codec.MacAddress;
import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Segment;
import dev.baton.lab.UpstreamHost;
import dev.baton.nativeio.PacketSocket;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * New connections per second through Baton's slow path ({@code bench/syn-rate.sh}; method in docs/benchmarks.md, "New
 * connections per second through the slow path"): for each connection a SYN (Baton schedules it and inserts an
 * embryonic entry), the handshake ACK (UNCONFIRMED) and, 1.1 s later, a confirming segment (ESTABLISHED, and on the XDP
 * path the flow enters the program's map), from 235 client addresses times 64,512 ports.
 *
 * <pre>
 *   SynGenerator (JVM, upstream ns, CPU 0) --front bridge--> router ns (Baton, CPU 1) --back bridge--> s0, s1
 *                                                                          (nftables ingress: counted per kind, dropped)
 * </pre>
 *
 * Each repetition measures every contestant in turn on the lab of the lab benchmark ({@link LabForwardingBenchmark}):
 * Baton on AF_PACKET rings, and Baton with its XDP program in the veth's driver path, its NAPI poll in a thread pinned
 * to the router CPU ({@link ThreadedNapi}). Baton is started fresh for each, with a table holding every connection of
 * the run ({@code table.capacity} = {@code --max-connections}) and no per-source quota, so nothing is refused or
 * evicted. Over a window after the warm-up: the generator's counters, the servers' counters, Baton's ({@code ctl stats}
 * and {@code ctl counters}), and the CPUs' and Baton's CPU time. Medians and every repetition are printed.
 */
public final class SynRateBenchmark {

    static final String VIP = LabForwardingBenchmark.VIP;
    /** The service's port, served by both servers. */
    static final int TCP_PORT = 8080;
    /** The first client address: TEST-NET-3 past the lab's own hosts (the upstream .1, the client .10). */
    static final int FIRST_CLIENT = Ipv4.parse("203.0.113.16");
    private static final int GENERATOR_CPU = LabForwardingBenchmark.GENERATOR_CPU;
    private static final int ROUTER_CPU = LabForwardingBenchmark.ROUTER_CPU;
    private static final Duration GENERATOR_START_TIMEOUT = Duration.ofSeconds(20);
    private static final List<String> TOOLS = List.of("nft", "taskset", "timeout", "getconf", "ps");
    private static final List<LabRouter.Service> SERVICES = List.of(
            new LabRouter.Service("syn-rate", "tcp", List.of(TCP_PORT), "wrr", "0s", List.of()));

    private final SynRateOptions options;
    private final long ticksPerSecond;

    SynRateBenchmark(SynRateOptions options, long ticksPerSecond) {
        this.options = options;
        this.ticksPerSecond = ticksPerSecond;
    }

    public static void main(String[] args) {
        BenchArguments.main("syn-rate benchmark", SynRateOptions.USAGE, args, SynRateOptions::parse, SynRateBenchmark::missingPrerequisite,
                options -> new SynRateBenchmark(options, LabForwardingBenchmark.clockTicksPerSecond()).run());
    }

    /** Why the benchmark cannot run here, or null. */
    static String missingPrerequisite() {
        if (!Lab.isSupported()) {
            return Lab.unsupportedReason();
        }
        if (!PacketSocket.isAvailable()) {
            return "the generator needs a packet socket: " + PacketSocket.unavailabilityCause();
        }
        String tool = LabPrerequisites.missingTool(TOOLS, "bench/syn-rate.sh installs the lab's Debian packages");
        return tool != null ? tool : LabPrerequisites.missingRouterCpu();
    }

    void run() {
        System.out.println("# New connections per second through Baton's slow path (SYN -> ESTABLISHED -> map), lab benchmark");
        System.out.println("started " + Instant.now() + " on " + firstLine(LocalCommand.run(Duration.ofSeconds(10), List.of("uname", "-srm")).stdout())
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version());
        System.out.println("options: " + options);
        QuietMachine.awaitLowLoad(options.maxLoad(), options.loadWait());
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            System.out.println(lab.describe());
            TcpSinks sinks = TcpSinks.install(lab.servers(), VIP, TCP_PORT, lab.workDirectory());
            SynGenerator sample = generator(lab, lab.workDirectory().resolve("syn-generator.counters"), options.rates().getFirst());
            System.out.println("generator (its own JVM in " + lab.upstream().namespace() + ", every thread on CPU " + GENERATOR_CPU + "): "
                    + String.join(" ", sample.arguments()));
            List<SynRateResult> results = new ArrayList<>();
            for (int repetition = 1; repetition <= options.repetitions(); repetition++) {
                for (Contestant contestant : options.contestants()) {
                    SynRateResult flood = null;
                    for (SynRateOptions.Load load : options.loads()) {
                        List<Long> rates = load == SynRateOptions.Load.FLOOD ? List.of(0L)
                                : options.pacedRateFromFlood() ? List.of(flood.pacedRate()) : options.rates();
                        for (long rate : rates) {
                            SynRateResult result = measure(contestant, load, rate, !options.pacedRateFromFlood(), lab, sinks,
                                    repetition);
                            if (load == SynRateOptions.Load.FLOOD) {
                                flood = result;
                            }
                            results.add(result);
                            System.out.print(SynRateReport.measurement(result));
                            System.out.flush();
                        }
                    }
                }
            }
            System.out.println();
            System.out.println(SynRateReport.summary(results, options.confirmAfterMs()));
            System.out.println("finished " + Instant.now() + "; 1-minute load average " + LabForwardingBenchmark.loadAverage());
        }
    }

    private SynGenerator generator(Lab lab, Path counters, long ratePerSecond) {
        UpstreamHost upstream = lab.upstream();
        return new SynGenerator(upstream.frontInterface(), MacAddress.parse(upstream.interfaceOn(Segment.FRONT).orElseThrow().mac()),
                MacAddress.parse(lab.router(0).clientMac()), FIRST_CLIENT, options.clients(), SynGenerator.FIRST_PORT,
                Ipv4.parse(VIP), TCP_PORT, options.maxConnections(), ratePerSecond, options.confirmAfterMs(),
                options.generatorSeconds(), counters);
    }

    /** One contestant under one load in one repetition: a fresh Baton (an empty table), the generator, the window. */
    private SynRateResult measure(Contestant contestant, SynRateOptions.Load load, long rate, boolean rateGiven, Lab lab, TcpSinks sinks,
                                  int repetition) {
        double[] background = QuietMachine.awaitIdleCpus(GENERATOR_CPU, ROUTER_CPU, options.idleWait(), options.idleBusy(), ticksPerSecond);
        RouterHost router = lab.router(0);
        KernelForwarding.steerReceive(router, ROUTER_CPU);
        try (BatonUnderTest baton = BatonUnderTest.start(lab, router, SERVICES, options.ring(), contestant, ROUTER_CPU,
                yaml -> BatonUnderTest.withTable(yaml, options.maxConnections(), 0))) {
            ThreadedNapi.OnRouter onRouter = contestant == Contestant.XDP ? ThreadedNapi.onRouter(router, ROUTER_CPU)
                    : ThreadedNapi.OnRouter.NONE;
            ThreadedNapi napi = onRouter.napi();
            String napiProblem = onRouter.problem();
            try {
                if (repetition == 1 && load == options.loads().getFirst()) {
                    System.out.println("Baton " + contestant.label + " (pid " + baton.pid() + ", all threads pinned to CPU " + ROUTER_CPU
                            + "; RPS to CPU " + ROUTER_CPU + " on " + router.clientInterface() + "; ctl status datapath: "
                            + baton.datapathStatus() + (napi == null ? "" : "; threaded NAPI, before the load: " + napi.placement()) + "):");
                    System.out.println(baton.configuration().strip().indent(4));
                }
                // peerRunsXdp false: this benchmark gives the bridge-side peers no pass program (docs/benchmarks.md).
                try (ServerSideSteering serverSide = options.serverSideOnGeneratorCpu()
                        ? ServerSideSteering.steer(lab, router, GENERATOR_CPU, false) : null) {
                    return window(contestant, load, rate, rateGiven, lab, sinks, repetition, baton, napi, napiProblem, serverSide,
                            background);
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

    /** Counters read at one instant (as nearly as a few short commands allow; both ends read them in the same order). */
    private record Snapshot(long nanoTime, SynGeneratorCounters.Snapshot generator, long[] sinks, BridgePortCounters entry,
                            Map<String, Long> baton, long flowsInMap, ProcessTicks process, long napiTicks, CpuTicks generatorCpu,
                            CpuTicks routerCpu) {
    }

    private Snapshot snapshot(Lab lab, SynGeneratorCounters generator, TcpSinks sinks, BatonUnderTest baton, ThreadedNapi napi) {
        long startNs = System.nanoTime();
        SynGeneratorCounters.Snapshot sent = generator.snapshot();
        long[] delivered = sinks.total();
        BridgePortCounters entry = BridgePortCounters.read(lab, lab.router(0).interfaceOn(Segment.FRONT).orElseThrow().bridgePort());
        Map<String, Long> counters = BatonCounters.flatten(baton.stats());
        List<?> rows = baton.ctlCounters();
        counters.putAll(BatonCounters.xdp(rows));
        Map<String, Long> fastPath = BatonCounters.fastPath(rows);
        counters.putAll(fastPath);
        ProcessTicks process = ProcessTicks.read(baton.pid());
        long napiTicks = napi == null ? 0 : napi.ticks();
        CpuTicks generatorCpu = CpuTicks.read(GENERATOR_CPU);
        CpuTicks routerCpu = CpuTicks.read(ROUTER_CPU);
        long endNs = System.nanoTime();
        return new Snapshot(startNs + (endNs - startNs) / 2, sent, delivered, entry, counters,
                fastPath.getOrDefault("xdp_flows_in_map", -1L), process, napiTicks, generatorCpu, routerCpu);
    }

    private SynRateResult window(Contestant contestant, SynRateOptions.Load load, long rate, boolean rateGiven, Lab lab, TcpSinks sinks,
                                 int repetition,
                                 BatonUnderTest baton, ThreadedNapi napi, String napiProblem, ServerSideSteering serverSide,
                                 double[] background) {
        String name = "syn-generator-" + contestant.label + "-" + load.label + (rate == 0 ? "" : "-" + rate) + "-" + repetition;
        Path countersFile = lab.workDirectory().resolve(name + ".counters");
        SynGenerator generator = generator(lab, countersFile, rate);
        Path log = lab.workDirectory().resolve(name + ".log");
        LabProcess process = generator.start(lab.upstream(), GENERATOR_CPU, log);
        try (SynGeneratorCounters counters = awaitRunning(countersFile, process)) {
            QuietMachine.pause(options.warmup());
            if (!process.isAlive()) {
                throw new IllegalStateException("the generator stopped during the warm-up; its output:\n" + process.output());
            }
            ForeignLoad foreign = ForeignLoad.begin();
            Snapshot start = snapshot(lab, counters, sinks, baton, napi);
            QuietMachine.pause(options.window());
            Snapshot end = snapshot(lab, counters, sinks, baton, napi);
            long windowNs = end.nanoTime - start.nanoTime;
            ForeignLoad.Usage foreignLoad = foreign.since(ticksPerSecond, windowNs);
            long[] delivered = new long[end.sinks.length];
            for (int i = 0; i < delivered.length; i++) {
                delivered[i] = end.sinks[i] - start.sinks[i];
            }
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
            SynRateResult result = new SynRateResult(repetition, contestant, load, rate, rateGiven, windowNs, end.generator.minus(start.generator),
                    end.entry.minus(start.entry), delivered, BatonCounters.delta(start.baton, end.baton),
                    start.baton.getOrDefault("connections", 0L), end.baton.getOrDefault("connections", 0L), start.flowsInMap,
                    end.flowsInMap, end.process.minus(start.process), end.generatorCpu.minus(start.generatorCpu),
                    end.routerCpu.minus(start.routerCpu), ticksPerSecond, foreignLoad,
                    napi == null ? -1 : end.napiTicks - start.napiTicks, background[0], background[1], routerWork, pinned);
            if (result.establishedPerSecond() == 0) {
                throw new IllegalStateException(result.label() + ": no connection reached ESTABLISHED in the window (generator: "
                        + result.generator() + ", servers: " + java.util.Arrays.toString(delivered) + ")\ngenerator's output:\n"
                        + process.output() + "\nBaton's log:\n" + baton.log());
            }
            return result;
        } finally {
            process.stop();
        }
    }

    /** Waits until the generator has mapped its counters and opened its socket; its output if it died first. */
    private static SynGeneratorCounters awaitRunning(Path countersFile, LabProcess process) {
        long deadlineNs = System.nanoTime() + GENERATOR_START_TIMEOUT.toNanos();
        SynGeneratorCounters counters = null;
        try {
            while (System.nanoTime() - deadlineNs < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the generator exited (status " + process.waitFor(Duration.ZERO).orElse(-1) + ") before it ran;"
                            + " its output:\n" + process.output());
                }
                if (counters == null) {
                    try {
                        counters = SynGeneratorCounters.open(countersFile);
                    } catch (IllegalStateException notYet) {
                        // not created, or its magic not written yet
                    }
                }
                if (counters != null) {
                    long state = counters.get(SynGeneratorCounters.Field.STATE);
                    if (state == SynGeneratorCounters.RUNNING) {
                        return counters;
                    }
                    if (state != SynGeneratorCounters.STARTING) {
                        throw new IllegalStateException("the generator is " + SynGeneratorCounters.stateName(state)
                                + " before the warm-up; its output:\n" + process.output());
                    }
                }
                QuietMachine.pause(Duration.ofMillis(20));
            }
            throw new IllegalStateException("the generator did not start within " + GENERATOR_START_TIMEOUT + "; its output:\n"
                    + process.output());
        } catch (RuntimeException e) {
            if (counters != null) {
                counters.close();
            }
            throw e;
        }
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("");
    }
}
