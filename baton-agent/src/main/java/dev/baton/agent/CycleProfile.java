package dev.baton.agent;

import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;

/**
 * Where an agent's duty cycles spend their time: per phase of the cycle, and for the gap between the starts of two
 * cycles, a histogram of durations (Prometheus-style cumulative buckets, {@code le} in microseconds), their sum and
 * the longest. A router whose agent did not run for longer than t2 is taken for dead by its peers; this tells
 * whether such a stall was the agent's own work (one phase long) or the thread not running at all (a long gap
 * with short phases: CPU starvation, a stop-the-world pause, SIGSTOP).
 *
 * <p>One {@link System#nanoTime} read per phase boundary (a vDSO call, tens of nanoseconds), shared by the phase
 * that ends and the one that begins; no allocation. Owner thread only (read through the counters registry's
 * group, on the owner).
 */
public final class CycleProfile {

    /** Bucket upper bounds in microseconds: 10 µs to 1 s, then everything longer. */
    static final long[] BOUNDS_US = {10, 100, 1_000, 10_000, 50_000, 100_000, 1_000_000, Long.MAX_VALUE};

    private final String[] phases;
    /** Per series (the gap first, then each phase): counts per bucket (not cumulative). */
    private final long[][] buckets;
    private final long[] sumNs;
    private final long[] maxNs;
    private long cycleStartNs = Long.MIN_VALUE;
    private long phaseStartNs;
    private int longestPhase = -1;
    private long longestPhaseNs;
    private int previousLongestPhase = -1;
    private long previousLongestPhaseNs;

    private final java.util.function.LongSupplier nanoClock;

    /** @param phases the phases of one cycle, in the order they run */
    public CycleProfile(String... phases) {
        this(System::nanoTime, phases);
    }

    /** As above, timed by {@code nanoClock} (a test steps it). */
    public CycleProfile(java.util.function.LongSupplier nanoClock, String... phases) {
        this.nanoClock = nanoClock;
        this.phases = phases.clone();
        this.buckets = new long[phases.length + 1][BOUNDS_US.length];
        this.sumNs = new long[phases.length + 1];
        this.maxNs = new long[phases.length + 1];
    }

    /** A cycle begins: the gap since the previous cycle began is recorded, and the first phase starts. */
    public void begin() {
        long now = nanoClock.getAsLong();
        if (cycleStartNs != Long.MIN_VALUE) {
            record(0, now - cycleStartNs);
        }
        cycleStartNs = now;
        phaseStartNs = now;
        previousLongestPhase = longestPhase;
        previousLongestPhaseNs = longestPhaseNs;
        longestPhase = -1;
        longestPhaseNs = 0;
    }

    /** Phase {@code phase} (an index into the names given) ends now; the next one starts. */
    public void end(int phase) {
        long now = nanoClock.getAsLong();
        long ns = now - phaseStartNs;
        record(phase + 1, ns);
        if (ns > longestPhaseNs) {
            longestPhaseNs = ns;
            longestPhase = phase;
        }
        phaseStartNs = now;
    }

    private void record(int series, long ns) {
        long us = ns / 1_000;
        int b = 0;
        while (us > BOUNDS_US[b]) {
            b++;
        }
        buckets[series][b]++;
        sumNs[series] += ns;
        if (ns > maxNs[series]) {
            maxNs[series] = ns;
        }
    }

    /** The longest phase so far of the cycle in progress, e.g. "peer messages (41200 µs)", for a log line. */
    public String longestPhaseOfCycle() {
        return describe(longestPhase, longestPhaseNs);
    }

    /** The longest phase of the cycle before the one in progress, for a log line. */
    public String longestPhaseOfPreviousCycle() {
        return describe(previousLongestPhase, previousLongestPhaseNs);
    }

    private String describe(int phase, long ns) {
        return phase < 0 ? "no phase yet" : phases[phase] + " (" + ns / 1_000 + " µs)";
    }


    /**
     * Describes the histograms in {@code group}: {@code <prefix>_gap_us} for the gap between cycle starts and
     * {@code <prefix>_phase_us{phase}} per phase, each as {@code _bucket{le}}, {@code _count}, {@code _sum} and
     * {@code _max}. Call {@link #read} from the group's reader, at the place these were added.
     */
    public void describe(CounterRegistry.Group group, String prefix, Label... labels) {
        for (int series = 0; series <= phases.length; series++) {
            String name = series == 0 ? prefix + "_gap_us" : prefix + "_phase_us";
            String help = series == 0 ? "time between the starts of two duty cycles" : "time one phase of a duty cycle took";
            Label[] seriesLabels = series == 0 ? labels : with(labels, new Label("phase", phases[series - 1]));
            for (long bound : BOUNDS_US) {
                group.add(name + "_bucket", Type.COUNTER, help + ", cycles at most this long",
                        with(seriesLabels, new Label("le", bound == Long.MAX_VALUE ? "+Inf" : Long.toString(bound))));
            }
            group.add(name + "_count", Type.COUNTER, help + ": cycles", seriesLabels);
            group.add(name + "_sum", Type.COUNTER, help + ": total", seriesLabels);
            group.add(name + "_max", Type.GAUGE, help + ": the longest since start", seriesLabels);
        }
    }

    /** Writes the values {@link #describe} described from {@code values[at]} on; returns the next index. */
    public int read(long[] values, int at) {
        for (int series = 0; series <= phases.length; series++) {
            long cumulative = 0;
            for (int b = 0; b < BOUNDS_US.length; b++) {
                cumulative += buckets[series][b];
                values[at++] = cumulative;
            }
            values[at++] = cumulative;
            values[at++] = sumNs[series] / 1_000;
            values[at++] = maxNs[series] / 1_000;
        }
        return at;
    }

    private static Label[] with(Label[] labels, Label more) {
        Label[] all = java.util.Arrays.copyOf(labels, labels.length + 1);
        all[labels.length] = more;
        return all;
    }
}
