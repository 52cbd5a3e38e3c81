/**
 * The router's counters for Prometheus (docs/metrics.md): {@code GET /metrics} on the {@code metrics.listen}
 * address, through the official Prometheus Java client. {@link dev.baton.control.metrics.MetricNames} maps each
 * counter of the router's {@code CounterRegistry} (what {@code baton ctl counters} lists) to a Prometheus name;
 * {@link dev.baton.control.metrics.MetricFamilies} turns one registry snapshot into Prometheus metric families;
 * {@link dev.baton.control.metrics.RouterCollector} takes at most one snapshot per interval, however often and by
 * however many clients it is scraped; {@link dev.baton.control.metrics.MetricsServer} is the bounded HTTP listener.
 *
 * <p>Threads: the listener's dispatcher thread and at most two handler threads ({@code baton-metrics-N}). A snapshot
 * reads each worker's counters on that worker's thread through its command queue, like {@code ctl counters}: the
 * workers never wait for a scrape, and the listener never reads a worker's memory itself.
 */
package dev.baton.control.metrics;
