package dev.baton.ha;

import dev.baton.monitor.MonitorState;
import dev.baton.probe.Health;
import dev.baton.reachability.ReachabilityManager;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reach-ability manager in two real agents (FIG. 4, FIG. 6) with a stepped clock: reports over the
 * authenticated peer links, the active RM's decision, and the standby's preemption by transition 345 with the
 * switch-over's loss-free hand-over. The probes are stood in for by setting each element's health by hand.
 */
class ReachabilityHandoverTest {

    /** Both routers must reach the previous hop and the server cluster (FIG. 6: 615 and 650). */
    static final String SET = """
            reachability:
              compare: count
              hold: 500ms
              report-interval: 100ms
              targets:
                - { name: upstream-615, address: 192.0.2.1, probe: arp }
                - { name: servers-650, address: 198.51.100.11, probe: icmp }
            """;

    static void reach(TwoRouters.Router router, Health upstream, Health servers) {
        ReachabilityManager manager = router.agent.reachability().manager();
        manager.elementHealth(0, upstream);
        manager.elementHealth(1, servers);
    }

    @Test
    void theStandbyThatStillReachesTheServersTakesTheVipOverAndEveryConnectionCarriesOn() throws Exception {
        try (TwoRouters pair = TwoRouters.withYaml(1, "automatic", SET)) {
            reach(pair.a, Health.UP, Health.UP);
            reach(pair.b, Health.UP, Health.UP);
            pair.establishPair();
            pair.openConnections(pair.a, 20, 80);
            pair.run(2_000, 1);
            assertEquals(MonitorState.ACTIVE, pair.a.state(), "equal reachability: the VIP stays (path 445)");

            reach(pair.a, Health.UP, Health.DOWN); // FIG. 6, link 637: a no longer reaches the servers
            long cutAt = pair.now;
            long tookMs = pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 2_000, "b takes the VIP over");
            assertTrue(tookMs >= 500, "not before the hold: " + tookMs + " ms");
            pair.run(1_000, 1);
            assertEquals(MonitorState.STANDBY, pair.a.state());
            assertEquals(MonitorState.ACTIVE, pair.b.state(), "the VIP stays where it is reached better");
            assertEquals(20L, pair.b.agent.status().vips().getFirst().tableSize(), "every connection carried over");
            HaEvent decision = pair.a.agent.events().stream().filter(e -> e.reference() == 345).findFirst().orElse(null);
            assertNotNull(decision, "a's event log says why: " + pair.a.agent.events());
            assertTrue(decision.text().contains("unreachable: servers-650"), decision.text());
            assertTrue(pair.b.agent.events().stream().anyMatch(e -> e.reference() == 345 && e.text().contains("reach")),
                    "b preempted by 345: " + pair.b.agent.events());
            assertTrue(pair.now - cutAt < 2_000);
            // ctl reachability on the new active: it judges now, and ranks itself first
            java.util.Map<String, Object> status = pair.b.agent.reachabilityStatus();
            java.util.Map<?, ?> vip = (java.util.Map<?, ?>) ((List<?>) status.get("vips")).getFirst();
            assertEquals(true, vip.get("active_here"));
            java.util.Map<?, ?> first = (java.util.Map<?, ?>) ((List<?>) vip.get("order")).getFirst();
            assertEquals("b", first.get("router"), status.toString());
            java.util.Map<?, ?> peerA = (java.util.Map<?, ?>) ((List<?>) status.get("peers")).getFirst();
            assertEquals(true, peerA.get("current"), "a's reports reach b: " + status);
            dev.baton.agent.CounterSnapshot counters = pair.a.dataplane.counters().snapshot();
            assertEquals(1, counters.sum("reachability_takeovers_requested"), counters.text());
            assertEquals(0, counters.sum("reachability_element_up", "element", "servers-650"));
            assertEquals(1, counters.sum("reachability_element_up", "element", "upstream-615"));
            assertEquals(1, counters.sum("reachability_reports_received"), "b's report never changed: one generation, resent");
            assertTrue(counters.sum("reachability_reports_sent") > 10, counters.text());
            // a (primary, automatic failback) reaches the servers again: it takes its VIP back, since it handed it
            // over for reachability, not at an operator's request
            reach(pair.a, Health.UP, Health.UP);
            pair.runUntil(() -> pair.a.state() == MonitorState.ACTIVE, 3_000, "a fails back once it reaches as much");
            assertTrue(pair.a.agent.events().stream().anyMatch(e -> e.reference() == 346), pair.a.agent.events().toString());
        }
    }

    @Test
    void whenBothLoseTheSameElementNothingMoves() throws Exception {
        try (TwoRouters pair = TwoRouters.withYaml(1, "automatic", SET)) {
            reach(pair.a, Health.UP, Health.UP);
            reach(pair.b, Health.UP, Health.UP);
            pair.establishPair();
            reach(pair.a, Health.DOWN, Health.UP); // router 615 down for both (FIG. 6)
            reach(pair.b, Health.DOWN, Health.UP);
            pair.run(3_000, 1);
            assertEquals(MonitorState.ACTIVE, pair.a.state());
            assertEquals(MonitorState.STANDBY, pair.b.state());
            assertEquals(List.of(), pair.a.agent.events().stream().filter(e -> e.reference() == 345).toList());
        }
    }

    @Test
    void aPrimaryThatReachesLessDoesNotFailBackUntilItReachesAsMuchAgain() throws Exception {
        try (TwoRouters pair = TwoRouters.withYaml(1, "automatic", SET)) {
            reach(pair.a, Health.UP, Health.UP);
            reach(pair.b, Health.UP, Health.UP);
            pair.establishPair();
            pair.a.downInterfaces.add("front"); // a gives the VIP up (GAVE_UP), b takes it over
            pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 2_000, "b takes the VIP over");
            reach(pair.a, Health.UP, Health.DOWN);
            pair.a.downInterfaces.remove("front");
            pair.run(3_000, 1);
            assertEquals(MonitorState.STANDBY, pair.a.state(), "synchronized, but it reaches less: no failback");
            assertTrue(pair.a.agent.events().stream().anyMatch(e -> e.reference() == 346 && e.text().contains("reaches less")),
                    pair.a.agent.events().toString());
            reach(pair.a, Health.UP, Health.UP);
            pair.runUntil(() -> pair.a.state() == MonitorState.ACTIVE, 2_000, "a fails back once it reaches as much");
        }
    }
}
