package dev.baton.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Steps a {@link ProbeEngine} with a clock the test holds. Where a real socket must answer, {@link #settle} repeats
 * the duty cycle at the same time, with the clock stopped, until no probe is in flight or 5 s of real time passed:
 * time moves only when the test moves it, so a timeout is never an accident of the machine's load.
 */
final class EngineStepper {

    /** Real time {@link #settle} allows a probe to be answered at one step: loopback and lab answers take far less. */
    long realWaitLimitMs = 5_000;

    final ProbeEngine engine;
    long nowMs;
    final List<String> changes = new ArrayList<>();
    /** Targets that are not expected to answer: {@link #settle} does not wait for them. */
    final java.util.Set<Integer> silent = new java.util.HashSet<>();

    EngineStepper(ProbeEngine engine, long startMs) {
        this.engine = engine;
        this.nowMs = startMs;
    }

    /** One duty cycle at {@code atMs}, then settles. */
    void at(long atMs) {
        nowMs = atMs;
        engine.doWork(nowMs);
        settle();
    }

    /** Steps every {@code stepMs} from now to {@code untilMs} inclusive, settling at each step. */
    void runTo(long untilMs, long stepMs) {
        for (long t = nowMs + stepMs; t <= untilMs; t += stepMs) {
            at(t);
        }
    }

    /** Repeats the duty cycle at the current time until nothing is in flight (bounded by real time). */
    void settle() {
        long deadline = System.nanoTime() + realWaitLimitMs * 1_000_000L;
        while (anyInFlight() && System.nanoTime() < deadline) {
            if (engine.doWork(nowMs) == 0) {
                LockSupport.parkNanos(200_000L);
            }
        }
        drain();
    }

    /** Cycles at the current time for {@code realMs} of real time (letting a silent peer stay silent). */
    void spinFor(long realMs) {
        long deadline = System.nanoTime() + realMs * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (engine.doWork(nowMs) == 0) {
                LockSupport.parkNanos(200_000L);
            }
        }
        drain();
    }

    boolean anyInFlight() {
        for (int id = 0; id < engine.capacity(); id++) {
            if (engine.has(id) && engine.inFlight(id) && !silent.contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** One handler for every drain, so that stepping allocates nothing of its own while nothing changes. */
    private final HealthChangeHandler recorder =
            (id, spec, health, atMs, cause) -> changes.add(id + " " + health.word() + " @" + atMs + " " + cause);

    void drain() {
        engine.drainChanges(recorder);
    }

    /** Bytes the calling thread allocated while {@code work} ran, or -1 if the JVM cannot tell. */
    static long allocatedBy(Runnable work) {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)
                || !bean.isThreadAllocatedMemorySupported() || !bean.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        work.run();
        return bean.getCurrentThreadAllocatedBytes() - before;
    }

    /** Open file descriptors of this process. */
    static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
