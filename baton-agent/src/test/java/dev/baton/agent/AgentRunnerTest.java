package dev.baton.agent;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The runner's error policy: a RuntimeException is logged and the agent goes on; an Error halts the router. */
class AgentRunnerTest {

    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final ThreadFailure failure = new ThreadFailure(halts::add);

    @Test
    void aRuntimeExceptionIsLoggedAndTheLoopCarriesOnButAnErrorHaltsAndEndsIt() {
        AtomicInteger cycles = new AtomicInteger();
        Agent agent = new Agent() {
            @Override
            public String roleName() {
                return "test agent";
            }

            @Override
            public int doWork(long nowMs) {
                return switch (cycles.incrementAndGet()) {
                    case 1, 2 -> throw new IllegalStateException("a bug on one input");
                    case 3 -> 1;
                    case 4 -> throw new StackOverflowError("deep");
                    default -> throw new AssertionError("the loop went on after an Error");
                };
            }
        };
        AgentRunner loop = new AgentRunner(agent, () -> 0, () -> { }, failure);
        loop.run(); // returns only after the Error
        assertEquals(4, cycles.get());
        assertEquals(4, loop.cycles(), "every cycle begun counts, failed ones too: what the service watchdog reads");
        assertEquals(2, loop.failedCycles());
        assertEquals(List.of(ThreadFailure.EXIT_STATUS), halts);
    }

    @Test
    void anUncaughtThrowableOnAThreadWithTheHandlerHalts() throws Exception {
        Thread thread = Thread.ofPlatform().name("baton-test").uncaughtExceptionHandler(failure)
                .start(() -> { throw new IllegalStateException("escaped"); });
        thread.join(5_000);
        assertEquals(List.of(ThreadFailure.EXIT_STATUS), halts);
    }

    @Test
    void anInvokerRunsOneCycleAtTheGivenTime() {
        List<Long> times = new CopyOnWriteArrayList<>();
        AgentInvoker invoker = new AgentInvoker(new Agent() {
            @Override
            public String roleName() {
                return "stepped";
            }

            @Override
            public int doWork(long nowMs) {
                times.add(nowMs);
                return 1;
            }
        });
        assertEquals(1, invoker.invoke(5));
        invoker.invoke(7);
        assertEquals(List.of(5L, 7L), times);
        assertEquals(2, invoker.cycles());
    }
}
