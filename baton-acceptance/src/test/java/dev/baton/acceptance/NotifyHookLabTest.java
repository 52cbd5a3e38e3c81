package dev.baton.acceptance;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.MANUAL;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.STANDBY_STATE;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notify scripts in the failover lab (issue #11; docs/operations.md, "Notify scripts"): each of the two real
 * {@code baton run} processes has {@code notify.on-state-change} set to a script that appends its arguments to a
 * file of the lab's work directory, then sleeps a second. Through a start, an operator switch-over and a kill -9 of
 * the new active, under the echo load of the failover acceptance, each router's file must list every FIG. 3 state
 * change it went through, in order, with the VIP and both states (exactly the transitions of its {@code ctl events}),
 * and the failover must be what it is without scripts: the takeovers by 335 and 348, not one connection lost. A
 * script that ran on the HA agent's thread would stop it for a second per transition, four times t2 in the lab.
 */
@Tag("lab")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotifyHookLabTest {

    /** How long each run of the scripts takes: far longer than t2 (250 ms in the lab), far below notify.timeout. */
    static final double SCRIPT_SECONDS = 1.0;
    /** The echo load around each failure, as the failover acceptance's short scenarios. */
    static final Duration LOAD = Duration.ofSeconds(6);
    static final long STEADY_MS = 1_500;
    static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(5);
    /** Every run of a router's transitions so far, one after another, with room for a busy machine. */
    static final Duration SCRIPTS_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;

    @BeforeAll
    static void usePair() {
        pair = LAB.pair();
    }

    @AfterEach
    void stopRouters() {
        try {
            pair.resetConfiguration();
            pair.stopAll();
        } finally {
            pair.destroyClientConnections();
        }
    }

    @Test
    void eachRoutersScriptSeesEveryTransitionOfASwitchoverAndAKillInOrderAndNeverDelaysThem() throws IOException {
        Path[] logs = {log(PRIMARY), log(BACKUP)};
        Path[] scripts = {script(PRIMARY, logs[PRIMARY]), script(BACKUP, logs[BACKUP])};
        pair.extraSections(index -> "notify: { on-state-change: " + scripts[index] + ", timeout: 5s }\n");
        pair.startPair(MANUAL); // r0 ACTIVE (315, 326), r1 a synchronized STANDBY (315, 325)

        // ---- switch-over under load: r0 hands over (355), r1 preempts (347) and takes the VIP (335)
        EchoClients clients = EchoLoad.start(pair.lab().client(0), LOAD);
        clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);
        Object outcome = pair.router(PRIMARY).ctl("switchover", Map.of());
        long switchoverMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after the switch-over", TAKEOVER_TIMEOUT);
        pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after the switch-over");
        assertEquals(335L, takeover(BACKUP).get("reference"), "router 1 took the VIP by the switch-over (355, 335): "
                + pair.transitions(BACKUP));
        EchoLoad switchover = EchoLoad.finish(clients);
        System.out.println("[notify] switch-over " + outcome + " in " + switchoverMs + " ms (polled); "
                + switchover.summary("switch-over with notify scripts"));
        assertNothingLost(switchover, "switch-over with a notify script on each router");

        // Router 1 is killed next: its script must have run for each of its changes first.
        List<String> backupChanges = stateChanges(BACKUP);
        List<String> backupLines = awaitLines(logs[BACKUP], backupChanges.size(), "router 1's script");

        // ---- kill -9 of the new active under load: r0 takes over (348)
        clients = EchoLoad.start(pair.lab().client(0), LOAD);
        clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);
        pair.kill9(BACKUP);
        long takeoverMs = pair.awaitVip(PRIMARY, ACTIVE_STATE, "router 0 ACTIVE after router 1 was killed", TAKEOVER_TIMEOUT);
        assertEquals(348L, takeover(PRIMARY).get("reference"), "router 0 took over because the active was lost (348): "
                + pair.transitions(PRIMARY));
        EchoLoad kill = EchoLoad.finish(clients);
        System.out.println("[notify] kill -9: router 0 active within " + takeoverMs + " ms (polled); "
                + kill.summary("kill -9 with notify scripts"));
        assertNothingLost(kill, "kill -9 of the active with a notify script on each router");

        List<String> primaryChanges = stateChanges(PRIMARY);
        List<String> primaryLines = awaitLines(logs[PRIMARY], primaryChanges.size(), "router 0's script");
        System.out.println("[notify] router 0's script saw " + primaryLines + "\n[notify] router 1's script saw " + backupLines);

        // Exactly the router's own state changes, in order; among them the failover's (a stall of the lab host may add
        // a 321 and its way back, which the script must then see too).
        assertEquals(primaryChanges, primaryLines, "router 0's script saw every state change of its ctl events, in order");
        assertEquals(backupChanges, backupLines, "router 1's script saw every state change of its ctl events, in order");
        assertSubsequence(primaryLines, "IDLE LISTEN 315", "LISTEN ACTIVE 326", "ACTIVE STANDBY 355", "STANDBY ACTIVE 348");
        assertSubsequence(backupLines, "IDLE LISTEN 315", "LISTEN STANDBY 325", "STANDBY PREEMPT 347", "PREEMPT ACTIVE 335");

        // Router 0's counters: a run per line, none failed, timed out or dropped.
        assertEquals(List.of((long) primaryLines.size(), 0L, 0L, 0L), List.of(counter("notify_runs"), counter("notify_failures"),
                counter("notify_timeouts"), counter("notify_dropped")), "router 0's notify counters: runs, failures, timeouts, dropped");
    }

    // ============================================================================================ helpers

    private static Path log(int router) throws IOException {
        Path log = pair.lab().workDirectory().resolve("notify-r" + router + ".log").toAbsolutePath();
        Files.deleteIfExists(log);
        return log;
    }

    /** A script (root's, mode 755, as the loader demands) that appends "VIP OLD NEW NUMERAL" and sleeps. */
    private static Path script(int router, Path log) throws IOException {
        Path script = pair.lab().workDirectory().resolve("notify-r" + router + ".sh").toAbsolutePath();
        Files.writeString(script, "#!/bin/sh\n"
                + "printf '%s %s %s %s\\n' \"$1\" \"$2\" \"$3\" \"$BATON_TRANSITION\" >> " + log + "\n"
                + "sleep " + SCRIPT_SECONDS + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Router {@code router}'s FIG. 3 state changes from its {@code ctl events}, as its script writes them. */
    private static List<String> stateChanges(int router) {
        List<String> changes = new ArrayList<>();
        for (Map<String, Object> event : pair.events(router)) {
            if ("transition".equals(event.get("kind"))) {
                String from = String.valueOf(event.get("from")).split("/")[0];
                String to = String.valueOf(event.get("to")).split("/")[0];
                if (!from.equals(to)) {
                    changes.add(event.get("vip") + " " + from + " " + to + " " + event.get("reference"));
                }
            }
        }
        return changes;
    }

    /** The lines of {@code log} once it has at least {@code count} (each run takes a second, and they run in turn). */
    private static List<String> awaitLines(Path log, int count, String what) throws IOException {
        long deadlineNs = System.nanoTime() + SCRIPTS_TIMEOUT.toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() - deadlineNs < 0) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= count) {
                return lines;
            }
            pause(100);
        }
        throw new AssertionError(what + " wrote " + lines.size() + " of " + count + " lines within " + SCRIPTS_TIMEOUT.toSeconds()
                + " s: " + lines);
    }

    /** Each of {@code expected} is a line of {@code lines} (with the VIP in front), in this order. */
    private static void assertSubsequence(List<String> lines, String... expected) {
        int from = 0;
        for (String step : expected) {
            String line = HaLabPair.VIP + " " + step;
            int found = lines.subList(from, lines.size()).indexOf(line);
            assertTrue(found >= 0, "'" + line + "' after line " + from + " of " + lines);
            from += found + 1;
        }
    }

    private static Map<String, Object> takeover(int router) {
        return pair.lastTakeover(router).orElseThrow(() -> new AssertionError("router " + router + " never became ACTIVE: "
                + pair.events(router)));
    }

    private static long counter(String name) {
        return pair.router(PRIMARY).counter(name);
    }

    /** Every connection established and carried on to the end, every message echoed byte for byte. */
    private static void assertNothingLost(EchoLoad load, String context) {
        assertEquals(EchoLoad.CONNECTIONS, load.connections().size(), context);
        List<Map<String, Object>> broken = load.brokenConnections();
        assertTrue(broken.isEmpty(), () -> context + ": " + broken.size() + " connection(s) lost data or failed, e.g. "
                + broken.subList(0, Math.min(5, broken.size())));
    }
}
