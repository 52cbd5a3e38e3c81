package dev.baton.bench.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, all its threads together, in clock ticks ({@code USER_HZ}): fields 14
 * ({@code utime}) and 15 ({@code stime}) of {@code /proc/<pid>/stat} (proc(5)).
 *
 * <p>System time includes the kernel work done on the process's behalf, for Baton the AF_PACKET transmit path
 * that its {@code send} kick runs (veth, the bridge, and the receiving namespace's ingress), and, with
 * tick-based accounting, softirq work that ran while it was interrupted.
 */
public record ProcessTicks(long userTicks, long systemTicks) {

    /** Reads the times of process {@code pid}. */
    public static ProcessTicks read(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            return parse(Files.readString(stat));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stat + " (has the process exited?)", e);
        }
    }

    /**
     * Parses a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may itself
     * contain spaces and parentheses, so fields are counted from the last {@code ')'}.
     */
    public static ProcessTicks parse(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        // After ")": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12.
        String[] fields = statLine.substring(close + 1).strip().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("/proc/<pid>/stat line too short: " + statLine);
        }
        return new ProcessTicks(Long.parseLong(fields[11]), Long.parseLong(fields[12]));
    }

    public long totalTicks() {
        return userTicks + systemTicks;
    }

    public ProcessTicks minus(ProcessTicks earlier) {
        return new ProcessTicks(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks);
    }
}
