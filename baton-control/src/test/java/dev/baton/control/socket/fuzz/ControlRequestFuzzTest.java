package dev.baton.control.socket.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.control.protocol.Json;
import dev.baton.control.socket.ControlServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target, kept in the build: request lines on the control socket, parsed and
 * dispatched by a real {@link ControlServer} (no router behind it: its handlers echo, fail or answer a
 * fixed status, as the router's do), reached over its Unix socket like {@code baton ctl}.
 *
 * <p>The input is one request line (its line breaks become spaces). Invariants: every line gets exactly one
 * reply line on the same connection (a request that kills the client's thread shows as a closed
 * connection); the reply is a JSON object with a boolean {@code ok}, and with a non-empty {@code error} text
 * when not ok; its length is bounded by the request's (nothing echoed or built in proportion to a number
 * in the request).
 */
class ControlRequestFuzzTest {

    /** Room for the error texts and the fixed status on top of what the request itself may echo. */
    static final int REPLY_OVERHEAD = 4_096;

    // One server and one client connection for the whole run, whichever test instance the engine makes.
    private static ControlServer server;
    private static Path socket;
    private static SocketChannel channel;
    private static BufferedReader in;
    private static OutputStream out;

    private static synchronized Path server() throws IOException {
        if (server == null) {
            Path dir = Files.createTempDirectory("baton-fuzz-control");
            socket = dir.resolve("c.sock");
            server = new ControlServer(socket)
                    .handle("echo", args -> args)
                    .handle("fail", args -> {
                        throw new IllegalStateException("failed as asked");
                    })
                    .handle("status", args -> {
                        Map<String, Object> status = new LinkedHashMap<>();
                        status.put("state", "active");
                        status.put("services", List.of(Map.of("name", "web", "connections", 3L)));
                        return status;
                    });
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary directory left behind
                }
            }));
        }
        return socket;
    }

    private static void connect() throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(server()));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(channel);
    }

    @FuzzTest(maxDuration = "10s")
    void answer(byte[] input) throws IOException {
        String line = new String(input, StandardCharsets.UTF_8).replace('\n', ' ').replace('\r', ' ');
        if (channel == null || !channel.isOpen()) {
            connect();
        }
        byte[] request = (line + "\n").getBytes(StandardCharsets.UTF_8);
        // Bytes that are not UTF-8 become U+FFFD, three bytes each: an input under the fuzzer's length limit can
        // still exceed the server's line limit, which it answers with an error and then closes (by design).
        boolean tooLong = request.length - 1 > ControlServer.Limits.DEFAULT.maxRequestBytes();
        String reply;
        try {
            out.write(request);
            out.flush();
            reply = in.readLine();
        } catch (IOException | UncheckedIOException e) {
            channel.close();
            if (tooLong) {
                return; // the server answered after limit + 1 bytes and closed while the rest was being written
            }
            throw new AssertionError("the server closed the connection instead of answering", e);
        }
        if (tooLong) {
            channel.close(); // the server closes its end after this answer; the next input reconnects
            if (reply == null) {
                return;
            }
            assertTrue(reply.contains("request longer than"), reply);
        }
        if (reply == null) {
            channel.close();
            fail("the server closed the connection instead of answering");
        }
        assertTrue(reply.length() <= 2L * line.length() + REPLY_OVERHEAD,
                "a reply of " + reply.length() + " characters to a request of " + line.length());
        Object parsed = Json.parse(reply);
        Map<?, ?> answer = assertInstanceOf(Map.class, parsed, reply);
        Boolean ok = assertInstanceOf(Boolean.class, answer.get("ok"), reply);
        if (!ok) {
            Object error = answer.get("error");
            assertNotNull(error, reply);
            assertTrue(error instanceof String text && !text.isBlank(), reply);
        }
    }
}
