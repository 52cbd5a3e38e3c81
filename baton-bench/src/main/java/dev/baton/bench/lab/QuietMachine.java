package dev.baton.bench.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Waiting for the shared machine to be quiet before measuring, as the lab benchmark does: the two CPUs are shared, and
 * someone else's work on them would be measured as the router's. The same rules as {@link LabForwardingBenchmark}'s
 * (docs/benchmarks.md, "Lab benchmark"), shared by the lab benchmarks.
 */
final class QuietMachine {

    private static final Duration LOAD_POLL = Duration.ofSeconds(5);
    private static final Duration BACKGROUND_SAMPLE = Duration.ofSeconds(1);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private QuietMachine() {
    }

    /**
     * Waits, bounded by {@code loadWait}, until the 1-minute load average is below {@code maxLoad}, printing what it
     * waited for and, if it gave up, a note.
     */
    static void awaitLowLoad(double maxLoad, Duration loadWait) {
        long deadlineNs = System.nanoTime() + loadWait.toNanos();
        double load = LabForwardingBenchmark.loadAverage();
        if (load >= maxLoad) {
            System.out.printf(Locale.ROOT, "1-minute load average %.2f >= %.2f: waiting up to %d s for the machine to quieten%n",
                    load, maxLoad, loadWait.toSeconds());
            String top = LocalCommand.run(COMMAND_TIMEOUT, List.of("ps", "-eo", "pid,pcpu,etime,comm", "--sort=-pcpu")).stdout();
            System.out.println(String.join("\n", top.strip().lines().limit(6).toList()));
        }
        while (load >= maxLoad && System.nanoTime() - deadlineNs < 0) {
            pause(LOAD_POLL);
            load = LabForwardingBenchmark.loadAverage();
        }
        if (load >= maxLoad) {
            System.out.printf(Locale.ROOT, "NOTE: 1-minute load average still %.2f (wanted below %.2f): other work shares the CPUs;"
                    + " look at the background CPU figures of each measurement%n", load, maxLoad);
        } else {
            System.out.printf(Locale.ROOT, "1-minute load average %.2f (below %.2f)%n", load, maxLoad);
        }
    }

    /**
     * Busy shares of CPUs {@code first} and {@code second} over one second with no load, repeated (bounded by
     * {@code idleWait}) until both are at most {@code idleBusy}. The last sample is returned either way (and a note
     * printed if they were still busy).
     */
    static double[] awaitIdleCpus(int first, int second, Duration idleWait, double idleBusy, long ticksPerSecond) {
        long deadlineNs = System.nanoTime() + idleWait.toNanos();
        boolean noted = false;
        while (true) {
            CpuTicks a = CpuTicks.read(first);
            CpuTicks b = CpuTicks.read(second);
            long startNs = System.nanoTime();
            pause(BACKGROUND_SAMPLE);
            long elapsedNs = System.nanoTime() - startNs;
            double[] busy = {CpuTicks.read(first).minus(a).busyFraction(elapsedNs, ticksPerSecond),
                    CpuTicks.read(second).minus(b).busyFraction(elapsedNs, ticksPerSecond)};
            boolean quiet = busy[0] <= idleBusy && busy[1] <= idleBusy;
            if (quiet || System.nanoTime() - deadlineNs >= 0) {
                if (!quiet) {
                    System.out.printf(Locale.ROOT, "NOTE: CPUs still busy before the load (%.0f %% / %.0f %%): this measurement shares them%n",
                            100 * busy[0], 100 * busy[1]);
                }
                return busy;
            }
            if (!noted) {
                System.out.printf(Locale.ROOT, "CPUs busy before the load (%.0f %% / %.0f %%), waiting up to %d s ...%n",
                        100 * busy[0], 100 * busy[1], idleWait.toSeconds());
                noted = true;
            }
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
