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

    /** Ticks doing anything but idling or waiting for I/O. */
    public long busy() {
        return user + nice + system + irq + softirq + steal;
    }

    /** Every tick accounted. */
    public long total() {
        return busy() + idle + iowait;
    }

    /** The time spent between {@code earlier} and this sample, state by state. */
    public CpuTicks minus(CpuTicks earlier) {
        if (earlier.cpu != cpu) {
            throw new IllegalArgumentException("cpu" + cpu + " minus cpu" + earlier.cpu);
        }
        return new CpuTicks(cpu, user - earlier.user, nice - earlier.nice, system - earlier.system, idle - earlier.idle,
                iowait - earlier.iowait, irq - earlier.irq, softirq - earlier.softirq, steal - earlier.steal);
    }

    /** Busy share of the interval, 0..1 (0 for an empty interval). */
    public double busyFraction() {
        long total = total();
        return total <= 0 ? 0 : (double) busy() / total;
    }
}
