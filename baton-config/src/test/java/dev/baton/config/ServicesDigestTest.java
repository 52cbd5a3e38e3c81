package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link BatonConfig#servicesDigest()}: what two peers must agree on to replicate tables, and nothing else. */
class ServicesDigestTest {

    private static final String BASE = """
            router: { id: r1, workers: 2 }
            interfaces:
              - { name: eth0, role: both, address: 192.0.2.2/24 }
            table:
              timeouts: { tcp-syn: 5s }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80, "8000-8010"]
                scheduler: wlc
                persistence: 300s
                servers:
                  - { address: 192.0.2.11, weight: 3 }
                  - { address: 192.0.2.12 }
            """;

    /** {@link #BASE}'s canonical text, spelt out by hand. */
    private static final String BASE_TEXT = """
            baton-services-digest v1
            router.workers=2
            table.timeouts.tcp-syn-ns=5000000000
            table.timeouts.tcp-established-ns=900000000000
            table.timeouts.tcp-closing-ns=120000000000
            table.timeouts.tcp-closed-ns=10000000000
            table.timeouts.udp-ns=300000000000
            service=3:web
             vip=192.0.2.10
             protocol=tcp
             ports=80,8000-8010
             scheduler=wlc
             persistence-ns=300000000000
             server=192.0.2.11 weight=3
             server=192.0.2.12 weight=1
            """;

    /** The first 8 bytes of SHA-256 over {@link #BASE_TEXT}, from {@code sha256sum}: pins the digest across runs and JDKs. */
    private static final long BASE_DIGEST = 0x25084e1ac52f8931L;

    @Test
    void digestIsTheFirstEightBytesOfSha256OverACanonicalText() throws ConfigException {
        BatonConfig config = load(BASE);

        assertEquals(BASE_TEXT, config.servicesDigestText());
        assertEquals(BASE_DIGEST, config.servicesDigest());
    }

    @Test
    void digestIgnoresWhatPeersMayRightlyDiffer() throws ConfigException {
        String peer = BASE.replace("id: r1", "id: r2, control-socket: /run/other.sock")
                .replace("name: eth0, role: both, address: 192.0.2.2/24", "name: veth7, role: both, address: 192.0.2.3/25")
                .replace("table:\n", "table:\n  capacity: 5000\n")
                .replace("    persistence: 300s\n", "    persistence: 300s\n    role: primary\n    priority: 7\n    failback: manual\n")
                + """
                high-availability:
                  router-number: 2
                  key-file: /etc/baton/other.key
                  peers: [{ name: r1, router-number: 1, links: [{ local: 203.0.113.2, peer: 203.0.113.1 }] }]
                """;
        BatonConfig mine = load(BASE);
        BatonConfig theirs = load(peer);

        assertNotEquals(mine.interfaces(), theirs.interfaces());
        assertNotEquals(mine.services(), theirs.services());
        assertEquals(mine.servicesDigest(), theirs.servicesDigest());
    }

    static Stream<Arguments> replicatedChanges() {
        return Stream.of(
                Arguments.of("a server weight", "{ address: 192.0.2.11, weight: 3 }", "{ address: 192.0.2.11, weight: 4 }"),
                Arguments.of("a server address", "{ address: 192.0.2.12 }", "{ address: 192.0.2.13 }"),
                Arguments.of("the server order", "      - { address: 192.0.2.11, weight: 3 }\n      - { address: 192.0.2.12 }\n",
                        "      - { address: 192.0.2.12 }\n      - { address: 192.0.2.11, weight: 3 }\n"),
                Arguments.of("a port", "ports: [80,", "ports: [81,"),
                Arguments.of("the protocol", "    scheduler: wlc", "    protocol: udp\n    scheduler: wlc"),
                Arguments.of("the scheduler", "scheduler: wlc", "scheduler: wrr"),
                Arguments.of("the persistence", "persistence: 300s", "persistence: 301s"),
                Arguments.of("the VIP", "vip: 192.0.2.10", "vip: 192.0.2.20"),
                Arguments.of("the service name", "name: web", "name: www"),
                Arguments.of("the workers", "workers: 2", "workers: 1"),
                Arguments.of("a table timeout", "tcp-syn: 5s", "tcp-syn: 5s, udp: 1m"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replicatedChanges")
    void digestChangesWithEveryReplicatedValue(String what, String original, String replacement) throws ConfigException {
        assertEquals(1, BASE.split(java.util.regex.Pattern.quote(original), -1).length - 1, "'" + original + "' must occur once");

        assertNotEquals(load(BASE).servicesDigest(), load(BASE.replace(original, replacement)).servicesDigest(), what);
    }

    @Test
    void serviceOrderCounts() throws ConfigException {
        String web = BASE.substring(BASE.indexOf("  - name: web"));
        String dns = """
                  - name: dns
                    vip: 192.0.2.10
                    protocol: udp
                    ports: [53]
                    servers: [{ address: 192.0.2.11 }]
                """;
        String head = BASE.substring(0, BASE.indexOf("  - name: web"));

        assertNotEquals(load(head + web + dns).servicesDigest(), load(head + dns + web).servicesDigest());
    }

    private static BatonConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(yaml, Path.of("t.yaml"), "host-1");
    }
}
