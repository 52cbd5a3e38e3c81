package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CpuTicksTest {

    private static final String PROC_STAT = """
            cpu  110133 0 14282 332692 517 0 4102 62 0 0
            cpu0 53589 0 6859 168382 61 0 1982 29 0 0
            cpu1 56543 7 7422 164309 456 3 2120 32 11 0
            intr 1234 0 0
            """;

    @Test
    void readsTheLineOfTheRequestedCpuNotTheTotalOrAnotherCpu() {
        CpuTicks cpu1 = CpuTicks.parse(PROC_STAT, 1);
        assertEquals(new CpuTicks(1, 56543, 7, 7422, 164309, 456, 3, 2120, 32), cpu1);
        assertEquals(53589, CpuTicks.parse(PROC_STAT, 0).user());
    }

    @Test
    void busyLeavesOutIdleAndIowaitAndDoesNotCountGuestTwice() {
        CpuTicks cpu1 = CpuTicks.parse(PROC_STAT, 1);
        assertEquals(56543 + 7 + 7422 + 3 + 2120 + 32, cpu1.busy());
        assertEquals(cpu1.busy() + 164309 + 456, cpu1.total());
    }

    @Test
    void differenceOfTwoSamplesIsTheTimeBetweenThem() {
        CpuTicks earlier = new CpuTicks(1, 100, 0, 50, 1000, 0, 0, 10, 0);
        CpuTicks later = new CpuTicks(1, 160, 0, 70, 1010, 0, 0, 20, 0);
        CpuTicks delta = later.minus(earlier);
        assertEquals(new CpuTicks(1, 60, 0, 20, 10, 0, 0, 10, 0), delta);
    }

    @Test
    void busyTimeIsElapsedTimeMinusTheExactlyMeasuredIdleTime() {
        // 2 s at 100 ticks/s = 200 ticks; 120 idle and 10 iowait: 70 busy, even though only 15 busy ticks were sampled.
        CpuTicks delta = new CpuTicks(1, 10, 0, 4, 120, 10, 0, 1, 0);
        assertEquals(70, delta.busyTicks(200));
        assertEquals(0.35, delta.busyFraction(2_000_000_000L, 100), 1e-9);
        assertEquals(0, new CpuTicks(1, 0, 0, 0, 210, 0, 0, 0, 0).busyTicks(200), "never negative");
        assertEquals(1.0, new CpuTicks(1, 300, 0, 0, 0, 0, 0, 0, 0).busyFraction(1_000_000_000L, 100), "never above 1");
        assertEquals(250, CpuTicks.elapsedTicks(2_500_000_000L, 100));
    }

    @Test
    void samplesOfDifferentCpusCannotBeSubtracted() {
        assertThrows(IllegalArgumentException.class, () -> CpuTicks.parse(PROC_STAT, 1).minus(CpuTicks.parse(PROC_STAT, 0)));
    }

    @Test
    void aMissingCpuIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuTicks.parse(PROC_STAT, 2));
        assertEquals("no line for cpu2 in /proc/stat", e.getMessage());
    }

    @Test
    void theRunningKernelHasACpu0Line() {
        CpuTicks cpu0 = CpuTicks.read(0);
        assertEquals(0, cpu0.cpu());
        assertEquals(true, cpu0.total() > 0);
    }
}
