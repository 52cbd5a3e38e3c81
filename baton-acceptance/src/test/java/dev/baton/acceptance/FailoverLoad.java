package dev.baton.acceptance;

import dev.baton.control.text.Json;
import dev.baton.lab.EchoClients;
import dev.baton.lab.Host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client side of a failover scenario: the JSON result of {@link EchoClients} (ha_client.py), read into
 * totals, the per-connection longest stalls and their percentiles, and the probes, with the assertions every
 * scenario makes ("nothing lost": every connection established, every message echoed intact, no error).
 *
 * @param result the parsed JSON
 */
record FailoverLoad(Map<String, Object> result) {

    /** Long-lived connections, as the acceptance section asks. */
    static final int CONNECTIONS = 200;

    /** Starts {@value #CONNECTIONS} connections to the VIP's echo port, a message every 20 ms each. */
    static EchoClients start(Host client, Duration duration) {
        return EchoClients.start(client, EchoClients.Options.longLived(FailoverPair.VIP, FailoverPair.ECHO_PORT, CONNECTIONS,
                duration));
    }

    /** The same with a fresh one-message connection every {@code probeInterval}. */
    static EchoClients startWithProbes(Host client, Duration duration, Duration probeInterval) {
        return EchoClients.start(client, EchoClients.Options.longLived(FailoverPair.VIP, FailoverPair.ECHO_PORT, CONNECTIONS,
                duration).withProbes(probeInterval));
    }

    /** Waits for the clients' end and reads their result. */
    static FailoverLoad finish(EchoClients clients) {
        return parse(clients.awaitResult(clients.options().longestRun()));
    }

    @SuppressWarnings("unchecked")
    static FailoverLoad parse(String json) {
        return new FailoverLoad((Map<String, Object>) Json.parse(json));
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> connections() {
        return (List<Map<String, Object>>) (List<?>) result.get("per_connection");
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> probes() {
        return (List<Map<String, Object>>) (List<?>) result.get("probes");
    }

    long total(String key) {
        return connections().stream().mapToLong(c -> ((Number) c.get(key)).longValue()).sum();
    }

    long established() {
        return connections().stream().filter(c -> Boolean.TRUE.equals(c.get("established"))).count();
    }

    /** Each connection's longest stall in ms, ascending. */
    List<Double> stallsMs() {
        return connections().stream().map(c -> ((Number) c.get("longest_stall_ms")).doubleValue()).sorted().toList();
    }

    /** Nearest-rank percentile of the per-connection longest stalls. */
    double stallPercentileMs(double percentile) {
        List<Double> stalls = stallsMs();
        int rank = (int) Math.ceil(percentile / 100.0 * stalls.size());
        return stalls.get(Math.max(0, Math.min(stalls.size() - 1, rank - 1)));
    }

    double maxTickLatenessMs() {
        return ((Number) result.get("max_tick_lateness_ms")).doubleValue();
    }

    /** When the longest stalls began, relative to {@code epochMs}: min and max over the connections, in ms. */
    String stallOnsetRelativeTo(long epochMs) {
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
    String longStallTimeline(long epochMs) {
        java.util.TreeMap<Long, long[]> buckets = new java.util.TreeMap<>();
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

    /** One line for the test output. */
    String summary(String scenario) {
        long probesOk = probes().stream().filter(p -> Boolean.TRUE.equals(p.get("ok"))).count();
        return String.format(Locale.ROOT,
                "[%s] %d/%d connections established, %d messages echoed intact, %d mismatches, %d errors, %d unanswered;"
                        + " longest stall per connection p50 %.1f ms, p99 %.1f ms, max %.1f ms; client loop late by up to %.1f ms%s",
                scenario, established(), connections().size(), total("ok"), total("mismatches"), total("errors"),
                total("unanswered"), stallPercentileMs(50), stallPercentileMs(99), stallPercentileMs(100), maxTickLatenessMs(),
                probes().isEmpty() ? "" : "; probes " + probesOk + "/" + probes().size() + " echoed");
    }

    /**
     * Nothing lost: every connection established and carried on to the end, every message sent was echoed back
     * byte for byte, no reset, no close, no timeout.
     */
    void assertNothingLost(String context) {
        assertEquals(FailoverLoad.CONNECTIONS, connections().size(), context);
        List<String> broken = new ArrayList<>();
        for (Map<String, Object> c : connections()) {
            boolean fine = Boolean.TRUE.equals(c.get("established")) && ((Number) c.get("ok")).longValue() > 0
                    && ((Number) c.get("mismatches")).longValue() == 0 && ((Number) c.get("errors")).longValue() == 0
                    && ((Number) c.get("unanswered")).longValue() == 0;
            if (!fine) {
                broken.add(c.toString());
            }
        }
        assertTrue(broken.isEmpty(), () -> context + ": " + broken.size() + " connection(s) lost data or failed, e.g. "
                + broken.subList(0, Math.min(5, broken.size())));
    }

    /** Every probe (fresh connection) succeeded. */
    void assertProbesSucceeded(String context) {
        List<Map<String, Object>> failed = probes().stream().filter(p -> !Boolean.TRUE.equals(p.get("ok"))).toList();
        assertTrue(failed.isEmpty(), () -> context + ": " + failed.size() + " of " + probes().size()
                + " new connections failed: " + failed);
    }
}
