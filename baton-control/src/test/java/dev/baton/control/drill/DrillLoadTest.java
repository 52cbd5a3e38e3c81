package dev.baton.control.drill;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drill's load against a real echo server on loopback (its own, in this JVM): what it keeps, and what it reports
 * as lost when the server closes a connection or echoes a wrong byte. Short runs (under a second each).
 */
@Timeout(30)
class DrillLoadTest {

    /** What the echo server does to its connections. */
    enum Misbehaviour { NONE, CLOSE_THIRD, CORRUPT_FIFTH }

    /** A thread-per-connection echo server on 127.0.0.1. */
    static final class EchoServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();

        EchoServer(Misbehaviour misbehaviour) throws IOException {
            socket = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        int number = accepted.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(client, number, misbehaviour));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket client, int number, Misbehaviour misbehaviour) {
            try (client) {
                byte[] buffer = new byte[4096];
                long echoed = 0;
                while (true) {
                    int n = client.getInputStream().read(buffer);
                    if (n < 0) {
                        return;
                    }
                    if (misbehaviour == Misbehaviour.CORRUPT_FIFTH && number == 5 && echoed > 20) {
                        buffer[0] ^= 1;
                    }
                    client.getOutputStream().write(buffer, 0, n);
                    echoed += n;
                    if (misbehaviour == Misbehaviour.CLOSE_THIRD && number == 3 && echoed > 20) {
                        return; // an orderly close (FIN) in the middle of the run
                    }
                }
            } catch (IOException e) {
                // the drill closed it
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static LoadOutcome run(InetSocketAddress target, DrillLoad.Mode mode, int connections) throws Exception {
        DrillLoad.Settings settings = new DrillLoad.Settings(target, mode, connections, Duration.ofMillis(10),
                Duration.ofMillis(600), Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (DrillLoad load = new DrillLoad(settings, System::nanoTime)) {
            load.start();
            assertTrue(load.awaitReady(Duration.ofSeconds(10)));
            long originNs = load.readyNs();
            assertTrue(load.awaitEnd(Duration.ofSeconds(10)));
            return load.outcome(originNs);
        }
    }

    @Test
    void anEchoServerThatAnswersEveryByteKeepsEveryConnection() throws Exception {
        try (EchoServer server = new EchoServer(Misbehaviour.NONE)) {
            LoadOutcome outcome = run(server.address(), DrillLoad.Mode.ECHO, 40);
            assertNull(outcome.failure());
            assertEquals(40, outcome.kept(), String.valueOf(outcome.broken()));
            assertTrue(outcome.nothingLost());
            assertTrue(outcome.messagesEchoed() >= 40 * 20, "about 60 messages each: " + outcome.messagesEchoed());
            assertEquals(outcome.messagesSent(), outcome.messagesEchoed());
            assertEquals(40, outcome.stallsNs().size());
            assertTrue(outcome.probes().probes() >= 5, "a probe every 50 ms for 600 ms: " + outcome.probes());
            assertEquals(0, outcome.probes().failed(), String.valueOf(outcome.probeErrors()));
        }
    }

    @Test
    void aConnectionTheServerClosesIsLostWithWhy() throws Exception {
        try (EchoServer server = new EchoServer(Misbehaviour.CLOSE_THIRD)) {
            LoadOutcome outcome = run(server.address(), DrillLoad.Mode.ECHO, 10);
            assertFalse(outcome.nothingLost());
            assertEquals(9, outcome.kept());
            assertEquals(1, outcome.broken().size());
            assertTrue(outcome.broken().getFirst().why().startsWith("closed by the server (FIN)"), outcome.broken().toString());
        }
    }

    @Test
    void aWrongByteIsAMismatchAndTheConnectionIsLost() throws Exception {
        try (EchoServer server = new EchoServer(Misbehaviour.CORRUPT_FIFTH)) {
            LoadOutcome outcome = run(server.address(), DrillLoad.Mode.ECHO, 10);
            assertEquals(1, outcome.mismatches());
            assertEquals(9, outcome.kept());
            assertTrue(outcome.broken().getFirst().why().startsWith("echo mismatch: message"), outcome.broken().toString());
        }
    }

    @Test
    void keepaliveConnectionsStayOpenAndNothingIsSent() throws Exception {
        try (EchoServer server = new EchoServer(Misbehaviour.NONE)) {
            LoadOutcome outcome = run(server.address(), DrillLoad.Mode.KEEPALIVE, 10);
            assertEquals(10, outcome.kept(), String.valueOf(outcome.broken()));
            assertEquals(0, outcome.messagesSent());
            assertTrue(outcome.stallsNs().isEmpty(), "no data, no stall measured");
            assertEquals(0, outcome.probes().failed(), String.valueOf(outcome.probeErrors()));
        }
    }

    @Test
    void nobodyListeningFailsEveryConnectionAndProbeWithTheReason() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        DrillLoad.Settings settings = new DrillLoad.Settings(closed, DrillLoad.Mode.ECHO, 5, Duration.ofMillis(10),
                Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(300));
        try (DrillLoad load = new DrillLoad(settings, System::nanoTime)) {
            load.start();
            assertTrue(load.awaitReady(Duration.ofSeconds(10)));
            assertEquals(5, load.notReady());
            assertTrue(load.awaitEnd(Duration.ofSeconds(10)));
            LoadOutcome outcome = load.outcome(load.readyNs());
            assertEquals(0, outcome.kept());
            assertTrue(outcome.broken().getFirst().why().startsWith("connect: "), outcome.broken().toString());
            assertFalse(outcome.probes().recovered());
        }
    }
}
