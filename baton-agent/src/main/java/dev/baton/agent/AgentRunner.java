package dev.baton.agent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs an {@link Agent} on a thread of its own: read the clock once, do the work, idle when there was none,
 * until {@link #close}. Every Baton thread that runs duty cycles is one of these.
 *
 * <p>A {@link RuntimeException} out of a cycle is a bug on one input: it is logged (at most one line a second,
 * with the count of failures not logged, so a repeating failure cannot flood the log) and the agent carries on
 * after an idle period. Anything else is an {@link Error}, after which the thread's state cannot be trusted: the
 * runner hands it to {@link ThreadFailure}, which logs it and halts the process, and returns.
 */
public final class AgentRunner implements Runnable, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AgentRunner.class.getName());
    /** At most one log line per second for failed cycles. */
    static final long FAILURE_LOG_INTERVAL_MS = 1_000;

    private final Agent agent;
    private final MillisClock clock;
    private final IdleStrategy idle;
    private final ThreadFailure failure;
    private final RateLimitedLog failureLog = new RateLimitedLog(1, FAILURE_LOG_INTERVAL_MS);
    private volatile boolean running = true;
    private volatile Thread thread;
    private long failedCycles;
    /**
     * Duty cycles begun: written by the runner's thread only (a release store, no read-modify-write), read by any
     * thread that watches whether the agent still cycles (the service manager's watchdog, docs/operations.md).
     */
    private final AtomicLong cycles = new AtomicLong();

    public AgentRunner(Agent agent, MillisClock clock, IdleStrategy idle, ThreadFailure failure) {
        this.agent = agent;
        this.clock = clock;
        this.idle = idle;
        this.failure = failure;
    }

    /**
     * Starts the agent on a new platform daemon thread named {@code threadName}, which runs {@code beforeFirstCycle}
     * first (a scheduling policy, CPU affinity) on itself. Returns the thread.
     */
    public Thread start(String threadName, Runnable beforeFirstCycle) {
        Thread t = Thread.ofPlatform().name(threadName).daemon(true).uncaughtExceptionHandler(failure).unstarted(() -> {
            beforeFirstCycle.run();
            run();
        });
        thread = t;
        t.start();
        return t;
    }

    @Override
    public void run() {
        try {
            while (running) {
                cycles.setRelease(cycles.getPlain() + 1);
                try {
                    if (agent.doWork(clock.nowMs()) == 0) {
                        idle.idle();
                    }
                } catch (RuntimeException e) {
                    failedCycles++;
                    if (failureLog.shouldLog(0, clock.nowMs())) {
                        long suppressed = failureLog.takeSuppressed(0);
                        LOG.log(System.Logger.Level.ERROR, agent.roleName() + " failed a duty cycle; carrying on"
                                + (suppressed > 0 ? " (" + suppressed + " more failures not logged)" : ""), e);
                    }
                    idle.idle();
                }
            }
            agent.onClose();
        } catch (Throwable fatal) {
            failure.die(Thread.currentThread(), fatal);
        }
    }

    /** Whether the runner has not been closed. */
    public boolean running() {
        return running;
    }

    /** Stops the loop after the cycle in progress and waits up to {@code waitMs} for the thread to end. */
    public void close(long waitMs) {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        close(2_000);
    }

    /**
     * Duty cycles begun since start: a number that stops growing means the agent's thread is stuck in one cycle (or
     * dead). Any thread.
     */
    public long cycles() {
        return cycles.getAcquire();
    }

    /** Cycles that ended in a {@link RuntimeException}. Read on the runner's thread, or after it ended. */
    public long failedCycles() {
        return failedCycles;
    }
}
