package dev.baton.agent;




/**
 * What happens when a Baton thread dies: the process goes down, loudly. A worker that died
 * would drop its clients' packets in silence; a dead HA agent would leave a router that forwards and answers
 * ARP for its VIPs with no keep-alives going out, while a standby takes them over: split brain with no alarm.
 * A process that exits is noticed at once by its peers (silence, then takeover), by the service manager
 * (restart) and by the operator.
 *
 * <p>Used as the uncaught-exception handler of every Baton thread and called by {@link AgentRunner} for any
 * {@link Throwable} that is not a {@link RuntimeException} (an {@link Error}: out of memory, stack overflow, a
 * class that failed to link; the thread's state can no longer be trusted). It logs the cause, then halts
 * with {@link #EXIT_STATUS} through the {@link Halter}: {@link Runtime#halt} skips shutdown hooks, which
 * would wait on the very threads that died. Out-of-memory errors end the JVM before this, by
 * {@code -XX:+ExitOnOutOfMemoryError} (exit status 3) in {@code bin/env.sh}.
 */
public final class ThreadFailure implements Thread.UncaughtExceptionHandler {

    /** Exit status of a router halted because one of its threads died (70 is EX_SOFTWARE in sysexits.h). */
    public static final int EXIT_STATUS = 70;

    private static final System.Logger LOG = System.getLogger(ThreadFailure.class.getName());

    /** Ends the process; injected so a test can see the call without losing its JVM. */
    @FunctionalInterface
    public interface Halter {
        void halt(int status);
    }

    /** Halts the JVM: the policy of {@code baton run}. */
    public static final ThreadFailure HALT = new ThreadFailure(status -> Runtime.getRuntime().halt(status));

    private final Halter halter;

    public ThreadFailure(Halter halter) {
        this.halter = halter;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable cause) {
        die(thread, cause);
    }

    /** Logs why {@code thread} cannot go on, then halts with {@link #EXIT_STATUS}. */
    public void die(Thread thread, Throwable cause) {
        String text = "thread " + thread.getName() + " died: halting the router (exit status " + EXIT_STATUS + ")";
        try {
            LOG.log(System.Logger.Level.ERROR, text, cause);
        } catch (Throwable logFailed) {
            // The logger itself may be what failed (a stack overflow, no memory left): stderr, then halt anyway.
            try {
                System.err.println("baton: " + text + ": " + cause);
            } catch (Throwable ignored) {
                // nothing more can be said
            }
        }
        halter.halt(EXIT_STATUS);
    }
}
