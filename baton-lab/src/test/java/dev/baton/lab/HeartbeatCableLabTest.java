package dev.baton.lab;

import static dev.baton.lab.LabTesting.ping;
import static dev.baton.lab.LabTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The opt-in heartbeat cable between routers 0 and 1, and the echo clients the failover tests drive, in one
 * two-router lab: the cable carries traffic between the routers only, a cut takes carrier away from both ends,
 * it goes with the lab; the clients report clean echoes from a real server, and failed connections as errors.
 */
@Tag("lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeartbeatCableLabTest {

    private Lab lab;

    @BeforeAll
    void buildLab() {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        for (Tool tool : List.of(Tool.PYTHON3, Tool.PING)) {
            Assumptions.assumeTrue(tool.isAvailable(), tool.missingMessage());
        }
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(2).servers(1).vip("192.0.2.10")
                .heartbeatCable(true).build();
    }

    @AfterAll
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aCableNeedsTwoRouters() {
        assertThrows(IllegalArgumentException.class, () -> Lab.builder().routers(1).heartbeatCable(true).build());
    }

    @Test
    void eachRouterHoldsOneEndAndAnAttachedHandleFindsTheCableToo() {
        for (RouterHost router : lab.routers()) {
            String links = run(router, "ip", "-br", "link", "show").stdout();
            assertEquals(1, links.lines().filter(line -> line.startsWith(lab.prefix() + router.name() + "h")).count(), links);
        }
        try (Lab attached = Lab.attach(lab.prefix())) {
            assertEquals(lab.heartbeatCable().orElseThrow().first().interfaceName(),
                    attached.heartbeatCable().orElseThrow().first().interfaceName());
        }
    }

    @Test
    void theCableJoinsTheTwoRoutersDirectlyWithItsOwnSubnet() {
        HeartbeatCable cable = lab.heartbeatCable().orElseThrow();
        assertEquals(lab.router(0), cable.first().router());
        assertEquals(lab.router(1), cable.second().router());
        assertEquals(lab.prefix() + "r0h", cable.first().interfaceName());
        assertEquals("203.0.113.253", cable.first().ip());
        assertEquals("203.0.113.254", cable.second().ip());
        assertEquals(cable.second(), cable.peerEndOf(lab.router(0)));
        String shown = run(lab.router(0), "ip", "-br", "address", "show", "dev", cable.first().interfaceName()).stdout();
        assertTrue(shown.contains(HeartbeatCable.FIRST_ADDRESS) && shown.contains(" UP "), shown);
        assertTrue(ping(lab.router(0), cable.second().ip()).succeeded(), "router 0 reaches router 1 over the cable");
        // The route to the peer's cable address is the cable itself, not a segment.
        String route = run(lab.router(1), "ip", "route", "get", cable.first().ip()).stdout();
        assertTrue(route.contains("dev " + cable.second().interfaceName()), route);
        // Nobody else is on it: the client cannot reach it (no route leaves the routers' /30).
        assertFalse(ping(lab.client(0), cable.first().ip()).succeeded());
        assertTrue(lab.describe().contains("heartbeat cable " + HeartbeatCable.SUBNET), lab.describe());
    }

    @Test
    void cuttingTheCableTakesCarrierFromBothEndsAndRepairingRestoresIt() {
        HeartbeatCable cable = lab.heartbeatCable().orElseThrow();
        assertTrue(cable.hasCarrier());
        cable.cut();
        try {
            assertFalse(cable.hasCarrier());
            String far = run(lab.router(1), "ip", "-o", "link", "show", "dev", cable.second().interfaceName()).stdout();
            assertTrue(far.contains("NO-CARRIER"), far);
            assertFalse(ping(lab.router(0), cable.second().ip()).succeeded());
        } finally {
            cable.repair();
        }
        assertTrue(cable.hasCarrier());
        assertTrue(ping(lab.router(0), cable.second().ip()).succeeded());
    }

    @Test
    void echoClientsReportEveryMessageEchoedIntactByARealServer() {
        ServerHost server = lab.server(0);
        server.startEchoServer(7000, 7001);
        try {
            // 20 connections through the upstream to the server's own address, a message every 20 ms for 1 s.
            String json = EchoClients.run(lab.client(0), EchoClients.Options.longLived(server.address(), 7000, 20,
                    Duration.ofSeconds(1)).withProbes(Duration.ofMillis(200)));
            assertEquals(20, values(json, "established").stream().filter("true"::equals).count(), json);
            assertTrue(sum(json, "\"ok\": (\\d+)") >= 20 * 40, "about 50 echoes per connection: " + json);
            assertEquals(0, sum(json, "\"mismatches\": (\\d+)"), json);
            assertEquals(0, sum(json, "\"errors\": (\\d+)"), json);
            assertEquals(0, sum(json, "\"unanswered\": (\\d+)"), json);
            List<String> probes = values(json.substring(json.indexOf("\"probes\"")), "ok");
            assertFalse(probes.isEmpty(), json);
            assertTrue(probes.stream().allMatch("true"::equals), "every probe echoed: " + json);
        } finally {
            server.stopEchoServer(7000);
        }
    }

    @Test
    void echoClientsReportRefusedConnectionsAsErrors() {
        // Nothing listens on port 7999 of the server: every connection is refused (a real RST from its kernel).
        String json = EchoClients.run(lab.client(0), EchoClients.Options.oneEchoEach(lab.server(0).address(), 7999, 3));
        assertEquals(3, sum(json, "\"errors\": (\\d+)"), json);
        assertEquals(3, json.split("ECONNREFUSED", -1).length - 1, json);
    }

    private static long sum(String json, String regex) {
        return Pattern.compile(regex).matcher(json).results().mapToLong(m -> Long.parseLong(m.group(1))).sum();
    }

    private static List<String> values(String json, String key) {
        return Pattern.compile("\"" + key + "\": (true|false)").matcher(json).results().map(m -> m.group(1)).toList();
    }
}
