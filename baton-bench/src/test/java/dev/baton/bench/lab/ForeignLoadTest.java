package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ForeignLoadTest {

    private static ForeignLoad.ProcessSample sample(String command, long ticks) {
        return new ForeignLoad.ProcessSample(command, ticks);
    }

    @Test
    void kernelThreadsAreNotForeignLoadBecauseKsoftirqdForwardsPackets() {
        assertNull(ForeignLoad.parse(22, "22 (ksoftirqd/1) S 2 0 0 0 -1 69238848 0 0 0 0 0 31 0 0 20 0 1 0 9 0 0"));
        assertNull(ForeignLoad.parse(2, "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0"));
        assertEquals(sample("java", 130), ForeignLoad.parse(4242, "4242 (java) S 4000 4242 4000 0 -1 0 0 0 0 0 100 30 0 0 20 0 30 0 100 1 1"));
    }

    @Test
    void usageIsTheTicksSpentDuringTheWindowSpreadOverIt() {
        Map<Long, ForeignLoad.ProcessSample> before = Map.of(10L, sample("java", 1000), 11L, sample("make", 50), 12L, sample("idle", 7));
        Map<Long, ForeignLoad.ProcessSample> after = Map.of(10L, sample("java", 1500), 11L, sample("make", 150), 12L, sample("idle", 7),
                13L, sample("javac", 200));
        // 500 + 100 + 200 ticks = 8 s of CPU over a 10 s window: 0.8 CPUs; the new process counts from zero.
        ForeignLoad.Usage usage = ForeignLoad.usage(before, after, 100, 10_000_000_000L);
        assertEquals(0.8, usage.cpus(), 1e-9);
        assertEquals("java:10 0.50, javac:13 0.20, make:11 0.10", usage.top());
    }

    @Test
    void aRecycledPidWithAnotherCommandIsANewProcess() {
        ForeignLoad.Usage usage = ForeignLoad.usage(Map.of(10L, sample("bash", 900)), Map.of(10L, sample("gcc", 100)),
                100, 1_000_000_000L);
        assertEquals(1.0, usage.cpus(), 1e-9);
    }

    @Test
    void nothingForeignSaysNone() {
        assertEquals(new ForeignLoad.Usage(0, "none"), ForeignLoad.usage(Map.of(), Map.of(), 100, 1_000_000_000L));
    }

    @Test
    void thisJvmIsNeverForeign() {
        ForeignLoad load = ForeignLoad.begin();
        long sum = 0;
        for (int i = 0; i < 2_000_000; i++) {
            sum += Long.numberOfTrailingZeros(i * 31L + sum);
        }
        ForeignLoad.Usage usage = load.since(100, 1_000_000_000L);
        assertEquals(false, usage.top().contains(":" + ProcessHandle.current().pid() + " "), usage.top() + sum);
    }
}
