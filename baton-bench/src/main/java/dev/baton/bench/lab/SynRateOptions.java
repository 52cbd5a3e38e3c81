package dev.baton.bench.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The SYN-rate benchmark's command line ({@code bench/syn-rate.sh}), validated in one place before anything starts.
 * Every bound keeps a run short on a shared 2-core machine: at most 9 repetitions, windows of at most 20 s.
 *
 * @param repetitions     rounds; each measures every contestant once, in {@code contestants}' order
 * @param contestants     Baton's data paths, in the order they run within a repetition (af-packet, xdp)
 * @param warmup          load before each window: at least the confirmation delay and a second, so that connections
 *                        reach ESTABLISHED at the rate they are opened when the window starts
 * @param window          each measurement window
 * @param maxConnections  the generator's connection count per measurement, and Baton's {@code table.capacity}, so
 *                        that no connection of a run is refused or evicted
 * @param loads           the loads each contestant is measured under, in this order ({@link Load})
 * @param rates           the paced load's new connections a second, one measurement each; {@code [0]} to derive the
 *                        rate from the same repetition's flood
 * @param clients         client addresses, from 203.0.113.16
 * @param confirmAfterMs  from a connection's handshake ACK to its confirming segment
 * @param maxLoad         the 1-minute load average to wait for before starting
 * @param loadWait        how long to wait for it at most
 * @param idleWait        before each measurement, how long to wait at most for both CPUs to be nearly idle
 * @param idleBusy        "nearly idle": at most this busy share (0..1) of each CPU over one second
 * @param ring            Baton's {@code router.ring}: "default", "lab" or a YAML flow mapping
 * @param serverSideOnGeneratorCpu the lab's server side (back bridge, servers, sinks) steered to the generator CPU, so
 *                        that the router CPU carries the router's work alone ({@link ServerSideSteering})
 */
public record SynRateOptions(int repetitions, List<Contestant> contestants, List<Load> loads, Duration warmup, Duration window,
                             long maxConnections, List<Long> rates, int clients, long confirmAfterMs, double maxLoad,
                             Duration loadWait, Duration idleWait, double idleBusy, String ring, boolean serverSideOnGeneratorCpu) {

    /**
     * The most connections a run may ask for. Baton's table and its persistence table take 24 bytes a slot each, off
     * heap, and the lab's router JVM (-Xmx256m) allows as much direct memory as heap: 3,000,000 entries are 4 Mi slots,
     * 192 MiB together. The XDP flow map is sized the same (docs/benchmarks.md).
     */
    static final long MAX_CONNECTIONS = 3_000_000;
    /** Client addresses 203.0.113.16 .. 203.0.113.250: TEST-NET-3 past the lab's own hosts. */
    static final int MAX_CLIENTS = 235;

    /**
     * How the generator opens connections. A flood shows what Baton carries when offered more than it can take, its
     * receive ring overflowing: each connection whose ACK or confirmation is lost there wastes the work done on its SYN,
     * so the CPU per connection includes that waste. A paced load below that shows the cost of a connection without loss.
     */
    public enum Load {
        /** As fast as the generator goes (one CPU's worth). */
        FLOOD("flood"),
        /**
         * At {@code --rate}, or at {@link #PACED_SHARE_OF_FLOOD} of the connections a second Baton read in the same
         * repetition's flood (its {@code rx_frames} over three frames a connection), which it can carry without loss.
         */
        PACED("paced");

        public final String label;

        Load(String label) {
            this.label = label;
        }
    }

    /**
     * The paced load's share of what Baton read in the flood. A flood's batches are fuller, so a frame costs less there
     * than at a lower rate, where Baton wakes for fewer frames at a time: in trials (2026-12-07) af-packet paced at 70 %
     * was 68 % busy without loss in one run and 93 % busy, its receive ring overflowing, in the next; 60 % leaves room
     * for that and for the machine's noise.
     */
    static final double PACED_SHARE_OF_FLOOD = 0.6;

    public SynRateOptions {
        contestants = List.copyOf(contestants);
        loads = List.copyOf(loads);
        rates = List.copyOf(rates);
    }

    /** Whether the paced load takes its rate from the flood ({@code --rate 0}, the default). */
    boolean pacedRateFromFlood() {
        return rates.equals(List.of(0L));
    }

    public static final String USAGE = """
            usage: bench/syn-rate.sh [options]
              --repetitions N       rounds, each measuring every contestant once (default 3, 1..9)
              --contestants LIST    Baton's data paths, in the order they run in each round: af-packet
                                    (router.datapath: af-packet), xdp (router.datapath: xdp, router.xdp-mode:
                                    native), xdp-generic (xdp-mode: generic) (default af-packet,xdp)
              --warmup-s S          load before each window, at least --confirm-after-ms and a second
                                    (default 3, 3..10)
              --window-s S          measurement window (default 10, 1..20)
              --max-connections N   generator connections per measurement, also Baton's table.capacity
                                    (default 3000000, 10000..3000000)
              --loads LIST          loads per contestant, in this order: flood (as fast as the generator
                                    goes), paced (at --rate) (default flood,paced)
              --rate N[,N...]       the paced load's new connections a second, one measurement per rate
                                    (e.g. 20000,30000,40000: the highest without loss is the capacity);
                                    0 = 60 % of the connections a second Baton read in the same
                                    repetition's flood (default 0, 1..10000000 each)
              --clients N           client addresses from 203.0.113.16 (default 235, 1..235)
              --confirm-after-ms MS from a connection's ACK to its confirming segment (default 1100, 1001..5000)
              --max-load L          wait until the 1-minute load average is below L (default 0.5)
              --load-wait-s S       ... for at most S seconds, then note the load and go on (default 180, 0..900)
              --idle-wait-s S       before each measurement, wait up to S seconds for both CPUs to be nearly
                                    idle, then note it and go on (default 120, 0..600)
              --idle-busy-pct P     "nearly idle": each CPU at most P % busy over one second (default 25, 1..100)
              --ring R              Baton's router.ring: default (Baton's defaults), lab (the lab's small
                                    rings) or a YAML flow mapping, e.g. "{ block-count: 32 }" (default: default)
              --server-side WHERE   where the lab's server side (back bridge, servers, sinks) runs: router-cpu
                                    (where the router's transmit runs it, default) or generator-cpu (steered
                                    there, so the router CPU carries the router's work alone; the generator
                                    then offers less)
            """;

    public static SynRateOptions defaults() {
        return new SynRateOptions(3, List.of(Contestant.AF_PACKET, Contestant.XDP), List.of(Load.FLOOD, Load.PACED),
                Duration.ofSeconds(3), Duration.ofSeconds(10),
                MAX_CONNECTIONS, List.of(0L), MAX_CLIENTS, 1_100, 0.5, Duration.ofSeconds(180), Duration.ofSeconds(120), 0.25,
                BatonUnderTest.RING_DEFAULT, false);
    }

    /**
     * Parses {@code --name value} or {@code --name=value} arguments over {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static SynRateOptions parse(String... args) {
        SynRateOptions d = defaults();
        int repetitions = d.repetitions;
        List<Contestant> contestants = d.contestants;
        List<Load> loads = d.loads;
        Duration warmup = d.warmup;
        Duration window = d.window;
        long maxConnections = d.maxConnections;
        List<Long> rates = d.rates;
        int clients = d.clients;
        long confirmAfterMs = d.confirmAfterMs;
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
                case "contestants" -> contestants = contestants(value);
                case "loads" -> loads = loads(value);
                case "warmup-s" -> warmup = Duration.ofSeconds(integer(name, value, 3, 10));
                case "window-s" -> window = Duration.ofSeconds(integer(name, value, 1, 20));
                case "max-connections" -> maxConnections = BenchArguments.whole(name, value, 10_000, MAX_CONNECTIONS);
                case "rate" -> rates = rates(value);
                case "clients" -> clients = integer(name, value, 1, MAX_CLIENTS);
                case "confirm-after-ms" -> confirmAfterMs = BenchArguments.whole(name, value, SynGenerator.MIN_CONFIRM_AFTER_MS,
                        SynGenerator.MAX_CONFIRM_AFTER_MS);
                case "max-load" -> maxLoad = BenchArguments.decimal(name, value, 0.01, 64);
                case "load-wait-s" -> loadWait = Duration.ofSeconds(integer(name, value, 0, 900));
                case "idle-wait-s" -> idleWait = Duration.ofSeconds(integer(name, value, 0, 600));
                case "idle-busy-pct" -> idleBusy = integer(name, value, 1, 100) / 100.0;
                case "ring" -> ring = LabBenchmarkOptions.parse("--ring", value).ring();
                case "server-side" -> serverSideOnGeneratorCpu = LabBenchmarkOptions.parse("--server-side", value).serverSideOnGeneratorCpu();
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        if (warmup.toMillis() < confirmAfterMs + 1_000) {
            throw new IllegalArgumentException("--warmup-s " + warmup.toSeconds() + " is shorter than --confirm-after-ms "
                    + confirmAfterMs + " and a second: the window would start before connections reach ESTABLISHED at the"
                    + " rate they are opened (e.g. --warmup-s " + ((confirmAfterMs + 1_000 + 999) / 1_000) + ")");
        }
        boolean floodFirst = loads.contains(Load.FLOOD) && loads.indexOf(Load.FLOOD) < loads.indexOf(Load.PACED);
        if (loads.contains(Load.PACED) && rates.equals(List.of(0L)) && !floodFirst) {
            throw new IllegalArgumentException("--loads: paced without --rate takes its rate from the flood before it"
                    + " (e.g. --loads flood,paced, or --loads paced --rate 40000)");
        }
        return new SynRateOptions(repetitions, contestants, loads, warmup, window, maxConnections, rates, clients, confirmAfterMs,
                maxLoad, loadWait, idleWait, idleBusy, ring, serverSideOnGeneratorCpu);
    }

    /** How long the generator opens connections: through the warm-up and the window, and two seconds more. */
    int generatorSeconds() {
        return (int) (warmup.toSeconds() + window.toSeconds() + 2);
    }

    /** The contestants as written on the command line, e.g. "af-packet,xdp". */
    public String contestantList() {
        return contestants.stream().map(c -> c.label).collect(Collectors.joining(","));
    }

    /** The loads as written on the command line, e.g. "flood,paced". */
    public String loadList() {
        return loads.stream().map(l -> l.label).collect(Collectors.joining(","));
    }

    /** "0", or a comma-separated list of rates, each 1..10,000,000 and named once. */
    static List<Long> rates(String value) {
        if (value.strip().equals("0")) {
            return List.of(0L);
        }
        List<Long> rates = new java.util.ArrayList<>();
        for (String part : value.split(",", -1)) {
            long rate = BenchArguments.whole("rate", part, 1, 10_000_000);
            if (rates.contains(rate)) {
                throw new IllegalArgumentException("--rate: " + rate + " is named twice in '" + value + "'");
            }
            rates.add(rate);
        }
        return List.copyOf(rates);
    }

    /** A comma-separated list of loads, each once. */
    static List<Load> loads(String value) {
        List<Load> loads = new java.util.ArrayList<>();
        for (String part : value.split(",", -1)) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            Load load = null;
            for (Load l : Load.values()) {
                if (l.label.equals(name)) {
                    load = l;
                }
            }
            if (load == null) {
                throw new IllegalArgumentException("--loads: '" + part.strip() + "' is not one of flood, paced (e.g. --loads flood,paced)");
            }
            if (loads.contains(load)) {
                throw new IllegalArgumentException("--loads: " + name + " is named twice in '" + value + "'");
            }
            loads.add(load);
        }
        return List.copyOf(loads);
    }

    /** Baton's data paths only: the kernel has no connection table, so no slow path to measure. */
    private static List<Contestant> contestants(String value) {
        List<Contestant> contestants = Contestant.parseList(value);
        if (contestants.contains(Contestant.KERNEL)) {
            throw new IllegalArgumentException("--contestants: kernel has no connection table to measure; af-packet, xdp"
                    + " (e.g. --contestants af-packet,xdp)");
        }
        return contestants;
    }

    private static int integer(String name, String value, int min, int max) {
        return (int) BenchArguments.whole(name, value, min, max);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "repetitions=%d contestants=%s loads=%s warmup=%ds window=%ds max-connections=%d"
                        + " paced-rate=%s clients=%d confirm-after-ms=%d max-load=%.2f load-wait=%ds idle-wait=%ds idle-busy=%.0f%% ring=%s"
                        + " server-side=%s",
                repetitions, contestantList(), loadList(), warmup.toSeconds(), window.toSeconds(), maxConnections,
                pacedRateFromFlood() ? "from the flood" : rates.stream().map(r -> r + "/s").collect(Collectors.joining(",")), clients, confirmAfterMs, maxLoad, loadWait.toSeconds(),
                idleWait.toSeconds(), 100 * idleBusy, ring, serverSideOnGeneratorCpu ? "generator-cpu" : "router-cpu");
    }
}
