package dev.baton.control.router;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import dev.baton.nativeio.NetworkNamespace;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HostGuardTest {

    static final String NO_MORE_SERVICES = "";
    static final String NO_PEERS = "";

    /**
     * The router every guard test configures: a client-facing eth0, a server-facing eth1 and the web service on
     * 192.0.2.10:80, then {@code moreServices} (YAML list items) and, unless {@code peers} is {@link #NO_PEERS},
     * router 1's peer port 7400 shared with {@code peers} (YAML list items). A test writes only the part its
     * rules depend on.
     */
    private static BatonConfig routerConfig(String routerId, String moreServices, String peers) throws ConfigException {
        String yaml = """
                router: { id: %s }
                interfaces:
                  - { name: eth0, role: client, address: 192.0.2.2/24 }
                  - { name: eth1, role: server, address: 198.51.100.2/24 }
                services:
                  - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 } ] }
                %s""".formatted(routerId, moreServices);
        if (!peers.isEmpty()) {
            yaml += """
                    high-availability:
                      router-number: 1
                      key-file: /etc/baton/peer.key
                      port: 7400
                      peers:
                    %s""".formatted(peers);
        }
        return ConfigLoader.load(yaml, Path.of("guard.yaml"));
    }

    /**
     * The netdev table router edge-1's guard starts with: at ingress of its client-facing eth0, traffic and ARP
     * requests for {@code vips} (nft set elements) are dropped before the host's stack sees them.
     */
    private static String edge1VipGuard(String vips) {
        return """
                add table netdev baton_edge_1
                delete table netdev baton_edge_1
                table netdev baton_edge_1 {
                  chain ingress_eth0 {
                    type filter hook ingress device "eth0" priority -500; policy accept;
                    ip daddr { %1$s } counter drop comment "Baton forwards VIP traffic itself"
                    arp operation request arp daddr ip { %1$s } counter drop comment "Baton answers ARP for VIPs"
                  }
                }
                """.formatted(vips);
    }

    @Test
    void dropsVipTrafficAndArpForVipsAtIngressOfClientFacingInterfacesOnly() throws Exception {
        BatonConfig config = routerConfig("edge-1", """
                  - { name: dns, vip: 192.0.2.10, protocol: udp, ports: [53], servers: [ { address: 198.51.100.11 } ] }
                  - { name: api, vip: 192.0.2.20, ports: [443], servers: [ { address: 198.51.100.12 } ] }
                """, NO_PEERS);
        HostGuard guard = new HostGuard(config);
        assertEquals("baton_edge_1", guard.tableName());
        assertEquals(edge1VipGuard("192.0.2.10, 192.0.2.20"), guard.ruleset());
    }

    /**
     * With health checks, every interface's chain (the server-facing eth1's too) drops the answers to the probes
     * Baton sends from its rings, after its packet socket has them and before the host's stack would answer them.
     */
    @Test
    void withHealthChecksEveryInterfaceDropsTheAnswersToRingProbes() throws Exception {
        BatonConfig config = routerConfig("edge-1", """
                  - { name: api, vip: 192.0.2.20, ports: [443], servers: [ { address: 198.51.100.12 } ],
                      health-check: { type: tcp } }
                """, NO_PEERS);
        String probeRules = """
                    tcp dport 61000-65095 counter drop comment "answers to Baton's probes: read from its rings"
                    icmp type echo-reply @th,64,32 0x42544e52 counter drop comment "answers to Baton's probes: read from its rings"
                """;
        assertEquals("""
                add table netdev baton_edge_1
                delete table netdev baton_edge_1
                table netdev baton_edge_1 {
                  chain ingress_eth0 {
                    type filter hook ingress device "eth0" priority -500; policy accept;
                    ip daddr { 192.0.2.10, 192.0.2.20 } counter drop comment "Baton forwards VIP traffic itself"
                    arp operation request arp daddr ip { 192.0.2.10, 192.0.2.20 } counter drop comment "Baton answers ARP for VIPs"
                """ + probeRules + """
                  }
                  chain ingress_eth1 {
                    type filter hook ingress device "eth1" priority -500; policy accept;
                """ + probeRules + """
                  }
                }
                """, new HostGuard(config).ruleset());
    }

    /** The netdev table with the probe rules loads into a lab namespace that has the interfaces (root only). */
    @Test
    void theNetdevTableWithTheProbeRulesLoads() throws Exception {
        String unavailable = labUnavailable();
        assumeTrue(unavailable == null, unavailable);
        BatonConfig config = routerConfig("guard-lab", """
                  - { name: api, vip: 192.0.2.20, ports: [443], servers: [ { address: 198.51.100.12 } ],
                      health-check: { type: tcp } }
                """, NO_PEERS);
        HostGuard guard = new HostGuard(config);
        String namespace = "bhn" + ProcessHandle.current().pid();
        run(null, "ip", "netns", "add", namespace);
        try {
            run(null, "ip", "-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
            run(guard.ruleset(), "ip", "netns", "exec", namespace, "nft", "-f", "-");
            String listing = run(null, "ip", "netns", "exec", namespace, "nft", "list", "table", "netdev", guard.tableName());
            assertTrue(listing.contains("chain ingress_eth1"), listing);
            assertTrue(listing.contains("tcp dport 61000-65095 counter packets 0 bytes 0 drop"), listing);
            assertTrue(listing.contains("icmp type echo-reply @th,64,32 0x42544e52 counter packets 0 bytes 0 drop"), listing);
        } finally {
            run(null, "ip", "netns", "del", namespace);
        }
    }

    /** The peer port admits only the configured peer links, before any socket sees a datagram. */
    @Test
    void admitsThePeerPortOnlyFromTheConfiguredPeerLinks() throws Exception {
        BatonConfig config = routerConfig("edge-1", NO_MORE_SERVICES, """
                    - name: edge-2
                      router-number: 2
                      links: [ { local: 198.51.100.2, peer: 198.51.100.3 }, { local: 203.0.113.1, peer: 203.0.113.2 } ]
                    - name: edge-3
                      router-number: 3
                      links: [ { local: 198.51.100.2, peer: 198.51.100.4 } ]
                """);
        assertEquals(edge1VipGuard("192.0.2.10") + """
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

    /**
     * The same guard loaded into a lab namespace (root only): UDP at the peer port reaches the socket from the
     * configured peer link alone; another address, or the peer's address from another port, is dropped by the
     * kernel and counted by the rule.
     */
    @Test
    void inALabNamespaceOnlyThePeerLinkReachesThePeerPort() throws Exception {
        String unavailable = labUnavailable();
        assumeTrue(unavailable == null, unavailable);
        BatonConfig config = routerConfig("guard-lab", NO_MORE_SERVICES, """
                    - { name: edge-2, router-number: 2, links: [ { local: 198.51.100.2, peer: 198.51.100.3 } ] }
                """);
        HostGuard guard = new HostGuard(config);
        String namespace = "bhg" + ProcessHandle.current().pid();
        run(null, "ip", "netns", "add", namespace);
        try {
            run(null, "ip", "-n", namespace, "link", "set", "lo", "up");
            for (String address : List.of("198.51.100.2", "198.51.100.3", "198.51.100.9")) {
                run(null, "ip", "-n", namespace, "addr", "add", address + "/32", "dev", "lo");
            }
            // Only the inet table: the netdev one names interfaces this namespace does not have.
            String peerPortTable = guard.ruleset().substring(guard.ruleset().indexOf("add table inet"));
            run(peerPortTable, "ip", "netns", "exec", namespace, "nft", "-f", "-");
            List<String> delivered = NetworkNamespace.callIn(namespace, () -> {
                InetSocketAddress port = new InetSocketAddress("198.51.100.2", 7400);
                try (DatagramChannel receiver = DatagramChannel.open().bind(port);
                     DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("198.51.100.3", 7400));
                     DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress("198.51.100.9", 7400));
                     DatagramChannel peerOtherPort = DatagramChannel.open().bind(new InetSocketAddress("198.51.100.3", 0))) {
                    receiver.configureBlocking(false);
                    stranger.send(ByteBuffer.wrap(new byte[] {1}), port);
                    peerOtherPort.send(ByteBuffer.wrap(new byte[] {2}), port);
                    peer.send(ByteBuffer.wrap(new byte[] {3}), port);
                    List<String> sources = new ArrayList<>();
                    long deadlineNs = System.nanoTime() + 500_000_000L;
                    ByteBuffer into = ByteBuffer.allocate(16);
                    while (System.nanoTime() < deadlineNs) {
                        into.clear();
                        var source = receiver.receive(into);
                        if (source != null) {
                            sources.add(source.toString());
                        } else {
                            Thread.sleep(10);
                        }
                    }
                    return sources;
                }
            });
            assertEquals(List.of("/198.51.100.3:7400"), delivered);
            String listing = run(null, "ip", "netns", "exec", namespace, "nft", "list", "table", "inet", guard.tableName());
            assertTrue(listing.contains("counter packets 2 bytes 58 drop"), listing);
        } finally {
            run(null, "ip", "netns", "del", namespace);
        }
    }

    private static String labUnavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (network namespaces, nftables)";
        }
        try {
            run(null, "nft", "--version");
            run(null, "ip", "-V");
            return null;
        } catch (Exception e) {
            return "nft or ip not usable here: " + e.getMessage();
        }
    }

    private static String run(String input, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 10 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
        return output;
    }
}
