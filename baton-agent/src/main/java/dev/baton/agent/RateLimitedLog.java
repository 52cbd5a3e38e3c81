package dev.baton.agent;

/**
 * Decides when a repeated condition may be logged again: at most one line per slot (e.g. per rejection
 * reason) per {@code intervalMs}, counting what it suppressed in between so the next line can say so. A
 * flood of forged datagrams thus costs a counter increment each, not a log line each. Time is injected.
 * Not thread-safe: owned by the thread that logs.
 */
public final class RateLimitedLog {

    /** The interval the transport uses: one line per reason per 10 s. */
    public static final long DEFAULT_INTERVAL_MS = 10_000;

    private final long intervalMs;
    private final long[] lastLoggedMs;
    private final boolean[] everLogged;
    private final long[] suppressed;

    /**
     * @param slots      how many independent conditions (indices 0 to slots - 1)
     * @param intervalMs the least time between two lines of one slot
     */
    public RateLimitedLog(int slots, long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + intervalMs + " ms");
        }
        this.intervalMs = intervalMs;
        this.lastLoggedMs = new long[slots];
        this.everLogged = new boolean[slots];
        this.suppressed = new long[slots];
    }

    /**
     * Whether an occurrence of {@code slot} at {@code nowMs} should be logged. When it should, the caller logs
     * it and may report {@link #takeSuppressed} occurrences skipped since the previous line; when not, the
     * occurrence is counted as suppressed.
     */
    public boolean shouldLog(int slot, long nowMs) {
        if (!everLogged[slot] || nowMs - lastLoggedMs[slot] >= intervalMs) {
            everLogged[slot] = true;
            lastLoggedMs[slot] = nowMs;
            return true;
        }
        suppressed[slot]++;
        return false;
    }

    /** Occurrences of {@code slot} suppressed since the last line, and resets that count. */
    public long takeSuppressed(int slot) {
        long count = suppressed[slot];
        suppressed[slot] = 0;
        return count;
    }
}
