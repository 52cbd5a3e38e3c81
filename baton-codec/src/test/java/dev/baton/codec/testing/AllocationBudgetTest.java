package dev.baton.codec.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AllocationBudgetTest {

    private final AllocationBudget budget = new AllocationBudget(64 * 1024);
    private Object sink;

    @Test
    void anInputThatAllocatesEveryRunIsAFinding() {
        assertThrows(AllocationBudget.OverAllocation.class, () -> budget.run(() -> step(1 << 20)));
    }

    /** The CI case: the first run stops at step 1, so step 2's one-time cost is met only in a later run. */
    @Test
    void oneTimeCostsAnywhereInTheInputAreNotFindings() {
        boolean[] warm = new boolean[3];
        int[] runs = {0};
        budget.run(() -> {
            runs[0]++;
            for (int i = 0; i < warm.length; i++) {
                step(warm[i] ? 16 : 1 << 20);
                warm[i] = true;
            }
        });
        assertEquals(3, runs[0], "measured, unmeasured, measured");
    }

    private void step(int bytes) {
        long mark = budget.mark();
        sink = new byte[bytes];
        budget.check(mark, "step");
    }
}
