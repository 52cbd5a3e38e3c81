package dev.baton.config;

import static dev.baton.config.ConfigReloadTest.API_SERVICE;
import static dev.baton.config.ConfigReloadTest.FILE;
import static dev.baton.config.ConfigReloadTest.HOSTNAME;
import static dev.baton.config.ConfigReloadTest.RUNNING;
import static dev.baton.config.ConfigReloadTest.WEB_AND_DNS;
import static dev.baton.config.ConfigReloadTest.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every change a reload applies in place: a reload of {@link ConfigReloadTest#RUNNING} changed so accepts it, and
 * {@link ConfigChanges} describes it in exactly these lines.
 */
class ConfigChangesTest {

    /** The two services of the first VIP, each alone. */
    private static final String WEB = WEB_AND_DNS.substring(0, WEB_AND_DNS.indexOf("  - name: dns"));
    private static final String DNS = WEB_AND_DNS.substring(WEB.length());

    /** The lines describing a reload of {@code next} against {@link ConfigReloadTest#RUNNING}, which must accept it. */
    private static String changes(String next) throws ConfigException {
        BatonConfig running = load(RUNNING);
        BatonConfig reloaded = ConfigReload.load(next, FILE, HOSTNAME, running);
        assertEquals(load(next), reloaded, "a reload gives what the loader gives");
        List<String> lines = ConfigChanges.between(running, reloaded).lines();
        assertEquals(lines, ConfigReload.changes(running, reloaded));
        return String.join("\n", lines);
    }

    static Stream<Arguments> reloadableChanges() {
        return Stream.of(
                // ---- servers, matched by address
                row("server added", "      - { address: 198.51.100.12, weight: 10 }\n",
                        "      - { address: 198.51.100.12, weight: 10 }\n      - { address: 198.51.100.13, weight: 10 }\n",
                        "service web: server 198.51.100.13 added (weight 10)"),
                row("server with alternates added", "      - { address: 198.51.100.12, weight: 10 }\n",
                        "      - { address: 198.51.100.12, weight: 10 }\n"
                                + "      - { address: 198.51.100.13, alternates: [198.51.100.113, 198.51.100.114] }\n",
                        "service web: server 198.51.100.13 added (weight 1, alternates 198.51.100.113, 198.51.100.114)"),
                row("server removed", "      - { address: 198.51.100.11, weight: 10 }\n", "",
                        "service web: server 198.51.100.11 removed"),
                row("weight", "{ address: 198.51.100.12, weight: 10 }", "{ address: 198.51.100.12, weight: 30 }",
                        "service web: server 198.51.100.12 weight 10 -> 30"),
                row("drained to weight 0", "{ address: 198.51.100.31 }", "{ address: 198.51.100.31, weight: 0 }",
                        "service api: server 198.51.100.31 weight 1 -> 0"),
                row("alternates", "{ address: 198.51.100.12, weight: 10 }",
                        "{ address: 198.51.100.12, weight: 10, alternates: [198.51.100.112] }",
                        "service web: server 198.51.100.12 alternates none -> 198.51.100.112"),
                row("servers reordered", """
                              - { address: 198.51.100.11, weight: 10 }
                              - { address: 198.51.100.12, weight: 10 }
                        """, """
                              - { address: 198.51.100.12, weight: 10 }
                              - { address: 198.51.100.11, weight: 10 }
                        """,
                        "service web: servers now in the order 198.51.100.12, 198.51.100.11"),
                row("a server replaced in its place is no reordering", "{ address: 198.51.100.11, weight: 10 }",
                        "{ address: 198.51.100.14, weight: 10 }",
                        "service web: server 198.51.100.11 removed",
                        "service web: server 198.51.100.14 added (weight 10)"),
                row("fallback servers added", "      - { address: 198.51.100.31 }\n",
                        "      - { address: 198.51.100.31 }\n    fallback: [{ address: 198.51.100.98 }, { address: 198.51.100.99 }]\n",
                        "service api: fallback server 198.51.100.98 added (weight 1)",
                        "service api: fallback server 198.51.100.99 added (weight 1)"),
                row("a server becomes a fallback server", "      - { address: 198.51.100.12, weight: 10 }\n",
                        "    fallback:\n      - { address: 198.51.100.12, weight: 10 }\n",
                        "service web: server 198.51.100.12 removed",
                        "service web: fallback server 198.51.100.12 added (weight 10)"),
                // ---- a service's own keys
                row("ports", "ports: [80, 443]", "ports: [80, 8443]", "service web: ports 80,443 -> 80,8443"),
                row("protocol", "    ports: [8080]\n", "    protocol: udp\n    ports: [8080]\n", "service api: protocol tcp -> udp"),
                row("scheduler", "    ports: [8080]\n", "    ports: [8080]\n    scheduler: wlc\n", "service api: scheduler wrr -> wlc"),
                row("persistence", "    ports: [8080]\n", "    ports: [8080]\n    persistence: 5m\n", "service api: persistence 0s -> 5m"),
                row("on-server-down", "    ports: [8080]\n", "    ports: [8080]\n    on-server-down: drop\n",
                        "service api: on-server-down keep -> drop"),
                // ---- health checks
                row("health-check interval", "path: /health, interval: 2s }", "path: /health, interval: 3s }",
                        "service web: health-check interval 2s -> 3s"),
                row("health-check type, path and timeout", "{ type: http, path: /health, interval: 2s }",
                        "{ type: https, path: /ready, interval: 2s, timeout: 1500ms }",
                        "service web: health-check type http -> https",
                        "service web: health-check path /health -> /ready",
                        "service web: health-check timeout 1s -> 1500ms"),
                row("health-check port, host, status, body, rise and fall", "{ type: http, path: /health, interval: 2s }",
                        "{ type: http, path: /health, interval: 2s, port: 8081, host: www.example.com, expect-status: 204,"
                                + " expect-body: ok, rise: 1, fall: 5 }",
                        "service web: health-check port 80 -> 8081",
                        "service web: health-check host (the server's address) -> www.example.com",
                        "service web: health-check expect-status 200 -> 204",
                        "service web: health-check expect-body (any) -> 'ok'",
                        "service web: health-check rise 2 -> 1",
                        "service web: health-check fall 3 -> 5"),
                row("the port checked follows the service's first port", "ports: [80, 443]", "ports: [8000, 443]",
                        "service web: ports 80,443 -> 8000,443",
                        "service web: health-check port 80 -> 8000"),
                row("health-check added", "    ports: [8080]\n", "    ports: [8080]\n    health-check: { type: tcp }\n",
                        "service api: health-check added (tcp, port 8080, every 2s)"),
                row("health-check removed", "    health-check: { type: http, path: /health, interval: 2s }\n", "",
                        "service web: health-check removed"),
                // ---- services, matched by name, under the running VIPs
                row("service added on a running VIP", API_SERVICE, API_SERVICE + """
                          - name: api2
                            vip: 192.0.2.20
                            ports: [8081, "9000-9010"]
                            servers: [{ address: 198.51.100.32 }]
                        """,
                        "service api2: added (192.0.2.20 tcp 8081,9000-9010)"),
                row("service removed", WEB_AND_DNS, WEB,
                        "service dns: removed"),
                row("services of one VIP reordered", WEB_AND_DNS, DNS + WEB,
                        "services now in the order dns, web, api"),
                row("a service moves to another running VIP, taking that VIP's settings", API_SERVICE, """
                          - name: api
                            vip: 192.0.2.10
                            role: primary
                            priority: 200
                            failback: manual
                            ports: [8080]
                            servers:
                              - { address: 198.51.100.31 }
                          - name: api2
                            vip: 192.0.2.20
                            ports: [8081]
                            servers: [{ address: 198.51.100.32 }]
                        """,
                        "service api: vip 192.0.2.20 -> 192.0.2.10",
                        "service api: role backup -> primary",
                        "service api: priority 100 -> 200",
                        "service api: failback automatic -> manual",
                        "service api2: added (192.0.2.20 tcp 8081)"),
                // ---- the table's timeouts and the neighbour timers
                row("table timeouts", "timeouts: { tcp-established: 15m, udp: 5m }", "timeouts: { tcp-syn: 10s, tcp-established: 10m,"
                                + " tcp-closing: 1m, tcp-closed: 5s, udp: 90s }",
                        "table.timeouts.tcp-syn: 30s -> 10s",
                        "table.timeouts.tcp-established: 15m -> 10m",
                        "table.timeouts.tcp-closing: 2m -> 1m",
                        "table.timeouts.tcp-closed: 10s -> 5s",
                        "table.timeouts.udp: 5m -> 90s"),
                row("neighbour timers", "neighbours: { refresh: 30s, stale-after: 90s }",
                        "neighbours: { refresh: 10s, retry: 500ms, stale-after: 30s }",
                        "neighbours.refresh: 30s -> 10s",
                        "neighbours.retry: 1s -> 500ms",
                        "neighbours.stale-after: 90s -> 30s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reloadableChanges")
    void aReloadAppliesItAndDescribesIt(String name, String next, String expected) throws ConfigException {
        assertEquals(expected, changes(next));
    }

    @Test
    void manyChangesComeInAStableOrder() throws ConfigException {
        String next = RUNNING.replace("neighbours: { refresh: 30s,", "neighbours: { refresh: 20s,")
                .replace("timeouts: { tcp-established: 15m,", "timeouts: { tcp-established: 10m,")
                .replace(WEB_AND_DNS, WEB)
                .replace(API_SERVICE, """
                          - name: metrics-api
                            vip: 192.0.2.20
                            ports: [9100]
                            servers: [{ address: 198.51.100.41 }]
                        """ + API_SERVICE.replace("{ address: 198.51.100.31 }", "{ address: 198.51.100.31, weight: 5 }"))
                .replace("{ address: 198.51.100.11, weight: 10 }", "{ address: 198.51.100.15, weight: 10 }")
                .replace("path: /health, interval: 2s", "path: /health, interval: 4s");

        assertEquals(List.of(
                        "table.timeouts.tcp-established: 15m -> 10m",
                        "neighbours.refresh: 30s -> 20s",
                        "service web: server 198.51.100.11 removed",
                        "service web: server 198.51.100.15 added (weight 10)",
                        "service web: health-check interval 2s -> 4s",
                        "service metrics-api: added (192.0.2.20 tcp 9100)",
                        "service api: server 198.51.100.31 weight 1 -> 5",
                        "service dns: removed"),
                List.of(changes(next).split("\n")));
    }

    @Test
    void theSameSettingsWrittenAnotherWayAreNoChange() throws ConfigException {
        String rewritten = RUNNING
                .replace("neighbours: { refresh: 30s, stale-after: 90s }",
                        "neighbours:\n  refresh: 30000ms\n  stale-after: 90000ms\n  retry: 1s")
                .replace("timeouts: { tcp-established: 15m, udp: 5m }", "timeouts: { udp: 300s, tcp-established: 15m, tcp-syn: 30s }")
                .replace("{ address: 198.51.100.31 }", "{ weight: 1, address: 198.51.100.31 }  # the default weight, written")
                .replace("    ports: [8080]\n", "    ports: 8080\n    role: backup\n    scheduler: wrr\n");

        assertEquals("", changes(rewritten));
    }

    @Test
    void describesOnlyWhatAReloadApplies() throws ConfigException {
        BatonConfig running = load(RUNNING);
        // Restart-only keys are ConfigReload's to refuse; between() leaves them out rather than describing a change
        // the router would not make.
        BatonConfig restarted = load(RUNNING.replace("  workers: 2\n", "  workers: 4\n").replace("listen: 192.0.2.2:9477",
                "listen: 192.0.2.2:9478"));

        assertTrue(ConfigChanges.between(running, restarted).isEmpty());
        assertEquals(List.of("service web: server 198.51.100.12 weight 10 -> 11"), ConfigChanges.between(running,
                load(RUNNING.replace("{ address: 198.51.100.12, weight: 10 }", "{ address: 198.51.100.12, weight: 11 }"))).lines());
    }

    /** {@link ConfigReloadTest#RUNNING} with {@code original} (which must occur exactly once) replaced. */
    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(RUNNING, name, original, replacement, expected);
    }
}
