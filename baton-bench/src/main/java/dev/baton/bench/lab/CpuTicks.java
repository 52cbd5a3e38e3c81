package dev.baton.bench.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Time one CPU has spent in each state, in clock ticks ({@code USER_HZ}), from a {@code cpuN} line of
 * {@code /proc/stat} (proc(5)): {@code user nice system idle iowait irq softirq steal guest guest_nice}.
 * Guest time is already part of user time there, so it is not added again.
 *
 * <p>Used to see where the router's CPU went: for kernel forwarding the work is softirq time on the CPU that
 * RPS steers packets to; for Baton it is the JVM's user time plus the kernel's transmit path in system time.
 *
 * <p>Which numbers to trust (measured here): with a tickless idle kernel, idle and iowait time are measured
 * exactly (the nohz code adds up the time each CPU spent asleep), but user, system and softirq time are
 * sampled at timer ticks, and a CPU that sleeps and wakes thousands of times a second, as Baton's worker does
 * between {@code poll} calls, loses most of its busy ticks: a CPU running Baton at a third of its time showed
 * 2 % busy ticks. So busy time is taken as elapsed time minus idle and iowait ({@link #busyTicks(long)}),
 * and the per-state figures only when a CPU is saturated (the kernel's softirq under load).
 *
 * @param cpu the CPU number
 */
public record CpuTicks(int cpu, long user, long nice, long system, long idle, long iowait, long irq, long softirq,
                       long steal) {

    /** Where the kernel publishes per-CPU times. */
    public static final Path PROC_STAT = Path.of("/proc/stat");

    /** Reads CPU {@code cpu} from {@link #PROC_STAT}. */
    public static CpuTicks read(int cpu) {
        try {
            return parse(Files.readString(PROC_STAT), cpu);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_STAT, e);
        }
    }

    /**
     * The {@code cpu<cpu>} line of a {@code /proc/stat} text.
     *
     * @throws IllegalArgumentException if there is no such line or it has fewer than eight numbers
     */
    public static CpuTicks parse(String procStat, int cpu) {
        String prefix = "cpu" + cpu + " ";
        for (String line : procStat.split("\n")) {
            if (line.startsWith(prefix)) {
                String[] fields = line.substring(prefix.length()).strip().split("\\s+");
                if (fields.length < 8) {
                    throw new IllegalArgumentException("/proc/stat line for cpu" + cpu + " has " + fields.length
                            + " numbers, expected at least 8: " + line);
                }
                long[] v = new long[8];
                for (int i = 0; i < 8; i++) {
                    v[i] = Long.parseLong(fields[i]);
                }
                return new CpuTicks(cpu, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
            }
        }
        throw new IllegalArgumentException("no line for cpu" + cpu + " in /proc/stat");
    }

    /** Ticks sampled in a busy state; undercounts a CPU that often sleeps briefly (see above). */
    public long busy() {
        return user + nice + system + irq + softirq + steal;
    }

    /** Every tick accounted. */
    public long total() {
        return busy() + idle + iowait;
    }

    /**
     * Busy time of an interval of {@code elapsedTicks}: what was not idle or iowait, both measured exactly.
     * Use on a difference of two samples ({@link #minus}).
     */
    public long busyTicks(long elapsedTicks) {
        return Math.max(0, elapsedTicks - idle - iowait);
    }

    /** Busy share, 0..1, of an interval of {@code elapsedNs}; use on a difference of two samples. */
    public double busyFraction(long elapsedNs, long ticksPerSecond) {
        long elapsedTicks = elapsedTicks(elapsedNs, ticksPerSecond);
        return elapsedTicks <= 0 ? 0 : Math.min(1.0, (double) busyTicks(elapsedTicks) / elapsedTicks);
    }

    /** {@code elapsedNs} in ticks of {@code ticksPerSecond}, rounded. */
    public static long elapsedTicks(long elapsedNs, long ticksPerSecond) {
        return Math.round(elapsedNs * (double) ticksPerSecond / 1e9);
    }

    /** The time spent between {@code earlier} and this sample, state by state. */
    public CpuTicks minus(CpuTicks earlier) {
        if (earlier.cpu != cpu) {
            throw new IllegalArgumentException("cpu" + cpu + " minus cpu" + earlier.cpu);
        }
        return new CpuTicks(cpu, user - earlier.user, nice - earlier.nice, system - earlier.system, idle - earlier.idle,
                iowait - earlier.iowait, irq - earlier.irq, softirq - earlier.softirq, steal - earlier.steal);
    }

}
