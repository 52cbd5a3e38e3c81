package dev.baton.acceptance;

import dev.baton.control.protocol.Json;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.baton.lab.HaLabPair.AUTOMATIC;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code baton drill} as an operator runs it: a real {@code baton} process in the lab's client namespace, against the
 * failover lab's pair of real {@code baton run} processes through their control sockets (issue #11). It must report
 * every connection kept and exit 0 across a switch-over, in both directions; and refuse, exit 3, saying there is
 * nothing to fail over to, when the standby was stopped before the drill. See docs/operations.md, "Proving failover:
 * baton drill".
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrillLabTest {

    static final int CONNECTIONS = 100;
    /** How long one drill may take: set-up, the measured 6 s, the drain, the JVM's start on a busy machine. */
    static final Duration DRILL_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;

    @BeforeAll
    static void usePair() {
        pair = LAB.pair();
    }

    @AfterEach
    void stopRoutersAndLeftoverConnections() {
        try {
            pair.stopAll();
        } finally {
            pair.destroyClientConnections();
        }
    }

    /** {@code baton drill ARGS} in the client's namespace, from the class path this test runs with. */
    private static ExecResult drill(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                LabRouter.BATON_MAIN_CLASS, "drill",
                "--target", HaLabPair.VIP + ":" + HaLabPair.ECHO_PORT,
                "--ctl", pair.socket(PRIMARY).toString(), "--ctl", pair.socket(BACKUP).toString()));
        command.addAll(List.of(args));
        ExecResult result = pair.lab().client(0).exec(DRILL_TIMEOUT, command);
        System.out.println("[drill " + String.join(" ", args) + "] exit " + result.exitCode() + "\n" + result.stdout()
                + (result.stderr().isBlank() ? "" : "---- stderr ----\n" + result.stderr()));
        return result;
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void aDrillAgainstTheLabPairKeepsEveryConnectionAndExitsZeroInBothDirections() throws IOException {
        pair.startPair(AUTOMATIC);
        String r0 = LabRouter.routerId(pair.lab(), pair.host(PRIMARY));
        String r1 = LabRouter.routerId(pair.lab(), pair.host(BACKUP));

        ExecResult first = drill("--json", "--connections", Integer.toString(CONNECTIONS), "--duration", "6s", "--interval", "20ms");
        assertEquals(0, first.exitCode(), "the drill passes: " + first);
        Map<String, Object> report = (Map<String, Object>) Json.parse(first.stdout().strip());
        Map<String, Object> load = (Map<String, Object>) report.get("load");
        assertEquals("passed", report.get("verdict"));
        assertEquals(r0, report.get("from"));
        assertEquals(r1, report.get("to"));
        assertEquals((long) CONNECTIONS, load.get("kept"));
        assertEquals((long) CONNECTIONS, load.get("total"));
        assertEquals(0L, load.get("messages_lost"));
        assertEquals(0L, load.get("mismatched_connections"));
        assertTrue(((Number) load.get("messages_echoed")).longValue() >= CONNECTIONS * 100L,
                "about 300 messages on each connection: " + load.get("messages_echoed"));
        assertTrue(((Map<String, Object>) load.get("probes")).get("recovered").equals(Boolean.TRUE), "new connections work after it");
        assertEquals("ACTIVE", pair.state(BACKUP), "the VIP moved to r1");
        assertEquals("STANDBY", pair.state(PRIMARY));

        // Back again: the drill waited until r0 followed r1, so the pair is ready for the next one at once.
        ExecResult back = drill("--connections", Integer.toString(CONNECTIONS), "--duration", "6s", "--interval", "20ms");
        assertEquals(0, back.exitCode(), "the drill back passes: " + back);
        assertTrue(back.stdout().contains("connections kept: " + CONNECTIONS + "/" + CONNECTIONS + " (100.0 %)"), back.stdout());
        assertTrue(back.stdout().contains("PASSED: every connection kept across the switch-over from " + r1 + " to " + r0),
                back.stdout());
        assertEquals("ACTIVE", pair.state(PRIMARY), "the VIP moved back to r0");
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aHardDrillKillsTheActiveAndEveryConnectionCarriesOn() throws IOException {
        pair.startPair(AUTOMATIC);
        long pid = pair.router(PRIMARY).pid();
        // The client's namespace shares the routers' PID namespace, as a drill on the active's own host does.
        ExecResult result = drill("--json", "--hard", "--yes-kill-the-active-router", "--connections", Integer.toString(CONNECTIONS),
                "--duration", "6s", "--interval", "20ms");
        assertTrue(pair.router(PRIMARY).awaitExit(Duration.ofSeconds(5)), "the drill killed the active (pid " + pid + ")");
        assertEquals(0, result.exitCode(), "the hard drill passes: " + result);
        Map<String, Object> report = (Map<String, Object>) Json.parse(result.stdout().strip());
        Map<String, Object> load = (Map<String, Object>) report.get("load");
        assertEquals("SIGKILL to pid " + pid, report.get("switch_outcome"));
        assertEquals((long) CONNECTIONS, load.get("kept"));
        assertEquals(0L, load.get("messages_lost"));
        assertEquals("ACTIVE", pair.state(BACKUP), "r1 took over (348)");
    }

    @Test
    @Order(3)
    @SuppressWarnings("unchecked")
    void aKeepaliveDrillKeepsConnectionsThatSendNothing() throws IOException {
        pair.startPair(AUTOMATIC);
        // Nothing is sent: the kernel's keep-alive probes, one a second, are the only segments through the routers.
        ExecResult result = drill("--json", "--mode", "keepalive", "--connections", Integer.toString(CONNECTIONS), "--duration", "7s");
        assertEquals(0, result.exitCode(), "the keepalive drill passes: " + result);
        Map<String, Object> load = (Map<String, Object>) ((Map<String, Object>) Json.parse(result.stdout().strip())).get("load");
        assertEquals((long) CONNECTIONS, load.get("kept"));
        assertEquals(0L, load.get("messages_sent"));
        assertEquals(0L, load.get("bytes_received"), "the echo server sends nothing unasked");
        assertEquals("ACTIVE", pair.state(BACKUP));
    }

    @Test
    @Order(4)
    void withTheStandbyStoppedTheDrillSaysThereIsNothingToFailOverToAndExitsNonZero() throws IOException {
        pair.startPair(AUTOMATIC);
        pair.stop(BACKUP);
        ExecResult result = drill("--connections", "10", "--duration", "3s");
        assertEquals(3, result.exitCode(), "not ready: " + result);
        assertTrue(result.stdout().contains("NOT_READY: nothing to fail over to: no synchronized standby for " + HaLabPair.VIP),
                result.stdout());
        assertEquals("ACTIVE", pair.state(PRIMARY), "the drill touched nothing");
    }
}
