package dev.baton.control.router;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostGuardTest {

    @Test
    void dropsVipTrafficAndArpForVipsAtIngressOfClientFacingInterfacesOnly() throws Exception {
        BatonConfig config = ConfigLoader.load("""
                router: { id: edge-1 }
                interfaces:
                  - { name: eth0, role: client, address: 192.0.2.2/24 }
                  - { name: eth1, role: server, address: 198.51.100.2/24 }
                services:
                  - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 } ] }
                  - { name: dns, vip: 192.0.2.10, protocol: udp, ports: [53], servers: [ { address: 198.51.100.11 } ] }
                  - { name: api, vip: 192.0.2.20, ports: [443], servers: [ { address: 198.51.100.12 } ] }
                """, Path.of("guard.yaml"));
        HostGuard guard = new HostGuard(config);
        assertEquals("baton_edge_1", guard.tableName());
        assertEquals("""
                add table netdev baton_edge_1
                delete table netdev baton_edge_1
                table netdev baton_edge_1 {
                  chain ingress_eth0 {
                    type filter hook ingress device "eth0" priority -500; policy accept;
                    ip daddr { 192.0.2.10, 192.0.2.20 } counter drop comment "Baton forwards VIP traffic itself"
                    arp operation request arp daddr ip { 192.0.2.10, 192.0.2.20 } counter drop comment "Baton answers ARP for VIPs"
                  }
                }
                """, guard.ruleset());
    }

    /** Issue #7 item 2: the peer port admits only the configured peer links, before any socket sees a datagram. */
    @Test
    void admitsThePeerPortOnlyFromTheConfiguredPeerLinks() throws Exception {
        BatonConfig config = ConfigLoader.load("""
                router: { id: edge-1 }
                interfaces:
                  - { name: eth0, role: client, address: 192.0.2.2/24 }
                  - { name: eth1, role: server, address: 198.51.100.2/24 }
                services:
                  - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 } ] }
                high-availability:
                  router-number: 1
                  key-file: /etc/baton/peer.key
                  port: 7400
                  peers:
                    - name: edge-2
                      router-number: 2
                      links: [ { local: 198.51.100.2, peer: 198.51.100.3 }, { local: 203.0.113.1, peer: 203.0.113.2 } ]
                    - name: edge-3
                      router-number: 3
                      links: [ { local: 198.51.100.2, peer: 198.51.100.4 } ]
                """, Path.of("guard.yaml"));
        assertEquals("""
                add table netdev baton_edge_1
                delete table netdev baton_edge_1
                table netdev baton_edge_1 {
                  chain ingress_eth0 {
                    type filter hook ingress device "eth0" priority -500; policy accept;
                    ip daddr { 192.0.2.10 } counter drop comment "Baton forwards VIP traffic itself"
                    arp operation request arp daddr ip { 192.0.2.10 } counter drop comment "Baton answers ARP for VIPs"
                  }
                }
                add table inet baton_edge_1
                delete table inet baton_edge_1
                table inet baton_edge_1 {
                  chain peer_port {
                    type filter hook input priority -150; policy accept;
                    ip daddr . ip saddr . udp sport . udp dport { 198.51.100.2 . 198.51.100.3 . 7400 . 7400, 203.0.113.1 . 203.0.113.2 . 7400 . 7400, 198.51.100.2 . 198.51.100.4 . 7400 . 7400 } counter accept comment "Baton peer links"
                    ip daddr { 198.51.100.2, 203.0.113.1 } udp dport 7400 counter drop comment "Baton peer port: not a configured peer link"
                  }
                }
                """, new HostGuard(config).ruleset());
    }
}
