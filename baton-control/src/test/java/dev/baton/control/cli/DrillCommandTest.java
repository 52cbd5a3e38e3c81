package dev.baton.control.cli;

import dev.baton.control.protocol.Json;
import dev.baton.control.socket.ControlServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code baton drill}'s arguments and its refusal to drill a pair with nothing to fail over to. */
class DrillCommandTest {

    /** Runs {@code baton args...}: exit status, stdout, stderr. */
    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            int status = Baton.commandLine().execute(args);
            return new String[]{Integer.toString(status), stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void wrongArgumentsAreUsageErrorsThatSayWhatIsRight() {
        String[] r = run("drill", "--target", "192.0.2.10", "--ctl", "a.sock", "--ctl", "b.sock");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("needs VIP:PORT, e.g. 192.0.2.10:7000"), r[2]);
        r = run("drill", "--target", "192.0.2.10:7000", "--ctl", "a.sock", "--ctl", "b.sock", "--connections", "2001");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--connections 2001 is outside 1..2000"), r[2]);
        r = run("drill", "--target", "192.0.2.10:7000", "--ctl", "a.sock", "--ctl", "b.sock", "--duration", "10");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--duration '10' has no unit"), r[2]);
        r = run("drill", "--target", "192.0.2.10:7000", "--ctl", "a.sock", "--ctl", "b.sock", "--mode", "keepalive", "--duration", "4s");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("too short for keepalive mode"), r[2]);
        r = run("drill", "--target", "192.0.2.10:7000", "--ctl", "a.sock");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("give the control socket of each router"), r[2]);
        r = run("drill", "--target", "192.0.2.10:7000", "--ctl", "a.sock", "--ctl", "b.sock", "--hard");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--yes-kill-the-active-router"), r[2]);
    }

    @Test
    void aPairWithoutItsStandbyIsNotDrilledAndExitsThree(@TempDir Path dir) throws Exception {
        Map<String, Object> vip = Map.of("vip", "192.0.2.10", "state", "ACTIVE", "sync", "IN_SYNC", "table_size", 0L,
                "table_digest", "0", "peers", List.of(Map.of("peer", "r1", "state", "never heard")));
        try (ControlServer active = new ControlServer(dir.resolve("r0.sock")).handle("status", args -> Map.of("router", "r0",
                "high_availability", Map.of("vips", List.of(vip))))) {
            active.start();
            String[] r = run("drill", "--target", "192.0.2.10:7000", "--ctl", active.path().toString(), "--ctl",
                    dir.resolve("r1.sock").toString());
            assertEquals("3", r[0], r[1] + r[2]);
            assertTrue(r[1].contains("NOT_READY: nothing to fail over to: no synchronized standby for 192.0.2.10"), r[1]);
            r = run("drill", "--json", "--target", "192.0.2.10:7000", "--ctl", active.path().toString(), "--ctl",
                    dir.resolve("r1.sock").toString());
            assertEquals("3", r[0]);
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(r[1].strip());
            assertEquals("not_ready", json.get("verdict"));
            assertEquals(3L, json.get("exit_status"));
        }
    }
}
