package dev.baton.control.socket;

import dev.baton.control.protocol.ControlClient;
import dev.baton.control.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that try to exhaust the control socket, over the real Unix socket. Each is
 * answered with a clear error and closed, and the server keeps serving the next client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileControlClientTest {

    static final ControlServer.Limits SMALL = new ControlServer.Limits(1024, Duration.ofMillis(300), 4);

    private static ControlServer server(Path dir, ControlServer.Limits limits) throws IOException {
        ControlServer server = new ControlServer(dir.resolve("r.sock"), limits).handle("ping", args -> "pong");
        server.start();
        return server;
    }

    private static SocketChannel connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        return channel;
    }

    private static Map<?, ?> readAnswer(SocketChannel channel) throws IOException {
        String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8)).readLine();
        return (Map<?, ?>) Json.parse(line);
    }

    @Test
    void aLineWithoutNewlineIsCutAtTheLimitAnsweredAndClosed(@TempDir Path dir) throws Exception {
        try (ControlServer server = server(dir, SMALL); SocketChannel client = connect(server.path())) {
            // Far more than the limit, no newline: the server must stop at 1,025 bytes, not wait for the end.
            ByteBuffer chunk = ByteBuffer.wrap(new byte[4096]);
            java.util.Arrays.fill(chunk.array(), (byte) 'x');
            client.write(chunk);
            Map<?, ?> answer = readAnswer(client);
            assertEquals(false, answer.get("ok"));
            assertTrue(((String) answer.get("error")).startsWith("request longer than 1024 bytes"), answer.toString());
            assertEquals(1, server.refusals(ControlServer.Refusal.REQUEST_TOO_LONG));
            assertEquals("pong", ControlClient.call(server.path(), "ping", Map.of()), "the next client is served");
            Map<?, ?> report = (Map<?, ?>) ControlClient.call(server.path(), "control", Map.of());
            assertEquals(1L, ((Map<?, ?>) report.get("refusals")).get("request-too-long"), report.toString());
            assertEquals(1024L, report.get("max_request_bytes"));
        }
    }

    @Test
    void anIdleClientIsToldAndClosed(@TempDir Path dir) throws Exception {
        try (ControlServer server = server(dir, SMALL); SocketChannel client = connect(server.path())) {
            client.write(ByteBuffer.wrap("{\"comm".getBytes(StandardCharsets.UTF_8)));
            Map<?, ?> answer = readAnswer(client);
            assertEquals(Map.of("ok", false, "error", "idle for 300 ms: closed"), answer);
            assertEquals(-1, client.read(ByteBuffer.allocate(1)), "closed after the answer");
            assertEquals(1, server.refusals(ControlServer.Refusal.IDLE_TIMEOUT));
        }
    }

    @Test
    void clientsBeyondTheCapAreAnsweredBusyAndTheCapFreesWhenTheyLeave(@TempDir Path dir) throws Exception {
        ControlServer.Limits limits = new ControlServer.Limits(1024, Duration.ofSeconds(30), 4);
        List<SocketChannel> idle = new ArrayList<>();
        try (ControlServer server = server(dir, limits)) {
            for (int i = 0; i < 4; i++) {
                idle.add(connect(server.path()));
            }
            // The accept thread hands each to a client thread; the fifth and later are refused.
            for (int i = 0; i < 20; i++) {
                try (SocketChannel extra = connect(server.path())) {
                    Map<?, ?> answer = readAnswer(extra);
                    assertEquals(false, answer.get("ok"));
                    assertTrue(((String) answer.get("error")).startsWith("too many control clients (4 at once)"), answer.toString());
                }
            }
            assertEquals(20, server.refusals(ControlServer.Refusal.TOO_MANY_CLIENTS));
            for (SocketChannel c : idle) {
                c.close();
            }
            idle.clear();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Object answer = null;
            while (answer == null && System.nanoTime() < deadline) {
                try {
                    answer = ControlClient.call(server.path(), "ping", Map.of());
                } catch (ControlClient.ControlException busy) {
                    Thread.sleep(10); // the closed clients' threads are still leaving
                }
            }
            assertEquals("pong", answer);
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
        }
    }

    @Test
    void deepNestingUnderTheSizeLimitGetsAnErrorReply(@TempDir Path dir) throws Exception {
        try (ControlServer server = server(dir, ControlServer.Limits.DEFAULT); SocketChannel client = connect(server.path())) {
            client.write(ByteBuffer.wrap(("[".repeat(60_000) + "\n").getBytes(StandardCharsets.UTF_8)));
            Map<?, ?> answer = readAnswer(client);
            assertEquals(false, answer.get("ok"));
            assertTrue(((String) answer.get("error")).contains("nested deeper than " + Json.MAX_DEPTH), answer.toString());
        }
    }

    @Test
    void aStreamedListingIsWrittenElementByElement(@TempDir Path dir) throws Exception {
        int rows = 50_000;
        Iterable<Object> listing = () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < rows;
            }

            @Override
            public Object next() {
                if (next >= rows) {
                    throw new NoSuchElementException();
                }
                return Map.of("row", next++);
            }
        };
        try (ControlServer server = new ControlServer(dir.resolve("r.sock")).handle("list", args -> listing)) {
            server.start();
            List<?> result = (List<?>) ControlClient.call(server.path(), "list", Map.of());
            assertEquals(rows, result.size());
            assertEquals(Map.of("row", (long) rows - 1), result.getLast());
        }
    }
}
