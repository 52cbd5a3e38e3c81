package dev.baton.control.drill;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drill's verdict and its report, from what the load saw. */
class DrillReportTest {

    private static final long MS = 1_000_000;

    private static final DrillLoad.Settings SETTINGS;

    static {
        try {
            SETTINGS = new DrillLoad.Settings(new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte) 192, 0, 2, 10}), 7000),
                    DrillLoad.Mode.ECHO, 4, Duration.ofMillis(20), Duration.ofSeconds(6), Duration.ofMillis(100),
                    Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(3));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static PairControl.RouterView router(String name, String state) {
        return new PairControl.RouterView(Path.of("/run/baton/" + name + ".sock"), name, null, state,
                state.equals("ACTIVE") ? "NONE" : "IN_SYNC", 4, "3fa2", 100, Optional.empty(), List.of());
    }

    private static LoadOutcome load(int kept, List<LoadOutcome.Broken> broken, long awaited, ProbeOutage.Result probes) {
        return new LoadOutcome(DrillLoad.Mode.ECHO, 4, kept, broken, 1200, 1200 - awaited, awaited, 0, 9600,
                List.of(20 * MS, 22 * MS, 25 * MS, 180 * MS), probes, List.of(), 0, 3 * MS, null);
    }

    private static DrillReport judge(LoadOutcome load) {
        return Drill.judge(SETTINGS, false, router("r0", "ACTIVE"), router("r1", "STANDBY"), "asked r1 to take the VIP", 17,
                List.of(router("r0", "ACTIVE"), router("r1", "STANDBY")), List.of(router("r0", "STANDBY"), router("r1", "ACTIVE")),
                true, load);
    }

    @Test
    void everyConnectionKeptAndNewConnectionsWorkingPasses() {
        DrillReport report = judge(load(4, List.of(), 0, new ProbeOutage.Result(59, 57, 2, true, 76 * MS, 200 * MS)));
        assertEquals(DrillReport.Verdict.PASSED, report.verdict());
        assertEquals(0, report.exitStatus());
        String text = report.text();
        assertTrue(text.contains("connections kept: 4/4 (100.0 %)"), text);
        assertTrue(text.contains("client stall:     p50 22.0 ms, p99 180.0 ms, max 180.0 ms"), text);
        assertTrue(text.contains("new connections:  57/59 probes good; outage 200 ms from +76 ms after the command"), text);
        assertTrue(text.contains("switch-over:      r0 -> r1: asked r1 to take the VIP; r1 ACTIVE 17 ms after the command"), text);
        assertTrue(text.endsWith("PASSED: every connection kept across the switch-over from r0 to r1, nothing lost\n"), text);
        Map<String, Object> json = report.json();
        assertEquals("passed", json.get("verdict"));
        @SuppressWarnings("unchecked")
        Map<String, Object> load = (Map<String, Object>) json.get("load");
        assertEquals(4, load.get("kept"));
        assertEquals(180.0, load.get("stall_max_ms"));
    }

    @Test
    void aLostConnectionOrMessageFailsWithExitOne() {
        DrillReport report = judge(load(3, List.of(new LoadOutcome.Broken(2, "receive: Connection reset by peer", 40 * MS)), 3,
                new ProbeOutage.Result(59, 59, 0, true, 0, 0)));
        assertEquals(DrillReport.Verdict.FAILED, report.verdict());
        assertEquals(1, report.exitStatus());
        assertEquals("1 of 4 connections lost, 3 messages never echoed across the switch-over from r0 to r1", report.reason());
        assertTrue(report.text().contains("lost:             connection 3: receive: Connection reset by peer (+40 ms after the command)"),
                report.text());
    }

    @Test
    void newConnectionsStillFailingAtTheEndFails() {
        DrillReport report = judge(load(4, List.of(), 0, new ProbeOutage.Result(59, 20, 39, false, 10 * MS, 3_900 * MS)));
        assertEquals(DrillReport.Verdict.FAILED, report.verdict());
        assertEquals("new connections still failed at the end of the drill", report.reason());
        assertTrue(report.text().contains("(not recovered: no good probe after the last failure)"), report.text());
    }
}
