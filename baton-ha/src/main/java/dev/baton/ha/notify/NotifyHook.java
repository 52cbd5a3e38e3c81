package dev.baton.ha.notify;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.MillisClock;
import dev.baton.agent.RateLimitedLog;
import dev.baton.config.NotifySettings;
import dev.baton.ha.notify.ScriptLauncher.Outcome;
import dev.baton.ha.notify.ScriptLauncher.RunningScript;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the operator's script ({@code notify.on-state-change}) on every state change of a VIP, as keepalived's
 * {@code notify_master} / {@code notify_backup} / {@code notify_fault}: {@code SCRIPT VIP OLD_STATE NEW_STATE REASON},
 * with {@code BATON_VIP}, {@code BATON_OLD_STATE}, {@code BATON_NEW_STATE}, {@code BATON_REASON},
 * {@code BATON_TRANSITION} (the patent's numeral) and {@code BATON_ROUTER_ID} in its environment.
 *
 * <p><b>It never delays the HA agent.</b> The agent must run at least every t2 or its peers take its VIPs
 * (FIG. 3, 341/348), and a script may take seconds or hang. {@link #stateChanged} only adds the change to a bounded
 * queue ({@link #QUEUE_CAPACITY}) and returns; a full queue drops the change, counts it ({@code notify_dropped}) and
 * logs at most once per 10 s. The queue takes no lock: the agent runs under a real-time policy, and a lock held by
 * this lower-priority thread when it is preempted would make the agent wait for it. One thread of its own ({@code baton-notify}) takes the changes in order and runs the
 * script for each, one run at a time, so a script sees the transitions in the order they happened.
 *
 * <p><b>Every run is bounded.</b> A run still going after {@code notify.timeout} is killed with its descendants,
 * logged and counted ({@code notify_timeouts}); one that cannot start, exits non-zero or writes more than
 * {@link ProcessScriptLauncher#MAX_OUTPUT_BYTES} is logged with its exit status and the first lines of its output and
 * counted ({@code notify_failures}). {@code notify_runs} counts every run begun.
 *
 * <p>Threads: {@link #stateChanged} on the agent thread; {@link #start}, {@link #close} on the thread that starts and
 * stops the router; runs on {@code baton-notify}, or on a test's thread through {@link #runPending()}.
 */
public final class NotifyHook implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NotifyHook.class.getName());

    /**
     * Changes waiting to be run. A failover is a handful of transitions per VIP; 256 hold every transition of
     * dozens of VIPs at once even while a run hangs for its whole timeout.
     */
    public static final int QUEUE_CAPACITY = 256;
    /** Lines of a failed run's output put in the log, and their longest length. */
    static final int OUTPUT_LINES = 5;
    static final int OUTPUT_LINE_CHARS = 200;
    /** How long {@link #close} gives a run that is still going beyond its timeout before it interrupts it. */
    static final long CLOSE_MARGIN_MS = 1_000;

    private final Path script;
    private final Duration timeout;
    private final String routerId;
    private final ScriptLauncher launcher;
    private final MillisClock clock;
    private final int capacity;
    /** Changes waiting, oldest first: the agent adds, the hook's thread takes, neither ever waits for the other. */
    private final ConcurrentLinkedQueue<StateChange> queue = new ConcurrentLinkedQueue<>();
    /** Changes counted in {@link #queue}: reserved by the agent before it adds one, released when one is taken. */
    private final AtomicInteger waiting = new AtomicInteger();

    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** The agent thread's: a queue that stays full logs a line per 10 s, not one per transition. */
    private final RateLimitedLog dropLog = new RateLimitedLog(1, RateLimitedLog.DEFAULT_INTERVAL_MS);

    private volatile boolean closing;
    /** How long the hook's thread parks when the queue is empty (the agent unparks it when it adds a change). */
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** {@link #CLOSE_MARGIN_MS}; tests shorten it. */
    long closeMarginMs = CLOSE_MARGIN_MS;
    private volatile Thread thread;

    /**
     * @param routerId {@code router.id}, for {@code BATON_ROUTER_ID}
     * @param launcher starts the script's processes
     * @param clock    times the runs, for the log
     * @param capacity how many changes may wait ({@link #QUEUE_CAPACITY} in a router)
     */
    public NotifyHook(NotifySettings settings, String routerId, ScriptLauncher launcher, MillisClock clock, int capacity) {
        this.script = settings.onStateChange();
        this.timeout = settings.timeout();
        this.routerId = Objects.requireNonNull(routerId, "routerId");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity < 1) {
            throw new IllegalArgumentException("a queue of " + capacity + " changes");
        }
        this.capacity = capacity;
    }

    /** The hook of a router: real processes, the system clock, {@link #QUEUE_CAPACITY}. */
    public static NotifyHook of(NotifySettings settings, String routerId) {
        return new NotifyHook(settings, routerId, new ProcessScriptLauncher(), MillisClock.SYSTEM, QUEUE_CAPACITY);
    }

    /**
     * Registers {@code notify_runs}, {@code notify_failures}, {@code notify_timeouts} and {@code notify_dropped}
     * ({@code baton ctl counters}). Atomics: readable on any thread.
     */
    public void registerCounters(CounterRegistry registry) {
        CounterRegistry.Group group = registry.group("the notify hook", CounterRegistry.Owner.ANY_THREAD);
        group.add("notify_runs", CounterRegistry.Type.COUNTER, "runs of the notify script begun, one per state change");
        group.add("notify_failures", CounterRegistry.Type.COUNTER,
                "notify script runs that could not start, exited non-zero or wrote too much output");
        group.add("notify_timeouts", CounterRegistry.Type.COUNTER,
                "notify script runs killed (with their descendants) at notify.timeout");
        group.add("notify_dropped", CounterRegistry.Type.COUNTER,
                "state changes never notified: " + QUEUE_CAPACITY + " were already waiting, or the router stopped first");
        group.reader(values -> {
            values[0] = runs.get();
            values[1] = failures.get();
            values[2] = timeouts.get();
            values[3] = dropped.get();
        });
    }

    // ====================================================================================== the agent's side

    /**
     * Queues {@code change} for the script, or drops and counts it when the queue is full. Never waits: called by
     * the HA agent inside its duty cycle.
     *
     * @param nowMs the agent's clock, for the rate of the drop log
     */
    public void stateChanged(StateChange change, long nowMs) {
        if (waiting.incrementAndGet() <= capacity) {
            queue.add(change);
            Thread drainer = thread;
            if (drainer != null) {
                LockSupport.unpark(drainer);
            }
            return;
        }
        waiting.decrementAndGet();
        dropped.incrementAndGet();
        if (dropLog.shouldLog(0, nowMs)) {
            long alsoDropped = dropLog.takeSuppressed(0);
            LOG.log(System.Logger.Level.WARNING, "notify: " + capacity + " state changes already wait for " + script
                    + " (a run is slow or hangs until notify.timeout " + timeout.toMillis() + " ms): dropped " + change
                    + (alsoDropped == 0 ? "" : " and " + alsoDropped + " more since the last such line")
                    + "; notify_dropped counts them");
        }
    }

    // ====================================================================================== the runs

    /** Starts {@code baton-notify}, which runs the script for each queued change until {@link #close}. */
    public void start() {
        if (thread != null) {
            throw new IllegalStateException("the notify hook is already started");
        }
        thread = Thread.ofPlatform().name("baton-notify").daemon().start(this::drain);
    }

    private void drain() {
        while (!Thread.currentThread().isInterrupted()) {
            StateChange change = take();
            if (change != null) {
                run(change);
            } else if (closing) {
                break;
            } else {
                LockSupport.parkNanos(this, IDLE_PARK_NS);
            }
        }
        int left = 0;
        while (take() != null) {
            left++;
        }
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.log(System.Logger.Level.WARNING, "notify: the router stopped with " + left + " state change(s) not yet"
                    + " notified to " + script + " (counted in notify_dropped)");
        }
    }

    /**
     * Runs the script for every change queued now, in order, on the caller's thread; for a hook that was not
     * {@linkplain #start started}, as in tests that step the agent by hand.
     *
     * @return how many runs
     */
    public int runPending() {
        int count = 0;
        StateChange change;
        while ((change = take()) != null) {
            run(change);
            count++;
        }
        return count;
    }

    /** The oldest change waiting, or null. */
    private StateChange take() {
        StateChange change = queue.poll();
        if (change != null) {
            waiting.decrementAndGet();
        }
        return change;
    }

    /** One run for {@code change}: started, awaited for at most the timeout, judged, logged and counted. */
    void run(StateChange change) {
        runs.incrementAndGet();
        long startMs = clock.nowMs();
        RunningScript running;
        try {
            running = launcher.start(command(change), environment(change));
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "notify: cannot run " + script + " for " + change + ": " + e.getMessage()
                    + "; notify_failures counts it");
            return;
        }
        try {
            Outcome outcome;
            try {
                outcome = running.awaitExit(timeout);
            } catch (InterruptedException e) {
                running.kill();
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "notify: " + script + " for " + change + " killed with its descendants:"
                        + " the router is stopping" + output(running));
                Thread.currentThread().interrupt();
                return;
            }
            switch (outcome) {
                case TIMED_OUT -> {
                    running.kill();
                    timeouts.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "notify: " + script + " for " + change + " did not finish within"
                            + " notify.timeout (" + timeout.toMillis() + " ms): killed it and its descendants; notify_timeouts"
                            + " counts it" + output(running));
                }
                case OUTPUT_LIMIT -> {
                    running.kill();
                    failures.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "notify: " + script + " for " + change + " wrote more than "
                            + ProcessScriptLauncher.MAX_OUTPUT_BYTES + " bytes of output: killed it and its descendants;"
                            + " notify_failures counts it" + output(running));
                }
                case EXITED -> {
                    int status = running.exitStatus();
                    if (status == 0) {
                        LOG.log(System.Logger.Level.DEBUG, () -> "notify: " + script + " for " + change + " done in "
                                + (clock.nowMs() - startMs) + " ms");
                    } else {
                        failures.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "notify: " + script + " for " + change + " exited with status "
                                + status + describe(status) + " after " + (clock.nowMs() - startMs) + " ms; notify_failures"
                                + " counts it" + output(running));
                    }
                }
            }
        } finally {
            running.close();
        }
    }

    /** {@code SCRIPT VIP OLD NEW REASON}: the order keepalived's notify scripts take (instance, then state). */
    private List<String> command(StateChange change) {
        return List.of(script.toString(), change.vip(), change.oldState(), change.newState(), change.reason());
    }

    private Map<String, String> environment(StateChange change) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("BATON_VIP", change.vip());
        environment.put("BATON_OLD_STATE", change.oldState());
        environment.put("BATON_NEW_STATE", change.newState());
        environment.put("BATON_REASON", change.reason());
        environment.put("BATON_TRANSITION", Integer.toString(change.reference()));
        environment.put("BATON_ROUTER_ID", routerId);
        return environment;
    }

    /** A shell's reading of a status above 128: the script (or what it ran last) died of a signal. */
    private static String describe(int status) {
        return status > 128 && status < 128 + 65 ? " (128 + " + (status - 128) + ": killed by signal " + (status - 128) + "?)" : "";
    }

    /** The first lines of a run's output, for a log line: "" when it wrote nothing. */
    private static String output(RunningScript running) {
        List<String> lines = running.firstLines(OUTPUT_LINES, OUTPUT_LINE_CHARS);
        return lines.isEmpty() ? "; it wrote nothing" : "; its output began: " + String.join(" | ", lines);
    }

    // ====================================================================================== counters and stop

    public long runs() {
        return runs.get();
    }

    public long failures() {
        return failures.get();
    }

    public long timeouts() {
        return timeouts.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Changes waiting now. */
    public int pending() {
        return waiting.get();
    }

    /**
     * Stops the hook: the changes already queued still run (the last transitions of a stop, a hand-over at SIGTERM,
     * are worth a script's while), for at most one timeout plus a second; then the run still going is killed and the
     * rest are dropped and counted.
     */
    @Override
    public void close() {
        closing = true;
        Thread running = thread;
        if (running == null) {
            return;
        }
        LockSupport.unpark(running); // an idle thread need not wait out its park to see it is closing
        try {
            running.join(timeout.toMillis() + closeMarginMs);
            if (running.isAlive()) {
                running.interrupt();
                running.join(CLOSE_MARGIN_MS + 1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
