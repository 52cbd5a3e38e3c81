package dev.baton.agent;

import java.util.concurrent.locks.LockSupport;

/** What a runner does after a duty cycle that found no work: block on a port, park for a while. */
@FunctionalInterface
public interface IdleStrategy {

    /** Called after every cycle that did no work (and after a cycle that failed). */
    void idle();

    /** Parks the thread for {@code nanos}. */
    static IdleStrategy park(long nanos) {
        return () -> LockSupport.parkNanos(nanos);
    }
}
