package dev.baton.control.socket;

import dev.baton.control.protocol.ControlClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlSocketTest {

    @Test
    void commandsRoundTripOverTheUnixSocketAndErrorsComeBackAsMessages(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("r.sock");
        try (ControlServer server = new ControlServer(path)
                .handle("echo", args -> Map.of("got", args.get("x"), "list", List.of(1, 2)))
                .handle("fail", args -> {
                    throw new IllegalStateException("no such thing");
                })) {
            server.start();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), "only the owner may command the router");
            Object result = ControlClient.call(path, "echo", Map.of("x", "hello \"quoted\""));
            assertEquals(Map.of("got", "hello \"quoted\"", "list", List.of(1L, 2L)), result);
            ControlClient.ControlException failure = assertThrows(ControlClient.ControlException.class,
                    () -> ControlClient.call(path, "fail", Map.of()));
            assertEquals("no such thing", failure.getMessage());
            ControlClient.ControlException unknown = assertThrows(ControlClient.ControlException.class,
                    () -> ControlClient.call(path, "nope", Map.of()));
            assertTrue(unknown.getMessage().contains("unknown command 'nope'"), unknown.getMessage());
        }
        assertTrue(Files.notExists(path), "the socket file is removed on close");
    }

    @Test
    void malformedRequestsGetAnErrorAndNeverReachAHandler(@TempDir Path dir) {
        ControlServer server = new ControlServer(dir.resolve("x.sock")).handle("stats", args -> {
            throw new AssertionError("must not run");
        });
        for (String bad : List.of("", "not json", "[1,2]", "{\"command\": 5}", "{\"args\": {}}", "{\"command\":\"stats\"")) {
            String answer = server.answer(bad);
            assertTrue(answer.startsWith("{\"ok\":false"), bad + " -> " + answer);
        }
    }

    @Test
    void unreachableRouterGivesAnActionableMessage(@TempDir Path dir) {
        ControlClient.ControlException e = assertThrows(ControlClient.ControlException.class,
                () -> ControlClient.call(dir.resolve("missing.sock"), "stats", Map.of()));
        assertTrue(e.getMessage().contains("is `baton run` running"), e.getMessage());
    }
}
