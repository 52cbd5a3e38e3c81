package dev.baton.dataplane.health;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.probe.Health;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Address substitution (RM 230): a multi-homed server is reached at an alternate only while its configured address
 * is known not to answer; before the configured address has a result (at start-up) it stays the one used, however
 * early an alternate answers. Verdicts are handed to the checks as the engine hands them over; nothing is sent.
 */
class AddressChoiceTest {

    static final String CONFIG = """
            router: { id: hc-1, control-socket: /tmp/unused-address-choice.sock }
            interfaces:
              - { name: front, role: client, address: 192.0.2.2/24 }
              - { name: back, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                health-check: { type: tcp }
                servers: [ { address: 198.51.100.11, alternates: [198.51.100.31, 198.51.100.51] } ]
            """;

    private HealthChecks checks;
    private ServerHealthBoard board;

    @BeforeEach
    void create() throws Exception {
        BatonConfig config = ConfigLoader.load(CONFIG, Path.of("t.yaml"));
        ServiceMap services = ServiceMap.of(config);
        board = ServerHealthBoard.of(services);
        checks = new HealthChecks(config, services, board, HealthChecks.Feed.NONE, 0);
    }

    @AfterEach
    void close() {
        checks.onClose();
    }

    @Test
    void anAlternateIsUsedOnlyPastAddressesKnownNotToAnswer() {
        verdict("web/198.51.100.31", Health.UP, 10);
        assertEquals(0, board.addressChoice(0), "the configured address has no result yet: it is still the one used");
        assertEquals(ServerHealthBoard.UP, board.health(0), "the server answers at one of its addresses");
        verdict("web/198.51.100.11", Health.DOWN, 20);
        assertEquals(1, board.addressChoice(0), "the configured address does not answer: the first alternate that does");
        verdict("web/198.51.100.31", Health.DOWN, 30);
        assertEquals(0, board.addressChoice(0), "the second alternate has no result yet");
        assertEquals(ServerHealthBoard.UNKNOWN, board.health(0));
        verdict("web/198.51.100.51", Health.UP, 40);
        assertEquals(2, board.addressChoice(0));
        verdict("web/198.51.100.11", Health.UP, 50);
        assertEquals(0, board.addressChoice(0), "back at the configured address as soon as it answers");
        verdict("web/198.51.100.11", Health.DOWN, 60);
        verdict("web/198.51.100.51", Health.DOWN, 70);
        assertEquals(0, board.addressChoice(0), "no address answers: the configured one");
        assertEquals(ServerHealthBoard.DOWN, board.health(0));
    }

    private void verdict(String name, Health health, long atMs) {
        Verdicts.hand(checks, name, health, atMs, "test");
    }
}
