package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.codec.Ipv4;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Subnet elements of the reachability set ("the configured list of hosts or subnets that must be monitored for
 * reach-ability", US 6,148,410 RM 230): what a valid file gives, with and without {@code addresses}, and each rule
 * as a row (a change to {@link #VALID} and the exact messages).
 */
class SubnetElementConfigTest {

    static final String VALID = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                health-check: { type: tcp }
                servers:
                  - { address: 198.51.100.11, alternates: [198.51.100.111] }
                  - { address: 198.51.100.12 }
                fallback:
                  - { address: 198.51.100.99 }
              - name: mail
                vip: 192.0.2.11
                ports: [25]
                servers:
                  - { address: 198.51.100.11 }
                  - { address: 198.51.100.140 }
            reachability:
              targets:
                - { name: upstream, address: 192.0.2.1, probe: arp }
                - { name: web-rack, subnet: 198.51.100.0/25, min-up: 2 }
                - { name: far-cluster, subnet: 203.0.113.0/28, addresses: [203.0.113.5, 203.0.113.6, 203.0.113.7], probe: tcp, port: 443, min-up: 2 }
                - { name: one-host, subnet: 198.51.100.140/32, probe: arp, interval: 2s, timeout: 1s, rise: 1, fall: 2 }
                - { name: front, subnet: 192.0.2.0/24, addresses: 192.0.2.3, probe: arp, weight: 5, required: true }
            """;

    private static final Path FILE = Path.of("t.yaml");

    @Test
    void subnetElementsWithAndWithoutAddresses() throws ConfigException {
        List<ReachabilitySettings.Target> targets = ConfigLoader.load(VALID, FILE, "host-1").reachability().orElseThrow().targets();
        Duration second = Duration.ofSeconds(1);
        Duration half = Duration.ofMillis(500);
        assertEquals(List.of(
                new ReachabilitySettings.Target("upstream", ReachabilitySettings.Probe.ARP, Ipv4.parse("192.0.2.1"), 0, null, 0,
                        second, half, 2, 3, 1, false),
                // Without addresses: every configured server address inside the /25, in file order, each once: web's
                // servers with their alternates, its fallback server; mail's .11 again, and .140 outside the /25.
                new ReachabilitySettings.Target("web-rack", ReachabilitySettings.Probe.ICMP, 0, 0, null, 2, second, half, 2, 3, 1,
                        false, new Ipv4Prefix(Ipv4.parse("198.51.100.0"), 25),
                        addresses("198.51.100.11", "198.51.100.111", "198.51.100.12", "198.51.100.99")),
                new ReachabilitySettings.Target("far-cluster", ReachabilitySettings.Probe.TCP, 0, 443, null, 2, second, half, 2, 3,
                        1, false, new Ipv4Prefix(Ipv4.parse("203.0.113.0"), 28),
                        addresses("203.0.113.5", "203.0.113.6", "203.0.113.7")),
                new ReachabilitySettings.Target("one-host", ReachabilitySettings.Probe.ARP, 0, 0, null, 1, Duration.ofSeconds(2),
                        second, 1, 2, 1, false, new Ipv4Prefix(Ipv4.parse("198.51.100.140"), 32), addresses("198.51.100.140")),
                new ReachabilitySettings.Target("front", ReachabilitySettings.Probe.ARP, 0, 0, null, 1, second, half, 2, 3, 5, true,
                        new Ipv4Prefix(Ipv4.parse("192.0.2.0"), 24), addresses("192.0.2.3"))), targets);
        assertTrue(targets.get(1).ofSubnet() && !targets.get(0).ofSubnet());
    }

    @Test
    void theModelRefusesASubnetElementWithoutMembersOrWithAMemberOutside() {
        Ipv4Prefix subnet = new Ipv4Prefix(Ipv4.parse("203.0.113.0"), 28);
        Duration second = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new ReachabilitySettings.Target("x", ReachabilitySettings.Probe.ICMP,
                0, 0, null, 1, second, Duration.ofMillis(500), 2, 3, 1, false, subnet, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ReachabilitySettings.Target("x", ReachabilitySettings.Probe.ICMP,
                0, 0, null, 1, second, Duration.ofMillis(500), 2, 3, 1, false, subnet, addresses("203.0.113.16")));
        assertThrows(IllegalArgumentException.class, () -> new ReachabilitySettings.Target("x", ReachabilitySettings.Probe.ICMP,
                0, 0, null, 2, second, Duration.ofMillis(500), 2, 3, 1, false, subnet, addresses("203.0.113.1")));
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                row("host bits set", "subnet: 198.51.100.0/25", "subnet: 198.51.100.7/25",
                        "t.yaml:24:33: reachability.targets[1].subnet: 198.51.100.7/25 has host bits set; a subnet is written with"
                                + " its network address (198.51.100.0/25 holds 198.51.100.7); for example: subnet: 198.51.100.0/25"),
                row("a prefix length below 8", "subnet: 198.51.100.0/25", "subnet: 198.0.0.0/7",
                        "t.yaml:24:33: reachability.targets[1].subnet: '198.0.0.0/7' has a prefix length out of range (8..32);"
                                + " for example: subnet: 198.51.100.0/24"),
                row("a prefix length above 32", "subnet: 198.51.100.0/25", "subnet: 198.51.100.0/33",
                        "t.yaml:24:33: reachability.targets[1].subnet: '198.51.100.0/33' has a prefix length out of range (8..32);"
                                + " for example: subnet: 198.51.100.0/24"),
                row("a loopback subnet", "subnet: 198.51.100.0/25", "subnet: 127.0.0.0/8",
                        "t.yaml:24:33: reachability.targets[1].subnet: 127.0.0.0/8 is a loopback address (127.0.0.0/8) and holds"
                                + " no hosts to probe; for example: subnet: 198.51.100.0/24"),
                row("an address outside the subnet", "203.0.113.7]", "203.0.113.17]",
                        "t.yaml:25:90: reachability.targets[2].addresses[2]: 203.0.113.17 is not inside 203.0.113.0/28;"
                                + " for example: addresses: [203.0.113.1]"),
                row("an address listed twice", "203.0.113.6,", "203.0.113.5,",
                        "t.yaml:25:77: reachability.targets[2].addresses[1]: 203.0.113.5 is listed twice (first at line 25);"
                                + " for example: addresses: [203.0.113.1]"),
                row("the subnet's broadcast address", "203.0.113.7]", "203.0.113.15]",
                        "t.yaml:25:90: reachability.targets[2].addresses[2]: 203.0.113.15 is the broadcast address of"
                                + " 203.0.113.0/28, not a host; for example: addresses: [203.0.113.1]"),
                row("the router's own address", "addresses: 192.0.2.3", "addresses: 192.0.2.2",
                        "t.yaml:27:55: reachability.targets[4].addresses: 192.0.2.2 is the address of interface eth0; the router"
                                + " would answer its own probe; for example: addresses: [192.0.2.1]"),
                row("a multicast address", "addresses: 192.0.2.3", "addresses: 224.0.0.1",
                        "t.yaml:27:55: reachability.targets[4].addresses: 224.0.0.1 is a multicast address (224.0.0.0/4) and cannot"
                                + " be a host probed; for example: addresses: [198.51.100.11, 198.51.100.12]"),
                row("no addresses in the list", "addresses: 192.0.2.3", "addresses: []",
                        "t.yaml:27:55: reachability.targets[4].addresses: needs at least one address; for example:"
                                + " addresses: [198.51.100.11, 198.51.100.12]"),
                row("min-up above the addresses", "port: 443, min-up: 2", "port: 443, min-up: 4",
                        "t.yaml:25:135: reachability.targets[2].min-up: 4 is more than the 3 members of element 'far-cluster'"
                                + " (its addresses); for example: min-up: 3"),
                row("min-up above the servers inside", "/25, min-up: 2", "/25, min-up: 5",
                        "t.yaml:24:58: reachability.targets[1].min-up: 5 is more than the 4 members of element 'web-rack'"
                                + " (the server addresses inside 198.51.100.0/25); for example: min-up: 4"),
                row("no server inside and no addresses", "subnet: 198.51.100.0/25", "subnet: 198.51.100.192/26",
                        "t.yaml:24:33: reachability.targets[1].subnet: no configured server address (of any service, alternates and"
                                + " fallback servers included) is inside 198.51.100.192/26; list the hosts to probe under addresses;"
                                + " for example: addresses: [198.51.100.193]"),
                row("ARP beyond the segments", "subnet: 192.0.2.0/24", "subnet: 192.0.0.0/16",
                        "t.yaml:27:30: reachability.targets[4].subnet: 192.0.0.0/16 is not within an attached subnet; ARP reaches"
                                + " only hosts on the router's own segments (use probe icmp or tcp for a subnet further away);"
                                + " for example: probe: icmp"),
                row("addresses on a host element", "address: 192.0.2.1, probe: arp", "address: 192.0.2.1, addresses: [192.0.2.3], probe: arp",
                        "t.yaml:23:57: reachability.targets[0].addresses: applies only to a subnet element (the hosts of its subnet"
                                + " to probe); for example: subnet: 198.51.100.0/24"),
                row("min-up on a host element", "address: 192.0.2.1, probe: arp", "address: 192.0.2.1, probe: arp, min-up: 1",
                        "t.yaml:23:65: reachability.targets[0].min-up: applies only to a service or subnet element;"
                                + " for example: service: web"),
                row("a host element with a subnet", "address: 192.0.2.1, probe: arp", "address: 192.0.2.1, subnet: 192.0.2.0/24, probe: arp",
                        "t.yaml:23:7: reachability.targets[0]: has both address and subnet; an element is a host, a subnet or a"
                                + " service's servers; for example: address: 192.0.2.1"),
                row("a subnet probed as a service", "198.51.100.140/32, probe: arp", "198.51.100.140/32, probe: service",
                        "t.yaml:26:59: reachability.targets[3].probe: service is the probe of a service element; this one has a"
                                + " subnet; for example: probe: icmp"),
                row("a TCP probe of a subnet without a port", "probe: tcp, port: 443,", "probe: tcp,",
                        "t.yaml:25:7: reachability.targets[2].port: is missing; a tcp probe connects to a port; for example: port: 80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithExactMessage(String name, String yaml, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "host-1"));
        assertEquals(expected, thrown.getMessage());
    }

    @Test
    void aSubnetElementProbesAtMost64Hosts() {
        StringBuilder listed = new StringBuilder();
        for (int host = 1; host <= 65; host++) {
            listed.append(host == 1 ? "" : ", ").append("203.0.113.").append(host);
        }
        String yaml = VALID.replace("addresses: [203.0.113.5, 203.0.113.6, 203.0.113.7]", "addresses: [" + listed + "]")
                .replace("203.0.113.0/28", "203.0.113.0/24");
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "host-1"));
        assertEquals(List.of("reachability.targets[2].addresses[64]: is address number 65; a subnet element probes at most 64 hosts"),
                thrown.problems().stream().map(p -> p.keyPath() + ": " + p.message()).toList());
    }

    @Test
    void moreThan64ServersInsideNeedAListOfTheOnesToProbe() {
        StringBuilder servers = new StringBuilder();
        for (int host = 12; host < 12 + 65; host++) {
            servers.append("      - { address: 198.51.100.").append(host).append(" }\n");
        }
        String yaml = VALID.replace("      - { address: 198.51.100.12 }\n", servers.toString())
                .replace("198.51.100.111", "198.51.100.211");
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "host-1"));
        assertEquals(List.of("reachability.targets[1].subnet: 67 configured server addresses are inside 198.51.100.0/25; a subnet"
                        + " element probes at most 64 hosts: list the ones to probe under addresses; for example: addresses:"
                        + " [198.51.100.11, 198.51.100.12]"),
                thrown.problems().stream().map(p -> p.keyPath() + ": " + p.message() + "; for example: " + p.example()).toList());
    }

    @Test
    void allSubnetElementsTogetherProbeAtMost4096Hosts() {
        StringBuilder hosts = new StringBuilder();
        for (int host = 1; host <= 64; host++) {
            hosts.append(host == 1 ? "" : ", ").append("203.0.113.").append(host);
        }
        StringBuilder yaml = new StringBuilder(VALID);
        for (int element = 0; element < 65; element++) {
            yaml.append("    - { name: cluster-").append(element).append(", subnet: 203.0.113.0/25, addresses: [").append(hosts)
                    .append("] }\n");
        }
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml.toString(), FILE, "host-1"));
        // 4 + 3 + 1 + 1 members before them, then 64 each: the 64th of them brings the total past 4,096.
        assertEquals(List.of("reachability.targets[68].subnet: brings the members of the subnet elements to 4105; all subnet"
                        + " elements together probe at most 4096 hosts"),
                thrown.problems().stream().map(p -> p.keyPath() + ": " + p.message()).toList());
    }

    private static List<Integer> addresses(String... addresses) {
        List<Integer> values = new ArrayList<>();
        for (String address : addresses) {
            values.add(Ipv4.parse(address));
        }
        return values;
    }

    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(VALID, name, original, replacement, expected);
    }
}
