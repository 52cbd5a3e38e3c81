package dev.baton.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CycleProfileTest {

    private long nowNs;

    @Test
    void aStallShowsAsALongGapWithShortPhasesOrAsOneLongPhase() {
        CycleProfile profile = new CycleProfile(() -> nowNs, "receive", "send");
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("agent", CounterRegistry.Owner.ANY_THREAD);
        profile.describe(group, "agent");
        group.reader(values -> profile.read(values, 0));

        // Cycle 1: 5 µs and 20 µs.
        profile.begin();
        nowNs += 5_000;
        profile.end(0);
        nowNs += 20_000;
        profile.end(1);
        // The thread does not run for 120 ms (starved, paused); cycle 2 then takes 40 ms receiving.
        nowNs += 120_000_000;
        profile.begin();
        assertEquals("send (20 µs)", profile.longestPhaseOfPreviousCycle());
        nowNs += 40_000_000;
        profile.end(0);
        assertEquals("receive (40000 µs)", profile.longestPhaseOfCycle());
        profile.end(1);

        CounterSnapshot s = registry.snapshot();
        assertEquals(1, s.sum("agent_gap_us_count"));
        assertEquals(120_025, s.sum("agent_gap_us_max"));
        assertEquals(0, s.sum("agent_gap_us_bucket", "le", "100000"), "the gap is over 100 ms");
        assertEquals(1, s.sum("agent_gap_us_bucket", "le", "1000000"));
        assertEquals(1, s.sum("agent_gap_us_bucket", "le", "+Inf"));
        assertEquals(2, s.sum("agent_phase_us_count", "phase", "receive"));
        assertEquals(1, s.sum("agent_phase_us_bucket", "phase", "receive", "le", "10"), "cumulative: 5 µs");
        assertEquals(1, s.sum("agent_phase_us_bucket", "phase", "receive", "le", "10000"));
        assertEquals(2, s.sum("agent_phase_us_bucket", "phase", "receive", "le", "50000"), "and 40 ms");
        assertEquals(40_005, s.sum("agent_phase_us_sum", "phase", "receive"));
        assertEquals(40_000, s.sum("agent_phase_us_max", "phase", "receive"));
        assertEquals(1, s.sum("agent_phase_us_bucket", "phase", "send", "le", "10"), "0 µs the second time");
    }
}
