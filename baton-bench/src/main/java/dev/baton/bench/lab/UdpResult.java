package dev.baton.bench.lab;

import java.util.Map;

/**
 * One UDP measurement window: counters at its start and end subtracted.
 *
 * @param contestant         who forwarded
 * @param windowNs           the window's length
 * @param offeredPackets     frames the front bridge handed to the router's client-facing veth ({@code tx_packets +
 *                           tx_dropped} of its bridge-side peer): the load the generator achieved. Counted on the
 *                           bridge's side because a frame the router's veth refuses is counted there only when its
 *                           XDP ring is full (native XDP), and there as well as on the router's side when the RPS
 *                           backlog is full
 * @param entryDrops         of those, frames the router's veth refused ({@code tx_dropped} of the peer: the RPS
 *                           backlog, or the veth's XDP ring, was full)
 * @param deliveredPackets   frames counted by the sinks on the servers
 * @param routerProcess      CPU time of the Baton JVM, all threads; null for the kernel
 * @param generatorCpu       time of the generator's CPU, state by state
 * @param routerCpu          time of the router's CPU, state by state
 * @param ticksPerSecond     {@code USER_HZ}, the unit of the CPU times
 * @param batonCounters      Baton's counters over the window (deltas, see {@link BatonCounters}); empty for the kernel
 * @param generatorExhausted the generator had stopped before the window ended (count or time limit): the
 *                           offered load fell during the window and the result understates the contestant
 * @param foreignLoad        CPU used by processes outside the benchmark during the window
 * @param napiThreadTicks    utime + stime of the router veth's NAPI thread over the window (native XDP,
 *                           {@link ThreadedNapi}), tick-sampled; -1 when there is none
 */
public record UdpResult(Contestant contestant, long windowNs, long offeredPackets, long entryDrops, long deliveredPackets,
                        ProcessTicks routerProcess, CpuTicks generatorCpu, CpuTicks routerCpu, long ticksPerSecond,
                        Map<String, Long> batonCounters, boolean generatorExhausted, ForeignLoad.Usage foreignLoad,
                        long napiThreadTicks) {

    /** Busy share of the router CPU from which tick-sampled per-state figures are reported. */
    public static final double SATURATED_BUSY_FRACTION = 0.9;

    public double seconds() {
        return windowNs / 1e9;
    }

    public double offeredPacketsPerSecond() {
        return offeredPackets / seconds();
    }

    public double deliveredPacketsPerSecond() {
        return deliveredPackets / seconds();
    }

    /** Delivered share of the offered frames, 0..1. */
    public double deliveredFraction() {
        return offeredPackets == 0 ? 0 : (double) deliveredPackets / offeredPackets;
    }

    /** The Baton JVM's user + system CPU time per delivered packet, in microseconds; NaN for the kernel. */
    public double processMicrosPerPacket() {
        return routerProcess == null ? Double.NaN : micros(routerProcess.totalTicks());
    }

    /**
     * The Baton JVM's user CPU time per delivered packet, in microseconds. The kernel splits a process's exact
     * total between user and system in proportion to sampled ticks, so this is NaN unless the router CPU was
     * saturated ({@link #routerSaturated()}), and for the kernel.
     */
    public double processUserMicrosPerPacket() {
        return routerProcess == null || !routerSaturated() ? Double.NaN : micros(routerProcess.userTicks());
    }

    /**
     * Softirq time of the router CPU per delivered packet, in microseconds: tick-sampled, so NaN unless the
     * router CPU was saturated ({@link #routerSaturated()}).
     */
    public double routerSoftirqMicrosPerPacket() {
        return routerSaturated() ? micros(routerCpu.softirq()) : Double.NaN;
    }

    /**
     * Whether the router CPU was busy at least {@value #SATURATED_BUSY_FRACTION} of the window: only then are
     * its tick-sampled states (user, system, softirq) a fair picture (see {@link CpuTicks}).
     */
    public boolean routerSaturated() {
        return routerBusyFraction() >= SATURATED_BUSY_FRACTION;
    }

    /** All busy time of the router CPU (not idle, exactly measured) per delivered packet, in microseconds. */
    public double routerBusyMicrosPerPacket() {
        return micros(routerCpu.busyTicks(CpuTicks.elapsedTicks(windowNs, ticksPerSecond)));
    }

    /**
     * All busy time of the router CPU per frame the router took in (offered less those its veth refused), in
     * microseconds: its cost per frame handled, whatever was lost after it. With the server side on the generator
     * CPU ({@code --server-side generator-cpu}) that CPU, also the generator's, may drop forwarded frames on their way to
     * the sinks, which the per-delivered figure would charge to the router.
     */
    public double routerBusyMicrosPerTakenFrame() {
        long taken = offeredPackets - entryDrops;
        long busy = routerCpu.busyTicks(CpuTicks.elapsedTicks(windowNs, ticksPerSecond));
        return taken <= 0 ? Double.NaN : busy * 1e6 / ticksPerSecond / taken;
    }

    /** Busy share of the router CPU over the window, 0..1. */
    public double routerBusyFraction() {
        return routerCpu.busyFraction(windowNs, ticksPerSecond);
    }

    /** Busy share of the generator CPU over the window, 0..1. */
    public double generatorBusyFraction() {
        return generatorCpu.busyFraction(windowNs, ticksPerSecond);
    }

    /** The NAPI thread's busy share of the window, 0..1 (tick-sampled); NaN when there is none. */
    public double napiThreadBusyFraction() {
        long windowTicks = CpuTicks.elapsedTicks(windowNs, ticksPerSecond);
        return napiThreadTicks < 0 || windowTicks <= 0 ? Double.NaN : Math.min(1.0, (double) napiThreadTicks / windowTicks);
    }

    private double micros(long ticks) {
        return deliveredPackets == 0 ? Double.NaN : ticks * 1e6 / ticksPerSecond / deliveredPackets;
    }
}
