package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabReportTest {

    private static final long TICKS_PER_SECOND = 100;
    private static final long WINDOW_NS = 10_000_000_000L;

    private static TcpRun tcp(double gbps, double rttMicros, int streams, long checksumErrors) {
        return new TcpRun(new TcpResult(gbps * 1e9, 5, 3, rttMicros, streams), 0.5, 0.9, Map.of(), checksumErrors, 40L * streams);
    }

    /**
     * {@code contestant} delivering {@code pps} for 10 s (1,000 ticks), its router CPU idle {@code idleTicks} of them, and
     * 400 ticks of Baton JVM time for Baton.
     */
    private static Measurement measurement(int repetition, Contestant contestant, long pps, long idleTicks, double gbps,
                                           double rtt, double gbpsParallel, double rttParallel) {
        long delivered = pps * 10;
        // The per-state ticks undercount a CPU that sleeps often, as on a real one; busy = elapsed - idle is exact.
        CpuTicks router = new CpuTicks(1, 30, 0, 40, idleTicks, 0, 0, 100, 0);
        CpuTicks generator = new CpuTicks(0, 500, 0, 500, 0, 0, 0, 0, 0);
        Map<String, Long> counters = contestant.isBaton() ? Map.of("rx_frames", delivered, "forwarded_frames", delivered) : Map.of();
        UdpResult udp = new UdpResult(contestant, WINDOW_NS, delivered + 1000, contestant == Contestant.KERNEL ? 1000 : 0, delivered,
                contestant.isBaton() ? new ProcessTicks(200, 200) : null, generator, router, TICKS_PER_SECOND, counters, false,
                new ForeignLoad.Usage(0.01, "none"), contestant == Contestant.XDP ? 150 : -1);
        return new Measurement(repetition, contestant, udp, tcp(gbps, rtt, 1, 0), tcp(gbpsParallel, rttParallel, 8, 0), 0.01, 0.02,
                "", true);
    }

    private static List<Measurement> threeContestantsThreeRepetitions() {
        List<Measurement> runs = new ArrayList<>();
        long[] kernel = {500_000, 520_000, 510_000};
        long[] afPacket = {300_000, 250_000, 280_000};
        long[] xdp = {1_100_000, 1_000_000, 1_050_000};
        for (int i = 0; i < 3; i++) {
            runs.add(measurement(i + 1, Contestant.KERNEL, kernel[i], 50, 10, 100, 20, 400));
            runs.add(measurement(i + 1, Contestant.AF_PACKET, afPacket[i], 0, 6, 1000, 12, 2000));
            runs.add(measurement(i + 1, Contestant.XDP, xdp[i], 800, 11, 110, 19, 520));
        }
        return runs;
    }

    @Test
    void cpuPerPacketIsAllBusyTimeOfTheRouterCpuOverDeliveredPackets() {
        // 500,000 pps for 10 s = 5,000,000 packets; 950 busy ticks = 9.5 s: 1.9 us per packet.
        UdpResult udp = measurement(1, Contestant.AF_PACKET, 500_000, 50, 10, 100, 20, 400).udp();
        assertEquals(500_000, udp.deliveredPacketsPerSecond(), 1e-6);
        assertEquals(1.9, udp.routerBusyMicrosPerPacket(), 1e-9);
        // Per frame taken in: 9.5 s over the 5,001,000 offered (none refused), 1,000 of them lost after the router.
        assertEquals(9.5e6 / 5_001_000, udp.routerBusyMicrosPerTakenFrame(), 1e-9);
        UdpResult refused = measurement(1, Contestant.KERNEL, 500_000, 50, 10, 100, 20, 400).udp();
        assertEquals(1.9, refused.routerBusyMicrosPerTakenFrame(), 1e-9, "the 1,000 the veth refused are not taken in");
        assertEquals(0.8, udp.processMicrosPerPacket(), 1e-9, "400 JVM ticks = 4 s");
        assertEquals(0.2, udp.routerSoftirqMicrosPerPacket(), 1e-9);
        assertEquals(0.95, udp.routerBusyFraction(), 1e-9);
        assertTrue(Double.isNaN(measurement(1, Contestant.KERNEL, 1, 0, 1, 1, 1, 1).udp().processMicrosPerPacket()));
        assertEquals(0.15, measurement(1, Contestant.XDP, 1, 0, 1, 1, 1, 1).udp().napiThreadBusyFraction(), 1e-9);
        assertTrue(Double.isNaN(udp.napiThreadBusyFraction()), "no NAPI thread on the rings");
    }

    @Test
    void tickSampledFiguresAreNotReportedWhenTheRouterCpuWasNotSaturated() {
        UdpResult idle = measurement(1, Contestant.AF_PACKET, 500_000, 400, 10, 100, 20, 400).udp();
        // 400 of 1,000 ticks idle: 60 % busy, so the CPU slept often and its busy ticks were undersampled.
        assertEquals(false, idle.routerSaturated());
        assertTrue(Double.isNaN(idle.routerSoftirqMicrosPerPacket()));
        assertTrue(Double.isNaN(idle.processUserMicrosPerPacket()));
        assertEquals(0.8, idle.processMicrosPerPacket(), 1e-9, "the process total is exact and always reported");
        assertEquals(1.2, idle.routerBusyMicrosPerPacket(), 1e-9, "busy = elapsed - idle is exact and always reported");
    }

    @Test
    void theSummaryGivesEachContestantsMediansTheirRatiosToTheKernelAndXdpsTargets() {
        String summary = LabReport.summary(threeContestantsThreeRepetitions(), 8);
        assertTrue(summary.contains("| measure | kernel | af-packet | xdp | af-packet/kernel | xdp/kernel | target (xdp) | met |\n"), summary);
        // medians 510,000 / 280,000 / 1,050,000 pps
        assertTrue(summary.contains("| 64 B UDP delivered, packets/s | 510,000 | 280,000 | 1,050,000 | 0.55x | 2.06x | >= 2.0x | yes |"), summary);
        assertTrue(summary.contains("| TCP (iperf3, 1 stream), Gbit/s | 10.00 | 6.00 | 11.00 | 0.60x | 1.10x | >= 1.0x | yes |"), summary);
        assertTrue(summary.contains("| TCP (1 stream), sender's mean RTT, us | 100 | 1,000 | 110 | 10.00x | 1.10x | <= 1.2x | yes |"), summary);
        assertTrue(summary.contains("| TCP (iperf3 -P 8), Gbit/s | 20.00 | 12.00 | 19.00 | 0.60x | 0.95x | >= 1.0x | no |"), summary);
        assertTrue(summary.contains("| TCP (8 streams), senders' mean RTT, us | 400 | 2,000 | 520 | 5.00x | 1.30x | <= 1.2x | no |"), summary);
        // busy ticks / delivered: kernel 950 ticks / 5.1 M, af-packet 1,000 / 2.8 M, xdp 200 / 10.5 M
        assertTrue(summary.contains("| router CPU (CPU 1) busy time per delivered packet, us | 1.86 | 3.57 | 0.19 | 1.92x | 0.10x | <= 0.3 us | yes |"), summary);
        // ratios per repetition: rep 1 xdp 1.1 M / 500 k, CPU 0.18 / 1.9; rep 2 af-packet 250 k / 520 k
        assertTrue(summary.contains("| 1 | xdp/kernel | 2.20x | 1.10x | 0.95x | 1.10x | 1.30x | 0.10x |"), summary);
        assertTrue(summary.contains("| 2 | af-packet/kernel | 0.48x | 0.60x | 0.60x | 10.00x | 5.00x | 2.19x |"), summary);
        assertEquals(6, summary.lines().filter(line -> line.matches("\\| [0-9] \\| [a-z-]+/kernel \\| .*")).count());
        assertEquals(9, summary.lines().filter(line -> line.matches("\\| [0-9] \\| [a-z-]+ \\| .*")).count());
    }

    @Test
    void aContestantHeldBackByTheGeneratorIsNotedAsALowerBound() {
        String summary = LabReport.summary(threeContestantsThreeRepetitions(), 8);
        // xdp delivered (nearly) everything with its router CPU 20 % busy; the kernel's CPU was 95 % busy
        assertTrue(summary.contains("NOTE: xdp delivered 100.0 % of what was offered with the router CPU 20.0 % busy: the generator"
                + " (CPU 0), not the router, set its UDP rate, so its UDP figure and ratio are lower bounds."), summary);
        assertFalse(summary.contains("NOTE: kernel"), summary);
        assertFalse(summary.contains("NOTE: af-packet"), summary);
    }

    @Test
    void withoutTheKernelThereAreNoRatiosAndRatioTargetsAreNotJudged() {
        List<Measurement> runs = List.of(measurement(1, Contestant.XDP, 1_000_000, 500, 11, 110, 19, 520));
        String summary = LabReport.summary(runs, 8);
        assertTrue(summary.contains("| measure | xdp | target (xdp) | met |\n"), summary);
        assertTrue(summary.contains("| 64 B UDP delivered, packets/s | 1,000,000 | >= 2.0x | - |"), summary);
        // 500 busy ticks = 5 s over 10 M packets
        assertTrue(summary.contains("| router CPU (CPU 1) busy time per delivered packet, us | 0.50 | <= 0.3 us | no |"), summary);
        assertFalse(summary.contains("Ratios to the kernel"), summary);
    }

    @Test
    void withoutXdpTheTargetsAreNotJudged() {
        List<Measurement> runs = List.of(measurement(1, Contestant.KERNEL, 500_000, 50, 10, 100, 20, 400),
                measurement(1, Contestant.AF_PACKET, 300_000, 0, 6, 1000, 12, 2000));
        String summary = LabReport.summary(runs, 8);
        assertTrue(summary.contains("| 64 B UDP delivered, packets/s | 500,000 | 300,000 | 0.60x | >= 2.0x | - |"), summary);
    }

    @Test
    void eachMeasurementTellsWherePacketsWentAndWhereTheRouterWorkRan() {
        Measurement m = measurement(2, Contestant.XDP, 500_000, 600, 10, 100, 20, 400);
        UdpResult u = m.udp();
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx_frames", 12L);
        counters.put("forwarded_frames", 5_000_000L);
        counters.put("xdp_rx_frames", 5_000_000L);
        counters.put("xdp_forwarded_frames", 4_999_990L);
        counters.put("xdp_pass_no_flow", 10L);
        counters.put("xdp_pass_too_long", 0L);
        counters.put("xdp_redirect_failed", 0L);
        Measurement xdp = new Measurement(2, Contestant.XDP, new UdpResult(u.contestant(), u.windowNs(), u.offeredPackets(), 7,
                u.deliveredPackets(), u.routerProcess(), u.generatorCpu(), u.routerCpu(), TICKS_PER_SECOND, counters, false,
                new ForeignLoad.Usage(0, "none"), 350),
                m.tcp(), tcp(18, 90, 8, 2), 0, 0, "napi/bt0001r0f-8193 (pid 42): may run on CPU 1, last ran on CPU 1", true);
        String text = LabReport.measurement(xdp, 8);
        assertTrue(text.startsWith("rep 2 xdp       UDP: offered 500,100 pps, delivered 500,000 pps (100.0 %) over 10.00 s"), text);
        assertTrue(text.contains("CPU per delivered packet: router CPU busy 0.80 us (per frame taken in 0.80 us); Baton JVM 0.80 us (user n/a), router CPU softirq n/a\n"), text);
        assertTrue(text.contains("router veth refused 7 frames (tx_dropped of its bridge port: the veth's XDP ring full)"), text);
        assertTrue(text.contains("Baton: rx_frames 12, forwarded_frames 5,000,000; XDP: xdp_rx_frames 5,000,000, xdp_forwarded_frames"
                + " 4,999,990, passed up: xdp_pass_no_flow=10; losses: none\n"), text);
        assertTrue(text.contains("router work: napi/bt0001r0f-8193 (pid 42): may run on CPU 1, last ran on CPU 1; NAPI thread busy 35 %"
                + " of the window (tick-sampled)\n"), text);
        assertTrue(text.contains("TCP 1 stream: 10.00 Gbit/s received over 5.0 s, 3 retransmits, mean RTT 100 us;"), text);
        assertTrue(text.contains("TCP 8 streams: 18.00 Gbit/s received over 5.0 s, 3 retransmits, mean RTT 90 us; CPU busy: other CPU 50 %,"
                + " router CPU 90 %; router veth refused 320 frames; server checksum errors 2\n"), text);

        String kernel = LabReport.measurement(measurement(2, Contestant.KERNEL, 500_000, 50, 16, 100, 20, 400), 8);
        assertTrue(kernel.contains("router veth refused 1,000 frames (tx_dropped of its bridge port: the RPS backlog full)"), kernel);
        assertTrue(kernel.contains("CPU per delivered packet: router CPU busy 1.90 us (per frame taken in 1.90 us), router CPU softirq 0.20 us"), kernel);
        assertFalse(kernel.contains("Baton"), kernel);
        assertFalse(kernel.contains("router work"), kernel);
    }

    @Test
    void unpinnedRouterWorkAndBadChecksumsAreNoted() {
        Measurement m = measurement(1, Contestant.XDP, 500_000, 600, 10, 100, 20, 400);
        Measurement unpinned = new Measurement(1, Contestant.XDP, m.udp(), tcp(10, 100, 1, 0), tcp(20, 400, 8, 52_118), 0, 0,
                "NOT on CPU 1: threaded NAPI failed (...)", false);
        String summary = LabReport.summary(List.of(unpinned), 8);
        assertTrue(summary.contains("NOTE: rep 1 xdp: router work not all on the router CPU: NOT on CPU 1: threaded NAPI failed (...)"), summary);
        assertTrue(summary.contains("NOTE: rep 1 xdp: the servers counted 52118 TCP segments with a bad checksum"), summary);
        assertTrue(summary.contains("| 1 | xdp (not pinned) | "), summary);
    }

    @Test
    void countsHaveThousandsSeparators() {
        assertEquals("1,234,567", LabReport.count(1_234_567.4));
        assertEquals("n/a", LabReport.count(Double.NaN));
        assertEquals("n/a", LabReport.ratio(1.0 / 0.0));
    }
}
