package dev.baton.probe;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the constructors refuse, and that each refusal says what is wrong. */
class ProbeSpecTest {

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final InetAddress SERVER = ip("198.51.100.20");
    static final InetAddress SOURCE = ip("198.51.100.1");
    static final ProbeTarget TCP = new ProbeTarget.Tcp(SERVER, 80, SOURCE);

    static List<Arguments> refused() {
        return List.<Arguments>of(
                Arguments.of("port 0", (Supplier<Object>) () -> new ProbeTarget.Tcp(SERVER, 0, SOURCE), "port must be within 1..65535"),
                Arguments.of("port 65536", (Supplier<Object>) () -> new ProbeTarget.Tcp(SERVER, 65_536, SOURCE), "port must be within"),
                Arguments.of("wildcard source", (Supplier<Object>) () -> new ProbeTarget.Tcp(SERVER, 80, ip("0.0.0.0")), "own unicast"),
                Arguments.of("multicast target", (Supplier<Object>) () -> new ProbeTarget.Tcp(ip("224.0.0.1"), 80, SOURCE), "not a unicast"),
                Arguments.of("broadcast target", (Supplier<Object>) () -> new ProbeTarget.IcmpEcho(ip("255.255.255.255"), SOURCE), "not a unicast"),
                Arguments.of("mixed families", (Supplier<Object>) () -> new ProbeTarget.Tcp(ip("2001:db8::1"), 80, SOURCE), "different address families"),
                Arguments.of("ICMP over IPv6", (Supplier<Object>) () -> new ProbeTarget.IcmpEcho(ip("2001:db8::1"), ip("2001:db8::2")), "IPv4 only"),
                Arguments.of("path without /", (Supplier<Object>) () -> http("health", "web", 200, null), "must start with '/'"),
                Arguments.of("path with a space", (Supplier<Object>) () -> http("/a b", "web", 200, null), "visible ASCII"),
                Arguments.of("path with CRLF", (Supplier<Object>) () -> http("/a\r\nX: y", "web", 200, null), "visible ASCII"),
                Arguments.of("host with CRLF", (Supplier<Object>) () -> http("/", "web\r\nX: y", 200, null), "HTTP host"),
                Arguments.of("empty host", (Supplier<Object>) () -> http("/", "", 200, null), "HTTP host"),
                Arguments.of("status 99", (Supplier<Object>) () -> http("/", "web", 99, null), "100..599"),
                Arguments.of("status 600", (Supplier<Object>) () -> http("/", "web", 600, null), "100..599"),
                Arguments.of("empty body substring", (Supplier<Object>) () -> http("/", "web", 200, ""), "body substring"),
                Arguments.of("long body substring", (Supplier<Object>) () -> http("/", "web", 200, "x".repeat(257)), "body substring"),
                Arguments.of("interface with /", (Supplier<Object>) () -> new ProbeTarget.Arp(SERVER, "eth/0", SOURCE), "not an interface name"),
                Arguments.of("interface too long", (Supplier<Object>) () -> new ProbeTarget.Arp(SERVER, "a".repeat(16), SOURCE), "not an interface name"),
                Arguments.of("timeout = interval", (Supplier<Object>) () -> new ProbeSpec("web", TCP, 1_000, 1_000, 2, 3), "shorter than the interval"),
                Arguments.of("timeout 0", (Supplier<Object>) () -> new ProbeSpec("web", TCP, 1_000, 0, 2, 3), "at least 1 ms"),
                Arguments.of("interval too short", (Supplier<Object>) () -> new ProbeSpec("web", TCP, 5, 1, 2, 3), "interval must be within"),
                Arguments.of("rise 0", (Supplier<Object>) () -> new ProbeSpec("web", TCP, 1_000, 500, 0, 3), "rise 0 and fall 3"),
                Arguments.of("fall 101", (Supplier<Object>) () -> new ProbeSpec("web", TCP, 1_000, 500, 2, 101), "must be within 1..100"),
                Arguments.of("blank name", (Supplier<Object>) () -> new ProbeSpec(" ", TCP, 1_000, 500, 2, 3), "probe name"));
    }

    static ProbeTarget.Http http(String path, String host, int status, String body) {
        return new ProbeTarget.Http(SERVER, 80, SOURCE, path, host, status, body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithAMessageSayingWhy(String what, Supplier<Object> build, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(messagePart), what + ": " + e.getMessage());
    }

    @Test
    void acceptsEveryKind() {
        new ProbeSpec("tcp", TCP, 1_000, 500, 2, 3);
        new ProbeSpec("http", http("/health?x=1", "web.example", 204, "ok"), 2_000, 1_999, 1, 1);
        new ProbeSpec("icmp", new ProbeTarget.IcmpEcho(SERVER, SOURCE), 10, 9, 100, 100);
        new ProbeSpec("arp", new ProbeTarget.Arp(SERVER, "eth1", SOURCE), 1_000, 500, 2, 3);
        new ProbeTarget.Tcp(ip("2001:db8::1"), 443, ip("2001:db8::2"));
    }

    @Test
    void theHttpRequestIsHttp10WithHostAndConnectionClose() {
        String request = new String(http("/health", "web.example", 200, null).request(), java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(request.startsWith("GET /health HTTP/1.0\r\nHost: web.example\r\nConnection: close\r\n"), request);
        assertTrue(request.endsWith("\r\n\r\n"));
        assertEquals(1, request.split("\r\n\r\n", -1).length - 1, "one header section end");
    }
}
