package dev.baton.control.metrics;

import dev.baton.agent.CounterRegistry.Type;
import dev.baton.control.metrics.MetricNames.Kind;
import dev.baton.xdp.XdpCounter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The name each registry counter ({@code ctl counters}) gets in Prometheus: the table docs/metrics.md shows. */
class MetricNamesTest {

    @ParameterizedTest(name = "{0} ({1}) is {2}")
    @CsvSource({
            // per server: the series people ask for first (issue #11's example)
            "server_packets, COUNTER, baton_forwarded_packets_total, COUNTER",
            "server_bytes, COUNTER, baton_forwarded_bytes_total, COUNTER",
            "server_connections, COUNTER, baton_server_connections_total, COUNTER",
            "server_connections_active, GAUGE, baton_server_active_connections, GAUGE",
            // per service and per worker: the same traffic summed, under names of their own
            "service_packets, COUNTER, baton_service_forwarded_packets_total, COUNTER",
            "service_bytes, COUNTER, baton_service_forwarded_bytes_total, COUNTER",
            "service_drops, COUNTER, baton_service_dropped_packets_total, COUNTER",
            "rx_frames, COUNTER, baton_worker_received_frames_total, COUNTER",
            "rx_bytes, COUNTER, baton_worker_received_bytes_total, COUNTER",
            "forwarded_frames, COUNTER, baton_worker_forwarded_frames_total, COUNTER",
            "forwarded_bytes, COUNTER, baton_worker_forwarded_bytes_total, COUNTER",
            "drops, COUNTER, baton_dropped_frames_total, COUNTER",
            // everything else keeps its name: baton_ in front, _total behind a counter
            "table_connections, GAUGE, baton_table_connections, GAUGE",
            "table_refused_full, COUNTER, baton_table_refused_full_total, COUNTER",
            "ring_rx_drops, COUNTER, baton_ring_rx_drops_total, COUNTER",
            "keepalives_sent, COUNTER, baton_keepalives_sent_total, COUNTER",
            "link_alive, GAUGE, baton_link_alive, GAUGE",
            "sync_updates_unacknowledged, GAUGE, baton_sync_updates_unacknowledged, GAUGE",
            "reachability_element_up, GAUGE, baton_reachability_element_up, GAUGE",
            "xdp_flows_in_map, GAUGE, baton_xdp_flows_in_map, GAUGE",
            "probes_started, COUNTER, baton_probes_started_total, COUNTER",
            // a counter whose registry name already says total is not made _total_total
            "some_total, COUNTER, baton_some_total, COUNTER",
            // the agent's cycle histograms in microseconds become seconds (base units)
            "agent_gap_us_bucket, COUNTER, baton_agent_gap_seconds, HISTOGRAM_BUCKET",
            "agent_gap_us_count, COUNTER, baton_agent_gap_seconds, HISTOGRAM_COUNT",
            "agent_phase_us_sum, COUNTER, baton_agent_phase_seconds, HISTOGRAM_SUM",
            "agent_phase_us_max, GAUGE, baton_agent_phase_max_seconds, GAUGE",
            // the FIG. 3 state: one series per state
            "vip_state, GAUGE, baton_vip_state, STATE",
    })
    void eachCounterHasItsPrometheusName(String registryName, Type type, String sampleName, Kind kind) {
        MetricNames.Family family = MetricNames.of(registryName, type);
        assertEquals(sampleName, MetricNames.sampleName(family));
        assertEquals(kind, family.kind());
        assertTrue(MetricNames.VALID.matcher(family.name()).matches(), family.name());
    }

    @Test
    void microsecondsBecomeSecondsAndEverythingElseKeepsItsValue() {
        assertEquals(1e6, MetricNames.of("agent_gap_us_sum", Type.COUNTER).divisor());
        assertEquals(1e6, MetricNames.of("agent_gap_us_max", Type.GAUGE).divisor());
        assertEquals(1.0, MetricNames.of("agent_gap_us_count", Type.COUNTER).divisor(), "a count of cycles");
        assertEquals(1.0, MetricNames.of("agent_gap_us_bucket", Type.COUNTER).divisor(), "a count of cycles");
        assertEquals(1.0, MetricNames.of("server_bytes", Type.COUNTER).divisor());
    }

    @Test
    void everyXdpProgramCounterIsACounterWithItsOwnName() {
        for (XdpCounter counter : XdpCounter.values()) {
            MetricNames.Family family = MetricNames.of(counter.counterName(), Type.COUNTER);
            assertEquals("baton_" + counter.counterName() + "_total", MetricNames.sampleName(family));
        }
    }

    @Test
    void noTwoRenamedCountersShareAName() {
        // (A rename onto a name another registry counter keeps is refused when families are built: MetricFamiliesTest.)
        assertEquals(MetricNames.RENAMED.size(), new java.util.HashSet<>(MetricNames.RENAMED.values()).size());
    }
}
