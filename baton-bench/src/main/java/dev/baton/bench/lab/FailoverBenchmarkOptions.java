package dev.baton.bench.lab;

import java.time.Duration;

/**
 * The failover benchmark's command line, validated in one place before anything starts. Every bound keeps a
 * run finite on a shared 2-core machine: at most 50 kill rounds, 20 switchovers and 20 cuts, each a client run of
 * {@code steady + after} seconds plus a router restart.
 *
 * @param rounds      kill -9 failovers, alternating between the two routers
 * @param switchovers operator switchovers ({@code ctl switchover}) after the kill rounds, alternating too
 * @param cuts        reachability hand-overs after them: the active's server segment cut behind a lit port (FIG. 6,
 *                    link 637), alternating too
 * @param connections long-lived echo connections, a message every 20 ms on each
 * @param steady      load before each failure, so that every connection has an entry on both routers
 * @param after       load after each failure (the takeover and the retransmissions fit in it)
 * @param maxLoad     the 1-minute load average to wait for before starting
 * @param loadWait    how long to wait for it at most
 */
public record FailoverBenchmarkOptions(int rounds, int switchovers, int cuts, int connections, Duration steady, Duration after,
                                       double maxLoad, Duration loadWait) {

    public static final String USAGE = """
            usage: bench/failover.sh [options]
              --rounds N          kill -9 failovers, alternating between the routers (default 20, 1..50)
              --switchovers N     operator switchovers after them, under the same load (default 5, 0..20)
              --cuts N            then server-segment cuts (link 637) handed over by reachability (default 10, 0..20)
              --connections N     long-lived echo connections, a message every 20 ms each (default 200, 1..500)
              --steady-ms MS      load before each failure (default 1500, 500..10000)
              --after-ms MS       load after each failure (default 3500, 1000..20000)
              --max-load L        wait until the 1-minute load average is below L (default 0.5)
              --load-wait-s S     ... for at most S seconds, then note the load and go on (default 180, 0..900)
            """;

    public FailoverBenchmarkOptions {
        if (rounds < 1 || rounds > 50) {
            throw new IllegalArgumentException("--rounds: " + rounds + " is outside 1..50");
        }
        if (switchovers < 0 || switchovers > 20) {
            throw new IllegalArgumentException("--switchovers: " + switchovers + " is outside 0..20");
        }
        if (cuts < 0 || cuts > 20) {
            throw new IllegalArgumentException("--cuts: " + cuts + " is outside 0..20");
        }
        if (connections < 1 || connections > 500) {
            throw new IllegalArgumentException("--connections: " + connections + " is outside 1..500");
        }
    }

    public static FailoverBenchmarkOptions defaults() {
        return new FailoverBenchmarkOptions(20, 5, 10, 200, Duration.ofMillis(1_500), Duration.ofMillis(3_500), 0.5,
                Duration.ofSeconds(180));
    }

    /** How long each client run sends messages: the steady spell, then the time after the failure. */
    public Duration loadDuration() {
        return steady.plus(after);
    }

    /**
     * Parses {@code --name value} or {@code --name=value} arguments over {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static FailoverBenchmarkOptions parse(String... args) {
        FailoverBenchmarkOptions d = defaults();
        int rounds = d.rounds;
        int switchovers = d.switchovers;
        int cuts = d.cuts;
        int connections = d.connections;
        Duration steady = d.steady;
        Duration after = d.after;
        double maxLoad = d.maxLoad;
        Duration loadWait = d.loadWait;
        for (BenchArguments.Option option : BenchArguments.options(args)) {
            String name = option.name();
            String value = option.value();
            switch (name) {
                case "rounds" -> rounds = (int) BenchArguments.whole(name, value, 1, 50);
                case "switchovers" -> switchovers = (int) BenchArguments.whole(name, value, 0, 20);
                case "cuts" -> cuts = (int) BenchArguments.whole(name, value, 0, 20);
                case "connections" -> connections = (int) BenchArguments.whole(name, value, 1, 500);
                case "steady-ms" -> steady = Duration.ofMillis(BenchArguments.whole(name, value, 500, 10_000));
                case "after-ms" -> after = Duration.ofMillis(BenchArguments.whole(name, value, 1_000, 20_000));
                case "max-load" -> maxLoad = BenchArguments.decimal(name, value, 0.01, 64);
                case "load-wait-s" -> loadWait = Duration.ofSeconds(BenchArguments.whole(name, value, 0, 900));
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return new FailoverBenchmarkOptions(rounds, switchovers, cuts, connections, steady, after, maxLoad, loadWait);
    }

}
