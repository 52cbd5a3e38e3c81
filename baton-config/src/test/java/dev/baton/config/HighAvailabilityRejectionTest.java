package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each rule of the {@code high-availability} section and of the per-service takeover keys as a row: a
 * change to {@link #VALID} and the exact messages it must produce. Lines and columns are 1-based and refer
 * to {@link #VALID} with the change applied.
 */
class HighAvailabilityRejectionTest {

    /** Valid as it is; line numbers in the rows refer to it. */
    static final String VALID = """
            router:
              id: baton-1
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                role: primary
                priority: 200
                failback: manual
                servers:
                  - { address: 198.51.100.11 }
              - name: dns
                vip: 192.0.2.10
                protocol: udp
                ports: [53]
                role: primary
                priority: 200
                failback: manual
                servers:
                  - { address: 198.51.100.21 }
            high-availability:
              router-number: 1
              key-file: /etc/baton/peer.key
              update-interval: 20ms
              standby-timeout: 80ms
              gratuitous-arp: { count: 3, interval: 20ms }
              sync: { window: 32 }
              peers:
                - name: baton-2
                  router-number: 2
                  links:
                    - { local: 203.0.113.1, peer: 203.0.113.2 }
                    - { local: 198.51.100.2, peer: 198.51.100.3 }
            """;

    private static final Path FILE = Path.of("t.yaml");
    private static final String HOSTNAME = "host-1";

    @Test
    void validConfigurationLoads() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, HOSTNAME);
        assertTrue(config.highAvailability().isPresent());
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                // ---- the section's own values
                row("router number zero", "  router-number: 1\n", "  router-number: 0\n",
                        "t.yaml:25:18: high-availability.router-number: 0 is out of range (1..4294967295); "
                                + "for example: router-number: 1"),
                row("router number above 32 bits", "  router-number: 1\n", "  router-number: 4294967296\n",
                        "t.yaml:25:18: high-availability.router-number: 4294967296 is out of range (1..4294967295); "
                                + "for example: router-number: 1"),
                row("router number missing", "  router-number: 1\n", "",
                        "t.yaml:25:3: high-availability.router-number: is missing; for example: router-number: 1"),
                row("key file empty", "  key-file: /etc/baton/peer.key", "  key-file: \"\"",
                        "t.yaml:26:13: high-availability.key-file: is empty; name the file that holds the pre-shared key; "
                                + "for example: key-file: /etc/baton/peer.key"),
                row("key file missing", "  key-file: /etc/baton/peer.key\n", "",
                        "t.yaml:25:3: high-availability.key-file: is missing; for example: key-file: /etc/baton/peer.key"),
                row("peer port zero", "  key-file: /etc/baton/peer.key\n", "  key-file: /etc/baton/peer.key\n  port: 0\n",
                        "t.yaml:27:9: high-availability.port: 0 is out of range (1..65535); for example: port: 7480"),
                row("update interval below 1 ms", "  update-interval: 20ms", "  update-interval: 0ms",
                        "t.yaml:27:20: high-availability.update-interval: 0ms is out of range (1ms..10s); "
                                + "for example: update-interval: 20ms"),
                row("handover drain negative", "  sync: { window: 32 }", "  sync: { window: 32 }\n  handover-drain: -1s",
                        "t.yaml:31:19: high-availability.handover-drain: -1s is out of range (0s..1m); "
                                + "for example: handover-drain: 500ms"),
                // ---- timer relations (FIG. 3: t2, t1 and the link failure time wait for keep-alives sent every t4)
                row("standby timeout shorter than two update intervals", "  standby-timeout: 80ms", "  standby-timeout: 30ms",
                        "t.yaml:28:20: high-availability.standby-timeout: 30ms must be at least twice update-interval (20ms), "
                                + "or a standby takes over after one lost keep-alive; for example: standby-timeout: 60ms"),
                row("default timeouts too short for a long update interval", "  update-interval: 20ms", "  update-interval: 300ms",
                        "t.yaml:25:3: high-availability.listen-timeout: 500ms (the default) must be at least twice update-interval "
                                + "(300ms), or a starting router may miss the active one and become active too; "
                                + "for example: listen-timeout: 1200ms",
                        "t.yaml:28:20: high-availability.standby-timeout: 80ms must be at least twice update-interval (300ms), "
                                + "or a standby takes over after one lost keep-alive; for example: standby-timeout: 1200ms"),
                row("link failure time shorter than two update intervals", "  standby-timeout: 80ms",
                        "  standby-timeout: 80ms\n  link-failure-time: 30ms",
                        "t.yaml:29:22: high-availability.link-failure-time: 30ms must be at least twice update-interval (20ms), "
                                + "or one lost keep-alive fails the link; for example: link-failure-time: 60ms"),
                // ---- gratuitous ARP and sync
                row("no gratuitous ARP at all", "count: 3,", "count: 0,",
                        "t.yaml:29:28: high-availability.gratuitous-arp.count: 0 is out of range (1..100); for example: count: 3"),
                row("re-announcement faster than a second", "interval: 20ms }", "interval: 20ms, reannounce: 500ms }",
                        "t.yaml:29:59: high-availability.gratuitous-arp.reannounce: 500ms is neither 0s (off) nor within 1s..1h; "
                                + "for example: reannounce: 30s"),
                row("sync window too large", "{ window: 32 }", "{ window: 2000 }",
                        "t.yaml:30:19: high-availability.sync.window: 2000 is out of range (1..1024); for example: window: 32"),
                row("sync retransmit timeout without unit", "{ window: 32 }", "{ retransmit-timeout: 200 }",
                        "t.yaml:30:31: high-availability.sync.retransmit-timeout: '200' has no unit (ms, s, m or h); "
                                + "for example: retransmit-timeout: 200ms"),
                // ---- peers
                row("peers missing", """
                          peers:
                            - name: baton-2
                              router-number: 2
                              links:
                                - { local: 203.0.113.1, peer: 203.0.113.2 }
                                - { local: 198.51.100.2, peer: 198.51.100.3 }
                        """, "",
                        "t.yaml:25:3: high-availability.peers: is missing; for example: peers: [{ name: baton-2, router-number: 2, "
                                + "links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }]"),
                row("peers empty", """
                          peers:
                            - name: baton-2
                              router-number: 2
                              links:
                                - { local: 203.0.113.1, peer: 203.0.113.2 }
                                - { local: 198.51.100.2, peer: 198.51.100.3 }
                        """, "  peers: []\n",
                        "t.yaml:31:10: high-availability.peers: needs at least one peer; for example: peers: [{ name: baton-2, "
                                + "router-number: 2, links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }]"),
                row("peer named like this router", "    - name: baton-2", "    - name: baton-1",
                        "t.yaml:32:13: high-availability.peers[0].name: 'baton-1' is this router's own id (router.id, line 2); "
                                + "a peer is another router"),
                row("peer with this router's number", "      router-number: 2", "      router-number: 1",
                        "t.yaml:33:22: high-availability.peers[0].router-number: 1 is this router's own number "
                                + "(high-availability.router-number, line 25); each router needs a number of its own; "
                                + "for example: router-number: 2"),
                row("two peers with one name and one number", "        - { local: 198.51.100.2, peer: 198.51.100.3 }\n",
                        "        - { local: 198.51.100.2, peer: 198.51.100.3 }\n    - name: baton-2\n      router-number: 2\n"
                                + "      links: [{ local: 203.0.113.5, peer: 203.0.113.6 }]\n",
                        "t.yaml:37:13: high-availability.peers[1].name: 'baton-2' is already the name of "
                                + "high-availability.peers[0] (line 32)",
                        "t.yaml:38:22: high-availability.peers[1].router-number: 2 is already the number of peer 'baton-2' (line 33)"),
                row("peer without links", """
                              links:
                                - { local: 203.0.113.1, peer: 203.0.113.2 }
                                - { local: 198.51.100.2, peer: 198.51.100.3 }
                        """, "      links: []\n",
                        "t.yaml:34:14: high-availability.peers[0].links: needs at least one link; "
                                + "for example: links: [{ local: 203.0.113.1, peer: 203.0.113.2 }]"),
                row("peer name with a space", "    - name: baton-2", "    - name: baton 2",
                        "t.yaml:32:13: high-availability.peers[0].name: 'baton 2' is not a valid id (1..63 letters, digits, '.', "
                                + "'_' or '-', starting with a letter or digit); for example: name: baton-2"),
                // ---- links
                row("link to itself", "peer: 203.0.113.2 }", "peer: 203.0.113.1 }",
                        "t.yaml:35:39: high-availability.peers[0].links[0].peer: 203.0.113.1 is also the local address of this link; "
                                + "a link joins this router to another; for example: peer: 203.0.113.2"),
                row("link from a VIP", "{ local: 203.0.113.1,", "{ local: 192.0.2.10,",
                        "t.yaml:35:20: high-availability.peers[0].links[0].local: 192.0.2.10 is the VIP of service 'web' (line 8); "
                                + "a VIP moves between routers, so a link needs an address of this router that stays"),
                row("link to a VIP", "peer: 203.0.113.2 }", "peer: 192.0.2.10 }",
                        "t.yaml:35:39: high-availability.peers[0].links[0].peer: 192.0.2.10 is the VIP of service 'web' (line 8); "
                                + "a VIP moves between routers, so a link needs an address of the peer that stays"),
                row("IPv6 link", "{ local: 203.0.113.1,", "{ local: \"2001:db8::1\",",
                        "t.yaml:35:20: high-availability.peers[0].links[0].local: '2001:db8::1' is an IPv6 address; peer links are "
                                + "IPv4 only for now; for example: local: 203.0.113.1"),
                row("loopback link", "{ local: 203.0.113.1,", "{ local: 127.0.0.1,",
                        "t.yaml:35:20: high-availability.peers[0].links[0].local: 127.0.0.1 is a loopback address (127.0.0.0/8) "
                                + "and cannot be a link address; for example: local: 203.0.113.1"),
                row("link without a peer address", "{ local: 203.0.113.1, peer: 203.0.113.2 }", "{ local: 203.0.113.1 }",
                        "t.yaml:35:11: high-availability.peers[0].links[0].peer: is missing; for example: peer: 203.0.113.2"),
                row("one peer address on two links", "peer: 198.51.100.3 }", "peer: 203.0.113.2 }",
                        "t.yaml:36:40: high-availability.peers[0].links[1].peer: 203.0.113.2 is already the peer address of "
                                + "high-availability.peers[0].links[0] (line 35)"),
                // ---- shape
                row("misspelt timer", "  standby-timeout: 80ms", "  standby-timout: 80ms",
                        "t.yaml:28:3: high-availability: unknown key 'standby-timout'; did you mean 'standby-timeout'?; "
                                + "for example: standby-timeout: 60ms"),
                row("section without value", "high-availability:\n  router-number: 1\n", "high-availability:\nx:\n  router-number: 1\n",
                        "t.yaml:24:19: high-availability: has no value; for example: high-availability: { router-number: 1, "
                                + "key-file: /etc/baton/peer.key, peers: [{ name: baton-2, router-number: 2, "
                                + "links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }] }",
                        "t.yaml:25:1: unknown key 'x' (known here: router, interfaces, table, neighbours, services, high-availability, reachability, notify, metrics)"),
                // ---- per service: the VIP is the unit of takeover
                row("services on one VIP with different roles", "    protocol: udp\n    ports: [53]\n    role: primary",
                        "    protocol: udp\n    ports: [53]\n    role: backup",
                        "t.yaml:19:11: services[1].role: backup differs from service 'web' on the same VIP 192.0.2.10 (role primary, "
                                + "line 10); the VIP moves between routers as a whole, so all its services need the same role; "
                                + "for example: role: primary"),
                row("services on one VIP, one role left out", "    protocol: udp\n    ports: [53]\n    role: primary\n",
                        "    protocol: udp\n    ports: [53]\n",
                        "t.yaml:15:5: services[1].role: backup (the default) differs from service 'web' on the same VIP 192.0.2.10 "
                                + "(role primary, line 10); the VIP moves between routers as a whole, so all its services need the "
                                + "same role; for example: role: primary"),
                row("services on one VIP with different priorities", "    ports: [53]\n    role: primary\n    priority: 200",
                        "    ports: [53]\n    role: primary\n    priority: 150",
                        "t.yaml:20:15: services[1].priority: 150 differs from service 'web' on the same VIP 192.0.2.10 (priority 200, "
                                + "line 11); the VIP moves between routers as a whole, so all its services need the same priority; "
                                + "for example: priority: 200"),
                row("services on one VIP with different failback", "    ports: [53]\n    role: primary\n    priority: 200\n    failback: manual",
                        "    ports: [53]\n    role: primary\n    priority: 200\n    failback: automatic",
                        "t.yaml:21:15: services[1].failback: automatic differs from service 'web' on the same VIP 192.0.2.10 "
                                + "(failback manual, line 12); the VIP moves between routers as a whole, so all its services need "
                                + "the same failback; for example: failback: manual"),
                row("unknown role", "    ports: [80]\n    role: primary", "    ports: [80]\n    role: master",
                        "t.yaml:10:11: services[0].role: 'master' is not one of primary, backup; for example: role: primary"),
                row("priority above 16 bits", "    ports: [80]\n    role: primary\n    priority: 200",
                        "    ports: [80]\n    role: primary\n    priority: 65536",
                        "t.yaml:11:15: services[0].priority: 65536 is out of range (0..65535); for example: priority: 100"),
                row("misspelt failback", "    ports: [80]\n    role: primary\n    priority: 200\n    failback: manual",
                        "    ports: [80]\n    role: primary\n    priority: 200\n    failback: manul",
                        "t.yaml:12:15: services[0].failback: 'manul' is not one of automatic, manual; did you mean 'manual'?; "
                                + "for example: failback: automatic"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithExactMessage(String name, String yaml, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, HOSTNAME));
        assertEquals(expected, thrown.getMessage());
    }

    /** One keep-alive datagram carries every VIP: 35 distinct VIPs load, a 36th is refused where it is written. */
    @Test
    void atMostOneKeepAliveOfDistinctVips() throws ConfigException {
        String dns = "  - name: dns\n    vip: 192.0.2.10\n";
        StringBuilder more = new StringBuilder();
        for (int i = 1; i < ConfigLimits.MAX_HA_VIPS; i++) {
            more.append("  - { name: s").append(i).append(", vip: 192.0.2.").append(100 + i)
                    .append(", ports: [80], role: primary, priority: 200, failback: manual, servers: [ { address: 198.51.100.11 } ] }\n");
        }
        String full = VALID.replace(dns, more + dns);
        assertTrue(ConfigLoader.load(full, FILE, HOSTNAME).highAvailability().isPresent(), "35 distinct VIPs");
        String tooMany = VALID.replace(dns, more + "  - { name: s35, vip: 192.0.2.200, ports: [81], role: primary, priority: 200,"
                + " failback: manual, servers: [ { address: 198.51.100.11 } ] }\n" + dns);
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(tooMany, FILE, HOSTNAME));
        assertEquals("t.yaml:49:23: services[35].vip: 192.0.2.200 is distinct VIP number 36; with high-availability a router"
                + " serves at most 35 (one keep-alive datagram carries every VIP's state): put more services on fewer VIPs, or"
                + " split the VIPs over several router groups; for example: vip: 192.0.2.10", thrown.getMessage());
    }

    /** The valid configuration with {@code original} (which must occur exactly once) replaced. */
    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(VALID, name, original, replacement, expected);
    }
}
