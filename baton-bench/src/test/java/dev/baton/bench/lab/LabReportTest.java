package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabReportTest {

    private static final long TICKS_PER_SECOND = 100;
    private static final long WINDOW_NS = 10_000_000_000L;

    /** A measurement delivering {@code pps} for 10 s, with {@code processTicks} of Baton CPU time (or none). */
    private static Measurement measurement(int repetition, ForwardingPath path, long pps, long processTicks, long softirqTicks,
                                           double gbps) {
        long delivered = pps * 10;
        // 10 s = 1,000 ticks, 50 of them idle: 950 busy ticks, saturated (the per-state ticks undercount, as on a real CPU).
        CpuTicks router = new CpuTicks(1, 30, 0, 40, 50, 0, 0, softirqTicks, 0);
        CpuTicks generator = new CpuTicks(0, 500, 0, 500, 0, 0, 0, 0, 0);
        UdpResult udp = new UdpResult(path, WINDOW_NS, delivered + 1000, path == ForwardingPath.KERNEL ? 1000 : 0, delivered,
                path == ForwardingPath.BATON ? new ProcessTicks(processTicks / 2, processTicks - processTicks / 2) : null,
                generator, router, TICKS_PER_SECOND, Map.of("rx_frames", delivered, "drops.tx-ring-full", 0L), false,
                new ForeignLoad.Usage(0.01, "none"));
        return new Measurement(repetition, path, udp, new TcpResult(gbps * 1e9, 5, 3, 250), 0.01, 0.02, 0.5, 0.9, Map.of());
    }

    @Test
    void cpuPerPacketIsTicksOverDeliveredPackets() {
        // 500,000 pps for 10 s = 5,000,000 packets; 400 ticks = 4 s of CPU: 0.8 us per packet.
        UdpResult udp = measurement(1, ForwardingPath.BATON, 500_000, 400, 100, 10).udp();
        assertEquals(500_000, udp.deliveredPacketsPerSecond(), 1e-6);
        assertEquals(0.8, udp.processMicrosPerPacket(), 1e-9);
        assertEquals(0.2, udp.routerSoftirqMicrosPerPacket(), 1e-9);
        assertEquals(1.9, udp.routerBusyMicrosPerPacket(), 1e-9);
        assertEquals(0.95, udp.routerBusyFraction(), 1e-9);
        assertTrue(Double.isNaN(measurement(1, ForwardingPath.KERNEL, 1, 0, 0, 1).udp().processMicrosPerPacket()));
    }

    @Test
    void tickSampledFiguresAreNotReportedWhenTheRouterCpuWasNotSaturated() {
        UdpResult u = measurement(1, ForwardingPath.BATON, 500_000, 400, 100, 10).udp();
        // 400 of 1,000 ticks idle: 60 % busy, so the CPU slept often and its busy ticks were undersampled.
        UdpResult idle = new UdpResult(u.path(), u.windowNs(), u.offeredPackets(), 0, u.deliveredPackets(), u.routerProcess(),
                u.generatorCpu(), new CpuTicks(1, 3, 0, 4, 400, 0, 0, 100, 0), TICKS_PER_SECOND, Map.of(), false,
                new ForeignLoad.Usage(0, "none"));
        assertEquals(false, idle.routerSaturated());
        assertTrue(Double.isNaN(idle.routerSoftirqMicrosPerPacket()));
        assertTrue(Double.isNaN(idle.processUserMicrosPerPacket()));
        assertEquals(0.8, idle.processMicrosPerPacket(), 1e-9, "the process total is exact and always reported");
        assertEquals(1.2, idle.routerBusyMicrosPerPacket(), 1e-9, "busy = elapsed - idle is exact and always reported");
    }

    @Test
    void summaryReportsMediansRatiosAndWhetherTargetsAreMet() {
        List<Measurement> runs = new ArrayList<>();
        long[] batonPps = {600_000, 700_000, 650_000};
        long[] kernelPps = {500_000, 520_000, 510_000};
        for (int i = 0; i < 3; i++) {
            runs.add(measurement(i + 1, ForwardingPath.BATON, batonPps[i], 400, 100, 15 + i));
            runs.add(measurement(i + 1, ForwardingPath.KERNEL, kernelPps[i], 0, 500, 16));
        }
        String summary = LabReport.summary(runs);
        // medians 650,000 and 510,000: 1.27x, met; TCP 16 / 16 = 1.00x, met; CPU 400 ticks / 6.5 M packets = 0.62 us.
        assertTrue(summary.contains("| 64 B UDP delivered, packets/s | 650,000 | 510,000 | 1.27x | >= 1.2x | yes |"), summary);
        assertTrue(summary.contains("| TCP (iperf3, 1 stream), Gbit/s | 16.00 | 16.00 | 1.00x | >= 1.0x | yes |"), summary);
        assertTrue(summary.contains("| 0.62 | 0.98 | | Baton <= 1.0 us | yes |"), summary);
        assertTrue(summary.contains("UDP 1.20x 1.35x 1.27x; TCP 0.94x 1.00x 1.06x"), summary);
        assertEquals(6, summary.lines().filter(line -> line.matches("\\| [0-9] \\| .*")).count());
    }

    @Test
    void aMissedTargetSaysNo() {
        List<Measurement> runs = List.of(measurement(1, ForwardingPath.BATON, 400_000, 600, 100, 10),
                measurement(1, ForwardingPath.KERNEL, 500_000, 0, 500, 16));
        String summary = LabReport.summary(runs);
        assertTrue(summary.contains("| 0.80x | >= 1.2x | no |"), summary);
        assertTrue(summary.contains("| 0.63x | >= 1.0x | no |"), summary);
        assertTrue(summary.contains("| 1.50 | 1.00 | | Baton <= 1.0 us | no |"), summary);
    }

    @Test
    void eachMeasurementTellsWherePacketsWereLost() {
        Measurement baton = measurement(2, ForwardingPath.BATON, 500_000, 400, 100, 10);
        UdpResult u = baton.udp();
        Measurement lossy = new Measurement(2, ForwardingPath.BATON, new UdpResult(u.path(), u.windowNs(), u.offeredPackets(), 0,
                u.deliveredPackets(), u.routerProcess(), u.generatorCpu(), u.routerCpu(), TICKS_PER_SECOND,
                Map.of("rx_frames", 5_000_000L, "forwarded_frames", 4_000_000L, "drops.tx-ring-full", 1_000_000L,
                        "ring.bt0001r0f.w0.rx_drops", 0L), false, new ForeignLoad.Usage(0, "none")),
                baton.tcp(), 0, 0, 0.5, 0.9, Map.of("drops.too-big", 3L));
        String text = LabReport.measurement(lossy, "bt0001r0f");
        assertTrue(text.startsWith("rep 2 Baton  UDP: offered 500,100 pps, delivered 500,000 pps (100.0 %) over 10.00 s"), text);
        assertTrue(text.contains("Baton: rx_frames 5,000,000, forwarded_frames 4,000,000; losses: drops.tx-ring-full=1,000,000\n"), text);
        assertTrue(text.contains("Baton JVM 0.80 us (user 0.40 us), router CPU softirq 0.20 us, router CPU busy 1.90 us"), text);
        assertTrue(text.contains("Baton losses: drops.too-big=3"), text);

        String kernel = LabReport.measurement(measurement(2, ForwardingPath.KERNEL, 500_000, 0, 500, 16), "bt0001r0f");
        assertTrue(kernel.contains("kernel: bt0001r0f rx_dropped 1,000 (RPS backlog full)"), kernel);
        assertTrue(kernel.contains("CPU per delivered packet: router CPU softirq 1.00 us"), kernel);
    }

    @Test
    void countsHaveThousandsSeparators() {
        assertEquals("1,234,567", LabReport.count(1_234_567.4));
        assertEquals("n/a", LabReport.count(Double.NaN));
    }
}
