package dev.baton.lab;

import dev.baton.control.protocol.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client side of a failover scenario on {@link HaLabPair}: starts {@link EchoClients} (ha_client.py) at the
 * pair's VIP and reads their JSON result into totals, the per-connection longest stalls and their percentiles,
 * the probes, and what was lost ("nothing lost": every connection established and carried on, every message
 * echoed intact, no error).
 *
 * @param result the parsed JSON (docs/lab.md, "EchoClients", lists the fields)
 */
public record EchoLoad(Map<String, Object> result) {

    /** Long-lived connections, as the failover acceptance asks. */
    public static final int CONNECTIONS = 200;

    /** Starts {@value #CONNECTIONS} connections to the VIP's echo port, a message every 20 ms each. */
    public static EchoClients start(Host client, Duration duration) {
        return start(client, CONNECTIONS, duration);
    }

    /** Starts {@code connections} connections to the VIP's echo port, a message every 20 ms each. */
    public static EchoClients start(Host client, int connections, Duration duration) {
        return EchoClients.start(client, EchoClients.Options.longLived(HaLabPair.VIP, HaLabPair.ECHO_PORT, connections, duration));
    }

    /** The same with {@value #CONNECTIONS} connections and a fresh one-message connection every {@code probeInterval}. */
    public static EchoClients startWithProbes(Host client, Duration duration, Duration probeInterval) {
        return EchoClients.start(client, EchoClients.Options.longLived(HaLabPair.VIP, HaLabPair.ECHO_PORT, CONNECTIONS,
                duration).withProbes(probeInterval));
    }

    /** {@code connections} connections and a fresh one-message connection every {@code probeInterval}. */
    public static EchoClients startWithProbes(Host client, int connections, Duration duration, Duration probeInterval) {
        return EchoClients.start(client, EchoClients.Options.longLived(HaLabPair.VIP, HaLabPair.ECHO_PORT, connections,
                duration).withProbes(probeInterval));
    }

    /** {@code connections} fresh connections, each echoing one message, run to the end. */
    public static EchoLoad oneEchoEach(Host client, int connections) {
        return parse(EchoClients.run(client, EchoClients.Options.oneEchoEach(HaLabPair.VIP, HaLabPair.ECHO_PORT, connections)));
    }

    /** Waits (bounded by the run's longest possible length) for the clients' end and reads their result. */
    public static EchoLoad finish(EchoClients clients) {
        return parse(clients.awaitResult(clients.options().longestRun()));
    }

    @SuppressWarnings("unchecked")
    public static EchoLoad parse(String json) {
        return new EchoLoad((Map<String, Object>) Json.parse(json));
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> connections() {
        return (List<Map<String, Object>>) (List<?>) result.get("per_connection");
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> probes() {
        Object probes = result.get("probes");
        return probes == null ? List.of() : (List<Map<String, Object>>) probes;
    }

    /** The sum of a per-connection count ({@code ok}, {@code mismatches}, {@code errors}, {@code unanswered}). */
    public long total(String key) {
        return connections().stream().mapToLong(c -> ((Number) c.get(key)).longValue()).sum();
    }

    public long established() {
        return connections().stream().filter(c -> Boolean.TRUE.equals(c.get("established"))).count();
    }

    /**
     * Messages sent and never echoed intact: those still unanswered when the run ended, plus one per mismatch (the
     * client stops a connection at the first wrong byte). Zero when nothing was lost.
     */
    public long messagesLost() {
        return total("unanswered") + total("mismatches");
    }

    /**
     * The connections that did not carry on intact to the end: never established, no message echoed, a mismatch,
     * an error (reset, close, timeout) or messages left unanswered. Empty when nothing was lost.
     */
    public List<Map<String, Object>> brokenConnections() {
        List<Map<String, Object>> broken = new ArrayList<>();
        for (Map<String, Object> c : connections()) {
            boolean fine = Boolean.TRUE.equals(c.get("established")) && ((Number) c.get("ok")).longValue() > 0
                    && ((Number) c.get("mismatches")).longValue() == 0 && ((Number) c.get("errors")).longValue() == 0
                    && ((Number) c.get("unanswered")).longValue() == 0;
            if (!fine) {
                broken.add(c);
            }
        }
        return broken;
    }

    /** The probes (fresh one-message connections) that failed. */
    public List<Map<String, Object>> failedProbes() {
        return probes().stream().filter(p -> !Boolean.TRUE.equals(p.get("ok"))).toList();
    }

    /** Each connection's longest stall in ms (measured from READY on), ascending. */
    public List<Double> stallsMs() {
        return connections().stream().map(c -> ((Number) c.get("longest_stall_ms")).doubleValue()).sorted().toList();
    }

    /** Nearest-rank percentile of the per-connection longest stalls. */
    public double stallPercentileMs(double percentile) {
        return nearestRank(stallsMs(), percentile);
    }

    /**
     * The nearest-rank percentile of {@code ascending} (sorted, not empty): the smallest value with at least
     * {@code percentile} % of the values at or below it; 100 gives the maximum.
     *
     * @throws IllegalArgumentException if {@code ascending} is empty or {@code percentile} is outside 0..100
     */
    public static double nearestRank(List<Double> ascending, double percentile) {
        if (ascending.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside 0..100");
        }
        int rank = (int) Math.ceil(percentile / 100.0 * ascending.size());
        return ascending.get(Math.max(0, Math.min(ascending.size() - 1, rank - 1)));
    }

    /** How late the client's own loop ran at worst (a stall the client caused itself), ms. */
    public double maxTickLatenessMs() {
        return ((Number) result.get("max_tick_lateness_ms")).doubleValue();
    }

    /** When the longest stalls began, relative to {@code epochMs}: min and max over the connections, in ms. */
    public String stallOnsetRelativeTo(long epochMs) {
        List<Double> onsets = new ArrayList<>();
        for (Map<String, Object> c : connections()) {
            if (c.get("stall_began_epoch_ms") instanceof Number began) {
                onsets.add(began.doubleValue() - epochMs);
            }
        }
        if (onsets.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%+.0f..%+.0f ms", onsets.stream().mapToDouble(d -> d).min().orElseThrow(),
                onsets.stream().mapToDouble(d -> d).max().orElseThrow());
    }

    /**
     * Every stall longer than three message intervals, grouped by when it began (100 ms buckets, relative to
     * {@code epochMs}): "bucket start: stalls (longest)". Shows whether stalls cluster at the failure or elsewhere.
     */
    public String longStallTimeline(long epochMs) {
        TreeMap<Long, long[]> buckets = new TreeMap<>();
        for (Map<String, Object> c : connections()) {
            if (c.get("long_stalls") instanceof List<?> stalls) {
                for (Object stall : stalls) {
                    List<?> pair = (List<?>) stall;
                    double began = ((Number) pair.get(0)).doubleValue() - epochMs;
                    long bucket = (long) Math.floor(began / 100.0) * 100;
                    long[] entry = buckets.computeIfAbsent(bucket, b -> new long[2]);
                    entry[0]++;
                    entry[1] = Math.max(entry[1], Math.round(((Number) pair.get(1)).doubleValue()));
                }
            }
        }
        if (buckets.isEmpty()) {
            return "no stall longer than three intervals";
        }
        StringBuilder text = new StringBuilder("stalls longer than three intervals by onset:");
        buckets.forEach((bucket, entry) -> text.append(String.format(Locale.ROOT, " %+d ms: %d (<= %d ms);", bucket,
                entry[0], entry[1])));
        return text.toString();
    }

    /** One line for a report. */
    public String summary(String scenario) {
        long probesOk = probes().size() - failedProbes().size();
        return String.format(Locale.ROOT,
                "[%s] %d/%d connections established, %d messages echoed intact, %d mismatches, %d errors, %d unanswered;"
                        + " longest stall per connection p50 %.1f ms, p99 %.1f ms, max %.1f ms; client loop late by up to %.1f ms%s",
                scenario, established(), connections().size(), total("ok"), total("mismatches"), total("errors"),
                total("unanswered"), stallPercentileMs(50), stallPercentileMs(99), stallPercentileMs(100), maxTickLatenessMs(),
                probes().isEmpty() ? "" : "; probes " + probesOk + "/" + probes().size() + " echoed");
    }
}
