package dev.baton.dataplane.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.probe.Health;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Subnet elements of the reachability set (RM 230: "hosts or subnets"): one probe per member, shared with a server's
 * check when it is the same probe, and the element up while at least min-up members answer. The probes never run
 * here: each member's verdict is handed to the checks as the engine would hand it over, at a time the test sets,
 * so nothing is sent and nothing waits.
 */
class SubnetElementTest {

    static final String CONFIG = """
            router: { id: hc-1, control-socket: /tmp/unused-subnet-element.sock }
            interfaces:
              - { name: front, role: client, address: 192.0.2.2/24 }
              - { name: back, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                health-check: { type: tcp, interval: 1s, timeout: 500ms, rise: 2, fall: 3 }
                servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
            reachability:
              targets:
                - { name: far-cluster, subnet: 203.0.113.0/28, addresses: [203.0.113.5, 203.0.113.6, 203.0.113.7], probe: tcp, port: 443, min-up: 2 }
                - { name: web-rack, subnet: 198.51.100.0/24, probe: tcp, port: 80 }
                - { name: web-alt-port, subnet: 198.51.100.0/24, probe: tcp, port: 8080, min-up: 2 }
            """;

    private HealthChecks checks;
    private final List<String> fed = new ArrayList<>();

    @BeforeEach
    void create() throws Exception {
        BatonConfig config = ConfigLoader.load(CONFIG, Path.of("t.yaml"));
        ServiceMap services = ServiceMap.of(config);
        checks = new HealthChecks(config, services, ServerHealthBoard.of(services),
                (index, health, cause) -> fed.add(index + " " + health.word()), 0);
    }

    @AfterEach
    void close() {
        checks.onClose();
    }

    @Test
    void theElementIsUpWhileAtLeastMinUpMembersAnswer() {
        verdict("reachability/far-cluster/203.0.113.5", Health.UP, 1_000, "connected");
        assertEquals(Health.UNKNOWN, checks.elementHealth(0), "one of three up: min-up 2 depends on the others");
        verdict("reachability/far-cluster/203.0.113.6", Health.UP, 1_200, "connected");
        assertEquals(List.of("0 up"), fed);
        verdict("reachability/far-cluster/203.0.113.7", Health.DOWN, 1_400, "connection refused");
        assertEquals(List.of("0 up"), fed, "two of three still answer");

        verdict("reachability/far-cluster/203.0.113.5", Health.DOWN, 3_000, "timed out after 500 ms");
        assertEquals(List.of("0 up", "0 down"), fed);
        Map<?, ?> row = setRow(0);
        assertEquals("down", row.get("health"));
        assertEquals(3_000L, row.get("changed_at_ms"));
        assertEquals("1 of 3 members up (min-up 2; down: 203.0.113.5, 203.0.113.7; last: 203.0.113.5 timed out after 500 ms)",
                row.get("cause"));
        assertEquals(List.of("203.0.113.0/28", 3, 1, 2, List.of("203.0.113.5", "203.0.113.7")),
                List.of(row.get("subnet"), row.get("members"), row.get("members_up"), row.get("min_up"), row.get("members_down")));

        verdict("reachability/far-cluster/203.0.113.7", Health.UP, 4_000, "connected");
        assertEquals(List.of("0 up", "0 down", "0 up"), fed);
        assertEquals(List.of("203.0.113.5"), setRow(0).get("members_down"), "which are down is read now, not at the change");
    }

    @Test
    void tooFewMembersLeftToReachMinUpIsDownAtOnce() {
        verdict("reachability/web-alt-port/198.51.100.11", Health.DOWN, 1_000, "connection refused");
        assertEquals(List.of("2 down"), fed, "one of two down: min-up 2 can no longer be reached");
    }

    @Test
    void aMemberThatIsAServerWithTheSameCheckSharesItsProbe() {
        // Two servers' checks, the far cluster's three members, web-alt-port's two (port 8080 is another probe);
        // web-rack's members are the servers' checks themselves.
        assertEquals(7, checks.engine().targetCount());
        verdict("web/198.51.100.12", Health.UP, 1_000, "connected");
        assertEquals(List.of("1 up"), fed, "a server passing its check is a member of web-rack answering");
        assertEquals("1 of 2 members up (min-up 1; last: 198.51.100.12 connected)", setRow(1).get("cause"));
        verdict("web/198.51.100.11", Health.DOWN, 2_000, "connection refused");
        assertEquals(List.of("1 up"), fed);
        verdict("web/198.51.100.12", Health.DOWN, 2_100, "connection refused");
        assertEquals(List.of("1 up", "1 down"), fed);
        // ctl health lists the members' own probes, not the shared ones (those are server rows).
        List<?> elements = (List<?>) checks.status().get("elements");
        assertEquals(List.of("reachability/far-cluster/203.0.113.5", "reachability/far-cluster/203.0.113.6",
                        "reachability/far-cluster/203.0.113.7", "reachability/web-alt-port/198.51.100.11",
                        "reachability/web-alt-port/198.51.100.12"),
                elements.stream().map(o -> ((Map<?, ?>) o).get("name")).toList());
    }

    @ParameterizedTest(name = "{0} up, {1} down of {2}, min-up {3}: {4}")
    @CsvSource({"2, 0, 3, 2, UP", "1, 0, 3, 2, UNKNOWN", "1, 1, 3, 2, UNKNOWN", "1, 2, 3, 2, DOWN", "0, 0, 1, 1, UNKNOWN",
            "0, 1, 1, 1, DOWN", "3, 0, 3, 3, UP", "2, 1, 3, 3, DOWN"})
    void membersMakeTheElementsHealth(int up, int down, int members, int minUp, Health expected) {
        assertEquals(expected, HealthChecks.ofMembers(up, down, members, minUp));
    }

    /** Hands the checks target {@code name}'s new health, as the engine does when it drains a change. */
    private void verdict(String name, Health health, long atMs, String cause) {
        Verdicts.hand(checks, name, health, atMs, cause);
    }

    private Map<?, ?> setRow(int element) {
        return (Map<?, ?>) ((List<?>) checks.status().get("reachability_set")).get(element);
    }
}
