package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path FILE = Path.of("t.yaml");

    /** Only what has no default. */
    private static final String MINIMAL = """
            interfaces:
              - { name: eth0, role: both, address: 192.0.2.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                servers:
                  - { address: 192.0.2.11 }
            """;

    @Test
    void leftOutKeysTakeTheDocumentedDefaults() throws ConfigException {
        BatonConfig config = ConfigLoader.load(MINIMAL, FILE, "lb-7");

        assertEquals(FILE, config.source());
        assertEquals("lb-7", config.router().id());
        assertEquals(Path.of("/run/baton/lb-7.sock"), config.router().controlSocket());
        assertEquals(1, config.router().workers());
        assertEquals(new RingSettings(1 << 20, 16, 2, 65_664, 256), config.router().ring());
        assertEquals(new TableSettings(1_000_000, Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofMinutes(2),
                Duration.ofSeconds(10), Duration.ofMinutes(5)), config.table());
        assertEquals(new NeighbourSettings(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(90)), config.neighbours());
        ServiceConfig web = config.services().getFirst();
        assertEquals(ServiceConfig.Protocol.TCP, web.protocol());
        assertEquals(ServiceConfig.SchedulerKind.WRR, web.scheduler());
        assertEquals(Duration.ZERO, web.persistence());
        assertFalse(web.persistent());
        assertEquals(List.of(new ServiceConfig.ServerConfig(Ipv4.parse("192.0.2.11"), 1)), web.servers());
    }

    @Test
    void defaultsMatchConfigDefaults() throws ConfigException {
        BatonConfig config = ConfigLoader.load(MINIMAL, FILE, "lb-7");

        assertEquals(ConfigDefaults.RING, config.router().ring());
        assertEquals(ConfigDefaults.TABLE, config.table());
        assertEquals(ConfigDefaults.NEIGHBOURS, config.neighbours());
        assertEquals(ConfigDefaults.controlSocketFor("lb-7"), config.router().controlSocket());
        assertEquals(RouterSettings.Datapath.XDP, config.router().datapath());
        assertEquals(RouterSettings.XdpMode.AUTO, config.router().xdpMode());
    }

    @Test
    void everyKeyIsReadWhenGiven() throws ConfigException {
        String yaml = """
                router:
                  id: edge.2
                  control-socket: /tmp/baton-test/edge.sock
                  workers: 4
                  datapath: af-packet
                  xdp-mode: Native
                  ring: { block-size: 256KiB, block-count: 64, block-timeout: 10ms, tx-frame-size: 2048, tx-frame-count: 1024 }
                interfaces:
                  - name: veth-c
                    role: CLIENT
                    address: 203.0.113.2/24
                  - name: veth-s
                    role: Server
                    address: 198.51.100.2/25
                table:
                  capacity: 5000
                  timeouts: { tcp-syn: 5s, tcp-established: 2h, tcp-closing: 30s, tcp-closed: 2s, udp: 45s }
                neighbours: { refresh: 10s, retry: 250ms, stale-after: 1m }
                services:
                  - name: game
                    vip: 203.0.113.50
                    protocol: UDP
                    ports: "27000-27015"
                    scheduler: WLC
                    persistence: 1h
                    servers:
                      - { address: 198.51.100.100, weight: "0" }
                      - address: 198.51.100.101
                        weight: 1000
                """;
        BatonConfig config = ConfigLoader.load(yaml, FILE, "ignored");

        assertEquals(new RouterSettings("edge.2", Path.of("/tmp/baton-test/edge.sock"), 4,
                new RingSettings(256 * 1024, 64, 10, 2048, 1024), RouterSettings.Datapath.AF_PACKET,
                RouterSettings.XdpMode.NATIVE), config.router());
        assertEquals(List.of(
                new InterfaceConfig("veth-c", InterfaceConfig.InterfaceRole.CLIENT, new Ipv4Prefix(Ipv4.parse("203.0.113.2"), 24)),
                new InterfaceConfig("veth-s", InterfaceConfig.InterfaceRole.SERVER, new Ipv4Prefix(Ipv4.parse("198.51.100.2"), 25))),
                config.interfaces());
        assertEquals(new TableSettings(5000, Duration.ofSeconds(5), Duration.ofHours(2), Duration.ofSeconds(30),
                Duration.ofSeconds(2), Duration.ofSeconds(45)), config.table());
        assertEquals(new NeighbourSettings(Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMinutes(1)), config.neighbours());
        assertEquals(List.of(new ServiceConfig("game", Ipv4.parse("203.0.113.50"), ServiceConfig.Protocol.UDP,
                List.of(new ServiceConfig.PortRange(27000, 27015)), ServiceConfig.SchedulerKind.WLC, Duration.ofHours(1),
                List.of(new ServiceConfig.ServerConfig(Ipv4.parse("198.51.100.100"), 0),
                        new ServiceConfig.ServerConfig(Ipv4.parse("198.51.100.101"), 1000)))), config.services());
    }

    @Test
    void everyIndependentProblemIsReportedInOnePassInFileOrder() {
        String yaml = """
                router:
                  workers: 0
                  ring: { block-size: 3000 }
                interfaces:
                  - { name: eth0, role: both, address: 192.0.2.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80, 80]
                    servers:
                      - { address: 192.0.2.11, weight: 5000 }
                      - { adress: 192.0.2.12 }
                  - name: web
                    vip: 192.0.2.2
                    protocol: sctp
                    ports: [443]
                    servers:
                      - { address: 203.0.113.9 }
                """;
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "lb-7"));

        assertEquals(List.of(
                "t.yaml:2:12: router.workers: 0 is out of range (1..64); for example: workers: 2",
                "t.yaml:3:23: router.ring.block-size: 3000 is out of range (4KiB..64MiB); for example: block-size: 1MiB",
                "t.yaml:9:17: services[0].ports[1]: port 80 is listed twice (first at line 9)",
                "t.yaml:11:40: services[0].servers[0].weight: 5000 is out of range (0..1000); for example: weight: 10",
                "t.yaml:12:9: services[0].servers[1].address: is missing; for example: address: 198.51.100.11",
                "t.yaml:12:11: services[0].servers[1]: unknown key 'adress'; did you mean 'address'?; "
                        + "for example: address: 198.51.100.11",
                "t.yaml:13:11: services[1].name: 'web' is already the name of services[0] (line 7)",
                "t.yaml:14:10: services[1].vip: 192.0.2.2 is the address of interface eth0; a VIP must be an address of its own",
                "t.yaml:15:15: services[1].protocol: 'sctp' is not one of tcp, udp; did you mean 'tcp'?; for example: protocol: tcp",
                "t.yaml:18:20: services[1].servers[0].address: 203.0.113.9 is not on any server-facing subnet "
                        + "(192.0.2.0/24 on eth0); Baton reaches servers only on an attached segment; "
                        + "for example: address: 192.0.2.11"),
                thrown.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void problemsCarryTheirPartsSeparately() {
        String yaml = MINIMAL.replace("- { address: 192.0.2.11 }", "- { address: 192.0.2.11, weight: 5000 }");
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, Path.of("examples/bad.yaml"), "lb-7"));

        assertEquals(List.of(new ConfigProblem(Path.of("examples/bad.yaml"), 8, 40, "services[0].servers[0].weight",
                "5000 is out of range (0..1000)", "weight: 10")), thrown.problems());
        assertEquals("examples/bad.yaml:8:40: services[0].servers[0].weight: 5000 is out of range (0..1000); for example: weight: 10",
                thrown.getMessage());
    }

    @Test
    void misspeltKeysSuggestTheClosestKeyAtTheirLevel() {
        String yaml = MINIMAL.replace("    vip: 192.0.2.10", "    vpi: 192.0.2.10") + "rooter: { workers: 2 }\n";
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "lb-7"));

        assertEquals(List.of(
                "t.yaml:4:5: services[0].vip: is missing; for example: vip: 192.0.2.10",
                "t.yaml:5:5: services[0]: unknown key 'vpi'; did you mean 'vip'?; for example: vip: 192.0.2.10",
                "t.yaml:9:1: unknown key 'rooter'; did you mean 'router'?; for example: router: { id: baton-1, workers: 1 }"),
                thrown.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void keysInAnotherCaseOrStyleAreSuggestedTheirKebabCaseForm() {
        String yaml = MINIMAL + "router: { controlSocket: /run/b.sock, ring: { block_size: 1MiB } }\n";
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "lb-7"));

        assertEquals(List.of(
                "t.yaml:9:11: router: unknown key 'controlSocket'; did you mean 'control-socket'?; "
                        + "for example: control-socket: /run/baton/baton-1.sock",
                "t.yaml:9:47: router.ring: unknown key 'block_size'; did you mean 'block-size'?; for example: block-size: 1MiB"),
                thrown.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void wordsAreCaseInsensitiveAndASinglePortNeedsNoBrackets() throws ConfigException {
        String yaml = MINIMAL.replace("role: both", "role: BoTh").replace("    ports: [80]", "    ports: 8080\n    protocol: Udp");
        BatonConfig config = ConfigLoader.load(yaml, FILE, "lb-7");

        assertEquals(InterfaceConfig.InterfaceRole.BOTH, config.interfaces().getFirst().role());
        assertEquals(ServiceConfig.Protocol.UDP, config.services().getFirst().protocol());
        assertEquals(List.of(new ServiceConfig.PortRange(8080, 8080)), config.services().getFirst().ports());
    }

    @Test
    void samePortOnTheSameVipIsFineForDifferentProtocolsOrDifferentVips() throws ConfigException {
        String yaml = MINIMAL + """
                  - name: web-udp
                    vip: 192.0.2.10
                    protocol: udp
                    ports: [80]
                    servers: [{ address: 192.0.2.11 }]
                  - name: web-2
                    vip: 192.0.2.20
                    ports: [80]
                    servers: [{ address: 192.0.2.11 }]
                """;
        BatonConfig config = ConfigLoader.load(yaml, FILE, "lb-7");

        assertEquals(List.of("web", "web-udp", "web-2"), config.services().stream().map(ServiceConfig::name).toList());
    }

    @Test
    void vipOutsideEveryAttachedSubnetIsAcceptedBecauseItMayBeRoutedToTheRouter() throws ConfigException {
        BatonConfig config = ConfigLoader.load(MINIMAL.replace("vip: 192.0.2.10", "vip: 203.0.113.10"), FILE, "lb-7");

        assertEquals(Ipv4.parse("203.0.113.10"), config.services().getFirst().vip());
    }

    @Test
    void hostNameThatCannotBeAnIdIsReportedWhenNoIdIsGiven() {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(MINIMAL, FILE, "my host!"));

        assertEquals("t.yaml:1:1: router.id: is not set, and the host name cannot be used instead: 'my host!' is not a valid "
                + "id (1..63 letters, digits, '.', '_' or '-', starting with a letter or digit); for example: id: baton-1",
                thrown.getMessage());
    }

    @Test
    void hostNameIsNotNeededWhenAnIdIsGiven() throws ConfigException {
        BatonConfig config = ConfigLoader.load("router: { id: r1 }\n" + MINIMAL, FILE, "my host!");

        assertEquals("r1", config.router().id());
        assertEquals(Path.of("/run/baton/r1.sock"), config.router().controlSocket());
    }

    @Test
    void localHostnameIsNeverBlank() {
        assertFalse(ConfigLoader.localHostname().isBlank());
    }

    @Test
    void fileIsReadAndNamedInTheConfiguration(@TempDir Path directory) throws IOException, ConfigException {
        Path file = directory.resolve("baton.yaml");
        Files.writeString(file, "router: { id: r1 }\n" + MINIMAL);

        assertEquals(file, ConfigLoader.load(file).source());
    }

    @Test
    void missingFileIsOneProblemWithoutLine(@TempDir Path directory) {
        Path file = directory.resolve("absent.yaml");
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(List.of(new ConfigProblem(file, 0, 0, "", "does not exist", "")), thrown.problems());
        assertEquals(file + ": does not exist", thrown.getMessage());
    }

    @Test
    void fileThatIsNotUtf8IsRejected(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("latin1.yaml");
        Files.write(file, new byte[] {'i', 'd', ':', ' ', (byte) 0xE9, '\n'});
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        assertEquals(file + ": is not valid UTF-8 text", thrown.getMessage());
    }

    @Test
    void problemLeavesOutTheEmptyParts() {
        assertEquals("a.yaml:3:7: message", new ConfigProblem(Path.of("a.yaml"), 3, 7, "", "message", "").toString());
        assertEquals("a.yaml:3:7: x.y: message", new ConfigProblem(Path.of("a.yaml"), 3, 7, "x.y", "message", null).toString());
        assertEquals("a.yaml: message; for example: k: v", new ConfigProblem(Path.of("a.yaml"), 0, 0, "", "message", "k: v").toString());
    }

    @Test
    void exceptionNeedsAtLeastOneProblem() {
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }

    @Test
    void loadedConfigurationFindsTheInterfaceOfEachServer() throws ConfigException {
        String yaml = """
                interfaces:
                  - { name: eth0, role: client, address: 192.0.2.2/24 }
                  - { name: eth1, role: server, address: 198.51.100.2/24 }
                  - { name: eth2, role: server, address: 203.0.113.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                    servers: [{ address: 198.51.100.11 }, { address: 203.0.113.11 }]
                """;
        BatonConfig config = ConfigLoader.load(yaml, FILE, "lb-7");

        assertEquals(List.of("eth0"), config.clientInterfaces().stream().map(InterfaceConfig::name).toList());
        assertEquals(List.of("eth1", "eth2"), config.serverInterfaces().stream().map(InterfaceConfig::name).toList());
        for (ServiceConfig.ServerConfig server : config.services().getFirst().servers()) {
            assertTrue(config.serverInterfaceFor(server.address()).orElseThrow().address().contains(server.address()));
        }
        assertEquals("eth2", config.serverInterfaceFor(Ipv4.parse("203.0.113.11")).orElseThrow().name());
        assertTrue(config.serverInterfaceFor(Ipv4.parse("192.0.2.11")).isEmpty());
        assertEquals("web", config.service("web").orElseThrow().name());
        assertTrue(config.service("mail").isEmpty());
    }
}
