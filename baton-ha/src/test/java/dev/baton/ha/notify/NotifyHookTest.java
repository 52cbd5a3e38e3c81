package dev.baton.ha.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterSnapshot;
import dev.baton.config.NotifySettings;
import dev.baton.ha.notify.ScriptLauncher.Outcome;
import dev.baton.ha.notify.ScriptLauncher.RunningScript;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The hook's queue, order, timeout and counting, with a fake launcher that says how each run ends: no process, no
 * sleep. The real processes are {@link ProcessScriptLauncherTest}'s.
 */
class NotifyHookTest {

    private static final Path SCRIPT = Path.of("/etc/baton/notify.sh");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** How the fake's next runs end, in order; a run with no plan left exits 0. */
    private sealed interface Plan {
    }

    private record Exits(int status, List<String> output) implements Plan {
    }

    private record Hangs() implements Plan {
    }

    private record FloodsOutput() implements Plan {
    }

    private record CannotStart(String why) implements Plan {
    }

    /** Hangs until its thread is interrupted (a script that never ends, with a hook that is closing). */
    private record HangsUntilInterrupted(CountDownLatch started) implements Plan {
    }

    private static final class FakeLauncher implements ScriptLauncher {
        final Deque<Plan> plans = new ArrayDeque<>();
        final List<List<String>> commands = new ArrayList<>();
        final List<Map<String, String>> environments = new ArrayList<>();
        final List<Duration> waits = new ArrayList<>();
        int killed;
        int closed;

        @Override
        public RunningScript start(List<String> command, Map<String, String> environment) throws IOException {
            Plan plan = plans.isEmpty() ? new Exits(0, List.of()) : plans.removeFirst();
            if (plan instanceof CannotStart(String why)) {
                throw new IOException(why);
            }
            commands.add(command);
            environments.add(environment);
            return new RunningScript() {
                @Override
                public Outcome awaitExit(Duration timeout) throws InterruptedException {
                    waits.add(timeout);
                    return switch (plan) {
                        case Exits exits -> Outcome.EXITED;
                        case Hangs hangs -> Outcome.TIMED_OUT;
                        case FloodsOutput flood -> Outcome.OUTPUT_LIMIT;
                        case HangsUntilInterrupted hang -> {
                            hang.started().countDown();
                            new CountDownLatch(1).await();
                            throw new AssertionError("unreachable");
                        }
                        case CannotStart cannot -> throw new AssertionError("never started");
                    };
                }

                @Override
                public int exitStatus() {
                    return plan instanceof Exits(int status, List<String> output) ? status : 137;
                }

                @Override
                public void kill() {
                    killed++;
                }

                @Override
                public List<String> firstLines(int maxLines, int maxChars) {
                    return plan instanceof Exits(int status, List<String> output) ? output : List.of();
                }

                @Override
                public void close() {
                    closed++;
                }
            };
        }
    }

    private final FakeLauncher launcher = new FakeLauncher();
    private long nowMs = 1_000;

    private NotifyHook hook(int capacity) {
        return new NotifyHook(new NotifySettings(SCRIPT, TIMEOUT), "baton-1", launcher, () -> nowMs, capacity);
    }

    private static StateChange change(String from, String to, int reference) {
        return new StateChange("192.0.2.10", from, to, "because " + reference, reference);
    }

    @Test
    void eachChangeRunsTheScriptWithItsArgumentsAndEnvironmentInTheOrderTheyHappened() {
        NotifyHook hook = hook(NotifyHook.QUEUE_CAPACITY);
        hook.stateChanged(change("IDLE", "LISTEN", 315), nowMs);
        hook.stateChanged(change("LISTEN", "STANDBY", 325), nowMs);
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        assertTrue(launcher.commands.isEmpty(), "stateChanged only queues: nothing runs on the agent's thread");

        assertEquals(3, hook.runPending());

        assertEquals(List.of(
                List.of("/etc/baton/notify.sh", "192.0.2.10", "IDLE", "LISTEN", "because 315"),
                List.of("/etc/baton/notify.sh", "192.0.2.10", "LISTEN", "STANDBY", "because 325"),
                List.of("/etc/baton/notify.sh", "192.0.2.10", "STANDBY", "ACTIVE", "because 348")), launcher.commands);
        assertEquals(Map.of("BATON_VIP", "192.0.2.10", "BATON_OLD_STATE", "STANDBY", "BATON_NEW_STATE", "ACTIVE",
                "BATON_REASON", "because 348", "BATON_TRANSITION", "348", "BATON_ROUTER_ID", "baton-1"), launcher.environments.get(2));
        assertEquals(List.of(TIMEOUT, TIMEOUT, TIMEOUT), launcher.waits, "every run is bounded by notify.timeout");
        assertEquals(3, launcher.closed, "every run's output file is released");
        assertEquals(List.of(3L, 0L, 0L, 0L), List.of(hook.runs(), hook.failures(), hook.timeouts(), hook.dropped()));
    }

    @Test
    void aFullQueueDropsAndCountsTheChangeWithoutWaiting() {
        NotifyHook hook = hook(2);
        hook.stateChanged(change("IDLE", "LISTEN", 315), nowMs);
        hook.stateChanged(change("LISTEN", "STANDBY", 325), nowMs);
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs); // no room: dropped, not waited for
        nowMs += 1;
        hook.stateChanged(change("ACTIVE", "LISTEN", 321), nowMs); // dropped too; its log line is suppressed

        assertEquals(2, hook.dropped());
        assertEquals(2, hook.pending());
        assertEquals(2, hook.runPending());
        assertEquals(List.of("LISTEN", "STANDBY"), launcher.commands.stream().map(c -> c.get(3)).toList(),
                "the changes that fitted run in order; the dropped ones never");
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        assertEquals(1, hook.runPending(), "room again once the queue drained");
        assertEquals(2, hook.dropped());
    }

    @Test
    void aScriptStillRunningAtTheTimeoutIsKilledCountedAndTheNextChangeStillRuns() {
        NotifyHook hook = hook(NotifyHook.QUEUE_CAPACITY);
        launcher.plans.add(new Hangs());
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);

        hook.runPending();

        assertEquals(1, launcher.killed, "the hung run is killed (with its descendants), the next one is not");
        assertEquals(List.of(2L, 0L, 1L), List.of(hook.runs(), hook.failures(), hook.timeouts()));
        assertEquals(2, launcher.commands.size());
    }

    @Test
    void aNonZeroExitIsAFailureWithItsOutputAndTheRunAfterItIsNot() {
        NotifyHook hook = hook(NotifyHook.QUEUE_CAPACITY);
        launcher.plans.add(new Exits(3, List.of("cannot reach the pager")));
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);

        hook.runPending();

        assertEquals(List.of(2L, 1L, 0L), List.of(hook.runs(), hook.failures(), hook.timeouts()));
        assertEquals(0, launcher.killed, "a script that exited is not killed");
    }

    @Test
    void aScriptThatCannotStartIsAFailureAndTheNextChangeStillRuns() {
        NotifyHook hook = hook(NotifyHook.QUEUE_CAPACITY);
        launcher.plans.add(new CannotStart("error=13, Permission denied"));
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);

        hook.runPending();

        assertEquals(List.of(2L, 1L, 0L), List.of(hook.runs(), hook.failures(), hook.timeouts()));
        assertEquals(1, launcher.commands.size());
    }

    @Test
    void aScriptFloodingItsOutputIsKilledAndCountedAsAFailure() {
        NotifyHook hook = hook(NotifyHook.QUEUE_CAPACITY);
        launcher.plans.add(new FloodsOutput());
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);

        hook.runPending();

        assertEquals(1, launcher.killed);
        assertEquals(List.of(1L, 1L, 0L), List.of(hook.runs(), hook.failures(), hook.timeouts()));
    }

    @Test
    void theCountersAreInTheRoutersRegistry() {
        NotifyHook hook = hook(1);
        CounterRegistry registry = new CounterRegistry();
        hook.registerCounters(registry);
        launcher.plans.add(new Hangs());
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);
        hook.runPending();

        CounterSnapshot snapshot = registry.snapshot();
        assertEquals(List.of(1L, 0L, 1L, 1L), List.of(snapshot.sum("notify_runs"), snapshot.sum("notify_failures"),
                snapshot.sum("notify_timeouts"), snapshot.sum("notify_dropped")));
    }

    @Test
    void itsThreadRunsTheChangesInOrderAndCloseWaitsForThem() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(3);
        ScriptLauncher counting = (command, environment) -> {
            RunningScript run = launcher.start(command, environment);
            ran.countDown();
            return run;
        };
        NotifyHook hook = new NotifyHook(new NotifySettings(SCRIPT, TIMEOUT), "baton-1", counting, () -> nowMs, 8);
        hook.start();
        hook.stateChanged(change("IDLE", "LISTEN", 315), nowMs);
        hook.stateChanged(change("LISTEN", "ACTIVE", 326), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);

        assertTrue(ran.await(10, TimeUnit.SECONDS), "baton-notify ran the three changes");
        hook.close();

        assertEquals(List.of("LISTEN", "ACTIVE", "STANDBY"), launcher.commands.stream().map(c -> c.get(3)).toList());
        assertEquals(0, hook.dropped());
    }

    @Test
    void closeInterruptsARunThatOutlivesItsTimeoutKillsItAndDropsWhatIsLeft() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        launcher.plans.add(new HangsUntilInterrupted(started));
        NotifyHook hook = new NotifyHook(new NotifySettings(SCRIPT, Duration.ofMillis(100)), "baton-1", launcher, () -> nowMs, 8);
        hook.closeMarginMs = 0;
        hook.start();
        hook.stateChanged(change("STANDBY", "ACTIVE", 348), nowMs);
        hook.stateChanged(change("ACTIVE", "STANDBY", 355), nowMs);
        assertTrue(started.await(10, TimeUnit.SECONDS));

        hook.close();

        assertEquals(1, launcher.killed, "the run in progress is killed");
        assertEquals(1, hook.failures());
        assertEquals(1, hook.dropped(), "the change still queued is dropped and counted");
        assertEquals(1, launcher.commands.size());
        assertFalse(hook.pending() > 0);
    }
}
