package dev.baton.control.router;

import dev.baton.agent.AgentRunner;
import dev.baton.agent.CounterRegistry;
import dev.baton.agent.MillisClock;
import dev.baton.agent.OwnerThread;
import dev.baton.agent.ThreadFailure;
import dev.baton.config.BatonConfig;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.health.HealthChecks;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The probe thread of a router: every health check and reachability probe ({@link HealthChecks}) on an
 * {@link AgentRunner} of its own, with its counters. A reload stops it and starts the next configuration's
 * ({@link RouterDaemon#reload}): the verdicts it had are on the data plane's health board, which the reload carries
 * over, so a server failing its check stays out while the new probes find their feet.
 */
final class ProbeThread {

    private final HealthChecks checks;
    private final AgentRunner runner;
    private final CounterRegistry.Group counters;

    private ProbeThread(HealthChecks checks, AgentRunner runner, CounterRegistry.Group counters) {
        this.checks = checks;
        this.runner = runner;
        this.counters = counters;
    }

    /** Whether {@code config} has anything to probe: a health check, or a reachability set. */
    static boolean needed(BatonConfig config) {
        return config.reachability().isPresent() || config.services().stream().anyMatch(s -> s.healthCheck().enabled());
    }

    /**
     * Starts the probes of {@code config} against {@code plane}'s current services and health board, or returns null
     * when it has none; its counters go on from {@code carried} ({@link #stop}'s values).
     */
    static ProbeThread start(BatonConfig config, Dataplane plane, HealthChecks.Feed feed, long[] carried) {
        if (!needed(config)) {
            return null;
        }
        Dataplane.Generation generation = plane.generation();
        HealthChecks checks = new HealthChecks(config, generation.services(), generation.health(), feed, MillisClock.SYSTEM.nowMs());
        CounterRegistry.Group counters = checks.registerCounters(plane.counters(),
                read -> OwnerThread.ask("the probe thread", checks::post, read), carried);
        // It parks as long as the probes' timeouts allow (at most 20 ms): each wake of a CPU costs more than the probes
        // it starts (docs/benchmarks.md, "Probes").
        AgentRunner runner = new AgentRunner(checks, MillisClock.SYSTEM, () -> LockSupport.parkNanos(checks.idleNanos()),
                ThreadFailure.HALT);
        runner.start("baton-probes", () -> { });
        return new ProbeThread(checks, runner, counters);
    }

    /** Each server's check and each reachability element, as {@code ctl health} shows them; asked on the probe thread. */
    Map<String, Object> status() {
        return OwnerThread.ask("the probe thread", checks::post, checks::status);
    }

    /** Stops the thread and takes its counters out of the registry; returns their last values, for the next one. */
    long[] stop() {
        long[] values = OwnerThread.ask("the probe thread", checks::post, checks::counterValues);
        counters.remove();
        runner.close();
        return values;
    }

    /** Stops the thread (the router stops). */
    void close() {
        runner.close();
    }
}
