package dev.baton.control.drill;

/**
 * The new-connection outage, from probes: a fresh connection opened every probe interval, good when it completed
 * (connected, and in echo mode echoed its message) within the probe timeout, failed otherwise. The outage runs from
 * the start of the first failed probe to the start of the first good probe after the last failed one: every new
 * connection in between may have met the switch. Its resolution is the probe interval. A run whose failures never
 * ended (no good probe after the last failure) has not recovered.
 *
 * <p>Probes are opened in time order, so an index is also a place in time. Bounded by the capacity given; a probe
 * beyond it is not recorded ({@link #open} returns -1). Times are given by the caller. Threads: the load's thread.
 */
public final class ProbeOutage {

    private static final byte PENDING = 0;
    private static final byte GOOD = 1;
    private static final byte FAILED = 2;

    private final long[] startNs;
    private final byte[] outcome;
    private int count;

    public ProbeOutage(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " must be positive");
        }
        startNs = new long[capacity];
        outcome = new byte[capacity];
    }

    /** A probe opened at {@code nowNs}: its index, or -1 when the capacity is used up (it is then not run). */
    public int open(long nowNs) {
        if (count == startNs.length) {
            return -1;
        }
        if (count > 0 && nowNs < startNs[count - 1]) {
            throw new IllegalArgumentException("probes open in time order: " + nowNs + " < " + startNs[count - 1]);
        }
        startNs[count] = nowNs;
        outcome[count] = PENDING;
        return count++;
    }

    public void succeeded(int index) {
        settle(index, GOOD);
    }

    public void failed(int index) {
        settle(index, FAILED);
    }

    private void settle(int index, byte result) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("no probe " + index);
        }
        if (outcome[index] == PENDING) {
            outcome[index] = result;
        }
    }

    /**
     * The outage so far. A probe still pending counts as failed: the load settles every probe before it ends, and
     * one it could not settle did not show that new connections work.
     *
     * @param originNs the time the outage's beginning is reported relative to (the switch-over command)
     */
    public Result result(long originNs) {
        int good = 0;
        int firstFailed = -1;
        int lastFailed = -1;
        for (int i = 0; i < count; i++) {
            if (outcome[i] == GOOD) {
                good++;
            } else {
                if (firstFailed < 0) {
                    firstFailed = i;
                }
                lastFailed = i;
            }
        }
        if (firstFailed < 0) {
            return new Result(count, good, 0, true, 0, 0);
        }
        int recoveredAt = lastFailed + 1 < count ? lastFailed + 1 : -1;
        long beganNs = startNs[firstFailed] - originNs;
        if (recoveredAt < 0) {
            return new Result(count, good, count - good, false, beganNs, startNs[count - 1] - startNs[firstFailed]);
        }
        return new Result(count, good, count - good, true, beganNs, startNs[recoveredAt] - startNs[firstFailed]);
    }

    /**
     * @param probes    probes run
     * @param good      of them good
     * @param failed    of them failed
     * @param recovered whether a good probe followed the last failed one (true when none failed)
     * @param beganNs   the first failed probe's start relative to the origin given (0 when none failed)
     * @param outageNs  from the first failed probe's start to the first good one's after the last failure; when not
     *                  recovered, to the last probe's start (at least this long); 0 when none failed
     */
    public record Result(int probes, int good, int failed, boolean recovered, long beganNs, long outageNs) {
    }
}
