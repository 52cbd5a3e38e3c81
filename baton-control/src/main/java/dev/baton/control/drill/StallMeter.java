package dev.baton.control.drill;

/**
 * One connection's longest stall: the longest gap between two successive echoes it completed, measured from
 * {@link #start} on (the set-up before, SYNs waiting in a server's accept queue and the first echo, is not part of
 * what a failover does to an established connection). A connection that still waited for an echo when the run
 * ended, or broke, has its last gap counted up to then ({@link #finish}): a connection that stops answering has
 * the longest stall of all, not none.
 *
 * <p>With a message every interval, a steady connection's gaps are about one interval; a failover shows as the
 * one longer gap in which its segments waited for the new active (or for the client's retransmission of one the
 * switch lost). Times are {@link System#nanoTime()} values given by the caller; nothing here reads a clock.
 *
 * <p>Threads: the load's thread.
 */
public final class StallMeter {

    private boolean started;
    private long lastEchoNs;
    private long longestNs;
    private long longestBeganNs;
    private boolean finished;

    /** Measurement starts now: the next gap is counted from here. */
    public void start(long nowNs) {
        started = true;
        lastEchoNs = nowNs;
        longestNs = 0;
        longestBeganNs = nowNs;
    }

    /** An echo completed at {@code nowNs}. Before {@link #start} it only moves the gap's beginning. */
    public void onEcho(long nowNs) {
        if (finished) {
            return;
        }
        if (started) {
            record(nowNs);
        }
        lastEchoNs = nowNs;
    }

    /**
     * The run ended (or the connection broke) at {@code nowNs}: when an echo was still awaited, the gap since the
     * last echo counts as a stall up to here. Later calls change nothing.
     *
     * @param awaitingEcho whether a message sent was not echoed yet
     */
    public void finish(long nowNs, boolean awaitingEcho) {
        if (finished) {
            return;
        }
        if (started && awaitingEcho) {
            record(nowNs);
        }
        finished = true;
    }

    private void record(long nowNs) {
        long gapNs = nowNs - lastEchoNs;
        if (gapNs > longestNs) {
            longestNs = gapNs;
            longestBeganNs = lastEchoNs;
        }
    }

    /** The longest gap so far, ns; 0 before {@link #start} or before the first echo after it. */
    public long longestNs() {
        return longestNs;
    }

    /** When the longest gap began ({@link System#nanoTime()} scale). */
    public long longestBeganNs() {
        return longestBeganNs;
    }

    public boolean started() {
        return started;
    }
}
