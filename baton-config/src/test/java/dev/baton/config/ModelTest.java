package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The invariants and helpers of the model records, which other modules build by hand too. */
class ModelTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "198.51.100.2/24, 198.51.100.0, 198.51.100.255, 198.51.100.0/24",
            "192.0.2.130/25, 192.0.2.128, 192.0.2.255, 192.0.2.128/25",
            "203.0.113.7/32, 203.0.113.7, 203.0.113.7, 203.0.113.7/32",
            "192.0.2.1/0, 0.0.0.0, 255.255.255.255, 0.0.0.0/0"})
    void prefixKnowsItsSubnet(String text, String network, String broadcast, String subnet) {
        Ipv4Prefix prefix = ConfigValues.parsePrefix(text);
        assertEquals(Ipv4.parse(network), prefix.networkAddress());
        assertEquals(Ipv4.parse(broadcast), prefix.broadcastAddress());
        assertEquals(subnet, prefix.subnetText());
        assertEquals(text, prefix.toString());
    }

    @ParameterizedTest(name = "{0} and {1}: {2}")
    @CsvSource({
            "192.0.2.2/24, 192.0.2.3/24, true",
            "192.0.2.2/24, 192.0.2.200/25, true",
            "192.0.2.2/25, 192.0.2.200/25, false",
            "192.0.2.2/24, 198.51.100.2/24, false",
            "10.0.0.1/8, 10.200.0.1/16, true"})
    void prefixesOverlapWhenTheyShareAnAddress(String a, String b, boolean overlap) {
        assertEquals(overlap, ConfigValues.parsePrefix(a).overlaps(ConfigValues.parsePrefix(b)));
        assertEquals(overlap, ConfigValues.parsePrefix(b).overlaps(ConfigValues.parsePrefix(a)));
    }

    @Test
    void pointToPointPrefixesHaveNoNetworkOrBroadcastAddress() {
        assertTrue(ConfigValues.parsePrefix("192.0.2.2/30").hasNetworkAndBroadcastAddresses());
        assertFalse(ConfigValues.parsePrefix("192.0.2.2/31").hasNetworkAndBroadcastAddresses());
        assertFalse(ConfigValues.parsePrefix("192.0.2.2/32").hasNetworkAndBroadcastAddresses());
    }

    @Test
    void portRangesAreInclusiveAndOrdered() {
        ServiceConfig.PortRange range = new ServiceConfig.PortRange(8000, 8010);
        assertTrue(range.contains(8000) && range.contains(8010));
        assertFalse(range.contains(7999) || range.contains(8011));
        assertTrue(range.overlaps(new ServiceConfig.PortRange(8010, 8020)));
        assertFalse(range.overlaps(new ServiceConfig.PortRange(8011, 8020)));
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig.PortRange(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig.PortRange(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig.PortRange(1, 65536));
    }

    @Test
    void weightsOutsideZeroToAThousandAreRefused() {
        assertEquals(0, new ServiceConfig.ServerConfig(1, 0).weight());
        assertEquals(1000, new ServiceConfig.ServerConfig(1, 1000).weight());
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig.ServerConfig(1, -1));
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig.ServerConfig(1, 1001));
    }

    @Test
    void wireAndFileCodesAreExplicit() {
        assertEquals(6, ServiceConfig.Protocol.TCP.ipProtocol);
        assertEquals(17, ServiceConfig.Protocol.UDP.ipProtocol);
        assertEquals("udp", ServiceConfig.Protocol.UDP.configName());
        assertEquals("wlc", ServiceConfig.SchedulerKind.WLC.configName());
        assertEquals("both", InterfaceConfig.InterfaceRole.BOTH.configName());
        assertEquals("primary", ServiceConfig.ServiceRole.PRIMARY.configName());
        assertEquals("backup", ServiceConfig.ServiceRole.BACKUP.configName());
        assertEquals("automatic", ServiceConfig.Failback.AUTOMATIC.configName());
        assertEquals("manual", ServiceConfig.Failback.MANUAL.configName());
    }

    @Test
    void serviceBuiltWithoutTakeoverKeysIsADefaultBackup() {
        ServiceConfig service = new ServiceConfig("web", 1, ServiceConfig.Protocol.TCP, List.of(new ServiceConfig.PortRange(80, 80)),
                ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(new ServiceConfig.ServerConfig(2, 1)));

        assertEquals(ServiceConfig.ServiceRole.BACKUP, service.role());
        assertEquals(100, service.priority());
        assertEquals(ServiceConfig.Failback.AUTOMATIC, service.failback());
        assertThrows(IllegalArgumentException.class, () -> new ServiceConfig("web", 1, ServiceConfig.Protocol.TCP, List.of(),
                ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(), ServiceConfig.ServiceRole.PRIMARY, 65_536,
                ServiceConfig.Failback.MANUAL));
        assertThrows(NullPointerException.class, () -> new ServiceConfig("web", 1, ServiceConfig.Protocol.TCP, List.of(),
                ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(), null, 1, ServiceConfig.Failback.MANUAL));
    }

    @Test
    void highAvailabilityRecordsRefuseWhatNoRouterCouldRun() {
        List<PeerSettings> peers = List.of(new PeerSettings("b", 2, List.of(new PeerLinkSettings(1, 2))));
        Duration ms = Duration.ofMillis(1);
        assertEquals(0xFFFF_FFFFL, new HighAvailabilitySettings(0xFFFF_FFFFL, Path.of("k"), 1, ms, ms, ms, ms, ms, Duration.ZERO,
                ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, peers).routerNumber());
        assertThrows(IllegalArgumentException.class, () -> new HighAvailabilitySettings(0, Path.of("k"), 1, ms, ms, ms, ms, ms,
                ms, ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, peers));
        assertThrows(IllegalArgumentException.class, () -> new HighAvailabilitySettings(1L << 32, Path.of("k"), 1, ms, ms, ms, ms,
                ms, ms, ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, peers));
        assertThrows(IllegalArgumentException.class, () -> new HighAvailabilitySettings(1, Path.of("k"), 1, ms, ms, ms, ms, ms,
                ms, ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new HighAvailabilitySettings(1, Path.of("k"), 1, ms, Duration.ZERO, ms,
                ms, ms, ms, ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, peers));
        assertThrows(IllegalArgumentException.class, () -> new HighAvailabilitySettings(1, Path.of("k"), 1, ms, ms, ms, ms, ms,
                Duration.ofMillis(-1), ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC, peers));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", 2, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", 0, List.of(new PeerLinkSettings(1, 2))));
        assertThrows(IllegalArgumentException.class, () -> new PeerLinkSettings(7, 7));
        assertThrows(IllegalArgumentException.class, () -> new GratuitousArpSettings(0, ms, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new GratuitousArpSettings(1, ms, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> new SyncWindowSettings(1025, ms));
        assertEquals("203.0.113.1 -> 203.0.113.2",
                new PeerLinkSettings(Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.2")).toString());
    }

    @Test
    void ringStatesItsMemory() {
        assertEquals(16L << 20, ConfigDefaults.RING.rxRingBytes());
        assertEquals(256L * 65_664, ConfigDefaults.RING.txRingBytes());
        assertThrows(IllegalArgumentException.class, () -> new RingSettings(0, 16, 2, 2048, 16));
    }

    @Test
    void settingsRefuseNonPositiveDurations() {
        assertThrows(IllegalArgumentException.class,
                () -> new NeighbourSettings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(90)));
        assertThrows(NullPointerException.class,
                () -> new TableSettings(1, null, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RouterSettings("r", Path.of("/run/r.sock"), 0, ConfigDefaults.RING));
    }
}
