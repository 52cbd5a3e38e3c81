package dev.baton.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine on loopback with a stepped clock: when probes start, how they end (answer, refusal, timeout, hostile
 * response), how results move health through rise and fall, and that nothing leaks.
 */
class ProbeEngineTest {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final String OK_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";

    static ProbeSpec tcp(String name, int port, long intervalMs, long timeoutMs, int rise, int fall) {
        return new ProbeSpec(name, new ProbeTarget.Tcp(LOOPBACK, port, LOOPBACK), intervalMs, timeoutMs, rise, fall);
    }

    static ProbeSpec http(int port, String body, long intervalMs, long timeoutMs) {
        return new ProbeSpec("web", new ProbeTarget.Http(LOOPBACK, port, LOOPBACK, "/health", "web.example", 200, body),
                intervalMs, timeoutMs, 2, 3);
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest(name = "slot {0} of a {1} ms interval starts at +{2} ms")
    @CsvSource({"0, 1000, 0", "1, 1000, 618", "2, 1000, 236", "3, 1000, 854", "4, 1000, 472", "5, 1000, 90",
            "1, 30000, 18541", "4095, 1000, 849"})
    void firstProbesAreStaggeredByTheGoldenRatio(int slot, long intervalMs, long expectedMs) {
        assertEquals(expectedMs, ProbeEngine.staggerMs(slot, intervalMs));
    }

    @ParameterizedTest(name = "{0} targets")
    @CsvSource({"10", "100", "1000", "4096"})
    void anyNumberOfTargetsIsSpreadEvenlyAcrossTheInterval(int targets) {
        int[] perTenth = new int[10];
        for (int slot = 0; slot < targets; slot++) {
            long stagger = ProbeEngine.staggerMs(slot, 10_000);
            assertTrue(stagger >= 0 && stagger < 10_000);
            perTenth[(int) (stagger / 1_000)]++;
        }
        for (int count : perTenth) {
            // even would be targets/10; the golden ratio keeps every tenth within one or two of that
            assertTrue(Math.abs(count - targets / 10.0) <= 2, java.util.Arrays.toString(perTenth));
        }
    }

    @Test
    void probesStartAtTheirStaggerAndThenEveryInterval() throws Exception {
        try (ScriptedHttpServer listener = new ScriptedHttpServer(ScriptedHttpServer.CLOSE)) {
            ProbeEngine engine = new ProbeEngine("probes", 8);
            try {
                for (int i = 0; i < 3; i++) {
                    engine.add(tcp("t" + i, listener.port(), 1_000, 500, 1, 1), 0);
                }
                EngineStepper step = new EngineStepper(engine, 0);
                List<String> starts = new ArrayList<>();
                long[] seen = new long[3];
                for (long t = 0; t <= 2_700; t++) {
                    step.at(t);
                    for (int id = 0; id < 3; id++) {
                        if (engine.probesStarted(id) != seen[id]) {
                            seen[id] = engine.probesStarted(id);
                            starts.add(t + ":" + id);
                        }
                    }
                }
                assertEquals(List.of("0:0", "236:2", "618:1", "1000:0", "1236:2", "1618:1", "2000:0", "2236:2", "2618:1"),
                        starts);
                for (int id = 0; id < 3; id++) {
                    assertEquals(Health.UP, engine.health(id), engine.cause(id));
                    assertEquals("connected", engine.cause(id));
                }
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void anEngineHeldUpSkipsTheMissedProbesInsteadOfFiringABurst() throws Exception {
        try (ScriptedHttpServer listener = new ScriptedHttpServer(ScriptedHttpServer.CLOSE)) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(tcp("t", listener.port(), 1_000, 500, 1, 1), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.at(0);
                step.at(5_300);
                assertEquals(2, engine.probesStarted(id));
                assertEquals(6_300, engine.nextStartMs(id));
                step.at(6_299);
                assertEquals(2, engine.probesStarted(id));
                step.at(6_300);
                assertEquals(3, engine.probesStarted(id));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void aTargetRisesAndFallsThroughTheEngineAndItsChangesAreDrainedInOrder() throws Exception {
        ScriptedHttpServer listener = new ScriptedHttpServer(ScriptedHttpServer.CLOSE);
        int port = listener.port();
        ProbeEngine engine = new ProbeEngine("probes", 4);
        try {
            int id = engine.add(tcp("server", port, 1_000, 500, 2, 3), 0);
            EngineStepper step = new EngineStepper(engine, 0);
            step.at(0);
            assertEquals(Health.UP, engine.health(id), "the first answer decides");
            listener.close();
            step.at(1_000);
            step.at(2_000);
            assertEquals(Health.UP, engine.health(id), "two refusals are fewer than fall 3");
            assertEquals(2, engine.failuresInARow(id));
            step.at(3_000);
            assertEquals(Health.DOWN, engine.health(id));
            assertEquals("connection refused", engine.cause(id));
            assertEquals(3_000, engine.changedAtMs(id));

            try (ScriptedHttpServer again = new ScriptedHttpServer(ScriptedHttpServer.CLOSE, port)) {
                step.at(4_000);
                assertEquals(Health.DOWN, engine.health(id), "one answer is fewer than rise 2");
                step.at(5_000);
                assertEquals(Health.UP, engine.health(id));
            }
            assertEquals(List.of("0 up @0 connected", "0 down @3000 connection refused", "0 up @5000 connected"),
                    step.changes);
            assertEquals(6, engine.probesStarted(id));
            assertEquals(3, engine.successes(id));
            assertEquals(3, engine.failures(id));
            assertTrue(engine.lastRoundTripMs(id) >= 0);
        } finally {
            engine.onClose();
            listener.close();
        }
    }

    /**
     * A probe started late (the engine held up 1.6 s: its next start, kept in phase, came 400 ms after, before its
     * 500 ms timeout) is still in flight when its next start comes: the engine waits for it to end. It used to file the
     * target again under that past start for ever, and the probe thread spun (found with HTTPS checks, whose first
     * handshake holds a cycle up ~170 ms, in the health lab).
     */
    @Test
    void aNextStartThatComesWhileTheProbeIsStillInFlightWaitsForItsEnd() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(ScriptedHttpServer.SILENT)) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(http(server.port(), null, 1_000, 500), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.silent.add(id);
                step.at(0);
                step.at(1_600); // timed out long ago; the next probe starts now, its next start stays at 2,000
                assertEquals(2, engine.probesStarted(id));
                assertEquals(2_000, engine.nextStartMs(id));
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> step.at(2_050),
                        "a cycle after the next start, with the probe still in flight, returns");
                assertTrue(engine.inFlight(id));
                assertEquals(2, engine.probesStarted(id), "still one probe in flight at most");
                step.at(2_100);
                assertEquals(3, engine.probesStarted(id), "timed out at 2,100, and the overdue start made at once");
                assertEquals(3_000, engine.nextStartMs(id));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void aProbeWithoutAnswerTimesOutAndATargetNeverHasTwoInFlight() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(ScriptedHttpServer.SILENT)) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(http(server.port(), null, 1_000, 300), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.silent.add(id);
                step.at(0);
                step.spinFor(100);
                assertTrue(engine.inFlight(id));
                for (long t = 1; t < 300; t++) {
                    step.at(t);
                    assertTrue(engine.inFlight(id));
                    assertEquals(1, engine.probesStarted(id), "one probe in flight at most");
                }
                step.at(300);
                assertFalse(engine.inFlight(id));
                assertEquals(Health.DOWN, engine.health(id));
                assertEquals("timed out after 300 ms waiting for the response", engine.cause(id));
                assertEquals(1, engine.timeouts());
                step.at(999);
                assertEquals(1, engine.probesStarted(id));
                step.at(1_000);
                assertEquals(2, engine.probesStarted(id));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void aConnectToAClosedPortIsRefused() throws Exception {
        ProbeEngine engine = new ProbeEngine("probes", 1);
        try {
            int id = engine.add(tcp("closed", closedPort(), 1_000, 500, 2, 3), 0);
            EngineStepper step = new EngineStepper(engine, 0);
            step.at(0);
            assertEquals(Health.DOWN, engine.health(id));
            assertEquals("connection refused", engine.cause(id));
        } finally {
            engine.onClose();
        }
    }

    static List<Arguments> httpScripts() {
        return List.of(
                Arguments.of("200 with the body", ScriptedHttpServer.replying(OK_HEAD + "status: ok"), "ok", Health.UP, "HTTP 200"),
                Arguments.of("200 without a body check", ScriptedHttpServer.replying(OK_HEAD), null, Health.UP, "HTTP 200"),
                Arguments.of("substring split across reads", ScriptedHttpServer.inTwoParts(OK_HEAD + "state=he", "althy"),
                        "healthy", Health.UP, "HTTP 200"),
                Arguments.of("503", ScriptedHttpServer.replying("HTTP/1.1 503 Service Unavailable\r\n\r\n"), null,
                        Health.DOWN, "HTTP 503"),
                Arguments.of("body lacks the substring", ScriptedHttpServer.replying(OK_HEAD + "nope"), "ok", Health.DOWN,
                        "body lacks 'ok'"),
                Arguments.of("headers that never end (10 MB)", ScriptedHttpServer.ENDLESS, null, Health.DOWN,
                        "headers exceed 4096 bytes"),
                Arguments.of("garbage", ScriptedHttpServer.replying("\u0016\u0003\u0001garbage\r\n\r\n"), null, Health.DOWN,
                        "no HTTP/1.x status line"),
                Arguments.of("closed at once", ScriptedHttpServer.CLOSE, null, Health.DOWN, "closed without a response"),
                Arguments.of("reset mid-way", ScriptedHttpServer.RESET_MIDWAY, null, Health.DOWN, "connection reset"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("httpScripts")
    void anHttpCheckJudgesWhatTheServerSends(String what, ScriptedHttpServer.Behaviour behaviour, String body,
                                             Health expected, String cause) throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(behaviour)) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(http(server.port(), body, 10_000, 9_000), 0);
                EngineStepper step = new EngineStepper(engine, 0);
                step.at(0);
                assertFalse(engine.inFlight(id), "no verdict within 5 s of real time");
                assertEquals(cause, engine.cause(id));
                assertEquals(expected, engine.health(id));
                assertTrue(server.requests.getFirst().startsWith("GET /health HTTP/1.0\r\nHost: web.example\r\n"),
                        server.requests.getFirst());
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void fileDescriptorsStayFlatOverManyProbesAndAreAllReleasedOnClose() throws Exception {
        try (ScriptedHttpServer up = new ScriptedHttpServer(ScriptedHttpServer.replying(OK_HEAD + "ok"));
             ScriptedHttpServer silent = new ScriptedHttpServer(ScriptedHttpServer.SILENT)) {
            long before = EngineStepper.openFileDescriptors();
            ProbeEngine engine = new ProbeEngine("probes", 8);
            EngineStepper step = new EngineStepper(engine, 0);
            try {
                engine.add(tcp("up", up.port(), 100, 50, 1, 1), 0);
                engine.add(tcp("refused", closedPort(), 100, 50, 1, 1), 0);
                engine.add(http(up.port(), "ok", 100, 50), 0);
                step.silent.add(engine.add(http(silent.port(), null, 100, 50), 0));
                step.runTo(1_000, 10);
                long warm = EngineStepper.openFileDescriptors();
                step.runTo(20_000, 10);
                long after = EngineStepper.openFileDescriptors();
                assertTrue(engine.probesStarted() >= 790, "probes: " + engine.probesStarted());
                assertTrue(after <= warm + 4, "fds grew from " + warm + " to " + after + " over "
                        + engine.probesStarted() + " probes");
                assertEquals(Health.UP, engine.health(0));
                assertEquals(Health.DOWN, engine.health(1));
                assertEquals(Health.UP, engine.health(2), engine.cause(2));
                assertEquals(Health.DOWN, engine.health(3));
                // leave a probe in flight for onClose to close
                step.at(20_010);
                assertTrue(engine.inFlight(3));
            } finally {
                engine.onClose();
            }
            long closed = EngineStepper.openFileDescriptors();
            assertTrue(closed <= before + 1, "fds before the engine " + before + ", after its close " + closed);
        }
    }

    @Test
    void removingATargetAbandonsItsProbeAndFreesItsSlot() throws Exception {
        try (ScriptedHttpServer silent = new ScriptedHttpServer(ScriptedHttpServer.SILENT)) {
            ProbeEngine engine = new ProbeEngine("probes", 2);
            try {
                int first = engine.add(http(silent.port(), null, 1_000, 500), 0);
                int second = engine.add(tcp("other", closedPort(), 1_000, 500, 1, 1), 0);
                IllegalStateException full = assertThrows(IllegalStateException.class,
                        () -> engine.add(tcp("third", 1, 1_000, 500, 1, 1), 0));
                assertTrue(full.getMessage().contains("full: 2 targets"), full.getMessage());
                EngineStepper step = new EngineStepper(engine, 0);
                step.silent.add(first);
                step.at(0);
                assertTrue(engine.inFlight(first));
                engine.remove(first);
                assertFalse(engine.has(first));
                assertEquals(1, engine.targetCount());
                step.at(600);
                assertEquals(0, engine.timeouts(), "a removed target's probe does not time out");
                assertEquals(first, engine.add(tcp("third", 1, 1_000, 500, 1, 1), 600));
                assertTrue(engine.has(second));
            } finally {
                engine.onClose();
            }
        }
    }

    @Test
    void anIcmpEchoToLoopbackIsAnsweredAndAnotherEnginesRepliesAreIgnored() throws Exception {
        assumeTrue(EngineStepper.isRoot(), "raw ICMP sockets need CAP_NET_RAW (run as root)");
        ProbeEngine one = new ProbeEngine("probes 1", 1, 0x1111);
        ProbeEngine two = new ProbeEngine("probes 2", 1, 0x2222);
        try {
            ProbeSpec echo = new ProbeSpec("loopback", new ProbeTarget.IcmpEcho(LOOPBACK, LOOPBACK), 1_000, 500, 1, 1);
            int idOne = one.add(echo, 0);
            int idTwo = two.add(echo, 0);
            EngineStepper stepOne = new EngineStepper(one, 0);
            EngineStepper stepTwo = new EngineStepper(two, 0);
            for (long t = 0; t <= 3_000; t += 1_000) {
                stepOne.at(t);
                stepTwo.at(t);
            }
            stepOne.spinFor(20);
            assertEquals(Health.UP, one.health(idOne), one.cause(idOne));
            assertEquals(Health.UP, two.health(idTwo), two.cause(idTwo));
            assertEquals("echo reply", one.cause(idOne));
            assertEquals(4, one.successes(idOne));
            assertEquals(4, two.successes(idTwo));
            assertTrue(one.icmpIgnored() >= 1, "the other engine's replies reach this raw socket too: "
                    + one.icmpIgnored());
        } finally {
            one.onClose();
            two.onClose();
        }
    }
}
