package dev.baton.bench.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One SYN-rate measurement window: counters at its start and end subtracted.
 *
 * @param repetition         1-based
 * @param contestant         Baton's data path
 * @param load               how the generator opened connections
 * @param ratePerSecond      the generator's limit of new connections a second; 0 for none (a flood)
 * @param rateGiven          the rate was given on the command line (so it names the report's column), not derived from
 *                           the repetition's flood
 * @param windowNs           the window's length
 * @param generator          the generator's counters over the window (its state and pending count: at the end)
 * @param entry              the router veth's bridge port over the window: frames offered and refused
 * @param sinks              segments counted at the servers over the window, by {@link TcpSinks.Kind} ordinal
 * @param batonCounters      Baton's counters over the window ({@link BatonCounters}: {@code table.*}, {@code drops.*},
 *                           rings, the XDP program's and the fast path's)
 * @param tableStart         the table's size ({@code connections}) at the window's start
 * @param tableEnd           ... and at its end
 * @param flowsInMapStart    {@code xdp_flows_in_map} at the start (a gauge: the last complete pass over the map); -1 on af-packet
 * @param flowsInMapEnd      ... and at the end
 * @param batonProcess       the Baton JVM's CPU time over the window
 * @param generatorCpu       the generator CPU's time, state by state
 * @param routerCpu          the router CPU's time, state by state
 * @param ticksPerSecond     {@code USER_HZ}
 * @param foreignLoad        CPU used by processes outside the benchmark during the window
 * @param napiThreadTicks    the router veth's NAPI thread's CPU time over the window (xdp), -1 when there is none
 * @param backgroundGenerator busy share of the generator CPU in the second before the load
 * @param backgroundRouter   busy share of the router CPU in the second before the load
 * @param routerWork         where the router's work ran when it needed checking (xdp's NAPI thread), else empty
 * @param routerWorkPinned   false when part of it could not be placed on the router CPU
 */
record SynRateResult(int repetition, Contestant contestant, SynRateOptions.Load load, long ratePerSecond, boolean rateGiven,
                     long windowNs, SynGeneratorCounters.Snapshot generator,
                     BridgePortCounters entry, long[] sinks, Map<String, Long> batonCounters, long tableStart,
                     long tableEnd, long flowsInMapStart, long flowsInMapEnd, ProcessTicks batonProcess,
                     CpuTicks generatorCpu, CpuTicks routerCpu, long ticksPerSecond, ForeignLoad.Usage foreignLoad,
                     long napiThreadTicks, double backgroundGenerator, double backgroundRouter, String routerWork,
                     boolean routerWorkPinned) {

    /** The target: new connections through the slow path per second per core (issue #10). */
    public static final double TARGET_CONNECTIONS_PER_CORE = 250_000;

    public SynRateResult {
        sinks = sinks.clone();
        batonCounters = new LinkedHashMap<>(batonCounters);
    }

    /** Segments counted at the servers, by {@link TcpSinks.Kind} ordinal (a copy). */
    @Override
    public long[] sinks() {
        return sinks.clone();
    }

    /** Segments of {@code kind} counted at the servers over the window. */
    public long sink(TcpSinks.Kind kind) {
        return sinks[kind.ordinal()];
    }

    public double seconds() {
        return windowNs / 1e9;
    }

    private double perSecond(double count) {
        return count / seconds();
    }

    private long counter(String name) {
        return batonCounters.getOrDefault(name, 0L);
    }

    /** "af-packet flood", "xdp paced", "xdp paced 30,000/s": what a column of the report shows. */
    public String label() {
        return contestant.label + " " + load.label + (rateGiven && ratePerSecond > 0
                ? String.format(java.util.Locale.ROOT, " %,d/s", ratePerSecond) : "");
    }

    /**
     * The paced rate this flood suggests: {@link SynRateOptions#PACED_SHARE_OF_FLOOD} of the connections a second Baton
     * read ({@code rx_frames}, three frames a connection), at least 1.
     */
    public long pacedRate() {
        return Math.max(1, (long) (SynRateOptions.PACED_SHARE_OF_FLOOD * perSecond(counter("rx_frames")) / 3));
    }

    /** New connections the generator opened a second: its SYNs. */
    public double offeredPerSecond() {
        return perSecond(generator.syns());
    }

    /** SYNs the servers received a second: connections Baton scheduled and forwarded. */
    public double synsDeliveredPerSecond() {
        return perSecond(sink(TcpSinks.Kind.SYN));
    }

    /** SYNs delivered over SYNs sent, 0..1 (NaN without SYNs). */
    public double synsDeliveredFraction() {
        return generator.syns() == 0 ? Double.NaN : (double) sink(TcpSinks.Kind.SYN) / generator.syns();
    }

    /** Entries the table inserted a second: SYN -> schedule -> insert. */
    public double insertsPerSecond() {
        return perSecond(counter("table.inserts"));
    }

    /** Connections that reached ESTABLISHED a second ({@code table.confirmed}): the slow path's whole work done. */
    public double establishedPerSecond() {
        return perSecond(counter("table.confirmed"));
    }

    /**
     * Confirming segments that reached the servers without confirming their connection (the servers' {@code confirm}
     * count less {@code table.confirmed}; 0 at least): their ACK had been lost, or they reached Baton less than
     * {@code ConnectionTable.CONFIRM_AFTER_MS} after it because a backlog in its receive ring drained in between.
     */
    public long confirmationsThatDidNotConfirm() {
        return Math.max(0, sink(TcpSinks.Kind.CONFIRM) - counter("table.confirmed"));
    }

    /** Flows written into the XDP program's map a second ({@code xdp_flows_inserted}); NaN on af-packet. */
    public double mapInsertsPerSecond() {
        return contestant.isXdp() ? perSecond(counter("xdp_flows_inserted")) : Double.NaN;
    }

    /** How fast the {@code xdp_flows_in_map} gauge grew, a second; NaN on af-packet. */
    public double flowsInMapGrowthPerSecond() {
        return flowsInMapStart < 0 || flowsInMapEnd < 0 ? Double.NaN : perSecond(flowsInMapEnd - flowsInMapStart);
    }

    /** Busy share of the router CPU over the window, 0..1 (exact: elapsed less idle and iowait). */
    public double routerBusyFraction() {
        return routerCpu.busyFraction(windowNs, ticksPerSecond);
    }

    public double generatorBusyFraction() {
        return generatorCpu.busyFraction(windowNs, ticksPerSecond);
    }

    /** All busy time of the router CPU per connection that reached ESTABLISHED, in microseconds; NaN without any. */
    public double routerMicrosPerConnection() {
        return micros(routerCpu.busyTicks(CpuTicks.elapsedTicks(windowNs, ticksPerSecond)));
    }

    /**
     * Connections per second one router core carries at this cost: 1 s over {@link #routerMicrosPerConnection()}. The
     * figure the target is judged on; equal to {@link #establishedPerSecond()} when the router CPU was saturated, an
     * extrapolation from a partly idle one otherwise.
     */
    public double connectionsPerRouterCore() {
        double micros = routerMicrosPerConnection();
        return Double.isNaN(micros) || micros <= 0 ? Double.NaN : 1e6 / micros;
    }

    /** The Baton JVM's user + system CPU time per connection that reached ESTABLISHED, in microseconds. */
    public double batonMicrosPerConnection() {
        return micros(batonProcess.totalTicks());
    }

    /** The NAPI thread's busy share of the window (tick-sampled); NaN without one. */
    public double napiThreadBusyFraction() {
        long windowTicks = CpuTicks.elapsedTicks(windowNs, ticksPerSecond);
        return napiThreadTicks < 0 || windowTicks <= 0 ? Double.NaN : Math.min(1.0, (double) napiThreadTicks / windowTicks);
    }

    /** Whether the router CPU was busy at least {@link UdpResult#SATURATED_BUSY_FRACTION} of the window. */
    public boolean routerSaturated() {
        return routerBusyFraction() >= UdpResult.SATURATED_BUSY_FRACTION;
    }

    /** Whether the generator stopped before the window ended (its count or time limit): the offered rate fell in it. */
    public boolean generatorStoppedEarly() {
        return generator.state() != SynGeneratorCounters.RUNNING;
    }

    /**
     * What went wrong on Baton's side, non-zero only: drop reasons, ring losses ({@link BatonCounters#losses}), the
     * table's refusals and evictions, and the fast path's map errors and refused flows.
     */
    public Map<String, Long> losses() {
        Map<String, Long> losses = new LinkedHashMap<>(BatonCounters.losses(batonCounters));
        for (String name : new String[]{"table.refused_full", "table.refused_source_limit", "table.evicted",
                "xdp_flows_refused_full", "xdp_map_errors"}) {
            if (counter(name) != 0) {
                losses.put(name, counter(name));
            }
        }
        return losses;
    }

    private double micros(long ticks) {
        long established = counter("table.confirmed");
        return established <= 0 ? Double.NaN : ticks * 1e6 / ticksPerSecond / established;
    }
}
