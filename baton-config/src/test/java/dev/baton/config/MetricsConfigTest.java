package dev.baton.config;

import static dev.baton.config.RejectionRows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.codec.Ipv4;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code metrics} section (docs/metrics.md): where the Prometheus endpoint listens. Each invalid form is a row: a
 * change to {@link #VALID} and the exact messages it must produce (lines and columns of {@link #VALID} changed).
 */
class MetricsConfigTest {

    static final String VALID = """
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 } ] }
            metrics:
              listen: 192.0.2.2:9477
            """;

    private static final Path FILE = Path.of("t.yaml");

    private static BatonConfig load(String text) throws ConfigException {
        return ConfigLoader.load(text, FILE, "host-1");
    }

    @Test
    void theListenerTakesAnAddressAndAPort() throws ConfigException {
        MetricsSettings metrics = load(VALID).metrics().orElseThrow();
        assertEquals(Ipv4.parse("192.0.2.2"), metrics.address());
        assertEquals(9477, metrics.port());
        assertEquals("192.0.2.2:9477", metrics.listenText());
        assertEquals(new InetSocketAddress("192.0.2.2", 9477), metrics.socketAddress());
    }

    @Test
    void everyAddressAndLoopbackAreAllowedAndAbsentMeansNoListener() throws ConfigException {
        assertEquals(0, load(VALID.replace("192.0.2.2:9477", "0.0.0.0:9477")).metrics().orElseThrow().address());
        assertEquals("127.0.0.1:1", load(VALID.replace("192.0.2.2:9477", "127.0.0.1:1")).metrics().orElseThrow().listenText());
        assertEquals(65_535, load(VALID.replace("192.0.2.2:9477", "\"192.0.2.2:65535\"")).metrics().orElseThrow().port());
        assertTrue(load(VALID.replace("metrics:\n  listen: 192.0.2.2:9477\n", "")).metrics().isEmpty());
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                row(VALID, "no port", "192.0.2.2:9477", "192.0.2.2",
                        "t.yaml:7:11: metrics.listen: '192.0.2.2' has no port (address:port, such as 127.0.0.1:9477); "
                                + "for example: listen: 127.0.0.1:9477"),
                row(VALID, "port zero", "192.0.2.2:9477", "192.0.2.2:0",
                        "t.yaml:7:11: metrics.listen: port 0 is out of range (1..65535); for example: listen: 127.0.0.1:9477"),
                row(VALID, "port above 65535", "192.0.2.2:9477", "192.0.2.2:65536",
                        "t.yaml:7:11: metrics.listen: port 65536 is out of range (1..65535); for example: listen: 127.0.0.1:9477"),
                row(VALID, "port by service name", "192.0.2.2:9477", "192.0.2.2:http",
                        "t.yaml:7:11: metrics.listen: 'http' is not a port (a whole number 1..65535); "
                                + "for example: listen: 127.0.0.1:9477"),
                row(VALID, "host name", "192.0.2.2:9477", "localhost:9477",
                        "t.yaml:7:11: metrics.listen: 'localhost' is not an IPv4 address (it needs four dot-separated parts); "
                                + "for example: listen: 127.0.0.1:9477"),
                row(VALID, "IPv6", "192.0.2.2:9477", "\"[::1]:9477\"",
                        "t.yaml:7:11: metrics.listen: '[::1]:9477' is an IPv6 address; the metrics listener is IPv4 only for now; "
                                + "for example: listen: 127.0.0.1:9477"),
                row(VALID, "multicast", "192.0.2.2:9477", "224.0.0.1:9477",
                        "t.yaml:7:11: metrics.listen: 224.0.0.1 is a multicast address (224.0.0.0/4) and cannot be listened on; "
                                + "for example: listen: 127.0.0.1:9477"),
                row(VALID, "a VIP", "192.0.2.2:9477", "192.0.2.10:9477",
                        "t.yaml:7:11: metrics.listen: 192.0.2.10 is the VIP of service 'web' (line 5); a VIP moves between "
                                + "routers, so the metrics listener needs an address of this router that stays; "
                                + "for example: listen: 192.0.2.2:9477"),
                row(VALID, "listen empty", "192.0.2.2:9477", "",
                        "t.yaml:7:10: metrics.listen: has no value; for example: listen: 127.0.0.1:9477"),
                row(VALID, "listen missing", "  listen: 192.0.2.2:9477\n", "  {}\n",
                        "t.yaml:7:3: metrics.listen: is missing; for example: listen: 127.0.0.1:9477"),
                row(VALID, "listen misspelt", "  listen:", "  listne:",
                        "t.yaml:7:3: metrics: unknown key 'listne'; did you mean 'listen'?; for example: listen: 127.0.0.1:9477",
                        "t.yaml:7:3: metrics.listen: is missing; for example: listen: 127.0.0.1:9477"),
                row(VALID, "section without a value", "metrics:\n  listen: 192.0.2.2:9477\n", "metrics:\n",
                        "t.yaml:6:9: metrics: has no value; for example: metrics: { listen: 127.0.0.1:9477 }"),
                row(VALID, "section not a mapping", "metrics:\n  listen: 192.0.2.2:9477\n", "metrics: 192.0.2.2:9477\n",
                        "t.yaml:6:10: metrics: expected a mapping (key: value), found '192.0.2.2:9477'; "
                                + "for example: metrics: { listen: 127.0.0.1:9477 }"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void eachInvalidFormNamesTheKeyWhatIsWrongAndARightExample(String name, String text, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> load(text));
        assertEquals(expected, thrown.getMessage());
    }
}
