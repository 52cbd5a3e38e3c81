package dev.baton.peer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many received datagrams got each {@link Verdict}, indexed by the verdict's stable code. The receive
 * thread is the only writer (a plain read and a release store: no lock, no read-modify-write); any thread
 * may read (status, metrics).
 */
public final class VerdictCounters {

    private final AtomicLongArray counts = new AtomicLongArray(Verdict.codeLimit());

    /** Counts one datagram with {@code verdict}. Single writer: the receive thread. */
    public void increment(Verdict verdict) {
        int code = verdict.code();
        counts.setRelease(code, counts.getPlain(code) + 1);
    }

    /** Datagrams that got {@code verdict}. */
    public long count(Verdict verdict) {
        return counts.getAcquire(verdict.code());
    }

    /** Datagrams rejected for any reason. */
    public long rejected() {
        long total = 0;
        for (Verdict verdict : Verdict.values()) {
            if (!verdict.accepted()) {
                total += count(verdict);
            }
        }
        return total;
    }
}
