package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynRateReportTest {

    private static final long TICKS_PER_SECOND = 100;
    private static final long WINDOW_NS = 10_000_000_000L;

    /**
     * {@code contestant} under {@code load} for 10 s (1,000 ticks): {@code established} connections reached ESTABLISHED, the
     * router CPU idle {@code idleTicks}, the Baton JVM 500 ticks, the generator opening {@code offered}.
     */
    private static SynRateResult result(int repetition, Contestant contestant, SynRateOptions.Load load, long offered, long established,
                                        long idleTicks, Map<String, Long> extra) {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx_frames", 3 * established);
        counters.put("forwarded_frames", 3 * established);
        counters.put("table.inserts", established + 100);
        counters.put("table.confirmed", established);
        if (contestant == Contestant.XDP) {
            counters.put("xdp_flows_inserted", established);
            counters.put("xdp_map_errors", 0L);
        }
        counters.putAll(extra);
        CpuTicks router = new CpuTicks(1, 300, 0, 400, idleTicks, 0, 0, 200, 0);
        CpuTicks generator = new CpuTicks(0, 500, 0, 500, 0, 0, 0, 0, 0);
        long xdpStart = contestant == Contestant.XDP ? 1_000 : -1;
        long xdpEnd = contestant == Contestant.XDP ? 1_000 + established : -1;
        return new SynRateResult(repetition, contestant, load, load == SynRateOptions.Load.FLOOD ? 0 : offered / 10, false, WINDOW_NS,
                new SynGeneratorCounters.Snapshot(SynGeneratorCounters.RUNNING, offered, offered, offered, offered / 10, 0, 0),
                new BridgePortCounters(3 * offered, 0), new long[]{established + 100, established + 50, established, 0}, counters,
                50_000, 50_000 + established, xdpStart, xdpEnd, new ProcessTicks(300, 200), generator, router, TICKS_PER_SECOND,
                new ForeignLoad.Usage(0.01, "none"), contestant == Contestant.XDP ? 150 : -1, 0.01, 0.02, "", true);
    }

    @Test
    void cpuPerConnectionIsAllBusyTimeOfTheRouterCpuOverConnectionsThatReachedEstablished() {
        // 400,000 ESTABLISHED in 10 s; the router CPU idle 200 of 1,000 ticks: 8 s busy / 400,000 = 20 us each.
        SynRateResult r = result(1, Contestant.AF_PACKET, SynRateOptions.Load.PACED, 450_000, 400_000, 200, Map.of());
        assertEquals(45_000, r.offeredPerSecond(), 1e-9);
        assertEquals(40_000, r.establishedPerSecond(), 1e-9);
        assertEquals(40_010, r.insertsPerSecond(), 1e-9);
        assertEquals(40_010, r.synsDeliveredPerSecond(), 1e-9);
        assertEquals(0.8, r.routerBusyFraction(), 1e-9);
        assertEquals(20.0, r.routerMicrosPerConnection(), 1e-9);
        assertEquals(50_000, r.connectionsPerRouterCore(), 1e-6, "a whole core at 20 us a connection");
        assertEquals(12.5, r.batonMicrosPerConnection(), 1e-9, "500 JVM ticks = 5 s over 400,000");
        assertTrue(Double.isNaN(r.mapInsertsPerSecond()), "no map on af-packet");
        assertEquals("af-packet paced", r.label());
    }

    @Test
    void aRateGivenOnTheCommandLineNamesItsColumn() {
        SynRateResult derived = result(1, Contestant.XDP, SynRateOptions.Load.PACED, 300_000, 30_000, 500, Map.of());
        assertEquals("xdp paced", derived.label(), "a rate from the flood differs between repetitions: one column");
        SynRateResult given = new SynRateResult(1, Contestant.XDP, SynRateOptions.Load.PACED, 30_000, true, WINDOW_NS, derived.generator(),
                derived.entry(), derived.sinks(), derived.batonCounters(), 0, 0, -1, -1, derived.batonProcess(), derived.generatorCpu(),
                derived.routerCpu(), TICKS_PER_SECOND, derived.foreignLoad(), -1, 0, 0, "", true);
        assertEquals("xdp paced 30,000/s", given.label());
    }

    @Test
    void theFloodSuggestsAPacedRateBelowWhatBatonRead() {
        SynRateResult flood = result(1, Contestant.XDP, SynRateOptions.Load.FLOOD, 900_000, 400_000, 0, Map.of());
        // rx_frames 1,200,000 in 10 s = 120,000 frames/s = 40,000 connections/s; 60 % of that.
        assertEquals(24_000, flood.pacedRate());
        assertEquals(40_000, flood.mapInsertsPerSecond(), 1e-9);
        assertEquals(40_000, flood.flowsInMapGrowthPerSecond(), 1e-9);
    }

    @Test
    void lossesAreDropsRingLossesRefusalsAndMapErrors() {
        SynRateResult r = result(1, Contestant.XDP, SynRateOptions.Load.PACED, 100, 100, 500,
                Map.of("drops.tcp-no-connection", 7L, "ring.bt0001r0f.w0.rx_drops", 5L, "table.refused_full", 0L,
                        "table.evicted", 2L, "xdp_map_errors", 1L, "drops.not-vip", 0L));
        assertEquals(Map.of("drops.tcp-no-connection", 7L, "ring.bt0001r0f.w0.rx_drops", 5L, "table.evicted", 2L, "xdp_map_errors", 1L),
                r.losses());
    }

    private static List<SynRateResult> twoContestantsTwoLoadsThreeRepetitions() {
        List<SynRateResult> results = new ArrayList<>();
        long[] afPacketFlood = {30_000, 36_000, 33_000};
        long[] xdpPaced = {20_000, 18_000, 19_000};
        for (int i = 0; i < 3; i++) {
            results.add(result(i + 1, Contestant.AF_PACKET, SynRateOptions.Load.FLOOD, 80_000, afPacketFlood[i], 0,
                    Map.of("ring.bt0001r0f.w0.rx_drops", 300_000L)));
            results.add(result(i + 1, Contestant.AF_PACKET, SynRateOptions.Load.PACED, 25_000, 25_000, 300, Map.of()));
            results.add(result(i + 1, Contestant.XDP, SynRateOptions.Load.FLOOD, 60_000, 15_000, 0, Map.of()));
            results.add(result(i + 1, Contestant.XDP, SynRateOptions.Load.PACED, xdpPaced[i], xdpPaced[i], 500, Map.of()));
        }
        return results;
    }

    @Test
    void theSummaryGivesMediansPerContestantAndLoadAgainstTheTarget() {
        String summary = SynRateReport.summary(twoContestantsTwoLoadsThreeRepetitions(), 1_100);
        assertTrue(summary.startsWith("Medians of 3 repetitions; every connection a SYN, its ACK, and a segment 1100 ms after the ACK"), summary);
        assertTrue(summary.contains("| measure | af-packet flood | af-packet paced | xdp flood | xdp paced | target | met |"), summary);
        assertTrue(summary.contains("| connections that reached ESTABLISHED (table.confirmed), /s | 3,300 | 2,500 | 1,500 | 1,900 |"), summary);
        assertTrue(summary.contains("| flows written into the XDP map (xdp_flows_inserted), /s | - | - | 1,500 | 1,900 |"), summary);
        // xdp paced: busy 500 of 1,000 ticks over 19,000 connections = 263.16 us, 3,800 a second a core.
        assertTrue(summary.contains("| ESTABLISHED connections per router core (1 s / router CPU per connection), /s | 3,300 | 3,571 | 1,500 | 3,800"
                + " | >= 250,000 | af-packet flood no, af-packet paced no, xdp flood no, xdp paced no |"), summary);
        assertTrue(summary.contains("| router CPU busy | 100.0 % | 70.0 % | 100.0 % | 50.0 % | | |"), summary);
    }

    @Test
    void theNotesSayWhoSetTheRateAndWhatTheFloodLost() {
        List<SynRateResult> results = new ArrayList<>(twoContestantsTwoLoadsThreeRepetitions());
        String summary = SynRateReport.summary(results, 1_100);
        assertTrue(summary.contains("NOTE: xdp paced: the router CPU was 50.0 % busy, so the generator (CPU 0), not Baton, set the connection rate"),
                summary);
        assertTrue(summary.contains("NOTE: flood: Baton was offered more than it takes"), summary);
        assertFalse(summary.contains("rep 1 af-packet flood: Baton lost"), "a flood's losses are expected, noted once");

        results.add(result(4, Contestant.AF_PACKET, SynRateOptions.Load.PACED, 25_000, 25_000, 300,
                Map.of("drops.tcp-no-connection", 9L)));
        assertTrue(SynRateReport.summary(results, 1_100).contains("NOTE: rep 4 af-packet paced: Baton lost or refused: drops.tcp-no-connection=9."));
    }

    @Test
    void confirmationsThatConfirmedNothingAreNotedWhenMoreThanAFew() {
        // The servers counted 100,000 confirmations, the table confirmed 80,000.
        SynRateResult early = result(1, Contestant.AF_PACKET, SynRateOptions.Load.PACED, 100_000, 100_000, 500,
                Map.of("table.confirmed", 80_000L));
        assertEquals(20_000, early.confirmationsThatDidNotConfirm());
        assertTrue(SynRateReport.summary(List.of(early), 1_100).contains("NOTE: rep 1 af-packet paced: 20,000 of 100,000 confirming"
                + " segments reached the servers without confirming their connection"));
        SynRateResult fine = result(1, Contestant.AF_PACKET, SynRateOptions.Load.PACED, 100_000, 100_000, 500, Map.of());
        assertEquals(0, fine.confirmationsThatDidNotConfirm());
        assertFalse(SynRateReport.summary(List.of(fine), 1_100).contains("without confirming"));
    }

    @Test
    void aMeasurementShowsTheXdpMapOnlyOnXdp() {
        String afPacket = SynRateReport.measurement(result(1, Contestant.AF_PACKET, SynRateOptions.Load.FLOOD, 80_000, 30_000, 0, Map.of()));
        assertTrue(afPacket.startsWith("rep 1 af-packet flood offered 8,000 conn/s; SYNs delivered 3,010/s (37.6 %); table inserts 3,010/s;"
                + " ESTABLISHED 3,000/s; over 10.00 s"), afPacket);
        assertFalse(afPacket.contains("XDP:"));
        String xdp = SynRateReport.measurement(result(1, Contestant.XDP, SynRateOptions.Load.PACED, 20_000, 20_000, 500, Map.of()));
        assertTrue(xdp.contains("(paced at 2,000)"), xdp);
        assertTrue(xdp.contains("XDP: flows inserted 2,000/s, in the map 1,000 -> 21,000 (2,000/s), refused full 0, map errors 0"), xdp);
    }
}
