package dev.baton.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.agent.CounterSnapshot;
import dev.baton.monitor.MonitorState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HA agent hands every FIG. 3 state change of a VIP to the notify hook, in order, and runs no script itself:
 * two routers stepped by hand through a start, an operator switch-over (347, 355, 335) and the new active's death
 * (348), with a real script that appends its arguments to a file per router.
 */
class NotifyOnStateChangeTest {

    @TempDir
    Path directory;

    @Test
    void everyStateChangeReachesTheScriptInOrderAndNoneRunsOnTheAgentsThread() throws Exception {
        Path script = directory.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\nprintf '%s %s %s %s\\n' \"$1\" \"$2\" \"$3\" \"$BATON_TRANSITION\" >> "
                + directory + "/notify-\"$BATON_ROUTER_ID\".log\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        try (TwoRouters pair = TwoRouters.withYaml(1, "manual", "notify: { on-state-change: " + script + ", timeout: 5s }\n")) {
            pair.establishPair();
            pair.run(50, 1); // more than t4: b's keep-alives say it verified a's dump
            List<String> asked = pair.a.agent.switchover("web");
            assertEquals(1, asked.size(), String.valueOf(asked));
            pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE && pair.a.state() == MonitorState.STANDBY, 1_000,
                    "b takes the VIP over (347, 355, 335)");
            pair.run(700, 1); // a's hand-over drain ends, a follows b
            pair.b.alive = false; // kill -9 of the new active
            pair.runUntil(() -> pair.a.state() == MonitorState.ACTIVE, 1_000, "a takes over (348)");

            Path logA = directory.resolve("notify-a.log");
            Path logB = directory.resolve("notify-b.log");
            assertFalse(Files.exists(logA) || Files.exists(logB),
                    "the agents queued their changes and ran no script: the hooks were never started");
            assertEquals(4, pair.a.agent.notifyHook().runPending());
            assertEquals(4, pair.b.agent.notifyHook().runPending());

            assertEquals(List.of(
                    "192.0.2.10 IDLE LISTEN 315",
                    "192.0.2.10 LISTEN ACTIVE 326",
                    "192.0.2.10 ACTIVE STANDBY 355",
                    "192.0.2.10 STANDBY ACTIVE 348"), Files.readAllLines(logA));
            assertEquals(List.of(
                    "192.0.2.10 IDLE LISTEN 315",
                    "192.0.2.10 LISTEN STANDBY 325",
                    "192.0.2.10 STANDBY PREEMPT 347",
                    "192.0.2.10 PREEMPT ACTIVE 335"), Files.readAllLines(logB));
            assertEquals(stateChanges(pair.a.agent), Files.readAllLines(logA), "exactly the state changes of ctl events");
            assertEquals(stateChanges(pair.b.agent), Files.readAllLines(logB));

            CounterSnapshot counters = pair.a.dataplane.counters().snapshot();
            assertEquals(List.of(4L, 0L, 0L, 0L), List.of(counters.sum("notify_runs"), counters.sum("notify_failures"),
                    counters.sum("notify_timeouts"), counters.sum("notify_dropped")));
        }
    }

    @Test
    void withoutNotifyTheAgentHasNoHook() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            assertNull(pair.a.agent.notifyHook());
            assertEquals(0, pair.a.dataplane.counters().descriptors().stream().filter(d -> d.name().startsWith("notify_")).count());
        }
    }

    /** The agent's history of FIG. 3 state changes (not sync sub-states), as the script writes them. */
    private static List<String> stateChanges(HaAgent agent) {
        List<String> changes = new ArrayList<>();
        for (HaEvent event : agent.events()) {
            if (event instanceof HaEvent.StateChange change) {
                String from = change.from().split("/")[0];
                String to = change.to().split("/")[0];
                if (!from.equals(to)) {
                    changes.add(change.vip() + " " + from + " " + to + " " + change.reference());
                }
            }
        }
        return changes;
    }
}
