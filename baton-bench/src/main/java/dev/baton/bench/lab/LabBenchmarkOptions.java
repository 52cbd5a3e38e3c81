package dev.baton.bench.lab;

import java.time.Duration;
import java.util.Locale;

/**
 * The benchmark's command line, validated in one place before anything starts. Every bound keeps a run
 * short on a shared 2-core machine: at most 9 repetitions, UDP windows of at most 20 s, TCP runs of at most
 * 30 s.
 *
 * @param repetitions    Baton/kernel pairs, alternating (Baton first)
 * @param udpWarmup      load before each UDP window (JIT compilation, ARP, ring fill)
 * @param udpWindow      each UDP measurement window
 * @param udpMaxPackets  the generator's packet count limit per measurement
 * @param flows          distinct UDP source ports
 * @param tcpTime        each iperf3 run (after one omitted second of slow start)
 * @param maxLoad        the 1-minute load average to wait for before starting
 * @param loadWait       how long to wait for it at most
 * @param ring           Baton's {@code router.ring}: "default", "lab" or a YAML flow mapping
 * @param batonRps       also steer the router interface's receive work to the router CPU (RPS) while Baton runs, as
 *                       for the kernel; off by default, so the kernel's receive half (the copy into Baton's ring)
 *                       runs on the generator's CPU
 */
public record LabBenchmarkOptions(int repetitions, Duration udpWarmup, Duration udpWindow, long udpMaxPackets, int flows,
                                  Duration tcpTime, double maxLoad, Duration loadWait, String ring, boolean batonRps) {

    public static final String USAGE = """
            usage: bench/lab.sh [options]
              --repetitions N      Baton/kernel pairs, alternating (default 3, 1..9)
              --udp-warmup-s S     load before each UDP window (default 3, 1..10)
              --udp-seconds S      UDP measurement window (default 10, 1..20)
              --udp-max-packets N  generator packet limit per measurement (default 100000000)
              --flows N            UDP flows (source ports) (default 256, 1..4096)
              --tcp-seconds S      iperf3 run length (default 5, 1..30)
              --max-load L         wait until the 1-minute load average is below L (default 0.5)
              --load-wait-s S      ... for at most S seconds, then note the load and go on (default 180, 0..900)
              --ring R             Baton's router.ring: default (Baton's defaults), lab (the lab's small
                                   rings) or a YAML flow mapping, e.g. "{ block-count: 32 }" (default: default)
              --baton-rps B        true: RPS to the router CPU for Baton too, so all its receive work is on
                                   that CPU (default false: only the kernel case uses RPS)
            """;

    public static LabBenchmarkOptions defaults() {
        return new LabBenchmarkOptions(3, Duration.ofSeconds(3), Duration.ofSeconds(10), 100_000_000L, 256,
                Duration.ofSeconds(5), 0.5, Duration.ofSeconds(180), BatonUnderTest.RING_DEFAULT, false);
    }

    /**
     * Parses {@code --name value} or {@code --name=value} arguments over {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static LabBenchmarkOptions parse(String... args) {
        LabBenchmarkOptions d = defaults();
        int repetitions = d.repetitions;
        Duration udpWarmup = d.udpWarmup;
        Duration udpWindow = d.udpWindow;
        long udpMaxPackets = d.udpMaxPackets;
        int flows = d.flows;
        Duration tcpTime = d.tcpTime;
        double maxLoad = d.maxLoad;
        Duration loadWait = d.loadWait;
        String ring = d.ring;
        boolean batonRps = d.batonRps;
        for (BenchArguments.Option option : BenchArguments.options(args)) {
            String name = option.name();
            String value = option.value();
            switch (name) {
                case "repetitions" -> repetitions = integer(name, value, 1, 9);
                case "udp-warmup-s" -> udpWarmup = seconds(name, value, 1, 10);
                case "udp-seconds" -> udpWindow = seconds(name, value, 1, 20);
                case "udp-max-packets" -> udpMaxPackets = BenchArguments.whole(name, value, 1, 1_000_000_000L);
                case "flows" -> flows = integer(name, value, 1, 4096);
                case "tcp-seconds" -> tcpTime = seconds(name, value, 1, 30);
                case "max-load" -> maxLoad = BenchArguments.decimal(name, value, 0.01, 64);
                case "load-wait-s" -> loadWait = seconds(name, value, 0, 900);
                case "ring" -> ring = ring(value);
                case "baton-rps" -> batonRps = bool(name, value);
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return new LabBenchmarkOptions(repetitions, udpWarmup, udpWindow, udpMaxPackets, flows, tcpTime, maxLoad, loadWait, ring,
                batonRps);
    }

    private static int integer(String name, String value, int min, int max) {
        return (int) BenchArguments.whole(name, value, min, max);
    }

    private static Duration seconds(String name, String value, int min, int max) {
        return Duration.ofSeconds(integer(name, value, min, max));
    }

    private static boolean bool(String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + ": 'true' or 'false', not '" + value + "'");
        };
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
