package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.codec.Ipv4;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Health checks, alternate addresses, fallback servers and the reachability set (RM 230): what a valid file
 * gives, and each rule as a row (a change to {@link #VALID} and the exact messages).
 */
class ReachabilityConfigTest {

    static final String VALID = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                health-check: { type: http, path: /health, expect-status: 204, expect-body: ok, interval: 1s, timeout: 400ms, rise: 3, fall: 2 }
                on-server-down: drop
                servers:
                  - { address: 198.51.100.11, alternates: [198.51.100.111, 198.51.100.112] }
                  - { address: 198.51.100.12, alternates: 198.51.100.121 }
                fallback:
                  - { address: 198.51.100.99 }
              - name: mail
                vip: 192.0.2.11
                ports: [25]
                health-check: { type: tcp }
                servers:
                  - { address: 198.51.100.31 }
            reachability:
              compare: required
              min-improvement: 2
              hold: 5s
              report-interval: 500ms
              targets:
                - { name: upstream-615, address: 192.0.2.1, probe: arp, required: true, weight: 10 }
                - { name: far-host, address: 203.0.113.7, probe: tcp, port: 443, interval: 2s, timeout: 1s }
                - { name: web-servers, service: web, min-up: 2 }
                - { name: mail-servers, service: mail }
            """;

    private static final Path FILE = Path.of("t.yaml");

    @Test
    void aValidFileGivesEveryValue() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, "host-1");
        ServiceConfig web = config.services().getFirst();
        assertEquals(new HealthCheckSettings(HealthCheckSettings.Kind.HTTP, 0, "/health", null, 204, "ok", Duration.ofSeconds(1),
                Duration.ofMillis(400), 3, 2), web.healthCheck());
        assertEquals(80, web.healthCheck().portFor(web), "the service's first port when none is given");
        assertEquals(ServiceConfig.OnServerDown.DROP, web.onServerDown());
        assertEquals(List.of(Ipv4.parse("198.51.100.111"), Ipv4.parse("198.51.100.112")), web.servers().get(0).alternates());
        assertEquals(List.of(Ipv4.parse("198.51.100.121")), web.servers().get(1).alternates(), "one alternate without brackets");
        assertEquals(List.of(new ServiceConfig.ServerConfig(Ipv4.parse("198.51.100.99"), 1)), web.fallback());
        ServiceConfig mail = config.services().get(1);
        assertEquals(new HealthCheckSettings(HealthCheckSettings.Kind.TCP, 0, "/", null, 200, null, ConfigDefaults.HEALTH_CHECK_INTERVAL,
                ConfigDefaults.HEALTH_CHECK_TIMEOUT, 2, 3), mail.healthCheck());
        assertEquals(ServiceConfig.OnServerDown.KEEP, mail.onServerDown());

        ReachabilitySettings reachability = config.reachability().orElseThrow();
        assertEquals(ReachabilitySettings.Compare.REQUIRED, reachability.compare());
        assertEquals(2, reachability.minImprovement());
        assertEquals(Duration.ofSeconds(5), reachability.hold());
        assertEquals(Duration.ofMillis(500), reachability.reportInterval());
        assertEquals(List.of(
                new ReachabilitySettings.Target("upstream-615", ReachabilitySettings.Probe.ARP, Ipv4.parse("192.0.2.1"), 0, null, 0,
                        Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3, 10, true),
                new ReachabilitySettings.Target("far-host", ReachabilitySettings.Probe.TCP, Ipv4.parse("203.0.113.7"), 443, null, 0,
                        Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 1, false),
                new ReachabilitySettings.Target("web-servers", ReachabilitySettings.Probe.SERVICE, 0, 0, "web", 2,
                        Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3, 1, false),
                new ReachabilitySettings.Target("mail-servers", ReachabilitySettings.Probe.SERVICE, 0, 0, "mail", 1,
                        Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3, 1, false)), reachability.targets());
    }

    @Test
    void withoutTheKeysNothingIsCheckedAndNothingIsReached() throws ConfigException {
        BatonConfig config = ConfigLoader.load(ConfigLoaderRejectionTest.VALID, FILE, "host-1");
        assertTrue(config.reachability().isEmpty());
        for (ServiceConfig service : config.services()) {
            assertEquals(HealthCheckSettings.NONE, service.healthCheck());
            assertEquals(List.of(), service.fallback());
        }
    }

    @Test
    void fallbackServersJoinTheServicesDigestButChecksAndTheSetDoNot() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, "host-1");
        BatonConfig otherChecks = ConfigLoader.load(VALID.replace("rise: 3, fall: 2", "rise: 1, fall: 1")
                .replace("    - { name: far-host, address: 203.0.113.7, probe: tcp, port: 443, interval: 2s, timeout: 1s }\n", "")
                .replace("198.51.100.111, ", ""), FILE, "host-1");
        assertEquals(config.servicesDigest(), otherChecks.servicesDigest(), "each router checks and reaches for itself (FIG. 6)");
        BatonConfig otherFallback = ConfigLoader.load(VALID.replace("198.51.100.99", "198.51.100.98"), FILE, "host-1");
        assertTrue(config.servicesDigest() != otherFallback.servicesDigest(), "fallback servers are indexed like servers");
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                row("health check without a type", "health-check: { type: http, path: /health,", "health-check: { path: /health,",
                        "t.yaml:9:19: services[0].health-check.type: is missing; for example: type: http"),
                row("unknown health check type", "health-check: { type: tcp }", "health-check: { type: tpc }",
                        "t.yaml:19:27: services[1].health-check.type: 'tpc' is not one of none, tcp, http, https; did you mean 'tcp'?;"
                                + " for example: type: http"),
                row("timeout not below the interval", "interval: 1s, timeout: 400ms", "interval: 1s, timeout: 1s",
                        "t.yaml:9:108: services[0].health-check.timeout: 1s must be below interval (1s): a probe must end before"
                                + " the next one starts; for example: timeout: 500ms"),
                row("an HTTP key on a TCP check", "health-check: { type: tcp }", "health-check: { type: tcp, path: /x }",
                        "t.yaml:19:38: services[1].health-check.path: applies only to type http or https (this check is tcp);"
                                + " for example: type: http"),
                row("an HTTP path with a space", "path: /health,", "path: /he alth,",
                        "t.yaml:9:39: services[0].health-check.path: '/he alth' is not an HTTP path (starts with '/', printable"
                                + " ASCII, no spaces, at most 1024 characters); for example: path: /health"),
                row("an expected status that is none", "expect-status: 204", "expect-status: 99",
                        "t.yaml:9:63: services[0].health-check.expect-status: 99 is out of range (100..599);"
                                + " for example: expect-status: 200"),
                row("on-server-down misspelt", "on-server-down: drop", "on-server-down: dorp",
                        "t.yaml:10:21: services[0].on-server-down: 'dorp' is not one of keep, drop; did you mean 'drop'?;"
                                + " for example: on-server-down: keep"),
                row("an alternate that is another server", "198.51.100.111, 198.51.100.112", "198.51.100.12",
                        "t.yaml:12:48: services[0].servers[0].alternates[0]: 198.51.100.12 is the address of services[0].servers[1]"
                                + " (line 13); an alternate is another address of the same host"),
                row("an alternate off the server segments", "alternates: 198.51.100.121", "alternates: 203.0.113.121",
                        "t.yaml:13:47: services[0].servers[1].alternates: 203.0.113.121 is not on any server-facing subnet"
                                + " (198.51.100.0/24 on eth1); Baton reaches servers only on an attached segment;"
                                + " for example: address: 198.51.100.11"),
                row("a fallback server that is a server", "- { address: 198.51.100.99 }", "- { address: 198.51.100.12 }",
                        "t.yaml:15:20: services[0].fallback[0].address: 198.51.100.12 is listed twice in this service (first at line 13)"),
                row("unknown compare function", "compare: required", "compare: best",
                        "t.yaml:23:12: reachability.compare: 'best' is not one of count, weighted, required;"
                                + " for example: compare: required"),
                row("no targets", "  targets:\n", "  targets: []\n  old-targets:\n",
                        "t.yaml:27:12: reachability.targets: needs at least one target; for example: targets: [{ name: upstream,"
                                + " address: 192.0.2.1, probe: arp }]",
                        "t.yaml:28:3: reachability: unknown key 'old-targets' (known here: compare, min-improvement, hold,"
                                + " report-interval, targets)"),
                row("an element name too long for the report", "name: far-host,", "name: a-far-host-behind-the-upstream,",
                        "t.yaml:29:15: reachability.targets[1].name: 'a-far-host-behind-the-upstream' is not a valid element name"
                                + " (1..24 letters, digits, '.', '_', ':' or '-'); for example: name: upstream"),
                row("two elements with one name", "name: mail-servers", "name: web-servers",
                        "t.yaml:31:15: reachability.targets[3].name: 'web-servers' is already the name of reachability.targets[2]"
                                + " (line 30); for example: name: web-servers-2"),
                row("neither address nor service", "{ name: far-host, address: 203.0.113.7,", "{ name: far-host,",
                        "t.yaml:29:7: reachability.targets[1]: needs address (a host to probe), subnet (hosts of a subnet) or service (a service's servers,"
                                + " by their health checks); for example: address: 192.0.2.1"),
                row("a TCP probe without a port", "probe: tcp, port: 443,", "probe: tcp,",
                        "t.yaml:29:7: reachability.targets[1].port: is missing; a tcp probe connects to a port; for example: port: 80"),
                row("ARP beyond the segments", "address: 192.0.2.1, probe: arp", "address: 203.0.113.1, probe: arp",
                        "t.yaml:28:38: reachability.targets[0].address: 203.0.113.1 is on no attached subnet; ARP reaches only"
                                + " hosts on the router's own segments (use probe icmp or tcp for a host further away);"
                                + " for example: probe: icmp"),
                row("a service that does not exist", "service: mail }", "service: mial }",
                        "t.yaml:31:38: reachability.targets[3].service: 'mial' is not the name of a service (web, mail);"
                                + " did you mean 'mail'?; for example: service: web"),
                row("a service element of a service without checks", "    health-check: { type: tcp }\n", "",
                        "t.yaml:30:38: reachability.targets[3].service: service 'mail' has no health-check; a service element is"
                                + " reachable while its servers pass their checks; for example: health-check: { type: tcp }"),
                row("min-up above the servers", "min-up: 2", "min-up: 4",
                        "t.yaml:30:50: reachability.targets[2].min-up: 4 is more than the 2 servers of service 'web';"
                                + " for example: min-up: 1"),
                row("required not a boolean", "required: true", "required: yes",
                        "t.yaml:28:71: reachability.targets[0].required: 'yes' is not true or false; for example: required: true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithExactMessage(String name, String yaml, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "host-1"));
        assertEquals(expected, thrown.getMessage());
    }

    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(VALID, name, original, replacement, expected);
    }
}
