package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabPlanTest {

    private static LabPlan twoSegments() {
        return LabPlan.create("bt3fa2", Layout.TWO_SEGMENTS, 1, 1, 2, List.of("192.0.2.10"), true);
    }

    private static LabPlan oneSegment() {
        return LabPlan.create("bt3fa2", Layout.ONE_SEGMENT, 1, 1, 2, List.of("192.0.2.10"), true);
    }

    private static LabPlan.HostPlan host(LabPlan plan, String name) {
        return plan.hosts().stream().filter(host -> host.name().equals(name)).findFirst().orElseThrow();
    }

    /** host, interface, segment, bridge, address, gateway ("-" for none): the address plan of docs/lab.md. */
    static Stream<Arguments> twoSegmentAddressPlan() {
        return Stream.of(
                Arguments.of("up", "bt3fa2upc", Segment.CLIENT, "bt3fa2c", "203.0.113.1/24", "-"),
                Arguments.of("up", "bt3fa2upf", Segment.FRONT, "bt3fa2f", "192.0.2.1/24", "-"),
                Arguments.of("up", "bt3fa2upb", Segment.BACK, "bt3fa2b", "198.51.100.1/24", "-"),
                Arguments.of("c0", "bt3fa2c0c", Segment.CLIENT, "bt3fa2c", "203.0.113.10/24", "203.0.113.1"),
                Arguments.of("r0", "bt3fa2r0f", Segment.FRONT, "bt3fa2f", "192.0.2.2/24", "-"),
                Arguments.of("r0", "bt3fa2r0b", Segment.BACK, "bt3fa2b", "198.51.100.2/24", "-"),
                Arguments.of("s0", "bt3fa2s0b", Segment.BACK, "bt3fa2b", "198.51.100.11/24", "198.51.100.1"),
                Arguments.of("s1", "bt3fa2s1b", Segment.BACK, "bt3fa2b", "198.51.100.12/24", "198.51.100.1"));
    }

    @ParameterizedTest(name = "{0} {1} {4}")
    @MethodSource("twoSegmentAddressPlan")
    void twoSegmentPlanGivesEachHostItsDocumentedAddress(String hostName, String interfaceName, Segment segment,
                                                         String bridge, String address, String gateway) {
        assertInterface(twoSegments(), hostName, interfaceName, segment, bridge, address, gateway);
    }

    static Stream<Arguments> oneSegmentAddressPlan() {
        return Stream.of(
                Arguments.of("up", "bt3fa2upc", Segment.CLIENT, "bt3fa2c", "203.0.113.1/24", "-"),
                Arguments.of("up", "bt3fa2upf", Segment.FRONT, "bt3fa2f", "192.0.2.1/24", "-"),
                Arguments.of("c0", "bt3fa2c0c", Segment.CLIENT, "bt3fa2c", "203.0.113.10/24", "203.0.113.1"),
                Arguments.of("r0", "bt3fa2r0f", Segment.FRONT, "bt3fa2f", "192.0.2.2/24", "-"),
                Arguments.of("s0", "bt3fa2s0f", Segment.FRONT, "bt3fa2f", "192.0.2.11/24", "192.0.2.1"),
                Arguments.of("s1", "bt3fa2s1f", Segment.FRONT, "bt3fa2f", "192.0.2.12/24", "192.0.2.1"));
    }

    @ParameterizedTest(name = "{0} {1} {4}")
    @MethodSource("oneSegmentAddressPlan")
    void oneSegmentPlanPutsRoutersAndServersOnTheFrontBridge(String hostName, String interfaceName, Segment segment,
                                                             String bridge, String address, String gateway) {
        assertInterface(oneSegment(), hostName, interfaceName, segment, bridge, address, gateway);
    }

    private static void assertInterface(LabPlan plan, String hostName, String interfaceName, Segment segment, String bridge,
                                        String address, String gateway) {
        LabPlan.HostPlan host = host(plan, hostName);
        LabPlan.InterfacePlan anInterface = host.interfaces().stream()
                .filter(candidate -> candidate.name().equals(interfaceName)).findFirst().orElseThrow();
        assertEquals(segment, anInterface.segment());
        assertEquals(bridge, anInterface.bridge());
        assertEquals(interfaceName + "p", anInterface.bridgePort());
        assertEquals(address, anInterface.cidr());
        assertEquals(gateway, host.gateway() == 0 ? "-" : Ipv4.format(host.gateway()));
        assertEquals("bt3fa2-" + hostName, host.namespace());
    }

    @Test
    void oneSegmentLabHasOneRouterInterfaceAndNoBackBridge() {
        LabPlan plan = oneSegment();
        assertEquals(1, host(plan, "r0").interfaces().size());
        assertEquals(List.of("bt3fa2c", "bt3fa2f"), plan.bridges().stream().map(LabPlan.BridgePlan::name).toList());
        assertEquals(2, host(plan, "up").interfaces().size());
    }

    @Test
    void twoSegmentLabHasThreeBridgesInItsSwitchNamespace() {
        LabPlan plan = twoSegments();
        assertEquals(List.of("bt3fa2c", "bt3fa2f", "bt3fa2b"), plan.bridges().stream().map(LabPlan.BridgePlan::name).toList());
        assertEquals("bt3fa2-sw", plan.switchNamespace());
        assertEquals(List.of("bt3fa2-sw", "bt3fa2-up", "bt3fa2-c0", "bt3fa2-r0", "bt3fa2-s0", "bt3fa2-s1"), plan.namespaces());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bt0", "bt3fa2", "btzzzzzz"})
    void everyNameCarriesThePrefixAndFitsInIfnamsizAtTheLargestCounts(String prefix) {
        for (Layout layout : Layout.values()) {
            LabPlan plan = LabPlan.create(prefix, layout, LabPlan.MAX_CLIENTS, LabPlan.MAX_ROUTERS, LabPlan.MAX_SERVERS,
                    List.of("192.0.2.10"), true);
            for (LabPlan.HostPlan host : plan.hosts()) {
                for (LabPlan.InterfacePlan anInterface : host.interfaces()) {
                    for (String name : List.of(anInterface.name(), anInterface.bridgePort(), anInterface.bridge())) {
                        assertTrue(name.startsWith(prefix), name);
                        assertTrue(name.length() <= LabPlan.MAX_INTERFACE_NAME_LENGTH, name + " is too long");
                    }
                }
            }
        }
    }

    @Test
    void everyNamespaceMatchesTheRemovalConventionWithItsPrefix() {
        for (Layout layout : Layout.values()) {
            LabPlan plan = LabPlan.create("btq7", layout, 12, 3, 11, List.of(), true);
            for (String namespace : plan.namespaces()) {
                Matcher matcher = LabPlan.NAMESPACE_PATTERN.matcher(namespace);
                assertTrue(matcher.matches(), namespace);
                assertEquals("btq7", matcher.group(1));
            }
        }
        assertFalse(LabPlan.NAMESPACE_PATTERN.matcher("production").matches());
        assertFalse(LabPlan.NAMESPACE_PATTERN.matcher("btq7").matches());
    }

    @Test
    void everyAddressIsInTestNet() {
        for (Layout layout : Layout.values()) {
            LabPlan plan = LabPlan.create("bt1", layout, LabPlan.MAX_CLIENTS, LabPlan.MAX_ROUTERS, LabPlan.MAX_SERVERS,
                    List.of("192.0.2.10", "192.0.2.200"), true);
            for (LabPlan.HostPlan host : plan.hosts()) {
                host.interfaces().forEach(anInterface -> assertTrue(Ipv4.isTestNet(anInterface.address()), anInterface.cidr()));
                host.loopbackAddresses().forEach(address -> assertTrue(Ipv4.isTestNet(address)));
                assertTrue(host.gateway() == 0 || Ipv4.isTestNet(host.gateway()));
            }
        }
    }

    @Test
    void randomPrefixIsBtAndFourHexDigits() {
        for (int i = 0; i < 50; i++) {
            assertTrue(LabPlan.randomPrefix().matches("bt[0-9a-f]{4}"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bt", "x3fa2", "BT3FA2", "bt3fa2a7z", "bt-1", "bt_1"})
    void prefixOutsideTheConventionIsRejected(String prefix) {
        assertThrows(IllegalArgumentException.class,
                () -> LabPlan.create(prefix, Layout.TWO_SEGMENTS, 1, 1, 1, List.of(), true));
    }

    /** layout, VIP, why it is rejected. */
    static Stream<Arguments> rejectedVips() {
        return Stream.of(
                Arguments.of(Layout.TWO_SEGMENTS, "10.0.0.1", "not TEST-NET"),
                Arguments.of(Layout.TWO_SEGMENTS, "198.51.100.10", "TEST-NET-2 is the back segment, not the front"),
                Arguments.of(Layout.TWO_SEGMENTS, "203.0.113.50", "client subnet"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2.0", "network address"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2.255", "broadcast address"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2.1", "the upstream's address"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2.2", "a router's address"),
                Arguments.of(Layout.ONE_SEGMENT, "192.0.2.11", "a server's address in one segment"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2.010", "leading zero"),
                Arguments.of(Layout.TWO_SEGMENTS, "192.0.2", "three parts"),
                Arguments.of(Layout.TWO_SEGMENTS, "vip", "not an address"));
    }

    @ParameterizedTest(name = "{1} ({2})")
    @MethodSource("rejectedVips")
    void vipOutsideTheFrontSubnetOrTakenIsRejected(Layout layout, String vip, String reason) {
        assertThrows(IllegalArgumentException.class, () -> LabPlan.create("bt1", layout, 1, 1, 2, List.of(vip), true), reason);
    }

    @Test
    void sameVipTwiceIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> LabPlan.create("bt1", Layout.TWO_SEGMENTS, 1, 1, 2, List.of("192.0.2.10", "192.0.2.10"), true));
    }

    @Test
    void serverAddressIsAValidVipInTwoSegmentsBecauseServersAreOnTheBack() {
        LabPlan plan = LabPlan.create("bt1", Layout.TWO_SEGMENTS, 1, 1, 2, List.of("192.0.2.11"), true);
        assertEquals(List.of("192.0.2.11"), plan.vipTexts());
    }

    /** role, count over the maximum. */
    static Stream<Arguments> excessiveCounts() {
        return Stream.of(Arguments.of(LabPlan.MAX_CLIENTS + 1, 1, 1), Arguments.of(1, LabPlan.MAX_ROUTERS + 1, 1),
                Arguments.of(1, 1, LabPlan.MAX_SERVERS + 1), Arguments.of(-1, 1, 1), Arguments.of(1, -1, 1),
                Arguments.of(1, 1, -1));
    }

    @ParameterizedTest(name = "clients {0} routers {1} servers {2}")
    @MethodSource("excessiveCounts")
    void hostCountOutsideItsRangeIsRejected(int clients, int routers, int servers) {
        assertThrows(IllegalArgumentException.class,
                () -> LabPlan.create("bt1", Layout.TWO_SEGMENTS, clients, routers, servers, List.of(), true));
    }

    @Test
    void everyServerHoldsEveryVipOnLoopbackAndNobodyElseDoes() {
        LabPlan plan = LabPlan.create("bt1", Layout.TWO_SEGMENTS, 1, 1, 2, List.of("192.0.2.10", "192.0.2.20"), true);
        List<Integer> vips = List.of(Ipv4.parse("192.0.2.10"), Ipv4.parse("192.0.2.20"));
        for (LabPlan.HostPlan host : plan.hosts()) {
            assertEquals(host.role() == HostRole.SERVER ? vips : List.of(), host.loopbackAddresses(), host.name());
        }
    }

    @Test
    void serversIgnoreArpForTheVipOnAllDefaultLoopbackAndTheirInterface() {
        LabPlan.HostPlan server = host(twoSegments(), "s1");
        for (String scope : List.of("all", "default", "lo", "bt3fa2s1b")) {
            assertTrue(server.sysctls().contains("net.ipv4.conf." + scope + ".arp_ignore=1"), scope);
            assertTrue(server.sysctls().contains("net.ipv4.conf." + scope + ".arp_announce=2"), scope);
        }
    }

    @Test
    void upstreamForwardsWithReversePathFilteringOffEverywhere() {
        LabPlan.HostPlan upstream = host(twoSegments(), "up");
        assertTrue(upstream.sysctls().contains("net.ipv4.ip_forward=1"));
        for (String scope : List.of("all", "default", "bt3fa2upc", "bt3fa2upf", "bt3fa2upb")) {
            assertTrue(upstream.sysctls().contains("net.ipv4.conf." + scope + ".rp_filter=0"), scope);
        }
    }

    @Test
    void routersKeepKernelForwardingOffAndClientsKeepDefaults() {
        LabPlan plan = twoSegments();
        assertEquals(List.of("net.ipv4.ip_forward=0"), host(plan, "r0").sysctls());
        assertEquals(List.of(), host(plan, "c0").sysctls());
    }
}
