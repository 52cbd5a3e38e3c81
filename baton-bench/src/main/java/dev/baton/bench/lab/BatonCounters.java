package dev.baton.bench.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters of a {@code baton ctl stats} answer that tell where packets went, flattened to names and
 * numbers so two answers can be subtracted: the router totals ({@code rx_frames}, {@code forwarded_frames},
 * ...), every drop reason as {@code drops.<reason>}, the connection table's as {@code table.<counter>} ({@code inserts},
 * {@code confirmed}, {@code evicted}, ...), and the AF_PACKET ring counters of every worker and
 * interface as {@code ring.<interface>.w<worker>.<counter>} ({@code rx_packets}, {@code rx_drops}, ...); and, from a
 * {@code baton ctl counters} answer, the XDP program's own counters ({@code xdp_rx_frames}, {@code xdp_pass_*}, ...)
 * and the workers' fast-path counters ({@code xdp_flows_inserted}, {@code xdp_map_errors}, ...).
 */
public final class BatonCounters {

    private BatonCounters() {
    }

    /** The flattened counters of one stats answer, in the answer's order. */
    @SuppressWarnings("unchecked")
    public static Map<String, Long> flatten(Map<String, Object> stats) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : stats.entrySet()) {
            if (entry.getValue() instanceof Number number && !entry.getKey().equals("workers") && !entry.getKey().equals("capacity")) {
                counters.put(entry.getKey(), number.longValue());
            }
        }
        if (stats.get("drops") instanceof Map<?, ?> drops) {
            for (Map.Entry<?, ?> drop : drops.entrySet()) {
                if (drop.getValue() instanceof Number number) {
                    counters.put("drops." + drop.getKey(), number.longValue());
                }
            }
        }
        if (stats.get("table") instanceof Map<?, ?> table) {
            for (Map.Entry<?, ?> counter : table.entrySet()) {
                if (counter.getValue() instanceof Number number) {
                    counters.put("table." + counter.getKey(), number.longValue());
                }
            }
        }
        if (stats.get("rings") instanceof List<?> rings) {
            for (Object ring : rings) {
                Map<String, Object> row = (Map<String, Object>) ring;
                String prefix = "ring." + row.get("interface") + ".w" + row.get("worker") + ".";
                for (Map.Entry<String, Object> field : row.entrySet()) {
                    if (field.getValue() instanceof Number number && !field.getKey().equals("worker")) {
                        counters.put(prefix + field.getKey(), number.longValue());
                    }
                }
            }
        }
        return counters;
    }

    /**
     * The XDP program's router-wide counters in a {@code ctl counters} answer: the rows labelled only
     * {@code worker="xdp"} named {@code xdp_*}, and its forwarded frames and bytes, which the router files under the
     * workers' names so that {@code ctl stats} sums both paths, as {@code xdp_forwarded_frames} and
     * {@code xdp_forwarded_bytes}. The program's other rows under the workers' names ({@code rx_frames}, the same
     * frames as {@code xdp_forwarded_frames}) are left out. Empty when the program does not run.
     */
    public static Map<String, Long> xdp(List<?> counters) {
        Map<String, Long> xdp = new LinkedHashMap<>();
        for (Object row : counters) {
            if (row instanceof Map<?, ?> counter && counter.get("name") instanceof String name
                    && counter.get("labels") instanceof Map<?, ?> labels && labels.size() == 1
                    && XDP_WORKER.equals(labels.get("worker")) && counter.get("value") instanceof Number value) {
                if (name.startsWith(XDP_PREFIX)) {
                    xdp.put(name, value.longValue());
                } else if (XDP_UNDER_WORKER_NAMES.contains(name)) {
                    xdp.put(XDP_PREFIX + name, value.longValue());
                }
            }
        }
        return xdp;
    }

    /**
     * The workers' side of the XDP fast path in a {@code ctl counters} answer, summed over workers: the rows named
     * {@code xdp_flows_*} or {@code xdp_map_errors} labelled only with a worker's number ({@code WorkerCounterGroup}).
     * {@code xdp_flows_in_map} is a gauge: subtract two answers' values only to see how it moved. Empty on af-packet.
     */
    public static Map<String, Long> fastPath(List<?> counters) {
        Map<String, Long> fastPath = new LinkedHashMap<>();
        for (Object row : counters) {
            if (row instanceof Map<?, ?> counter && counter.get("name") instanceof String name
                    && counter.get("labels") instanceof Map<?, ?> labels && labels.size() == 1
                    && labels.get("worker") instanceof String worker && !XDP_WORKER.equals(worker)
                    && (name.startsWith("xdp_flows_") || name.equals("xdp_map_errors")) && counter.get("value") instanceof Number value) {
                fastPath.merge(name, value.longValue(), Long::sum);
            }
        }
        return fastPath;
    }

    private static final String XDP_WORKER = "xdp";
    private static final String XDP_PREFIX = "xdp_";
    private static final List<String> XDP_UNDER_WORKER_NAMES = List.of("forwarded_frames", "forwarded_bytes");

    /** {@code after - before} for every counter of {@code after} (a counter missing before counts from 0). */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            delta.put(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L));
        }
        return delta;
    }

    /**
     * The entries of {@code counters} that are not zero and tell of loss: drop reasons, ring drops, truncated
     * or malformed frames, ring freezes (the kernel found every RX block still owned by Baton), and frames the
     * XDP program could not redirect.
     */
    public static Map<String, Long> losses(Map<String, Long> counters) {
        Map<String, Long> losses = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : counters.entrySet()) {
            String name = entry.getKey();
            boolean loss = name.startsWith("drops.") || name.endsWith(".rx_drops") || name.endsWith(".rx_truncated")
                    || name.endsWith(".tx_malformed") || name.endsWith(".rx_freezes") || name.equals("xdp_redirect_failed");
            if (loss && entry.getValue() != 0) {
                losses.put(name, entry.getValue());
            }
        }
        return losses;
    }
}
