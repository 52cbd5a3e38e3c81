package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reload refuses every change it cannot apply in place, each at its key in the new file with the running value to
 * set back. Each row changes {@link #RUNNING} into a file that loads on its own (checked), and gives the exact
 * messages a reload against {@link #RUNNING} must print; lines and columns refer to the changed file.
 */
class ConfigReloadTest {

    /** The running router's file: every restart-only section, two VIPs (the first with two services). */
    static final String RUNNING = """
            router:
              id: baton-1
              workers: 2
              ring: { block-size: 1MiB, block-count: 16 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            table:
              capacity: 100000
              per-source-limit: 512
              timeouts: { tcp-established: 15m, udp: 5m }
            neighbours: { refresh: 30s, stale-after: 90s }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80, 443]
                role: primary
                priority: 200
                failback: manual
                health-check: { type: http, path: /health, interval: 2s }
                servers:
                  - { address: 198.51.100.11, weight: 10 }
                  - { address: 198.51.100.12, weight: 10 }
              - name: dns
                vip: 192.0.2.10
                protocol: udp
                ports: [53]
                role: primary
                priority: 200
                failback: manual
                servers:
                  - { address: 198.51.100.21 }
              - name: api
                vip: 192.0.2.20
                ports: [8080]
                servers:
                  - { address: 198.51.100.31 }
            high-availability:
              router-number: 1
              key-file: /etc/baton/peer.key
              update-interval: 20ms
              standby-timeout: 80ms
              peers:
                - name: baton-2
                  router-number: 2
                  links:
                    - { local: 203.0.113.1, peer: 203.0.113.2 }
            reachability:
              targets:
                - { name: upstream, address: 192.0.2.1, probe: arp }
                - { name: web-rack, subnet: 198.51.100.0/28, addresses: [198.51.100.11, 198.51.100.12], min-up: 1 }
            metrics:
              listen: 192.0.2.2:9477
            """;

    static final Path FILE = Path.of("t.yaml");
    static final String HOSTNAME = "host-1";
    /** How every refusal ends. */
    private static final String RESTART = "restart the router (systemctl restart baton)";
    private static final String SET_BACK = "a reload cannot change it: " + RESTART + ", or set it back; for example: ";

    static final String API_SERVICE = """
              - name: api
                vip: 192.0.2.20
                ports: [8080]
                servers:
                  - { address: 198.51.100.31 }
            """;
    /** The services of the first VIP. */
    static final String WEB_AND_DNS = RUNNING.substring(RUNNING.indexOf("  - name: web"), RUNNING.indexOf(API_SERVICE));
    static final String HIGH_AVAILABILITY = RUNNING.substring(RUNNING.indexOf("high-availability:"), RUNNING.indexOf("reachability:"));
    static final String REACHABILITY = RUNNING.substring(RUNNING.indexOf("reachability:"), RUNNING.indexOf("metrics:"));
    static final String METRICS = RUNNING.substring(RUNNING.indexOf("metrics:"));

    static BatonConfig load(String text) throws ConfigException {
        return ConfigLoader.load(text, FILE, HOSTNAME);
    }

    /** The messages of a reload of {@code next} refused against {@code running}. */
    static String refusal(String running, String next) {
        BatonConfig runningConfig = assertDoesNotThrow(() -> load(running));
        // The change is a reload's problem only: the file on its own loads.
        assertDoesNotThrow(() -> load(next), "the changed file has problems of its own");
        return assertThrows(ConfigException.class, () -> ConfigReload.load(next, FILE, HOSTNAME, runningConfig)).getMessage();
    }

    @Test
    void theSameFileReloadsToTheSameConfigurationWithNoChanges() throws ConfigException {
        BatonConfig running = load(RUNNING);
        BatonConfig next = ConfigReload.load(RUNNING, FILE, HOSTNAME, running);

        assertEquals(running, next);
        assertTrue(ConfigChanges.between(running, next).isEmpty());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                // ---- router: the process's own shape
                row("router id, and the control socket named after it", "  id: baton-1\n", "  id: baton-9\n",
                        "t.yaml:2:3: router.control-socket: /run/baton/baton-9.sock (the default) here, /run/baton/baton-1.sock in the"
                                + " running router; " + SET_BACK + "control-socket: /run/baton/baton-1.sock",
                        "t.yaml:2:7: router.id: baton-9 here, baton-1 in the running router; " + SET_BACK + "id: baton-1"),
                row("control socket", "  id: baton-1\n", "  id: baton-1\n  control-socket: /run/baton/other.sock\n",
                        "t.yaml:3:19: router.control-socket: /run/baton/other.sock here, /run/baton/baton-1.sock in the running"
                                + " router; " + SET_BACK + "control-socket: /run/baton/baton-1.sock"),
                row("workers", "  workers: 2\n", "  workers: 4\n",
                        "t.yaml:3:12: router.workers: 4 here, 2 in the running router; " + SET_BACK + "workers: 2"),
                row("workers left out: the default, at the router mapping", "  workers: 2\n", "",
                        "t.yaml:2:3: router.workers: 1 (the default) here, 2 in the running router; " + SET_BACK + "workers: 2"),
                row("datapath", "  workers: 2\n", "  workers: 2\n  datapath: af-packet\n",
                        "t.yaml:4:13: router.datapath: af-packet here, xdp in the running router; " + SET_BACK + "datapath: xdp"),
                row("xdp mode", "  workers: 2\n", "  workers: 2\n  xdp-mode: generic\n",
                        "t.yaml:4:13: router.xdp-mode: generic here, auto in the running router; " + SET_BACK + "xdp-mode: auto"),
                row("ring block size", "block-size: 1MiB", "block-size: 2MiB",
                        "t.yaml:4:23: router.ring.block-size: 2MiB here, 1MiB in the running router; " + SET_BACK + "block-size: 1MiB"),
                row("ring block count", "block-count: 16", "block-count: 32",
                        "t.yaml:4:42: router.ring.block-count: 32 here, 16 in the running router; " + SET_BACK + "block-count: 16"),
                row("ring block timeout", "block-count: 16 }", "block-count: 16, block-timeout: 5ms }",
                        "t.yaml:4:61: router.ring.block-timeout: 5ms here, 2ms in the running router; " + SET_BACK
                                + "block-timeout: 2ms"),
                row("ring version", "block-count: 16 }", "block-count: 16, version: v2 }",
                        "t.yaml:4:55: router.ring.version: v2 here, v3 in the running router; " + SET_BACK + "version: v3"),
                row("ring TX frame size", "block-count: 16 }", "block-count: 16, tx-frame-size: 128KiB }",
                        "t.yaml:4:61: router.ring.tx-frame-size: 128KiB here, 65664 in the running router; " + SET_BACK
                                + "tx-frame-size: 65664"),
                row("ring RX frame count", "block-count: 16 }", "block-count: 16, rx-frame-count: 1024 }",
                        "t.yaml:4:62: router.ring.rx-frame-count: 1024 here, 512 in the running router; " + SET_BACK
                                + "rx-frame-count: 512"),
                // ---- interfaces: any change
                row("interface role", "role: server", "role: both",
                        "t.yaml:7:25: interfaces[1].role: both here, server in the running router; " + SET_BACK + "role: server"),
                row("interface address", "198.51.100.2/24", "198.51.100.3/24",
                        "t.yaml:7:42: interfaces[1].address: 198.51.100.3/24 here, 198.51.100.2/24 in the running router; "
                                + SET_BACK + "address: 198.51.100.2/24"),
                row("interface added", "interfaces:\n", "interfaces:\n  - { name: eth2, role: server, address: 203.0.113.130/25 }\n",
                        "t.yaml:6:13: interfaces[0]: interface 'eth2' is here, and the running router has no interface of that name;"
                                + " a reload cannot add one: " + RESTART + ", or leave it out"),
                row("interface renamed: one added, one left out", "name: eth1", "name: eth9",
                        "t.yaml:6:3: interfaces: the running router's interface 'eth1' is left out here; a reload cannot remove one: "
                                + RESTART + ", or put it back; for example: - { name: eth1, role: server, address: 198.51.100.2/24 }",
                        "t.yaml:7:13: interfaces[1]: interface 'eth9' is here, and the running router has no interface of that name;"
                                + " a reload cannot add one: " + RESTART + ", or leave it out"),
                row("interfaces reordered", """
                          - { name: eth0, role: client, address: 192.0.2.2/24 }
                          - { name: eth1, role: server, address: 198.51.100.2/24 }
                        """, """
                          - { name: eth1, role: server, address: 198.51.100.2/24 }
                          - { name: eth0, role: client, address: 192.0.2.2/24 }
                        """,
                        "t.yaml:6:13: interfaces[0]: interface 'eth1' comes before 'eth0' here and after it in the running router;"
                                + " a reload cannot reorder them: " + RESTART + ", or keep the running order"),
                // ---- the table's size and quota
                row("table capacity", "  capacity: 100000\n", "  capacity: 200000\n",
                        "t.yaml:9:13: table.capacity: 200000 here, 100000 in the running router; " + SET_BACK + "capacity: 100000"),
                row("per-source limit", "  per-source-limit: 512\n", "  per-source-limit: 0\n",
                        "t.yaml:10:21: table.per-source-limit: 0 here, 512 in the running router; " + SET_BACK
                                + "per-source-limit: 512"),
                row("per-source limit left out: the default, at the table mapping", "  per-source-limit: 512\n", "",
                        "t.yaml:9:3: table.per-source-limit: 1024 (the default) here, 512 in the running router; " + SET_BACK
                                + "per-source-limit: 512"),
                // ---- high availability: the whole section
                row("high availability left out", HIGH_AVAILABILITY, "",
                        "t.yaml:1:1: high-availability: is left out here, and the running router has one (router-number 1, peers"
                                + " baton-2); a reload cannot remove it: " + RESTART + ", or put it back"),
                row("router number", "  router-number: 1\n", "  router-number: 3\n",
                        "t.yaml:39:18: high-availability.router-number: 3 here, 1 in the running router; " + SET_BACK
                                + "router-number: 1"),
                row("key file", "key-file: /etc/baton/peer.key", "key-file: /etc/baton/other.key",
                        "t.yaml:40:13: high-availability.key-file: /etc/baton/other.key here, /etc/baton/peer.key in the running"
                                + " router; " + SET_BACK + "key-file: /etc/baton/peer.key"),
                row("peer port", "  update-interval: 20ms\n", "  update-interval: 20ms\n  port: 7481\n",
                        "t.yaml:42:9: high-availability.port: 7481 here, 7480 in the running router; " + SET_BACK + "port: 7480"),
                row("update interval", "update-interval: 20ms", "update-interval: 10ms",
                        "t.yaml:41:20: high-availability.update-interval: 10ms here, 20ms in the running router; " + SET_BACK
                                + "update-interval: 20ms"),
                row("standby timeout, and the link failure time that follows it", "standby-timeout: 80ms", "standby-timeout: 100ms",
                        "t.yaml:39:3: high-availability.link-failure-time: 100ms (the default) here, 80ms in the running router; "
                                + SET_BACK + "link-failure-time: 80ms",
                        "t.yaml:42:20: high-availability.standby-timeout: 100ms here, 80ms in the running router; " + SET_BACK
                                + "standby-timeout: 80ms"),
                row("gratuitous ARP count", "  update-interval: 20ms\n", "  update-interval: 20ms\n  gratuitous-arp: { count: 5 }\n",
                        "t.yaml:42:28: high-availability.gratuitous-arp.count: 5 here, 3 in the running router; " + SET_BACK
                                + "count: 3"),
                row("sync window", "  update-interval: 20ms\n", "  update-interval: 20ms\n  sync: { window: 64 }\n",
                        "t.yaml:42:19: high-availability.sync.window: 64 here, 32 in the running router; " + SET_BACK + "window: 32"),
                row("peer's router number", "      router-number: 2\n", "      router-number: 3\n",
                        "t.yaml:45:22: high-availability.peers[0].router-number: 3 here, 2 in the running router; " + SET_BACK
                                + "router-number: 2"),
                row("peer renamed: one added, one left out", "name: baton-2", "name: baton-3",
                        "t.yaml:39:3: high-availability.peers: the running router's peer 'baton-2' is left out here; a reload cannot"
                                + " remove one: " + RESTART + ", or put it back; for example: - { name: baton-2, router-number: 2,"
                                + " links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }",
                        "t.yaml:44:13: high-availability.peers[0]: peer 'baton-3' is here, and the running router has no peer of"
                                + " that name; a reload cannot add one: " + RESTART + ", or leave it out"),
                row("link's local address", "local: 203.0.113.1", "local: 203.0.113.5",
                        "t.yaml:47:20: high-availability.peers[0].links[0].local: 203.0.113.5 here, 203.0.113.1 in the running"
                                + " router; " + SET_BACK + "local: 203.0.113.1"),
                row("link added", "peer: 203.0.113.2 }\n", "peer: 203.0.113.2 }\n        - { local: 198.51.100.2, peer: 198.51.100.3 }\n",
                        "t.yaml:48:20: high-availability.peers[0].links[1]: is here, and the running router has 1 link to peer"
                                + " 'baton-2'; a reload cannot add one: " + RESTART + ", or leave it out"),
                // ---- reachability: the whole section
                row("reachability left out", REACHABILITY, "",
                        "t.yaml:1:1: reachability: is left out here, and the running router has one (2 elements: upstream,"
                                + " web-rack); a reload cannot remove it: " + RESTART + ", or put it back"),
                row("compare function", "reachability:\n", "reachability:\n  compare: weighted\n",
                        "t.yaml:49:12: reachability.compare: weighted here, count in the running router; " + SET_BACK
                                + "compare: count"),
                row("element's address", "address: 192.0.2.1,", "address: 192.0.2.3,",
                        "t.yaml:50:34: reachability.targets[0].address: 192.0.2.3 here, 192.0.2.1 in the running router; "
                                + SET_BACK + "address: 192.0.2.1"),
                row("element's probe", "probe: arp", "probe: icmp",
                        "t.yaml:50:52: reachability.targets[0].probe: icmp here, arp in the running router; " + SET_BACK
                                + "probe: arp"),
                row("element's members", "addresses: [198.51.100.11, 198.51.100.12]", "addresses: [198.51.100.11]",
                        "t.yaml:51:62: reachability.targets[1].addresses: the members of element 'web-rack' are 198.51.100.11 here,"
                                + " 198.51.100.11, 198.51.100.12 in the running router; a reload cannot change the reachability set: "
                                + RESTART + ", or list the running members under addresses; for example: addresses: [198.51.100.11,"
                                + " 198.51.100.12]"),
                row("element added", "  targets:\n", "  targets:\n    - { name: gw, address: 192.0.2.3, probe: icmp }\n",
                        "t.yaml:50:15: reachability.targets[0]: element 'gw' is here, and the running router has no element of that"
                                + " name; a reload cannot add one: " + RESTART + ", or leave it out"),
                row("element left out", "    - { name: upstream, address: 192.0.2.1, probe: arp }\n", "",
                        "t.yaml:49:3: reachability.targets: the running router's element 'upstream' is left out here; a reload"
                                + " cannot remove one: " + RESTART + ", or put it back"),
                // ---- metrics
                row("metrics left out", METRICS, "",
                        "t.yaml:1:1: metrics: is left out here, and the running router has one (listen 192.0.2.2:9477); a reload"
                                + " cannot remove it: " + RESTART + ", or put it back"),
                row("metrics listener", "listen: 192.0.2.2:9477", "listen: 192.0.2.2:9478",
                        "t.yaml:53:11: metrics.listen: 192.0.2.2:9478 here, 192.0.2.2:9477 in the running router; " + SET_BACK
                                + "listen: 192.0.2.2:9477"),
                // ---- the VIPs: each a unit of takeover
                row("a service moves to a new VIP: one VIP added, one gone", "vip: 192.0.2.20", "vip: 192.0.2.30",
                        "t.yaml:14:3: services: no service here has VIP 192.0.2.20, which the running router serves (service"
                                + " 'api'); a reload cannot remove a VIP: " + RESTART + ", or keep a service on it; for example:"
                                + " vip: 192.0.2.20",
                        "t.yaml:34:10: services[2].vip: 192.0.2.30 is a VIP the running router does not serve (192.0.2.10,"
                                + " 192.0.2.20); each VIP has a takeover state machine of its own, so a reload cannot add one: "
                                + RESTART + ", or use a VIP it serves; for example: vip: 192.0.2.10"),
                row("a new service on a new VIP", API_SERVICE, API_SERVICE + """
                          - name: extra
                            vip: 192.0.2.30
                            ports: [9000]
                            servers: [{ address: 198.51.100.41 }]
                        """,
                        "t.yaml:39:10: services[3].vip: 192.0.2.30 is a VIP the running router does not serve (192.0.2.10,"
                                + " 192.0.2.20); each VIP has a takeover state machine of its own, so a reload cannot add one: "
                                + RESTART + ", or use a VIP it serves; for example: vip: 192.0.2.10"),
                row("VIPs reordered", "services:\n" + WEB_AND_DNS + API_SERVICE, "services:\n" + API_SERVICE + WEB_AND_DNS,
                        "t.yaml:15:10: services[0].vip: 192.0.2.20 comes before 192.0.2.10 here and after it in the running router"
                                + " (its VIPs in order of first appearance: 192.0.2.10, 192.0.2.20); a reload cannot reorder the VIPs,"
                                + " each keeps its takeover state machine at its place: " + RESTART + ", or put a service of"
                                + " 192.0.2.10 before it"),
                row("a VIP's priority set on its only service", "    ports: [8080]\n", "    ports: [8080]\n    priority: 150\n",
                        "t.yaml:36:15: services[2].priority: 150 here, 100 in the running router; a reload cannot change the"
                                + " takeover settings of VIP 192.0.2.20: " + RESTART + ", or set it back; for example: priority: 100"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWhatOnlyARestartCanChange(String name, String next, String expected) {
        assertEquals(expected, refusal(RUNNING, next));
    }

    static Stream<Arguments> takeoverSettingsOfAVip() {
        return Stream.of(
                Arguments.of("role", "role: primary", "role: backup",
                        "t.yaml:17:11: services[0].role: backup here, primary in the running router; a reload cannot change the"
                                + " takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for example: role: primary",
                        "t.yaml:28:11: services[1].role: backup here, primary in the running router; a reload cannot change the"
                                + " takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for example: role: primary"),
                Arguments.of("priority", "priority: 200", "priority: 250",
                        "t.yaml:18:15: services[0].priority: 250 here, 200 in the running router; a reload cannot change the"
                                + " takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for example: priority: 200",
                        "t.yaml:29:15: services[1].priority: 250 here, 200 in the running router; a reload cannot change the"
                                + " takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for example: priority: 200"),
                Arguments.of("failback left out: the default, at each service", "    failback: manual\n", "",
                        "t.yaml:14:5: services[0].failback: automatic (the default) here, manual in the running router; a reload"
                                + " cannot change the takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for"
                                + " example: failback: manual",
                        "t.yaml:23:5: services[1].failback: automatic (the default) here, manual in the running router; a reload"
                                + " cannot change the takeover settings of VIP 192.0.2.10: " + RESTART + ", or set it back; for"
                                + " example: failback: manual"));
    }

    /** The services of one VIP agree (the loader's check), so a change to the VIP's settings is one on each of them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("takeoverSettingsOfAVip")
    void refusesAnotherRolePriorityOrFailbackForARunningVip(String name, String original, String replacement, String first,
                                                           String second) {
        assertEquals(2, RUNNING.split(original, -1).length - 1);
        assertEquals(first + "\n" + second, refusal(RUNNING, RUNNING.replace(original, replacement)));
    }

    @Test
    void reportsEveryRefusedChangeAtOnceInFileOrder() {
        String next = RUNNING.replace("listen: 192.0.2.2:9477", "listen: 192.0.2.2:9478")
                .replace("  workers: 2\n", "  workers: 4\n")
                .replace("vip: 192.0.2.20", "vip: 192.0.2.30")
                .replace("  capacity: 100000\n", "  capacity: 200000\n");

        String[] lines = refusal(RUNNING, next).split("\n");

        assertEquals(5, lines.length, String.join("\n", lines));
        String[] expectedStarts = {"t.yaml:3:12: router.workers: 4 here", "t.yaml:9:13: table.capacity: 200000 here",
                "t.yaml:14:3: services: no service here has VIP 192.0.2.20", "t.yaml:34:10: services[2].vip: 192.0.2.30 is a VIP",
                "t.yaml:53:11: metrics.listen: 192.0.2.2:9478 here"};
        for (int i = 0; i < lines.length; i++) {
            assertTrue(lines[i].startsWith(expectedStarts[i]), lines[i]);
        }
    }

    @Test
    void aFileWithProblemsOfItsOwnIsReportedExactlyAsTheLoaderReportsIt() throws ConfigException {
        BatonConfig running = load(RUNNING);
        for (String next : new String[] {
                RUNNING.replace("  workers: 2\n", "  workers: 0\n"),                       // out of range
                RUNNING.replace("    protocol: udp\n", "\tprotocol: udp\n"),               // YAML syntax
                RUNNING.replace("role: server", "role: sever").replace("block-size: 1MiB", "block-size: 1MB"),
                ""}) {
            String byLoader = assertThrows(ConfigException.class, () -> load(next)).getMessage();
            String byReload = assertThrows(ConfigException.class, () -> ConfigReload.load(next, FILE, HOSTNAME, running)).getMessage();
            assertEquals(byLoader, byReload);
        }
        // A file with problems of its own is not compared: its restart-only change (workers) is not reported yet.
        String both = RUNNING.replace("  workers: 2\n", "  workers: 4\n").replace("weight: 10 }", "weight: 5000 }");
        String message = assertThrows(ConfigException.class, () -> ConfigReload.load(both, FILE, HOSTNAME, running)).getMessage();
        assertEquals(assertThrows(ConfigException.class, () -> load(both)).getMessage(), message);
        assertTrue(message.contains("5000 is out of range") && !message.contains("router.workers"), message);
    }

    @Test
    void sectionsTheRunningRouterHasNotAreRefusedWhereTheyStart() {
        String withoutSections = RUNNING.replace(HIGH_AVAILABILITY, "").replace(REACHABILITY, "").replace(METRICS, "");

        assertEquals(String.join("\n",
                        "t.yaml:39:3: high-availability: is here, and the running router has none; a reload cannot add it: "
                                + RESTART + ", or leave it out",
                        "t.yaml:49:3: reachability: is here, and the running router has none; a reload cannot add it: "
                                + RESTART + ", or leave it out",
                        "t.yaml:53:3: metrics: is here, and the running router has none; a reload cannot add it: "
                                + RESTART + ", or leave it out"),
                refusal(withoutSections, RUNNING));
    }

    @Test
    void anInterfaceOfTheRunningRouterLeftOutIsRefusedAtTheList() {
        String withThird = RUNNING.replace("interfaces:\n", "interfaces:\n  - { name: eth2, role: server, address: 203.0.113.130/25 }\n");

        assertEquals("t.yaml:6:3: interfaces: the running router's interface 'eth2' is left out here; a reload cannot remove one: "
                        + RESTART + ", or put it back; for example: - { name: eth2, role: server, address: 203.0.113.130/25 }",
                refusal(withThird, RUNNING));
    }

    @Test
    void aLinkOfTheRunningRouterLeftOutIsRefusedAtItsPeer() {
        String withTwoLinks = RUNNING.replace("peer: 203.0.113.2 }\n",
                "peer: 203.0.113.2 }\n        - { local: 198.51.100.2, peer: 198.51.100.3 }\n");

        assertEquals("t.yaml:44:13: high-availability.peers[0].links: the running router's link { local: 198.51.100.2, peer:"
                        + " 198.51.100.3 } to peer 'baton-2' is left out here; a reload cannot remove one: " + RESTART
                        + ", or put it back; for example: - { local: 198.51.100.2, peer: 198.51.100.3 }",
                refusal(withTwoLinks, RUNNING));
    }

    /** Without addresses, a subnet element's members are the servers inside it: a server added there changes the set. */
    @Test
    void aServerThatWouldChangeASubnetElementsMembersIsRefused() {
        String implicit = RUNNING.replace("addresses: [198.51.100.11, 198.51.100.12], ", "");
        String withServer = implicit.replace("      - { address: 198.51.100.12, weight: 10 }\n",
                "      - { address: 198.51.100.12, weight: 10 }\n      - { address: 198.51.100.13 }\n");

        assertEquals("t.yaml:52:33: reachability.targets[1].subnet: the members of element 'web-rack' (the configured servers inside"
                        + " 198.51.100.0/28) are 198.51.100.11, 198.51.100.12, 198.51.100.13 here, 198.51.100.11, 198.51.100.12 in the"
                        + " running router; a reload cannot change the reachability set: " + RESTART + ", or list the running members"
                        + " under addresses; for example: addresses: [198.51.100.11, 198.51.100.12]",
                refusal(implicit, withServer));
        // A server outside every subnet element is no member of any: it reloads.
        assertDoesNotThrow(() -> ConfigReload.load(implicit.replace("{ address: 198.51.100.21 }",
                "{ address: 198.51.100.21 }\n      - { address: 198.51.100.22 }"), FILE, HOSTNAME, load(implicit)));
    }

    @Test
    void theNotifySectionIsRestartOnly(@TempDir Path directory) throws IOException {
        Path script = directory.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String withNotify = RUNNING + "notify: { on-state-change: " + script + " }\n";

        assertEquals("t.yaml:1:1: notify: is left out here, and the running router has one (on-state-change " + script + "); a reload"
                + " cannot remove it: " + RESTART + ", or put it back", refusal(withNotify, RUNNING));
        assertEquals("t.yaml:54:9: notify: is here, and the running router has none; a reload cannot add it: " + RESTART
                + ", or leave it out", refusal(RUNNING, withNotify));
        assertEquals("t.yaml:54:" + (39 + script.toString().length()) + ": notify.timeout: 10s here, 5s in the running router; "
                        + SET_BACK + "timeout: 5s",
                refusal(withNotify, withNotify.replace(script + " }\n", script + ", timeout: 10s }\n")));
    }

    @Test
    void reloadsAFileFromDiskAndReportsOneThatCannotBeRead(@TempDir Path directory) throws IOException, ConfigException {
        BatonConfig running = load(RUNNING);
        Path file = directory.resolve("baton.yaml");
        Files.writeString(file, RUNNING.replace("id: baton-1", "id: baton-1 # the same router").replace("weight: 10 }", "weight: 20 }"));

        BatonConfig next = ConfigReload.load(file, running);

        assertEquals(file, next.source());
        assertEquals(20, next.service("web").orElseThrow().servers().getFirst().weight());
        Path missing = directory.resolve("missing.yaml");
        assertEquals(missing + ": does not exist",
                assertThrows(ConfigException.class, () -> ConfigReload.load(missing, running)).getMessage());
    }

    /** docs/configuration.md, "What a reload changes": its two examples are what a reload of examples/two-arm.yaml prints. */
    @Test
    void theDocumentedReloadOfTheTwoArmExampleIsWhatAReloadSays() throws IOException, ConfigException {
        Path example = Path.of("examples/two-arm.yaml");
        String text = Files.readString(ExamplesTest.EXAMPLES.resolve("two-arm.yaml"));
        String doc = Files.readString(ConfigurationDocTest.DOC);
        BatonConfig running = ConfigLoader.load(text, example, HOSTNAME);

        String refused = text.replace("  workers: 1\n", "  workers: 2\n")
                + "  - name: api\n    vip: 192.0.2.20\n    ports: [8080]\n    servers: [{ address: 198.51.100.31 }]\n";
        assertEquals(block(doc, "test:reload-refused"), assertThrows(ConfigException.class,
                () -> ConfigReload.load(refused, example, HOSTNAME, running)).getMessage());

        String applied = text.replace("tcp-established: 15m", "tcp-established: 10m")
                .replace("{ address: 198.51.100.12, weight: 1 }", "{ address: 198.51.100.12, weight: 2 }\n"
                        + "      - { address: 198.51.100.13, weight: 2 }")
                .replace("      - { address: 198.51.100.22, weight: 1 }\n", "");
        assertEquals(block(doc, "test:reload-changes"), String.join("\n",
                ConfigChanges.between(running, ConfigReload.load(applied, example, HOSTNAME, running)).lines()));
    }

    /** The fenced block right after the HTML comment {@code <!-- marker -->}, without its last line break. */
    private static String block(String doc, String marker) {
        int at = doc.indexOf("<!-- " + marker + " -->");
        assertTrue(at >= 0, "marker " + marker + " not found");
        int start = doc.indexOf('\n', doc.indexOf("```", at)) + 1;
        return doc.substring(start, doc.indexOf("```", start)).strip();
    }

    /** {@link #RUNNING} with {@code original} (which must occur exactly once) replaced. */
    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(RUNNING, name, original, replacement, expected);
    }
}
