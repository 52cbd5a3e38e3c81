package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code type: https} health checks: what a valid file gives (the HTTP keys with the same defaults, {@code tls-verify}
 * off), and each rule as a row (a change to {@link #VALID} and the exact messages, file:line:column and key).
 */
class HttpsHealthCheckConfigTest {

    static final String VALID = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [443, 8443]
                health-check: { type: https }
                servers: [ { address: 198.51.100.11 } ]
              - name: api
                vip: 192.0.2.11
                ports: [443]
                health-check: { type: https, port: 8443, path: /health, host: api.example, expect-status: 204, expect-body: ok, tls-verify: true, interval: 1s, timeout: 400ms, rise: 3, fall: 2 }
                servers: [ { address: 198.51.100.12 } ]
              - name: plain
                vip: 192.0.2.12
                ports: [80]
                health-check: { type: http, path: /health }
                servers: [ { address: 198.51.100.13 } ]
            """;

    private static final Path FILE = Path.of("t.yaml");

    @Test
    void anHttpsCheckTakesTheHttpDefaultsAndVerifiesNothingByDefault() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, "host-1");
        ServiceConfig web = config.services().getFirst();
        assertEquals(new HealthCheckSettings(HealthCheckSettings.Kind.HTTPS, 0, "/", null, 200, null,
                ConfigDefaults.HEALTH_CHECK_INTERVAL, ConfigDefaults.HEALTH_CHECK_TIMEOUT, 2, 3, false), web.healthCheck());
        assertEquals(443, web.healthCheck().portFor(web), "the service's first port, as for http");
        assertEquals(true, web.healthCheck().enabled());
        assertEquals(true, web.healthCheck().kind().http(), "path, host and expectations apply");
    }

    @Test
    void everyKeyOfAnHttpsCheckIsRead() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, "host-1");
        ServiceConfig api = config.services().get(1);
        assertEquals(new HealthCheckSettings(HealthCheckSettings.Kind.HTTPS, 8443, "/health", "api.example", 204, "ok",
                Duration.ofSeconds(1), Duration.ofMillis(400), 3, 2, true), api.healthCheck());
        assertEquals(8443, api.healthCheck().portFor(api));
        assertEquals(false, config.services().get(2).healthCheck().tlsVerify(), "plain http verifies nothing");
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                row("a misspelt https", "health-check: { type: https }", "health-check: { type: htps }",
                        "t.yaml:9:27: services[0].health-check.type: 'htps' is not one of none, tcp, http, https;"
                                + " did you mean 'https'?; for example: type: http"),
                row("tls-verify on a plain http check", "{ type: http, path: /health }",
                        "{ type: http, path: /health, tls-verify: true }",
                        "t.yaml:19:60: services[2].health-check.tls-verify: applies only to type https (this check is http);"
                                + " for example: type: https"),
                row("tls-verify on a tcp check", "health-check: { type: https }", "health-check: { type: tcp, tls-verify: false }",
                        "t.yaml:9:44: services[0].health-check.tls-verify: applies only to type https (this check is tcp);"
                                + " for example: type: https"),
                row("tls-verify not a boolean", "tls-verify: true", "tls-verify: yes",
                        "t.yaml:14:129: services[1].health-check.tls-verify: 'yes' is not true or false;"
                                + " for example: tls-verify: true"),
                row("an HTTP key on a tcp check", "health-check: { type: https }", "health-check: { type: tcp, host: web.example }",
                        "t.yaml:9:38: services[0].health-check.host: applies only to type http or https (this check is tcp);"
                                + " for example: type: http"),
                row("an HTTPS path with a space", "path: /health, host", "path: /he alth, host",
                        "t.yaml:14:52: services[1].health-check.path: '/he alth' is not an HTTP path (starts with '/', printable"
                                + " ASCII, no spaces, at most 1024 characters); for example: path: /health"),
                row("a Host longer than a DNS name can be", "host: api.example", "host: " + "h".repeat(256),
                        "t.yaml:14:67: services[1].health-check.host: '" + "h".repeat(40) + "… (256 characters)' is not a host"
                                + " name for the Host header (printable ASCII, no spaces, at most 255 characters); for example:"
                                + " host: www.example.com"),
                row("a port on no check", "health-check: { type: https }", "health-check: { type: none, port: 8443 }",
                        "t.yaml:9:39: services[0].health-check.port: applies only to type tcp, http or https (this check is"
                                + " none); for example: type: tcp"));
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
