package dev.baton.bench.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The benchmark's command line, validated in one place before anything starts. Every bound keeps a run
 * short on a shared 2-core machine: at most 9 repetitions, UDP windows of at most 20 s, TCP runs of at most
 * 30 s.
 *
 * @param repetitions    rounds; each measures every contestant once, in {@code contestants}' order
 * @param contestants    who forwards, in the order they run within a repetition
 * @param udpWarmup      load before each UDP window (JIT compilation, ARP, ring fill)
 * @param udpWindow      each UDP measurement window
 * @param udpMaxPackets  the generator's packet count limit per measurement
 * @param flows          distinct UDP source ports
 * @param tcpTime        each iperf3 run (after one omitted second of slow start)
 * @param tcpStreams     parallel streams of the second iperf3 run ({@code -P}); the first has one
 * @param maxLoad        the 1-minute load average to wait for before starting
 * @param loadWait       how long to wait for it at most
 * @param idleWait       before each measurement, how long to wait at most for both CPUs to be nearly idle
 * @param idleBusy       "nearly idle": at most this busy share (0..1) of each CPU over one second
 * @param ring           Baton's {@code router.ring}: "default", "lab" or a YAML flow mapping
 * @param serverSideOnGeneratorCpu the lab's server side (back bridge, servers, sinks) steered to the generator CPU,
 *                       so that the router CPU carries the router's work alone ({@link ServerSideSteering})
 */
public record LabBenchmarkOptions(int repetitions, List<Contestant> contestants, Duration udpWarmup, Duration udpWindow,
                                  long udpMaxPackets, int flows, Duration tcpTime, int tcpStreams, double maxLoad,
                                  Duration loadWait, Duration idleWait, double idleBusy, String ring,
                                  boolean serverSideOnGeneratorCpu) {

    public LabBenchmarkOptions {
        contestants = List.copyOf(contestants);
    }

    public static final String USAGE = """
            usage: bench/lab.sh [options]
              --repetitions N      rounds, each measuring every contestant once (default 3, 1..9)
              --contestants LIST   who forwards, in the order they run in each round: kernel (Linux IP
                                   forwarding), af-packet (Baton, router.datapath: af-packet), xdp (Baton,
                                   router.datapath: xdp, router.xdp-mode: native), xdp-generic (the same,
                                   xdp-mode: generic) (default kernel,af-packet,xdp)
              --udp-warmup-s S     load before each UDP window (default 3, 1..10)
              --udp-seconds S      UDP measurement window (default 10, 1..20)
              --udp-max-packets N  generator packet limit per measurement (default 100000000)
              --flows N            UDP flows (source ports) (default 256, 1..4096)
              --tcp-seconds S      length of each iperf3 run (default 5, 1..30)
              --tcp-streams N      parallel streams of the second iperf3 run, -P N (default 8, 2..32)
              --max-load L         wait until the 1-minute load average is below L (default 0.5)
              --load-wait-s S      ... for at most S seconds, then note the load and go on (default 180, 0..900)
              --idle-wait-s S      before each measurement, wait up to S seconds for both CPUs to be nearly
                                   idle, then note it and go on (default 120, 0..600)
              --idle-busy-pct P    "nearly idle": each CPU at most P % busy over one second (default 25, 1..100)
              --ring R             Baton's router.ring: default (Baton's defaults), lab (the lab's small
                                   rings) or a YAML flow mapping, e.g. "{ block-count: 32 }" (default: default)
              --server-side WHERE  where the lab's server side (back bridge, servers, sinks) runs: router-cpu
                                   (where the router's transmit runs it, default) or generator-cpu (steered
                                   there, so the router CPU carries the router's work alone; the generator
                                   then offers less)
            """;

    public static LabBenchmarkOptions defaults() {
        return new LabBenchmarkOptions(3, List.of(Contestant.KERNEL, Contestant.AF_PACKET, Contestant.XDP),
                Duration.ofSeconds(3), Duration.ofSeconds(10), 100_000_000L, 256, Duration.ofSeconds(5), 8, 0.5,
                Duration.ofSeconds(180), Duration.ofSeconds(120), 0.25, BatonUnderTest.RING_DEFAULT, false);
    }

    /**
     * Parses {@code --name value} or {@code --name=value} arguments over {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static LabBenchmarkOptions parse(String... args) {
        LabBenchmarkOptions d = defaults();
        int repetitions = d.repetitions;
        List<Contestant> contestants = d.contestants;
        Duration udpWarmup = d.udpWarmup;
        Duration udpWindow = d.udpWindow;
        long udpMaxPackets = d.udpMaxPackets;
        int flows = d.flows;
        Duration tcpTime = d.tcpTime;
        int tcpStreams = d.tcpStreams;
        double maxLoad = d.maxLoad;
        Duration loadWait = d.loadWait;
        Duration idleWait = d.idleWait;
        double idleBusy = d.idleBusy;
        String ring = d.ring;
        boolean serverSideOnGeneratorCpu = d.serverSideOnGeneratorCpu;
        for (BenchArguments.Option option : BenchArguments.options(args)) {
            String name = option.name();
            String value = option.value();
            switch (name) {
                case "repetitions" -> repetitions = integer(name, value, 1, 9);
                case "contestants" -> contestants = Contestant.parseList(value);
                case "udp-warmup-s" -> udpWarmup = seconds(name, value, 1, 10);
                case "udp-seconds" -> udpWindow = seconds(name, value, 1, 20);
                case "udp-max-packets" -> udpMaxPackets = BenchArguments.whole(name, value, 1, 1_000_000_000L);
                case "flows" -> flows = integer(name, value, 1, 4096);
                case "tcp-seconds" -> tcpTime = seconds(name, value, 1, 30);
                case "tcp-streams" -> tcpStreams = integer(name, value, 2, 32);
                case "max-load" -> maxLoad = BenchArguments.decimal(name, value, 0.01, 64);
                case "load-wait-s" -> loadWait = seconds(name, value, 0, 900);
                case "idle-wait-s" -> idleWait = seconds(name, value, 0, 600);
                case "idle-busy-pct" -> idleBusy = integer(name, value, 1, 100) / 100.0;
                case "ring" -> ring = ring(value);
                case "server-side" -> serverSideOnGeneratorCpu = switch (value) {
                    case "router-cpu" -> false;
                    case "generator-cpu" -> true;
                    default -> throw new IllegalArgumentException("--server-side: router-cpu or generator-cpu, not '" + value + "'");
                };
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return new LabBenchmarkOptions(repetitions, contestants, udpWarmup, udpWindow, udpMaxPackets, flows, tcpTime, tcpStreams,
                maxLoad, loadWait, idleWait, idleBusy, ring, serverSideOnGeneratorCpu);
    }

    /** The contestants as written on the command line, e.g. "kernel,af-packet,xdp". */
    public String contestantList() {
        return contestants.stream().map(c -> c.label).collect(Collectors.joining(","));
    }

    private static int integer(String name, String value, int min, int max) {
        return (int) BenchArguments.whole(name, value, min, max);
    }

    private static Duration seconds(String name, String value, int min, int max) {
        return Duration.ofSeconds(integer(name, value, min, max));
    }

    private static String ring(String value) {
        String ring = value.strip();
        String lower = ring.toLowerCase(Locale.ROOT);
        if (lower.equals(BatonUnderTest.RING_DEFAULT) || lower.equals(BatonUnderTest.RING_LAB)) {
            return lower;
        }
        if (!ring.startsWith("{") || !ring.endsWith("}") || ring.contains("\n")) {
            throw new IllegalArgumentException("--ring: 'default', 'lab' or a one-line YAML flow mapping such as "
                    + "\"{ block-count: 32 }\", not '" + value + "'");
        }
        return ring;
    }
}
