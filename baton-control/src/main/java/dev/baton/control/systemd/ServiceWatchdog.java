package dev.baton.control.systemd;

import dev.baton.agent.MillisClock;
import dev.baton.agent.RateLimitedLog;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The service manager's watchdog ({@code WatchdogSec=} in the unit): every half of {@code $WATCHDOG_USEC}, as
 * {@code sd_watchdog_enabled(3)} advises, it asks the router's own liveness check and sends {@code WATCHDOG=1} only
 * when it passes, that is when every worker and the HA agent have cycled since the previous check. A router whose
 * threads are stuck therefore goes silent, and systemd kills it (SIGABRT) and, with {@code Restart=on-failure},
 * starts it again: the case the router's own watchdogs do not cover (a hung worker, docs/operations.md). A JVM that
 * still schedules this thread but no longer its workers is not alive for this purpose.
 *
 * <p>Each check also refreshes {@code STATUS=} when the status line changed (a VIP taken or given up). Runs on a
 * daemon thread of its own; {@link #tick} is its whole work, stepped by tests with a clock of their own.
 */
public final class ServiceWatchdog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceWatchdog.class.getName());
    /** At most one log line per this many milliseconds while the router is not alive. */
    static final long STALL_LOG_INTERVAL_MS = 10_000;

    /** The router's own liveness check, asked once per interval. */
    @FunctionalInterface
    public interface Liveness {
        /** Null when everything watched made progress since the previous call, else what did not. */
        String stalled();
    }

    private final SystemdNotifier notifier;
    private final Liveness liveness;
    private final Supplier<String> status;
    private final long intervalMs;
    private final MillisClock clock;
    private final RateLimitedLog stallLog = new RateLimitedLog(1, STALL_LOG_INTERVAL_MS);
    private String lastStatus;
    private long pings;
    private long withheld;
    private volatile boolean running = true;
    private Thread thread;

    /**
     * @param intervalMs how often to check and ping: half the watchdog timeout
     * @param status     the current status line (for {@code STATUS=}), asked at each check
     */
    public ServiceWatchdog(SystemdNotifier notifier, Liveness liveness, Supplier<String> status, long intervalMs,
                           MillisClock clock) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("watchdog interval " + intervalMs + " ms is not positive");
        }
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.status = Objects.requireNonNull(status, "status");
        this.intervalMs = intervalMs;
        this.clock = clock;
    }

    /** Half of the timeout systemd gave ({@code $WATCHDOG_USEC}), at least 1 ms; 0 when there is no watchdog. */
    public static long intervalMs(SystemdNotifier notifier) {
        long us = notifier.watchdogMicros();
        return us == 0 ? 0 : Math.max(1, us / 2_000);
    }

    /**
     * One check: {@code WATCHDOG=1} when the router is alive, nothing (and a rate-limited log line) when not; a
     * changed status line. Never throws: a failing status supplier is no reason to stop pinging a live router.
     *
     * @return whether it pinged
     */
    public boolean tick(long nowMs) {
        String stalled;
        try {
            stalled = liveness.stalled();
        } catch (RuntimeException e) {
            stalled = "the liveness check failed: " + e;
        }
        if (stalled == null) {
            notifier.watchdog();
            pings++;
        } else {
            withheld++;
            if (stallLog.shouldLog(0, nowMs)) {
                long suppressed = stallLog.takeSuppressed(0);
                LOG.severe(stalled + ": not telling systemd the router is alive (WATCHDOG=1 withheld"
                        + (suppressed > 0 ? ", " + (suppressed + 1) + " times since the last line" : "")
                        + "); it kills and restarts the router when WatchdogSec= passes without one");
            }
        }
        try {
            String now = status.get();
            if (now != null && !now.equals(lastStatus)) {
                lastStatus = now;
                notifier.status(now);
            }
        } catch (RuntimeException e) {
            LOG.fine("status line for systemd failed: " + e);
        }
        return stalled == null;
    }

    /** Pings sent. The watchdog's thread, or after {@link #close}. */
    public long pings() {
        return pings;
    }

    /** Checks that found the router not alive. The watchdog's thread, or after {@link #close}. */
    public long withheld() {
        return withheld;
    }

    /** The status line last sent, or null. */
    String lastStatus() {
        return lastStatus;
    }

    /** Starts the checks on a daemon thread, the first one interval from now. */
    public ServiceWatchdog start() {
        thread = Thread.ofPlatform().name("baton-systemd-watchdog").daemon(true).start(() -> {
            long next = clock.nowMs() + intervalMs;
            while (running) {
                long waitMs = next - clock.nowMs();
                if (waitMs > 0) {
                    LockSupport.parkNanos(waitMs * 1_000_000L);
                    continue;
                }
                tick(clock.nowMs());
                next += intervalMs;
                if (next < clock.nowMs()) {
                    next = clock.nowMs() + intervalMs; // after a long stall of this thread: no burst of catch-up ticks
                }
            }
        });
        return this;
    }

    /** Stops the checks and waits up to a second for the thread. */
    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
