package dev.baton.dataplane.engine;

import dev.baton.dataplane.service.VipOwnership;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data plane drops its VIPs when the HA agent is silent for t2; stepped clock. */
class AgentWatchdogTest {

    private static final int VIP_A = 0xC000020A;
    private static final int VIP_B = 0xC0000214;
    private static final long T2_MS = 60;

    private final VipOwnership ownership = new VipOwnership(new int[] {VIP_A, VIP_B}, true);
    private final AgentWatchdog watchdog = new AgentWatchdog(ownership, T2_MS);

    @Test
    void aDataPlaneWhoseAgentNeverBeatIsNotWatched() {
        for (long now = 0; now < 10 * T2_MS; now++) {
            assertEquals(0, watchdog.check(now));
        }
        assertTrue(ownership.owns(VIP_A) && ownership.owns(VIP_B));
    }

    @Test
    void anAgentSilentLongerThanT2MakesTheWorkerDropEveryVipOnceAndNeverTakeThemBack() {
        long now = 1_000;
        watchdog.beat();
        watchdog.check(now);
        for (long step = 1; step <= T2_MS; step++) {
            assertEquals(0, watchdog.check(now + step), "silent " + step + " ms, not longer than t2");
        }
        assertTrue(ownership.owns(VIP_A));
        assertEquals(1, watchdog.check(now + T2_MS + 1), "silent longer than t2: the VIPs are dropped");
        assertFalse(ownership.answersArp(VIP_A) || ownership.forwards(VIP_A) || ownership.answersArp(VIP_B) || ownership.forwards(VIP_B));
        assertEquals(1, watchdog.trips());
        assertEquals(0, watchdog.check(now + 10 * T2_MS), "dropped once, not every cycle");
        assertEquals(1, watchdog.trips());

        // The agent runs again: the watchdog does not give the VIPs back.
        now += 20 * T2_MS;
        watchdog.beat();
        for (long step = 0; step < 3 * T2_MS; step++) {
            if (step % 5 == 0) {
                watchdog.beat();
            }
            assertEquals(0, watchdog.check(now + step));
        }
        assertFalse(ownership.answersArp(VIP_A) || ownership.forwards(VIP_A), "no automatic re-grab");

        // Only the agent re-asserts (its state machine takes the VIP again); a new silence drops it again.
        ownership.own(VIP_A, true);
        now += 3 * T2_MS;
        watchdog.beat();
        watchdog.check(now);
        assertTrue(ownership.owns(VIP_A));
        assertEquals(1, watchdog.check(now + T2_MS + 1));
        assertFalse(ownership.owns(VIP_A));
        assertEquals(2, watchdog.trips());
    }
}
