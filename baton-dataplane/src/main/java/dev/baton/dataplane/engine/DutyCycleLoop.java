package dev.baton.dataplane.engine;

import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The loop around an agent's duty cycle, shared by the workers and the HA agent: read the clock once, do the
 * work, idle when there was none, until stopped.
 *
 * <p>A {@link RuntimeException} out of a cycle is a bug on one input: it is logged (at most once a second, so
 * a repeating failure cannot flood the log) and the loop carries on after an idle period. Anything else is an
 * {@link Error}, after which the thread's state cannot be trusted: the loop hands it to {@link ThreadFailure},
 * which logs it and halts the process (issue #7 item 7), and returns.
 */
public final class DutyCycleLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(DutyCycleLoop.class.getName());

    /** One duty cycle at {@code nowMs}; returns the work done, 0 lets the loop idle. */
    @FunctionalInterface
    public interface Cycle {
        int doWork(long nowMs);
    }

    private final String name;
    private final MillisClock clock;
    private final Cycle cycle;
    private final Runnable idle;
    private final BooleanSupplier running;
    private final ThreadFailure failure;
    private long lastLogMs = Long.MIN_VALUE / 2;
    private long suppressed;
    private long failedCycles;

    /**
     * @param name    names the loop in logs, e.g. "worker 0"
     * @param idle    what to do after a cycle without work (block briefly on a port, park)
     * @param running read before every cycle; the loop returns when it turns false
     */
    public DutyCycleLoop(String name, MillisClock clock, Cycle cycle, Runnable idle, BooleanSupplier running, ThreadFailure failure) {
        this.name = name;
        this.clock = clock;
        this.cycle = cycle;
        this.idle = idle;
        this.running = running;
        this.failure = failure;
    }

    @Override
    public void run() {
        while (running.getAsBoolean()) {
            try {
                if (cycle.doWork(clock.nowMs()) == 0) {
                    idle.run();
                }
            } catch (RuntimeException e) {
                failedCycles++;
                long nowMs = clock.nowMs();
                if (nowMs - lastLogMs >= 1_000) {
                    LOG.log(Level.SEVERE, name + " failed a duty cycle; carrying on"
                            + (suppressed > 0 ? " (" + suppressed + " more failures not logged)" : ""), e);
                    lastLogMs = nowMs;
                    suppressed = 0;
                } else {
                    suppressed++;
                }
                idle.run();
            } catch (Throwable fatal) {
                failure.die(Thread.currentThread(), fatal);
                return;
            }
        }
    }

    /** Cycles that ended in a {@link RuntimeException}. Read on the loop's thread, or after it ended. */
    public long failedCycles() {
        return failedCycles;
    }
}
