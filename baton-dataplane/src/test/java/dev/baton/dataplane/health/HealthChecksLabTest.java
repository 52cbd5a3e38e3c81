package dev.baton.dataplane.health;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkNamespace;
import dev.baton.probe.Health;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A router's health checks and reachability probes against a real host: namespace {@code <prefix>r} (the router,
 * 198.51.100.2) and {@code <prefix>s} (server 198.51.100.11 with a TCP listener), joined by a veth pair. Nothing
 * holds 198.51.100.12 or .77. The probes run with short intervals in real time, each wait bounded; namespaces are
 * removed even when the test fails.
 */
@Tag("lab")
class HealthChecksLabTest {

    @BeforeEach
    void requireLab() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    static String config(String serverInterface) {
        return """
                router: { id: hc-1, control-socket: /tmp/unused-hc.sock }
                interfaces:
                  - { name: front, role: client, address: 192.0.2.2/24 }
                  - { name: %s, role: server, address: 198.51.100.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [8080]
                    health-check: { type: tcp, interval: 100ms, timeout: 50ms, rise: 1, fall: 2 }
                    servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
                  - name: multi
                    vip: 192.0.2.10
                    ports: [9090]
                    health-check: { type: tcp, port: 8080, interval: 100ms, timeout: 50ms, rise: 1, fall: 2 }
                    servers: [ { address: 198.51.100.31, alternates: [198.51.100.21] } ]
                reachability:
                  targets:
                    - { name: server-host, address: 198.51.100.11, probe: icmp, interval: 100ms, timeout: 50ms, rise: 1, fall: 2 }
                    - { name: web-servers, service: web }
                    - { name: nobody, address: 198.51.100.77, probe: arp, interval: 100ms, timeout: 50ms, rise: 1, fall: 2 }
                """.formatted(serverInterface);
    }

    @Test
    void aServerThatStopsAnsweringIsTakenOutAndItsServiceElementFollows() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("hc", "r", "s")) {
            String r = lab.name("r");
            String s = lab.name("s");
            lab.vethPair(r, lab.name("vr"), "198.51.100.2/24", s, lab.name("vs"), "198.51.100.11/24");
            // The multi-homed server: nothing holds its configured address .31; it answers at its alternate .21.
            NamespaceLab.run("ip", "-n", s, "addr", "add", "198.51.100.21/24", "dev", lab.name("vs"));
            BatonConfig config = ConfigLoader.load(config(lab.name("vr")), Path.of("hc.yaml"));
            ServiceMap services = ServiceMap.of(config);
            ServerHealthBoard board = ServerHealthBoard.of(services);
            Map<Integer, Health> fed = new ConcurrentHashMap<>();
            ServerSocket listener = NetworkNamespace.callIn(s, () -> {
                ServerSocket socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getByName("198.51.100.11"), 8080), 50);
                return socket;
            });
            ServerSocket alternate = NetworkNamespace.callIn(s, () -> {
                ServerSocket socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getByName("198.51.100.21"), 8080), 50);
                return socket;
            });
            try {
                NetworkNamespace.callIn(r, () -> {
                    HealthChecks checks = new HealthChecks(config, services, board, (index, health, cause) -> fed.put(index, health),
                            System.currentTimeMillis());
                    try {
                        int s0 = services.serverId(0, 0);
                        int s1 = services.serverId(0, 1);
                        int multi = services.serverId(1, 0);
                        runUntil(checks, () -> board.health(s0) == ServerHealthBoard.UP && board.health(s1) == ServerHealthBoard.DOWN
                                && fed.get(0) == Health.UP && fed.get(1) == Health.UP && fed.get(2) == Health.DOWN
                                && board.health(multi) == ServerHealthBoard.UP, "first verdicts");
                        assertEquals(1, board.addressChoice(multi), "the multi-homed server is reached at its alternate");
                        alternate.close();
                        runUntil(checks, () -> board.health(multi) == ServerHealthBoard.DOWN, "no address answers: down");
                        assertEquals(0, board.addressChoice(multi), "with no address answering, back to the configured one");
                        assertEquals("connected", ((Map<?, ?>) ((java.util.List<?>) checks.status().get("servers")).getFirst()).get("cause"));
                        java.util.List<?> set = (java.util.List<?>) checks.status().get("reachability_set");
                        assertEquals(java.util.List.of("server-host icmp up", "web-servers service up", "nobody arp down"),
                                set.stream().map(o -> (Map<?, ?>) o).map(row -> row.get("name") + " " + row.get("probe") + " " + row.get("health")).toList());
                        assertEquals("timed out after 50 ms", ((Map<?, ?>) set.get(2)).get("cause"));

                        listener.close(); // the server stops: connections are refused
                        runUntil(checks, () -> board.health(s0) == ServerHealthBoard.DOWN && fed.get(1) == Health.DOWN,
                                "the server taken out, and the service element with it");
                        assertEquals(Health.UP, fed.get(0), "the host still answers echo");
                        dev.baton.agent.CounterRegistry registry = new dev.baton.agent.CounterRegistry();
                        checks.registerCounters(registry, dev.baton.agent.CounterRegistry.Owner.ANY_THREAD);
                        dev.baton.agent.CounterSnapshot counters = registry.snapshot();
                        assertEquals(counters.sum("probes_started"), counters.sum("probe_answers") + counters.sum("probe_failures")
                                + (long) checks.status().get("in_flight"), counters.text());
                        assertEquals(0, counters.sum("probe_changes_dropped"));
                    } finally {
                        checks.onClose();
                    }
                    return null;
                });
            } finally {
                listener.close();
                alternate.close();
            }
        }
    }

    /** Steps the checks in real time (they are sockets) until {@code condition}, at most 5 s. */
    static void runUntil(HealthChecks checks, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within 5 s: " + what + "; " + checks.status());
            }
            checks.doWork(System.currentTimeMillis());
            Thread.sleep(1);
        }
    }
}
