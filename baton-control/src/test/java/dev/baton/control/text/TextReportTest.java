package dev.baton.control.text;

import dev.baton.ha.HaEvent;
import dev.baton.ha.TwoRouters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code baton ctl status} and {@code ctl events} as people read them, from two real HA agents' answers. */
class TextReportTest {

    @Test
    void countersReadAsOneSampleALineWithTheirLabelsQuotedAndEscaped() {
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("name", "watchdog_trips");
        plain.put("type", "counter");
        plain.put("labels", Map.of());
        plain.put("value", 0L);
        Map<String, Object> labelled = new LinkedHashMap<>();
        labelled.put("name", "service_packets");
        labelled.put("type", "counter");
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("worker", "1");
        labels.put("service", "we\"b\\");
        labelled.put("labels", labels);
        labelled.put("value", 42L);
        assertEquals("watchdog_trips 0\nservice_packets{worker=\"1\",service=\"we\\\"b\\\\\"} 42\n",
                TextReport.counters(List.of(plain, labelled)));
    }

    @Test
    void reachabilityShowsTheSetEachPeersReportAndTheOrder() throws Exception {
        String set = """
                reachability:
                  hold: 200ms
                  report-interval: 100ms
                  targets:
                    - { name: upstream-615, address: 192.0.2.1, probe: arp, required: true }
                    - { name: servers-650, address: 198.51.100.11, probe: icmp }
                """;
        try (TwoRouters pair = TwoRouters.withYaml(1, "manual", set)) {
            pair.a.agent.reachabilityElement(0, dev.baton.probe.Health.UP);
            pair.a.agent.reachabilityElement(1, dev.baton.probe.Health.UP);
            pair.b.agent.reachabilityElement(0, dev.baton.probe.Health.UP);
            pair.establishPair();
            pair.run(300, 1);
            String text = TextReport.reachability(pair.a.agent.reachabilityStatus());
            assertTrue(text.startsWith("router a: compare count, min-improvement 1, hold 200 ms\n"), text);
            assertTrue(text.contains("  upstream-615             up       weight 1    required\n"), text);
            assertTrue(text.contains("peer b: report "), text);
            assertTrue(text.contains("  servers-650              unknown  weight 1   \n"), text);
            assertTrue(text.contains("vip 192.0.2.10: no router reaches more than this one (2 of 2 reachable, score 2,"
                    + " unreachable: -) by 1 or more\n"), text);
            assertTrue(text.endsWith("  a (this)                    2        2/2 -            -\n"), "b is unsettled, so only a ranks: " + text);
            String standby = TextReport.reachability(pair.b.agent.reachabilityStatus());
            assertTrue(standby.contains("(not settled: an element has no probe result yet)"), standby);
            assertTrue(standby.contains("vip 192.0.2.10: not active here (the active router's RM decides)"), standby);
        }
    }

    @Test
    void reachabilityShowsThisRoutersElementsWithTheirProbesAndCauses() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("router", "a");
        status.put("compare", "count");
        status.put("min_improvement", 1L);
        status.put("hold_ms", 3000L);
        status.put("settled", true);
        status.put("elements", List.of());
        status.put("probes", List.of(
                Map.of("name", "upstream", "probe", "arp", "health", "up", "cause", "ARP reply from 02:00:00:00:00:aa"),
                Map.of("name", "web-servers", "probe", "service", "health", "down", "cause", "0 of 2 servers up (min-up 1; last: connection refused)"),
                Map.of("name", "rack", "probe", "icmp", "health", "up", "cause", "2 of 3 members up (min-up 2; down: 198.51.100.13; last:"
                                + " 198.51.100.12 echo reply)", "subnet", "198.51.100.0/24", "members", 3, "members_up", 1, "min_up", 2,
                        "members_down", List.of("198.51.100.11", "198.51.100.13"))));
        status.put("peers", List.of());
        status.put("vips", List.of());
        assertEquals("""
                router a: compare count, min-improvement 1, hold 3000 ms
                  upstream                 up       arp     ARP reply from 02:00:00:00:00:aa
                  web-servers              down     service 0 of 2 servers up (min-up 1; last: connection refused)
                  rack                     up       icmp    2 of 3 members up (min-up 2; down: 198.51.100.13; last: 198.51.100.12 echo reply)
                    198.51.100.0/24: 1 of 3 members up now (min-up 2); down: 198.51.100.11, 198.51.100.13
                """, TextReport.reachability(status));
    }

    @Test
    void statusShowsEachVipsStateSyncTableAndEachPeerLink() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            pair.a.agent.drain(0, true); // ctl drain web 198.51.100.11 on a
            pair.b.agent.weight(1, 5); // ctl weight web 198.51.100.12 5 on b
            pair.run(30, 1);
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("router", "b");
            Map<String, Object> ha = dev.baton.control.router.HaStatusJson.of(pair.b.agent.status());
            ha.put("server_settings", pair.b.agent.serverSettingsStatus());
            status.put("high_availability", ha);
            String text = TextReport.status(status);
            assertTrue(text.contains("  operator settings of servers (every router holds them): 2 server(s)\n"
                    + "    web 198.51.100.11: drained, weight as configured (given on a)\n"
                    + "    web 198.51.100.12: not drained, weight 5 (given on this router)\n"), text);
            assertTrue(text.contains("router: b"), text);
            assertTrue(text.contains("VIP 192.0.2.10 [web, sticky]: STANDBY (340) not forwarding, sync IN_SYNC, backup, priority 100"), text);
            assertTrue(text.contains("active: a, following a; table 0 entries"), text);
            assertTrue(text.matches("(?s).*peer a: ACTIVE, sync NONE, table 0 entries, digest 0, heard \\d+ ms ago.*"), text);
            assertTrue(text.matches("(?s).*link 0 127\\.0\\.0\\.2:\\d+ -> 127\\.0\\.0\\.1:\\d+: alive.*"), text);
            assertTrue(text.contains("peer messages:") && text.contains("rejected=0"), text);
        }
    }

    @Test
    void eventsReadAsOneLinePerTransitionWithItsNumeral() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            List<Object> events = new ArrayList<>();
            for (HaEvent e : pair.b.agent.events()) {
                events.add(Map.of("time", "t", "vip", e.vip(), "kind", e.kind(), "reference", e.reference(),
                        "from", e instanceof HaEvent.StateChange c ? c.from() : "", "to", e instanceof HaEvent.StateChange c ? c.to() : "",
                        "text", e.text()));
            }
            String text = TextReport.events(Map.of("events", events));
            assertTrue(text.contains("t 192.0.2.10 transition IDLE -> LISTEN [315]: started"), text);
            assertTrue(text.contains("STANDBY/SYNC-IN -> STANDBY/in-sync [360]: synchronized with the active a"), text);
        }
    }

    @Test
    void aReloadReadsAsItsOutcomeThenOneChangeALine() {
        Map<String, Object> reloaded = new LinkedHashMap<>();
        reloaded.put("outcome", "reloaded");
        reloaded.put("config", "/etc/baton/baton.yaml");
        reloaded.put("changes", List.of("service web: server 198.51.100.13 added (weight 10)", "service web: server 198.51.100.11 weight 10 -> 5"));
        reloaded.put("config_digest", "5f3a9c01d2e4b687");
        assertEquals("""
                reloaded /etc/baton/baton.yaml: 2 changes (configuration digest 5f3a9c01d2e4b687)
                  service web: server 198.51.100.13 added (weight 10)
                  service web: server 198.51.100.11 weight 10 -> 5
                """, TextReport.reload(reloaded));
        reloaded.put("changes", List.of("service dns: removed"));
        assertTrue(TextReport.reload(reloaded).startsWith("reloaded /etc/baton/baton.yaml: 1 change (configuration"),
                TextReport.reload(reloaded));
        Map<String, Object> unchanged = new LinkedHashMap<>(reloaded);
        unchanged.put("outcome", "unchanged");
        unchanged.put("changes", List.of());
        assertEquals("unchanged: /etc/baton/baton.yaml is what the router runs (configuration digest 5f3a9c01d2e4b687)\n",
                TextReport.reload(unchanged));
        // What the router sends is shown, not obeyed, by the terminal.
        reloaded.put("changes", List.of("service w\u001b[2Jeb: added"));
        assertTrue(TextReport.reload(reloaded).contains("  service w\\u001b[2Jeb: added\n"), TextReport.reload(reloaded));
    }

    @Test
    void aRefusedReloadPrintsEveryProblemOnItsOwnLine() {
        String error = "/etc/baton/baton.yaml:14:15: services[0].servers[1].weight: 5000 is out of range (0..1000); for example: weight: 10\n"
                + "/etc/baton/baton.yaml:20:9: services[1].ports[0]: 70000 is not a port (1..65535); for example: ports: [80]";
        assertEquals("""
                baton ctl reload: refused; the router's running configuration stays:
                  /etc/baton/baton.yaml:14:15: services[0].servers[1].weight: 5000 is out of range (0..1000); for example: weight: 10
                  /etc/baton/baton.yaml:20:9: services[1].ports[0]: 70000 is not a port (1..65535); for example: ports: [80]
                """, TextReport.reloadRefused(error));
        assertEquals("baton ctl reload: refused; the router's running configuration stays:\n  unknown command 'reload'\n",
                TextReport.reloadRefused("unknown command 'reload'"));
    }
}
