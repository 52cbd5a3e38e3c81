package dev.baton.bench.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time used by processes that are not part of the benchmark, over a measurement window: on a shared
 * machine someone else's build or JMH run on the same two CPUs would be measured as forwarding cost, so each
 * result says how much of that there was.
 *
 * <p>Not counted: this JVM and its descendants (the lab's processes: trafgen, {@code baton run}, iperf3) and
 * kernel threads (children of {@code kthreadd}, pid 2), since {@code ksoftirqd} does part of the forwarding
 * being measured. A process that starts during the window counts from zero; one that ends in it is missed.
 */
public final class ForeignLoad {

    /** CPU ticks of one process at one moment. */
    record ProcessSample(String command, long ticks) {
    }

    private final Map<Long, ProcessSample> start;

    private ForeignLoad(Map<Long, ProcessSample> start) {
        this.start = start;
    }

    /** Samples every foreign process now; {@link #since} later gives the time they used in between. */
    public static ForeignLoad begin() {
        return new ForeignLoad(sample());
    }

    /**
     * Foreign CPU time since {@link #begin()}.
     *
     * @return CPUs used on average over {@code windowNs} (1.0 = one CPU all the time) and the biggest users
     */
    public Usage since(long ticksPerSecond, long windowNs) {
        return usage(start, sample(), ticksPerSecond, windowNs);
    }

    /**
     * What foreign processes used.
     *
     * @param cpus average CPUs used
     * @param top  the biggest users, "command:pid cpus", largest first
     */
    public record Usage(double cpus, String top) {
    }

    static Usage usage(Map<Long, ProcessSample> before, Map<Long, ProcessSample> after, long ticksPerSecond, long windowNs) {
        Map<Long, Long> used = new HashMap<>();
        for (Map.Entry<Long, ProcessSample> entry : after.entrySet()) {
            ProcessSample earlier = before.get(entry.getKey());
            // A recycled pid with another command is a new process: count it from zero.
            long base = earlier != null && earlier.command().equals(entry.getValue().command()) ? earlier.ticks() : 0;
            long delta = entry.getValue().ticks() - base;
            if (delta > 0) {
                used.put(entry.getKey(), delta);
            }
        }
        double seconds = windowNs / 1e9;
        long total = used.values().stream().mapToLong(Long::longValue).sum();
        String top = used.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(3)
                .map(e -> String.format(Locale.ROOT, "%s:%d %.2f", after.get(e.getKey()).command(), e.getKey(),
                        e.getValue() / (double) ticksPerSecond / seconds))
                .collect(Collectors.joining(", "));
        return new Usage(total / (double) ticksPerSecond / seconds, top.isEmpty() ? "none" : top);
    }

    /** pid to command and ticks for every foreign process now. */
    private static Map<Long, ProcessSample> sample() {
        Set<Long> ours = new HashSet<>();
        ours.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> ours.add(p.pid()));
        Map<Long, ProcessSample> samples = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            List<Path> pids = entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
            for (Path dir : pids) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (ours.contains(pid)) {
                    continue;
                }
                String line;
                try {
                    line = Files.readString(dir.resolve("stat"));
                } catch (IOException gone) {
                    continue; // exited between listing and reading
                }
                ProcessSample sample = parse(pid, line);
                if (sample != null) {
                    samples.put(pid, sample);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        return samples;
    }

    /** Command and utime+stime of a {@code /proc/<pid>/stat} line; null for kernel threads. */
    static ProcessSample parse(long pid, String statLine) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        String[] fields = statLine.substring(close + 1).strip().split("\\s+");
        long parentPid = Long.parseLong(fields[1]);
        if (pid == 2 || parentPid == 2) {
            return null;
        }
        return new ProcessSample(statLine.substring(open + 1, close), ProcessTicks.parse(statLine).totalTicks());
    }
}
