package dev.baton.probe;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a probe allocates once the engine is warm, on loopback: nothing, for ICMP echo, TCP connect and HTTP GET
 * alike; for HTTPS GET, a figure printed and bounded. (ARP is measured in {@code ProbeEngineLabTest}: it needs an interface with a neighbour.) A probe's success
 * path makes only calls without errno capture, which would allocate until the JIT had inlined them (TCP allocated
 * 280 bytes a probe after 2,000 probes that way), so the figure does not depend on how warm the JIT is.
 */
class ProbeAllocationTest {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /**
     * Warms a one-target engine for {@code warmRounds} intervals, then returns the fewest bytes per probe that one of
     * up to {@code windows} windows of {@code windowRounds} intervals allocated (stopping at a clean window).
     */
    static long leastBytesPerProbe(ProbeEngine engine, int id, long intervalMs, int warmRounds, int windows,
                                   int windowRounds) {
        EngineStepper step = new EngineStepper(engine, 0);
        for (int i = 0; i < warmRounds; i++) {
            step.at(step.nowMs + intervalMs);
        }
        long least = Long.MAX_VALUE;
        for (int window = 0; window < windows && least > 0; window++) {
            long startedBefore = engine.probesStarted(id);
            long bytes = EngineStepper.allocatedBy(() -> {
                for (int i = 0; i < windowRounds; i++) {
                    step.at(step.nowMs + intervalMs);
                }
            });
            assumeTrue(bytes >= 0, "this JVM cannot measure per-thread allocation");
            assertEquals(windowRounds, engine.probesStarted(id) - startedBefore);
            least = Math.min(least, bytes / windowRounds);
        }
        return least;
    }

    @Test
    void anIcmpEchoProbeAllocatesNothingOnceWarm() {
        assumeTrue(EngineStepper.isRoot(), "raw ICMP sockets need CAP_NET_RAW (run as root)");
        ProbeEngine engine = new ProbeEngine("probes", 1);
        try {
            int id = engine.add(new ProbeSpec("lo", new ProbeTarget.IcmpEcho(LOOPBACK, LOOPBACK), 100, 50, 1, 1), 0);
            long bytes = leastBytesPerProbe(engine, id, 100, 4_000, 10, 500);
            System.out.println("ICMP echo: " + bytes + " bytes per probe (" + engine.successes(id) + " answered)");
            assertEquals(Health.UP, engine.health(id));
            assertEquals(0, bytes, "bytes allocated per ICMP echo probe");
        } finally {
            engine.onClose();
        }
    }

    @Test
    void tcpAndHttpProbesAllocateNothingOnceWarm() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                ScriptedHttpServer.replying("HTTP/1.1 200 OK\r\n\r\nok"))) {
            ProbeEngine tcpEngine = new ProbeEngine("probes", 1);
            ProbeEngine httpEngine = new ProbeEngine("probes", 1);
            try {
                int tcp = tcpEngine.add(new ProbeSpec("tcp", new ProbeTarget.Tcp(LOOPBACK, server.port(), LOOPBACK),
                        100, 50, 1, 1), 0);
                int http = httpEngine.add(new ProbeSpec("http", new ProbeTarget.Http(LOOPBACK, server.port(), LOOPBACK,
                        "/", "web", 200, "ok"), 100, 50, 1, 1), 0);
                long tcpBytes = leastBytesPerProbe(tcpEngine, tcp, 100, 500, 3, 100);
                long httpBytes = leastBytesPerProbe(httpEngine, http, 100, 500, 3, 100);
                System.out.println("TCP connect: " + tcpBytes + " bytes per probe; HTTP GET: " + httpBytes
                        + " bytes per probe");
                assertEquals(Health.UP, tcpEngine.health(tcp), tcpEngine.cause(tcp));
                assertEquals(Health.UP, httpEngine.health(http), httpEngine.cause(http));
                assertEquals(0, tcpBytes, "bytes allocated per TCP connect probe");
                assertEquals(0, httpBytes, "bytes allocated per HTTP GET probe");
            } finally {
                tcpEngine.onClose();
                httpEngine.onClose();
            }
        }
    }

    /**
     * An HTTPS probe cannot allocate nothing: the JDK's {@link javax.net.ssl.SSLEngine} is made for each connection,
     * and its handshake makes keys, messages and the server's certificates. The figure is printed for the docs; the
     * bound asserted is wide, there to catch a probe that keeps what it should drop (a session cache, say).
     */
    @Test
    void anHttpsProbeAllocatesAFigureThatIsPrintedAndBounded() throws Exception {
        try (ScriptedHttpServer server = ScriptedHttpServer.tls(ScriptedHttpServer.replying("HTTP/1.1 200 OK\r\n\r\nok"),
                TestCertificates.serverContext())) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                int id = engine.add(new ProbeSpec("https", new ProbeTarget.Https(LOOPBACK, server.port(), LOOPBACK,
                        "/", "web.example", 200, "ok", false), 100, 50, 1, 1), 0);
                long bytes = leastBytesPerProbe(engine, id, 100, 500, 3, 100);
                System.out.println("HTTPS GET (TLS 1.3, ECDSA P-256 certificate, not verified): " + bytes
                        + " bytes per probe");
                assertEquals(Health.UP, engine.health(id), engine.cause(id));
                assertEquals(500 + 300, engine.successes(id), "every probe passed: " + engine.cause(id));
                assertTrue(bytes > 0 && bytes < 512 * 1024, "bytes allocated per HTTPS probe: " + bytes);
            } finally {
                engine.onClose();
            }
        }
    }
}
