package dev.baton.control.metrics;

import dev.baton.agent.CounterRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How a counter of the router's {@link CounterRegistry} (a line of {@code baton ctl counters}) is named for Prometheus,
 * following its conventions (https://prometheus.io/docs/practices/naming/): the {@code baton_} prefix, a counter's
 * name ending in {@code _total} (the exposition adds it), base units (seconds, bytes), snake_case labels as the
 * registry already has them. Most names keep their registry name; {@link #RENAMED} lists the few that read better
 * another way, and docs/metrics.md lists them all. One place: the exporter, its tests and the documentation use it.
 */
final class MetricNames {

    static final String PREFIX = "baton_";

    /** What a registry counter becomes. */
    enum Kind {
        COUNTER,
        GAUGE,
        /** One cumulative bucket ({@code le} label) of a histogram. */
        HISTOGRAM_BUCKET,
        /** A histogram's observation count: the {@code +Inf} bucket says the same, so it is not written twice. */
        HISTOGRAM_COUNT,
        HISTOGRAM_SUM,
        /** The FIG. 3 state code of a VIP, written as one 0/1 series per state ({@code state} label). */
        STATE
    }

    /**
     * A Prometheus metric family: its name without the {@code _total} a counter's samples get, what the registry
     * counter is to it, and what its values are divided by (a million: microseconds to seconds). A division, not a
     * multiplication by 1e-6, so that 10 µs is written {@code 1.0E-5} and not {@code 9.999999999999999E-6}.
     */
    record Family(String name, Kind kind, double divisor) {
    }

    /**
     * Registry names that take another name in Prometheus. The per-server traffic is the series people ask for
     * first ({@code baton_forwarded_packets_total{service,server}}); the per-worker totals and per-service sums of
     * the same traffic get {@code worker_} and {@code service_} so that no name holds series that overlap.
     */
    static final Map<String, String> RENAMED = renamed();

    private static Map<String, String> renamed() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("server_packets", "forwarded_packets");
        m.put("server_bytes", "forwarded_bytes");
        m.put("server_connections_active", "server_active_connections");
        m.put("service_packets", "service_forwarded_packets");
        m.put("service_bytes", "service_forwarded_bytes");
        m.put("service_drops", "service_dropped_packets");
        m.put("rx_frames", "worker_received_frames");
        m.put("rx_bytes", "worker_received_bytes");
        m.put("forwarded_frames", "worker_forwarded_frames");
        m.put("forwarded_bytes", "worker_forwarded_bytes");
        m.put("drops", "dropped_frames");
        return Map.copyOf(m);
    }

    /** The registry's histograms count microseconds (CycleProfile): {@code <x>_us_bucket}, {@code _count}, {@code _sum}, {@code _max}. */
    private static final String MICROSECONDS = "_us";
    /** Microseconds in a second: a histogram's {@code le} bounds, sums and longest are divided by it. */
    static final double MICROSECONDS_PER_SECOND = 1e6;
    /** What a Prometheus metric name may be, in the classic (not UTF-8) form every Prometheus server reads. */
    static final Pattern VALID = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private MetricNames() {
    }

    /** The family a registry counter of this name and type belongs to. */
    static Family of(String name, CounterRegistry.Type type) {
        if (name.equals("vip_state")) {
            return new Family(PREFIX + "vip_state", Kind.STATE, 1);
        }
        for (String part : new String[] {"_bucket", "_count", "_sum"}) {
            String suffix = MICROSECONDS + part;
            if (name.endsWith(suffix) && type == CounterRegistry.Type.COUNTER) {
                String base = PREFIX + name.substring(0, name.length() - suffix.length()) + "_seconds";
                Kind kind = switch (part) {
                    case "_bucket" -> Kind.HISTOGRAM_BUCKET;
                    case "_count" -> Kind.HISTOGRAM_COUNT;
                    default -> Kind.HISTOGRAM_SUM;
                };
                // Bucket and count values are counts of cycles; the bounds (le) and the sum are microseconds.
                return new Family(base, kind, kind == Kind.HISTOGRAM_SUM ? MICROSECONDS_PER_SECOND : 1);
            }
        }
        if (name.endsWith(MICROSECONDS + "_max")) {
            return new Family(PREFIX + name.substring(0, name.length() - (MICROSECONDS + "_max").length()) + "_max_seconds",
                    Kind.GAUGE, MICROSECONDS_PER_SECOND);
        }
        String base = PREFIX + RENAMED.getOrDefault(name, name);
        if (type == CounterRegistry.Type.COUNTER) {
            // The exposition adds _total; the client library refuses a counter name that already ends in it.
            return new Family(base.endsWith("_total") ? base.substring(0, base.length() - "_total".length()) : base,
                    Kind.COUNTER, 1);
        }
        return new Family(base, Kind.GAUGE, 1);
    }

    /** The name a sample of this family is written under: a counter's with {@code _total}. */
    static String sampleName(Family family) {
        return family.kind() == Kind.COUNTER ? family.name() + "_total" : family.name();
    }
}
