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

/** The {@code high-availability} section and the per-service takeover keys: values read, defaults applied. */
class HighAvailabilityConfigTest {

    private static final Path FILE = Path.of("t.yaml");

    private static final String SERVING_ALONE = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                servers: [{ address: 198.51.100.11 }]
            """;

    /** Only the high-availability keys without a default. */
    private static final String MINIMAL_HA = SERVING_ALONE + """
            high-availability:
              router-number: 1
              key-file: /etc/baton/peer.key
              peers:
                - name: baton-2
                  router-number: 2
                  links: [{ local: 203.0.113.1, peer: 203.0.113.2 }]
            """;

    @Test
    void withoutTheSectionTheRouterServesAloneAndServicesTakeDefaultRoles() throws ConfigException {
        BatonConfig config = ConfigLoader.load(SERVING_ALONE, FILE, "host-1");

        assertTrue(config.highAvailability().isEmpty());
        ServiceConfig web = config.services().getFirst();
        assertEquals(ServiceConfig.ServiceRole.BACKUP, web.role());
        assertEquals(100, web.priority());
        assertEquals(ServiceConfig.Failback.AUTOMATIC, web.failback());
    }

    @Test
    void leftOutKeysTakeTheDocumentedDefaults() throws ConfigException {
        HighAvailabilitySettings ha = ConfigLoader.load(MINIMAL_HA, FILE, "host-1").highAvailability().orElseThrow();

        assertEquals(1, ha.routerNumber());
        assertEquals(Path.of("/etc/baton/peer.key"), ha.keyFile());
        assertEquals(7480, ha.port());
        assertEquals(Duration.ofMillis(500), ha.listenTimeout());
        assertEquals(Duration.ofMillis(60), ha.standbyTimeout());
        assertEquals(Duration.ofMillis(100), ha.preemptTimeout());
        assertEquals(Duration.ofMillis(20), ha.updateInterval());
        assertEquals(Duration.ofMillis(60), ha.linkFailureTime());
        assertEquals(Duration.ofMillis(500), ha.handoverDrain());
        assertEquals(Duration.ofMillis(300), ha.shutdownHandoverTimeout());
        assertEquals(Path.of("/var/lib/baton"), ha.stateDirectory());
        assertEquals(new GratuitousArpSettings(3, Duration.ofMillis(20), Duration.ZERO), ha.gratuitousArp());
        assertFalse(ha.gratuitousArp().reannounces());
        assertEquals(new SyncWindowSettings(32, Duration.ofMillis(200)), ha.sync());
        assertEquals(List.of(new PeerSettings("baton-2", 2,
                List.of(new PeerLinkSettings(Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.2"))))), ha.peers());
    }

    @Test
    void defaultsMatchConfigDefaults() throws ConfigException {
        HighAvailabilitySettings ha = ConfigLoader.load(MINIMAL_HA, FILE, "host-1").highAvailability().orElseThrow();

        assertEquals(ConfigDefaults.PEER_PORT, ha.port());
        assertEquals(ConfigDefaults.LISTEN_TIMEOUT, ha.listenTimeout());
        assertEquals(ConfigDefaults.STANDBY_TIMEOUT, ha.standbyTimeout());
        assertEquals(ConfigDefaults.PREEMPT_TIMEOUT, ha.preemptTimeout());
        assertEquals(ConfigDefaults.UPDATE_INTERVAL, ha.updateInterval());
        assertEquals(ConfigDefaults.HANDOVER_DRAIN, ha.handoverDrain());
        assertEquals(ConfigDefaults.STATE_DIRECTORY, ha.stateDirectory());
        assertEquals(ConfigDefaults.GRATUITOUS_ARP, ha.gratuitousArp());
        assertEquals(ConfigDefaults.SYNC, ha.sync());
    }

    @Test
    void theShutdownHandOverTimeoutIsReadAndZeroMeansGiveUpAtOnce() throws ConfigException {
        String yaml = MINIMAL_HA.replace("  key-file:", "  shutdown-handover-timeout: 150ms\n  key-file:");
        assertEquals(Duration.ofMillis(150), ConfigLoader.load(yaml, FILE, "host-1").highAvailability().orElseThrow()
                .shutdownHandoverTimeout());
        String zero = MINIMAL_HA.replace("  key-file:", "  shutdown-handover-timeout: 0s\n  key-file:");
        assertEquals(Duration.ZERO, ConfigLoader.load(zero, FILE, "host-1").highAvailability().orElseThrow()
                .shutdownHandoverTimeout());
        String tooLong = MINIMAL_HA.replace("  key-file:", "  shutdown-handover-timeout: 2m\n  key-file:");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigLoader.load(tooLong, FILE, "host-1"));
        assertTrue(e.getMessage().contains("high-availability.shutdown-handover-timeout: 2m is out of range (0s..1m)"), e.getMessage());
    }

    @Test
    void linkFailureTimeDefaultsToTheGivenStandbyTimeout() throws ConfigException {
        String yaml = MINIMAL_HA.replace("  key-file:", "  standby-timeout: 150ms\n  key-file:");
        HighAvailabilitySettings ha = ConfigLoader.load(yaml, FILE, "host-1").highAvailability().orElseThrow();

        assertEquals(Duration.ofMillis(150), ha.standbyTimeout());
        assertEquals(Duration.ofMillis(150), ha.linkFailureTime());
    }

    @Test
    void everyKeyIsReadWhenGiven() throws ConfigException {
        String yaml = """
                router: { id: edge-a }
                interfaces:
                  - { name: eth0, role: client, address: 192.0.2.2/24 }
                  - { name: eth1, role: server, address: 198.51.100.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                    role: PRIMARY
                    priority: 65535
                    failback: Manual
                    servers: [{ address: 198.51.100.11 }]
                  - name: api
                    vip: 192.0.2.20
                    ports: [8080]
                    role: backup
                    priority: 0
                    failback: automatic
                    servers: [{ address: 198.51.100.12 }]
                high-availability:
                  router-number: 4294967295
                  key-file: keys/peer.key
                  port: 9000
                  listen-timeout: 2s
                  standby-timeout: 300ms
                  preempt-timeout: 250ms
                  update-interval: 50ms
                  link-failure-time: 1s
                  handover-drain: 0s
                  state-directory: /srv/baton/edge-a
                  gratuitous-arp: { count: 100, interval: 5ms, reannounce: 1h }
                  sync: { window: 1024, retransmit-timeout: 1s }
                  peers:
                    - name: edge-b
                      router-number: 1
                      links:
                        - { local: 203.0.113.1, peer: 203.0.113.2 }
                        - { local: 198.51.100.2, peer: 198.51.100.3 }
                    - name: edge-c
                      router-number: 3
                      links:
                        - local: 203.0.113.1
                          peer: 203.0.113.3
                """;
        BatonConfig config = ConfigLoader.load(yaml, FILE, "host-1");

        assertEquals(new HighAvailabilitySettings(4_294_967_295L, Path.of("keys/peer.key"), 9000, Duration.ofSeconds(2),
                Duration.ofMillis(300), Duration.ofMillis(250), Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO,
                new GratuitousArpSettings(100, Duration.ofMillis(5), Duration.ofHours(1)),
                new SyncWindowSettings(1024, Duration.ofSeconds(1)),
                List.of(new PeerSettings("edge-b", 1, List.of(
                                new PeerLinkSettings(Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.2")),
                                new PeerLinkSettings(Ipv4.parse("198.51.100.2"), Ipv4.parse("198.51.100.3")))),
                        new PeerSettings("edge-c", 3, List.of(
                                new PeerLinkSettings(Ipv4.parse("203.0.113.1"), Ipv4.parse("203.0.113.3"))))),
                ConfigDefaults.SHUTDOWN_HANDOVER_TIMEOUT, Path.of("/srv/baton/edge-a")),
                config.highAvailability().orElseThrow());
        ServiceConfig web = config.services().get(0);
        assertEquals(List.of(ServiceConfig.ServiceRole.PRIMARY, 65535, ServiceConfig.Failback.MANUAL),
                List.of(web.role(), web.priority(), web.failback()));
        ServiceConfig api = config.services().get(1);
        assertEquals(List.of(ServiceConfig.ServiceRole.BACKUP, 0, ServiceConfig.Failback.AUTOMATIC),
                List.of(api.role(), api.priority(), api.failback()));
        assertTrue(config.highAvailability().orElseThrow().gratuitousArp().reannounces());
        assertEquals("edge-c", config.highAvailability().orElseThrow().peer(3).orElseThrow().name());
        assertEquals(1, config.highAvailability().orElseThrow().peer("edge-b").orElseThrow().routerNumber());
        assertTrue(config.highAvailability().orElseThrow().peer("edge-a").isEmpty());
    }

    /** The incarnation counter's directory, an absolute path, refused with file:line otherwise. */
    @Test
    void stateDirectoryIsAnAbsolutePath() throws ConfigException {
        String yaml = MINIMAL_HA.replace("  key-file:", "  state-directory: /var/lib/baton/edge-1\n  key-file:");
        assertEquals(Path.of("/var/lib/baton/edge-1"),
                ConfigLoader.load(yaml, FILE, "host-1").highAvailability().orElseThrow().stateDirectory());

        String relative = MINIMAL_HA.replace("  key-file:", "  state-directory: var/lib/baton\n  key-file:");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(relative, FILE, "host-1"));
        assertTrue(e.getMessage().contains("t.yaml:12:20: high-availability.state-directory: 'var/lib/baton' is not an absolute"
                + " path; name the directory that keeps the incarnation counter across restarts, e.g. /var/lib/baton; for"
                + " example: state-directory: /var/lib/baton"), e.getMessage());
    }

    @Test
    void takeoverKeysAreAllowedWithoutTheSection() throws ConfigException {
        String yaml = SERVING_ALONE.replace("    ports: [80]\n", "    ports: [80]\n    role: primary\n    priority: 7\n    failback: manual\n");
        ServiceConfig web = ConfigLoader.load(yaml, FILE, "host-1").services().getFirst();

        assertEquals(ServiceConfig.ServiceRole.PRIMARY, web.role());
        assertEquals(7, web.priority());
        assertEquals(ServiceConfig.Failback.MANUAL, web.failback());
    }

    @Test
    void servicesOnDifferentVipsMayTakeDifferentRoles() throws ConfigException {
        String yaml = MINIMAL_HA.replace("    ports: [80]\n", "    ports: [80]\n    role: primary\n").replace("high-availability:", """
                  - name: api
                    vip: 192.0.2.20
                    ports: [8080]
                    role: backup
                    priority: 50
                    failback: manual
                    servers: [{ address: 198.51.100.12 }]
                high-availability:""");
        BatonConfig config = ConfigLoader.load(yaml, FILE, "host-1");

        assertEquals(List.of(ServiceConfig.ServiceRole.PRIMARY, ServiceConfig.ServiceRole.BACKUP),
                config.services().stream().map(ServiceConfig::role).toList());
    }

    @Test
    void timeoutsOfExactlyTwoUpdateIntervalsAreAccepted() throws ConfigException {
        String yaml = MINIMAL_HA.replace("  key-file:", "  update-interval: 50ms\n  standby-timeout: 100ms\n"
                + "  listen-timeout: 100ms\n  link-failure-time: 100ms\n  key-file:");
        HighAvailabilitySettings ha = ConfigLoader.load(yaml, FILE, "host-1").highAvailability().orElseThrow();

        assertEquals(Duration.ofMillis(100), ha.standbyTimeout());
        assertEquals(Duration.ofMillis(100), ha.listenTimeout());
        assertEquals(Duration.ofMillis(100), ha.linkFailureTime());
    }

    @Test
    void peerNamedLikeTheHostNameIsReportedAsTheHostName() {
        String yaml = MINIMAL_HA.replace("router: { id: baton-1 }\n", "");
        ConfigException thrown = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(yaml, FILE, "baton-2"));

        assertEquals("t.yaml:13:13: high-availability.peers[0].name: 'baton-2' is this router's own id (the host name); "
                + "a peer is another router", thrown.getMessage());
    }
}
