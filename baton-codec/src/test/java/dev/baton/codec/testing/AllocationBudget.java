package dev.baton.codec.testing;

import java.lang.management.ManagementFactory;

/**
 * A fuzz target's bound on what one hostile input may allocate on the heap (no input may allocate in
 * proportion to a number it carries), measured on the calling thread.
 *
 * <p>The first time a code path runs, the JVM loads its classes and the fuzzer instruments them, on the calling
 * thread: megabytes that are not the input's doing. {@link #run} therefore runs the whole input measured, and
 * after an over-allocation runs it <em>whole</em> once unmeasured, loading every class on its path, then measured
 * again: a run is deterministic, so what allocates then is the input's. (Retrying measured at once is not
 * enough: the first run stopped at the first over-allocation, so paths past it were still cold in the retry,
 * which CI found with a seed order this machine did not produce.)
 */
public final class AllocationBudget {

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final long maxBytes;
    private boolean measuring = true;

    /** @param maxBytes the most one measured step may allocate */
    public AllocationBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Runs {@code input}; after an over-allocation, once unmeasured and once measured again, which decides. */
    public void run(Runnable input) {
        try {
            input.run();
        } catch (OverAllocation first) {
            measuring = false;
            try {
                input.run();
            } finally {
                measuring = true;
            }
            input.run();
        }
    }

    /** Bytes this thread has allocated so far: pass to {@link #check} after the step. */
    public long mark() {
        return threads.getCurrentThreadAllocatedBytes();
    }

    /** Throws {@link OverAllocation} when the step since {@code mark} allocated more than the budget. */
    public void check(long mark, String step) {
        long allocated = threads.getCurrentThreadAllocatedBytes() - mark;
        if (measuring && allocated > maxBytes) {
            throw new OverAllocation(step + " allocated " + allocated + " bytes (budget " + maxBytes + ")");
        }
    }

    /** One step allocated more than the budget. */
    public static final class OverAllocation extends AssertionError {
        OverAllocation(String message) {
            super(message);
        }
    }
}
