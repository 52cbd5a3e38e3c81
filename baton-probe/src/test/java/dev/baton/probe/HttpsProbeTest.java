package dev.baton.probe;

import java.net.InetAddress;
import java.security.KeyStore;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS checks against real TLS servers in this JVM on loopback (a self-signed certificate made by keytool), and
 * against servers that speak TLS badly or not at all, with a stepped clock: the verdicts and their causes, the server
 * name sent, both protocol versions, certificate verification, and that nothing leaks.
 */
class HttpsProbeTest {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final String OK_HEAD = ProbeEngineTest.OK_HEAD;

    static ProbeSpec https(int port, String host, String body, boolean verify, long intervalMs, long timeoutMs) {
        return new ProbeSpec("web", new ProbeTarget.Https(LOOPBACK, port, LOOPBACK, "/health", host, 200, body, verify),
                intervalMs, timeoutMs, 2, 3);
    }

    /** One probe of {@code spec} by a fresh engine trusting {@code trust} (null: the JDK's); the engine is closed. */
    static ProbeOutcome probeOnce(ProbeSpec spec, KeyStore trust) {
        ProbeEngine engine = new ProbeEngine("probes", 1, 1, trust);
        try {
            int id = engine.add(spec, 0);
            EngineStepper step = new EngineStepper(engine, 0);
            step.at(0);
            assertFalse(engine.inFlight(id), "no verdict within 5 s of real time");
            return new ProbeOutcome(engine.health(id), engine.cause(id));
        } finally {
            engine.onClose();
        }
    }

    record ProbeOutcome(Health health, String cause) {
    }

    static List<Arguments> tlsServers() {
        return List.of(
                Arguments.of("200 with the body", ScriptedHttpServer.replying(OK_HEAD + "status: ok"), "ok", Health.UP,
                        "HTTP 200"),
                Arguments.of("200 without a body check", ScriptedHttpServer.replying(OK_HEAD), null, Health.UP, "HTTP 200"),
                Arguments.of("substring split across records", ScriptedHttpServer.inTwoParts(OK_HEAD + "state=he", "althy"),
                        "healthy", Health.UP, "HTTP 200"),
                Arguments.of("wrong status", ScriptedHttpServer.replying("HTTP/1.1 503 Service Unavailable\r\n\r\n"), null,
                        Health.DOWN, "HTTP 503"),
                Arguments.of("body lacks the substring", ScriptedHttpServer.replying(OK_HEAD + "nope"), "ok", Health.DOWN,
                        "body lacks 'ok'"),
                Arguments.of("headers that never end (10 MB)", ScriptedHttpServer.ENDLESS, null, Health.DOWN,
                        "headers exceed 4096 bytes"),
                Arguments.of("closed at once after the handshake", ScriptedHttpServer.CLOSE, null, Health.DOWN,
                        "closed without a response"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tlsServers")
    void anHttpsCheckJudgesWhatTheServerSendsOverTls(String what, ScriptedHttpServer.Behaviour behaviour, String body,
                                                     Health expected, String cause) throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(behaviour, TestCertificates.serverContext())) {
            ProbeOutcome outcome = probeOnce(https(server.port(), "web.example", body, false, 10_000, 9_000), null);
            assertEquals(cause, outcome.cause());
            assertEquals(expected, outcome.health());
            assertTrue(server.requests.getFirst().startsWith("GET /health HTTP/1.0\r\nHost: web.example\r\n"),
                    server.requests.getFirst());
            assertEquals(List.of("web.example"), server.serverNames.getFirst(), "SNI names the host");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void bothProtocolVersionsPass(String protocol) throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext(), protocol)) {
            ProbeOutcome outcome = probeOnce(https(server.port(), "web.example", "ok", false, 10_000, 9_000), null);
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"), outcome);
            assertEquals(List.of(protocol), server.protocols);
        }
    }

    @Test
    void anAddressAsHostSendsNoServerName() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext())) {
            ProbeOutcome outcome = probeOnce(https(server.port(), "127.0.0.1", "ok", false, 10_000, 9_000), null);
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"), outcome);
            assertEquals(List.of(List.of()), server.serverNames, "RFC 6066 §3: no literal address in server_name");
            assertTrue(server.requests.getFirst().contains("\r\nHost: 127.0.0.1\r\n"));
        }
    }

    @Test
    void serverNameIsTheHostOnlyWhenItIsADnsName() {
        assertEquals("web.example", target("web.example").serverName());
        assertEquals("web.example", target("web.example.").serverName(), "no trailing dot (RFC 6066 §3)");
        assertNull(target("198.51.100.20").serverName());
        assertNull(target("[2001:db8::1]").serverName());
        assertNull(target("web.example:8443").serverName());
        assertNull(target("under_score.example").serverName());
    }

    private static ProbeTarget.Https target(String host) {
        return new ProbeTarget.Https(LOOPBACK, 443, LOOPBACK, "/", host, 200, null, false);
    }

    /** Byte strings as ISO-8859-1 text: what the raw servers send. */
    static String bytes(int... values) {
        StringBuilder text = new StringBuilder();
        for (int value : values) {
            text.append((char) value);
        }
        return text.toString();
    }

    static List<Arguments> hostileServers() {
        return List.of(
                Arguments.of("plain HTTP on the port",
                        ScriptedHttpServer.replying("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
                        TlsProbes.PLAIN_HTTP),
                Arguments.of("garbage", ScriptedHttpServer.replying("this is not TLS at all\r\n"),
                        "TLS handshake failed: Unrecognized SSL message, plaintext connection?"),
                Arguments.of("a fatal alert (handshake_failure)", ScriptedHttpServer.replying(bytes(0x15, 3, 3, 0, 2, 2, 40)),
                        "TLS handshake failed: (handshake_failure) Received fatal alert: handshake_failure"),
                Arguments.of("a truncated record, then the end", ScriptedHttpServer.replying(bytes(0x16, 3, 3, 0x40, 0)
                        + "x".repeat(100)), TlsProbes.CLOSED_IN_HANDSHAKE),
                Arguments.of("a certificate message of 100,000 bytes", ScriptedHttpServer.replying(
                        bytes(0x16, 3, 3, 0, 4, 11, 0x01, 0x86, 0xA0)),
                        "TLS handshake failed: The size of the handshake message (100000) exceeds the maximum allowed"
                                + " size (32768)"),
                Arguments.of("a handshake that never ends (one byte a record)", ENDLESS_HANDSHAKE,
                        TlsProbes.HANDSHAKE_TOO_LONG),
                Arguments.of("a reset within the handshake", (ScriptedHttpServer.Behaviour) (socket, out) -> {
                    out.write(new byte[] {0x16, 3, 3, 0});
                    out.flush();
                    Thread.sleep(20);
                    socket.setSoLinger(true, 0);
                    socket.close();
                }, "connection reset"));
    }

    /**
     * A ServerHello of 32,000 bytes (within the JDK's 32 KiB bound) in handshake records of one byte each, six bytes
     * on the wire per byte of message: the message would be whole after 192 KB, so only the probe's own bound ends it.
     */
    static final ScriptedHttpServer.Behaviour ENDLESS_HANDSHAKE = (socket, out) -> {
        out.write(new byte[] {0x16, 3, 3, 0, 4, 2, 0, 0x7D, 0x00});
        byte[] records = new byte[6 * 32_000];
        for (int at = 0; at < records.length; at += 6) {
            records[at] = 0x16;
            records[at + 1] = 3;
            records[at + 2] = 3;
            records[at + 4] = 1;
        }
        out.write(records);
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileServers")
    void aServerThatSpeaksTlsBadlyOrNotAtAllFailsTheCheckWithACause(String what, ScriptedHttpServer.Behaviour behaviour,
                                                                    String cause) throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.raw(behaviour)) {
            ProbeOutcome outcome = probeOnce(https(server.port(), "web.example", null, false, 10_000, 9_000), null);
            assertEquals(new ProbeOutcome(Health.DOWN, cause), outcome);
            assertEquals(0x16, server.requests.getFirst().charAt(0), "a TLS handshake record came first");
        }
    }

    @Test
    void aServerThatNeverSpeaksTimesOutInTheHandshake() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.raw(ScriptedHttpServer.SILENT)) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(https(server.port(), "web.example", null, false, 1_000, 300), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.silent.add(id);
                step.at(0);
                step.spinFor(100);
                assertTrue(engine.inFlight(id));
                step.at(299);
                assertTrue(engine.inFlight(id));
                step.at(300);
                assertFalse(engine.inFlight(id));
                assertEquals(Health.DOWN, engine.health(id));
                assertEquals("timed out after 300 ms in the TLS handshake", engine.cause(id));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void aServerThatHandshakesButNeverAnswersTimesOutWaitingForTheResponse() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.SILENT, TestCertificates.serverContext())) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(https(server.port(), "web.example", null, false, 1_000, 300), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.silent.add(id);
                step.at(0);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (server.requests.isEmpty() && System.nanoTime() < deadline) {
                    step.spinFor(10); // the handshake and the request, in real time at a stopped clock
                }
                assertEquals(1, server.requests.size(), "the request arrived over TLS");
                step.at(300);
                assertEquals(Health.DOWN, engine.health(id));
                assertEquals("timed out after 300 ms waiting for the response", engine.cause(id));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void aVerifiedCheckPassesWhenTheCertificateIsTrustedAndNamesTheHost() throws Exception {
        KeyStore trust = TestCertificates.trustStore();
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext())) {
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"),
                    probeOnce(https(server.port(), TestCertificates.DNS_NAME, "ok", true, 10_000, 9_000), trust));
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"),
                    probeOnce(https(server.port(), "127.0.0.1", "ok", true, 10_000, 9_000), trust),
                    "an address as host is checked against the certificate's IP addresses");
            assertEquals(new ProbeOutcome(Health.DOWN, "TLS handshake failed: (certificate_unknown) No subject"
                            + " alternative DNS name matching other.example found."),
                    probeOnce(https(server.port(), "other.example", "ok", true, 10_000, 9_000), trust));
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"),
                    probeOnce(https(server.port(), "other.example", "ok", false, 10_000, 9_000), trust),
                    "without verification the name does not matter");
        }
    }

    @Test
    void aVerifiedCheckFailsWhenTheJdksTrustStoreDoesNotLeadToTheCertificate() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext())) {
            ProbeOutcome outcome = probeOnce(https(server.port(), TestCertificates.DNS_NAME, "ok", true, 10_000, 9_000),
                    null);
            assertEquals(Health.DOWN, outcome.health());
            assertTrue(outcome.cause().startsWith("TLS handshake failed: the server's certificate is not trusted: "),
                    outcome.cause());
            assertTrue(server.requests.isEmpty(), "no request goes to a server that is not trusted");
            assertEquals(new ProbeOutcome(Health.UP, "HTTP 200"),
                    probeOnce(https(server.port(), TestCertificates.DNS_NAME, "ok", false, 10_000, 9_000), null),
                    "the same server passes the default check, which does not verify");
        }
    }

    /**
     * Each probe is a full handshake (its engine names no peer port, so no session is looked up) and the client's
     * session cache keeps one session, however many probes ran: TLS 1.3 servers hand out tickets at every handshake.
     */
    @Test
    void probesKeepNoMoreThanOneSession() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext())) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(https(server.port(), "web.example", "ok", false, 100, 50), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.runTo(1_000, 100);
                assertEquals(10, engine.successes(id), engine.cause(id));
                javax.net.ssl.SSLSessionContext sessions = engine.targetOrNull(id).tls.context.getClientSessionContext();
                assertEquals(1, java.util.Collections.list(sessions.getIds()).size());
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void anEmptyTrustStoreFailsEachVerifiedProbeWithWhy() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext())) {
            assertEquals(new ProbeOutcome(Health.DOWN, "cannot verify certificates: the trust store holds no certificate"),
                    probeOnce(https(server.port(), TestCertificates.DNS_NAME, "ok", true, 10_000, 9_000), empty));
            assertTrue(server.requests.isEmpty());
        }
    }

    @Test
    void fileDescriptorsStayFlatOverManyHttpsProbesAndAreAllReleasedOnClose() throws Exception {
        try (ScriptedHttpServer up = ScriptedHttpServer.tls(ScriptedHttpServer.replying(OK_HEAD + "ok"),
                TestCertificates.serverContext());
             ScriptedHttpServer plain = ScriptedHttpServer.raw(ScriptedHttpServer.replying("HTTP/1.1 400 Bad\r\n\r\n"));
             ScriptedHttpServer silent = ScriptedHttpServer.raw(ScriptedHttpServer.SILENT)) {
            long before = EngineStepper.openFileDescriptors();
            ProbeEngine engine = new ProbeEngine("probes", 4);
            EngineStepper step = new EngineStepper(engine, 0);
            try {
                engine.add(https(up.port(), "web.example", "ok", false, 100, 50), 0);
                engine.add(https(plain.port(), "web.example", null, false, 100, 50), 0);
                step.silent.add(engine.add(https(silent.port(), "web.example", null, false, 100, 50), 0));
                step.runTo(1_000, 10);
                long warm = EngineStepper.openFileDescriptors();
                step.runTo(6_000, 10);
                long after = EngineStepper.openFileDescriptors();
                assertTrue(engine.probesStarted() >= 170, "probes: " + engine.probesStarted());
                assertTrue(after <= warm + 4, "fds grew from " + warm + " to " + after + " over "
                        + engine.probesStarted() + " probes");
                assertEquals(Health.UP, engine.health(0), engine.cause(0));
                assertEquals(Health.DOWN, engine.health(1));
                assertEquals(TlsProbes.PLAIN_HTTP, engine.cause(1));
                assertEquals(Health.DOWN, engine.health(2));
                step.at(6_030);
                assertTrue(engine.inFlight(2), "a probe in flight for onClose to close");
            } finally {
                engine.onClose();
            }
            long closed = EngineStepper.openFileDescriptors();
            assertTrue(closed <= before + 1, "fds before the engine " + before + ", after its close " + closed);
        }
    }
}
