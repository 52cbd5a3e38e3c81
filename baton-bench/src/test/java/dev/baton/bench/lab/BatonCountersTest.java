package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatonCountersTest {

    private static Map<String, Object> stats(long rx, long forwarded, long txFull, long ringDrops) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("router", "bt0001-r0");
        stats.put("workers", 1L);
        stats.put("rx_frames", rx);
        stats.put("forwarded_frames", forwarded);
        stats.put("drops", new LinkedHashMap<>(Map.of("tx-ring-full", txFull)));
        Map<String, Object> ring = new LinkedHashMap<>();
        ring.put("worker", 0L);
        ring.put("interface", "bt0001r0f");
        ring.put("rx_packets", rx + ringDrops);
        ring.put("rx_drops", ringDrops);
        stats.put("rings", List.of(ring));
        stats.put("capacity", 100000L);
        stats.put("services", List.of());
        return stats;
    }

    @Test
    void flattensTotalsDropReasonsAndRingCountersButNotSettings() {
        Map<String, Long> flat = BatonCounters.flatten(stats(10, 8, 2, 5));
        assertEquals(Map.of("rx_frames", 10L, "forwarded_frames", 8L, "drops.tx-ring-full", 2L,
                "ring.bt0001r0f.w0.rx_packets", 15L, "ring.bt0001r0f.w0.rx_drops", 5L), flat);
    }

    @Test
    void theConnectionTablesCountersAreFlattenedUnderTable() {
        Map<String, Object> stats = stats(10, 8, 2, 5);
        stats.put("connections", 40L);
        stats.put("table", new LinkedHashMap<>(Map.of("inserts", 50L, "confirmed", 30L, "refused_full", 0L)));
        Map<String, Long> flat = BatonCounters.flatten(stats);
        assertEquals(50L, flat.get("table.inserts"));
        assertEquals(30L, flat.get("table.confirmed"));
        assertEquals(0L, flat.get("table.refused_full"));
        assertEquals(40L, flat.get("connections"), "the table's size, a gauge");
    }

    @Test
    void theWorkersFastPathCountersAreSummedOverWorkersAndTheProgramsRowsLeftOut() {
        List<Object> counters = List.of(
                row("xdp_flows_inserted", Map.of("worker", "0"), 700),
                row("xdp_flows_inserted", Map.of("worker", "1"), 300),
                row("xdp_map_errors", Map.of("worker", "0"), 0),
                row("xdp_flows_in_map", Map.of("worker", "0"), 650),
                row("xdp_flows_in_map", Map.of("worker", "1"), 290),
                row("xdp_rx_frames", Map.of("worker", "xdp"), 1_010),
                row("table_inserts", Map.of("worker", "0"), 1_000),
                "not a row");
        assertEquals(Map.of("xdp_flows_inserted", 1_000L, "xdp_map_errors", 0L, "xdp_flows_in_map", 940L),
                BatonCounters.fastPath(counters));
        assertEquals(Map.of(), BatonCounters.fastPath(List.of(row("table_inserts", Map.of("worker", "0"), 7))), "af-packet: nothing");
    }

    @Test
    void deltaSubtractsCounterByCounter() {
        Map<String, Long> delta = BatonCounters.delta(BatonCounters.flatten(stats(10, 8, 2, 5)),
                BatonCounters.flatten(stats(110, 98, 2, 15)));
        assertEquals(100L, delta.get("rx_frames"));
        assertEquals(90L, delta.get("forwarded_frames"));
        assertEquals(0L, delta.get("drops.tx-ring-full"));
        assertEquals(10L, delta.get("ring.bt0001r0f.w0.rx_drops"));
    }

    @Test
    void lossesAreTheNonZeroDropCountersOnly() {
        Map<String, Long> delta = BatonCounters.delta(BatonCounters.flatten(stats(10, 8, 2, 5)),
                BatonCounters.flatten(stats(110, 98, 2, 15)));
        assertEquals(Map.of("ring.bt0001r0f.w0.rx_drops", 10L), BatonCounters.losses(delta));
    }

    private static Map<String, Object> row(String name, Map<String, Object> labels, long value) {
        return Map.of("name", name, "labels", labels, "value", value);
    }

    @Test
    void theXdpProgramsOwnCountersAreTakenFromCtlCountersUnderOneName() {
        List<Object> counters = List.of(
                row("rx_frames", Map.of("worker", "0"), 7),
                row("forwarded_frames", Map.of("worker", "0"), 5),
                row("forwarded_frames", Map.of("worker", "xdp"), 1_000),
                // the same frames counted as received under the workers' name: not a second xdp_rx_frames
                row("rx_frames", Map.of("worker", "xdp"), 1_000),
                row("rx_bytes", Map.of("worker", "xdp"), 60_000),
                row("forwarded_bytes", Map.of("worker", "xdp"), 60_000),
                row("xdp_rx_frames", Map.of("worker", "xdp"), 1_010),
                row("xdp_pass_no_flow", Map.of("worker", "xdp"), 10),
                row("xdp_redirect_failed", Map.of("worker", "xdp"), 0),
                // per service and server: not router-wide, left out
                row("service_packets", Map.of("worker", "xdp", "service", "udp-sink"), 1_000),
                "not a row");
        Map<String, Long> xdp = BatonCounters.xdp(counters);
        assertEquals(Map.of("xdp_forwarded_frames", 1_000L, "xdp_forwarded_bytes", 60_000L, "xdp_rx_frames", 1_010L,
                "xdp_pass_no_flow", 10L, "xdp_redirect_failed", 0L), xdp);
        assertEquals(Map.of(), BatonCounters.xdp(List.of(row("rx_frames", Map.of("worker", "0"), 7))), "no program: nothing");
    }

    @Test
    void aFailedRedirectIsALossButAFramePassedUpIsNot() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("xdp_pass_no_flow", 10L);
        counters.put("xdp_pass_too_long", 3L);
        counters.put("xdp_redirect_failed", 2L);
        assertEquals(Map.of("xdp_redirect_failed", 2L), BatonCounters.losses(counters));
    }
}
