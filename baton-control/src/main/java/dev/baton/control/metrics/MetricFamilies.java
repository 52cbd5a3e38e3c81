package dev.baton.control.metrics;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterSnapshot;
import dev.baton.monitor.MonitorState;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One snapshot of the router's {@link CounterRegistry} as Prometheus metric families ({@link MetricNames} names
 * them), with what the registry does not count: {@code baton_info} (version, data path), the table's capacity, and
 * each VIP's FIG. 3 state as one 0/1 series per state. Pure: the same snapshot gives the same families.
 */
final class MetricFamilies {

    /** The FIG. 3 states a VIP can be in, as the {@code state} label writes them. */
    private static final MonitorState[] STATES = MonitorState.values();

    private MetricFamilies() {
    }

    /** A family being built: its samples in snapshot order. */
    private static final class Builder {
        final MetricNames.Family family;
        final String help;
        /** The registry counter it comes from: one per family. */
        final String source;
        final List<Object> points = new ArrayList<>();
        /** Histograms: the series by their labels without {@code le}. */
        final Map<Labels, Histogram> histograms = new LinkedHashMap<>();

        Builder(MetricNames.Family family, String help, String source) {
            this.family = family;
            this.help = help;
            this.source = source;
        }
    }

    /** One histogram series: cumulative counts per upper bound, as the registry holds them. */
    private static final class Histogram {
        final List<Double> bounds = new ArrayList<>();
        final List<Long> cumulative = new ArrayList<>();
        double sum;
    }

    static MetricSnapshots of(CounterSnapshot snapshot, RouterFacts facts) {
        Map<String, Builder> families = new LinkedHashMap<>();
        for (CounterSnapshot.Sample sample : snapshot.samples()) {
            CounterRegistry.Descriptor counter = sample.counter();
            MetricNames.Family family = MetricNames.of(counter.name(), counter.type());
            Builder builder = families.computeIfAbsent(family.name(), name -> new Builder(family,
                    help(counter, family), registryName(counter.name(), family)));
            String source = registryName(counter.name(), family);
            if (!builder.source.equals(source)) {
                // Two registry counters under one Prometheus name would mix series that mean different things.
                throw new IllegalStateException("metric " + family.name() + " would hold both " + builder.source + " and " + source);
            }
            add(builder, family, counter, sample.value());
            if (family.kind() == MetricNames.Kind.STATE) {
                // The reference numeral itself too, for a graph of the state over time (ctl status: state_code).
                MetricNames.Family code = new MetricNames.Family(MetricNames.PREFIX + "vip_state_code", MetricNames.Kind.GAUGE, 1);
                add(families.computeIfAbsent(code.name(), n -> new Builder(code, CODE_HELP, counter.name())), code, counter,
                        sample.value());
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(InfoSnapshot.builder().name(MetricNames.PREFIX.substring(0, MetricNames.PREFIX.length() - 1))
                .help("the router's id, Baton's version and the data path in use (xdp or af-packet)")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("datapath", facts.datapath(), "router", facts.router(), "version", facts.version()))
                        .build())
                .build());
        out.add(io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(MetricNames.PREFIX + "table_capacity")
                .help("connections the table holds at most, over every worker (table.capacity); compare with the sum of baton_table_connections")
                .dataPoint(GaugeDataPointSnapshot.builder().value(facts.tableCapacity()).build())
                .build());
        for (Builder builder : families.values()) {
            out.add(build(builder));
        }
        if (!facts.idleVips().isEmpty()) {
            Builder idle = families.get(MetricNames.PREFIX + "vip_state");
            if (idle != null) {
                throw new IllegalStateException("a router with VIP monitors has no idle VIPs");
            }
            var gauge = io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(MetricNames.PREFIX + "vip_state")
                    .help(STATE_HELP);
            var codes = io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(MetricNames.PREFIX + "vip_state_code")
                    .help(CODE_HELP);
            for (String vip : facts.idleVips()) {
                addStates(gauge, Labels.of("vip", vip), MonitorState.IDLE.code);
                codes.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("vip", vip)).value(MonitorState.IDLE.code).build());
            }
            out.add(gauge.build());
            out.add(codes.build());
        }
        return new MetricSnapshots(out);
    }

    private static final String STATE_HELP = "1 for the VIP's FIG. 3 state (US 6,148,410): idle (310, no peers), listen (320), "
            + "preempt (330), standby (340), active (350); 0 for the others";

    private static final String CODE_HELP = "the VIP's FIG. 3 state by its reference numeral: 310 idle, 320 listen, "
            + "330 preempt, 340 standby, 350 active (ctl counters: vip_state)";

    private static boolean isHistogram(MetricNames.Family family) {
        return switch (family.kind()) {
            case HISTOGRAM_BUCKET, HISTOGRAM_COUNT, HISTOGRAM_SUM -> true;
            default -> false;
        };
    }

    private static String help(CounterRegistry.Descriptor counter, MetricNames.Family family) {
        if (family.kind() == MetricNames.Kind.STATE) {
            return STATE_HELP;
        }
        String help = counter.help();
        if (isHistogram(family)) {
            int colon = help.indexOf(':');
            int comma = help.indexOf(',');
            int cut = comma >= 0 && (colon < 0 || comma < colon) ? comma : colon;
            help = (cut >= 0 ? help.substring(0, cut) : help) + ", in seconds";
        }
        return help + " (ctl counters: " + registryName(counter.name(), family) + ")";
    }

    /** The registry name a family comes from, for its help: a histogram's without its part's suffix. */
    private static String registryName(String name, MetricNames.Family family) {
        return switch (family.kind()) {
            case HISTOGRAM_BUCKET, HISTOGRAM_COUNT, HISTOGRAM_SUM -> name.substring(0, name.lastIndexOf('_')) + "_*";
            default -> name;
        };
    }

    private static void add(Builder builder, MetricNames.Family family, CounterRegistry.Descriptor counter, long value) {
        switch (family.kind()) {
            case COUNTER -> builder.points.add(CounterDataPointSnapshot.builder().labels(labels(counter, null))
                    .value(value / family.divisor()).build());
            case GAUGE -> builder.points.add(GaugeDataPointSnapshot.builder().labels(labels(counter, null))
                    .value(value / family.divisor()).build());
            case STATE -> builder.points.add(new StateSample(labels(counter, null), value));
            case HISTOGRAM_BUCKET -> {
                Histogram h = builder.histograms.computeIfAbsent(labels(counter, "le"), l -> new Histogram());
                String le = counter.label("le");
                h.bounds.add("+Inf".equals(le) ? Double.POSITIVE_INFINITY : Long.parseLong(le) / MetricNames.MICROSECONDS_PER_SECOND);
                h.cumulative.add(value);
            }
            case HISTOGRAM_SUM -> builder.histograms.computeIfAbsent(labels(counter, null), l -> new Histogram()).sum =
                    value / family.divisor();
            case HISTOGRAM_COUNT -> builder.histograms.computeIfAbsent(labels(counter, null), l -> new Histogram());
        }
    }

    /** A VIP's state code, written out per state when the family is built. */
    private record StateSample(Labels labels, long code) {
    }

    private static MetricSnapshot build(Builder builder) {
        MetricNames.Family family = builder.family;
        String name = family.name();
        if (isHistogram(family)) {
            var histogram = io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder().name(name).help(builder.help);
            for (Map.Entry<Labels, Histogram> series : builder.histograms.entrySet()) {
                Histogram h = series.getValue();
                double[] bounds = new double[h.bounds.size()];
                long[] counts = new long[bounds.length];
                long previous = 0;
                for (int i = 0; i < bounds.length; i++) {
                    bounds[i] = h.bounds.get(i);
                    // The registry's buckets are cumulative (le); the client library takes each bucket's own count.
                    counts[i] = Math.max(0, h.cumulative.get(i) - previous);
                    previous = h.cumulative.get(i);
                }
                histogram.dataPoint(HistogramDataPointSnapshot.builder().labels(series.getKey())
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).sum(h.sum).build());
            }
            return histogram.build();
        }
        return switch (family.kind()) {
            case COUNTER -> {
                var counter = io.prometheus.metrics.model.snapshots.CounterSnapshot.builder().name(name).help(builder.help);
                builder.points.forEach(p -> counter.dataPoint((CounterDataPointSnapshot) p));
                yield counter.build();
            }
            case GAUGE -> {
                var gauge = io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(name).help(builder.help);
                builder.points.forEach(p -> gauge.dataPoint((GaugeDataPointSnapshot) p));
                yield gauge.build();
            }
            case STATE -> {
                var gauge = io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name(name).help(builder.help);
                for (Object p : builder.points) {
                    StateSample state = (StateSample) p;
                    addStates(gauge, state.labels(), state.code());
                }
                yield gauge.build();
            }
            default -> throw new IllegalStateException("not a family kind: " + family.kind());
        };
    }

    /** One series per FIG. 3 state, 1 for the VIP's own ({@code baton_vip_state{vip,state="active"} 1}). */
    private static void addStates(io.prometheus.metrics.model.snapshots.GaugeSnapshot.Builder gauge, Labels labels, long code) {
        for (MonitorState state : STATES) {
            gauge.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(labels.add("state", state.name().toLowerCase(Locale.ROOT)))
                    .value(state.code == code ? 1 : 0).build());
        }
    }

    /** The counter's labels as Prometheus labels, without {@code leave} (a histogram's {@code le}), or all. */
    private static Labels labels(CounterRegistry.Descriptor counter, String leave) {
        Labels.Builder labels = Labels.builder();
        for (CounterRegistry.Label label : counter.labels()) {
            if (!label.key().equals(leave)) {
                labels.label(label.key(), label.value());
            }
        }
        return labels.build();
    }
}
