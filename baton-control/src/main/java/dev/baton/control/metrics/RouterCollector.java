package dev.baton.control.metrics;

import dev.baton.agent.CounterSnapshot;
import dev.baton.agent.MillisClock;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The router's metrics for the Prometheus client library: one {@link dev.baton.agent.CounterRegistry} snapshot turned
 * into metric families, taken at most once per {@link #MIN_INTERVAL_MS}. A scrape within that interval of the last
 * snapshot gets the same families again, and scrapes that arrive together wait for one snapshot: whoever scrapes, and
 * however often, the workers answer at most {@code 1000 / MIN_INTERVAL_MS} snapshot questions a second (each a copy of
 * its counters at the start of a duty cycle, as for {@code ctl counters}), and the families are built no more often.
 */
final class RouterCollector implements MultiCollector {

    /**
     * The least time between two snapshots. Below Prometheus's shortest usual scrape interval (1 s), so that a server
     * scraping every second still sees every second's values, while a client scraping in a loop costs the workers two
     * questions a second.
     */
    static final long MIN_INTERVAL_MS = 500;

    private final Supplier<CounterSnapshot> registry;
    private final RouterFacts facts;
    private final MillisClock clock;
    private MetricSnapshots last;
    private long lastAtMs;
    private long snapshots;

    /**
     * @param registry takes one snapshot of the router's counters ({@code CounterRegistry::snapshot})
     * @param clock    when snapshots were taken (tests step it)
     */
    RouterCollector(Supplier<CounterSnapshot> registry, RouterFacts facts, MillisClock clock) {
        this.registry = Objects.requireNonNull(registry);
        this.facts = Objects.requireNonNull(facts);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The families of the latest snapshot, taken now if the last one is {@link #MIN_INTERVAL_MS} old or more.
     * Synchronized: a second scrape waits for the first one's snapshot instead of asking the workers again. A worker
     * that does not answer fails the scrape (the client gets an error, the next scrape asks again).
     */
    @Override
    public synchronized MetricSnapshots collect() {
        long nowMs = clock.nowMs();
        if (last == null || nowMs - lastAtMs >= MIN_INTERVAL_MS || nowMs < lastAtMs) {
            last = MetricFamilies.of(registry.get(), facts);
            lastAtMs = nowMs;
            snapshots++;
        }
        return last;
    }

    /** Snapshots taken so far. */
    synchronized long snapshots() {
        return snapshots;
    }
}
