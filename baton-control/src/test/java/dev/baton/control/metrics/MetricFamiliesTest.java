package dev.baton.control.metrics;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.agent.CounterSnapshot;
import dev.baton.agent.CycleProfile;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.ha.TwoRouters;
import dev.baton.monitor.MonitorState;
import dev.baton.table.ConnectionListener;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One registry snapshot as Prometheus families: every line of {@code ctl counters} of a real router appears once,
 * under its Prometheus name, with its labels and its value; and what the registry does not hold (info, capacity, the
 * FIG. 3 state per state) is there too.
 */
class MetricFamiliesTest {

    private static final String STANDALONE = """
            router: { id: baton-9, workers: 2 }
            interfaces:
              - { name: front, role: client, address: 192.0.2.2/24 }
              - { name: back, role: server, address: 198.51.100.2/24 }
            table: { capacity: 5000 }
            services:
              - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ] }
              - { name: dns, vip: 192.0.2.10, protocol: udp, ports: [53], servers: [ { address: 198.51.100.13 } ] }
            """;

    @Test
    void everyCounterOfAStandaloneRouterAppearsOnceWithItsValue() throws Exception {
        BatonConfig config = ConfigLoader.load(STANDALONE, Path.of("t.yaml"), "host");
        try (Dataplane plane = new Dataplane(config, (itf, w, n) -> new MemoryPacketPort(itf + w, 0x02_00_00_00_00_01L),
                () -> 0, true, ConnectionListener.NONE)) {
            CounterSnapshot snapshot = plane.counters().snapshot();
            Map<String, Double> exposed = Exposition.samples(Exposition.text(
                    MetricFamilies.of(snapshot, RouterMetrics.facts(config, false))));
            int expected = assertEverySampleExposed(snapshot, exposed);
            assertEquals(1.0, exposed.get("baton_info{datapath=\"af-packet\",router=\"baton-9\",version=\"" + RouterMetrics.version() + "\"}"));
            assertEquals(5000.0, exposed.get("baton_table_capacity"));
            // No peers: no monitor runs, and the VIP is in FIG. 3's IDLE state (310) all along.
            assertEquals(1.0, exposed.get("baton_vip_state{state=\"idle\",vip=\"192.0.2.10\"}"));
            assertEquals(0.0, exposed.get("baton_vip_state{state=\"active\",vip=\"192.0.2.10\"}"));
            assertEquals(310.0, exposed.get("baton_vip_state_code{vip=\"192.0.2.10\"}"));
            assertTrue(exposed.containsKey("baton_forwarded_packets_total{server=\"198.51.100.11\",service=\"web\",worker=\"1\"}"),
                    exposed.keySet().toString());
            // Counters, then info, capacity and one VIP's five states and code: nothing else.
            assertEquals(expected + 2 + MonitorState.values().length + 1, exposed.size());
        }
    }

    @Test
    void theHaAgentsCountersStateAndHistogramsOfARouterWithPeers() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.run(50, 1);
            CounterRegistry registry = pair.a.dataplane().counters();
            CounterSnapshot snapshot = registry.snapshot();
            BatonConfig config = pair.a.dataplane().config();
            String text = Exposition.text(MetricFamilies.of(snapshot, RouterMetrics.facts(config, false)));
            Map<String, Double> exposed = Exposition.samples(text);
            assertEverySampleExposed(snapshot, exposed);
            assertEquals(1.0, exposed.get("baton_vip_state{state=\"active\",vip=\"192.0.2.10\"}"), text);
            assertEquals(0.0, exposed.get("baton_vip_state{state=\"standby\",vip=\"192.0.2.10\"}"));
            assertEquals(350.0, exposed.get("baton_vip_state_code{vip=\"192.0.2.10\"}"));
            assertTrue(exposed.get("baton_keepalives_sent_total{link=\"0\",peer=\"b\"}") > 0, text);
            // The agent's cycle gaps: a histogram in seconds whose +Inf bucket is its count.
            double cycles = exposed.get("baton_agent_gap_seconds_count");
            assertTrue(cycles > 0, text);
            assertEquals(cycles, exposed.get("baton_agent_gap_seconds_bucket{le=\"+Inf\"}"));
            assertEquals(snapshot.sum("agent_gap_us_sum") * 1e-6, exposed.get("baton_agent_gap_seconds_sum"), 1e-9);
            assertTrue(text.contains("# TYPE baton_agent_gap_seconds histogram"), text);
            assertTrue(text.contains("# TYPE baton_forwarded_packets_total counter"), text);
        }
    }

    @Test
    void aHistogramsBucketsStayCumulativeInSecondsAndItsLongestIsAGauge() {
        CounterRegistry registry = new CounterRegistry();
        long[] nanos = {0};
        CycleProfile profile = new CycleProfile(() -> nanos[0], "work");
        CounterRegistry.Group group = registry.group("agent", CounterRegistry.Owner.ANY_THREAD);
        profile.describe(group, "agent");
        group.reader(values -> profile.read(values, 0));
        for (long gapUs : new long[] {5, 50, 50, 2_000_000}) {
            profile.begin();
            nanos[0] += 1_000;
            profile.end(0);
            nanos[0] += gapUs * 1_000 - 1_000;
        }
        profile.begin();
        Map<String, Double> exposed = Exposition.samples(Exposition.text(MetricFamilies.of(registry.snapshot(),
                new RouterFacts("r", "0", "af-packet", 1, List.of()))));
        assertEquals(1.0, exposed.get("baton_agent_gap_seconds_bucket{le=\"1.0E-5\"}"), exposed.toString());
        assertEquals(3.0, exposed.get("baton_agent_gap_seconds_bucket{le=\"1.0E-4\"}"));
        assertEquals(3.0, exposed.get("baton_agent_gap_seconds_bucket{le=\"1.0\"}"));
        assertEquals(4.0, exposed.get("baton_agent_gap_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(4.0, exposed.get("baton_agent_gap_seconds_count"));
        assertEquals(2.000105, exposed.get("baton_agent_gap_seconds_sum"), 1e-9);
        assertEquals(2.0, exposed.get("baton_agent_gap_max_seconds"));
        assertEquals(4.0, exposed.get("baton_agent_phase_seconds_count{phase=\"work\"}"));
    }

    @Test
    void twoRegistryCountersUnderOnePrometheusNameAreRefused() {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("worker", CounterRegistry.Owner.ANY_THREAD);
        group.add("server_packets", Type.COUNTER, "per server", new Label("server", "198.51.100.11"));
        group.add("forwarded_packets", Type.COUNTER, "a later counter whose name the rename took");
        group.reader(values -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetricFamilies.of(registry.snapshot(),
                new RouterFacts("r", "0", "xdp", 1, List.of())));
        assertTrue(e.getMessage().contains("baton_forwarded_packets"), e.getMessage());
    }

    /**
     * Each sample that is neither a histogram part nor the FIG. 3 state is exposed under its Prometheus name with the
     * same labels and value; returns how many series that makes (histograms and states included).
     */
    private static int assertEverySampleExposed(CounterSnapshot snapshot, Map<String, Double> exposed) {
        int series = 0;
        for (CounterSnapshot.Sample sample : snapshot.samples()) {
            MetricNames.Family family = MetricNames.of(sample.counter().name(), sample.counter().type());
            Map<String, String> labels = new LinkedHashMap<>();
            sample.counter().labels().forEach(l -> labels.put(l.key(), l.value()));
            String name = switch (family.kind()) {
                case COUNTER, GAUGE -> MetricNames.sampleName(family);
                case HISTOGRAM_BUCKET -> family.name() + "_bucket";
                case HISTOGRAM_COUNT -> family.name() + "_count";
                case HISTOGRAM_SUM -> family.name() + "_sum";
                case STATE -> null;
            };
            if (name == null) {
                labels.put("state", "active");
                assertTrue(exposed.containsKey(Exposition.series(family.name(), labels)), sample.toString());
                series += MonitorState.values().length + 1; // a series per state, and the code
                continue;
            }
            if (family.kind() == MetricNames.Kind.HISTOGRAM_BUCKET) {
                series++; // bounds are written in seconds: checked by the histogram test
                continue;
            }
            String key = Exposition.series(name, labels);
            Double value = exposed.get(key);
            assertTrue(value != null, "ctl counters line " + sample + " is not exposed as " + key);
            assertEquals(sample.value() / family.divisor(), value, 1e-9, key);
            series++;
        }
        return series;
    }
}
