package dev.baton.ha.notify;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Starts a notify script as a process. {@link ProcessScriptLauncher} in a router; tests give {@link NotifyHook} a
 * fake that decides how each run ends (exits with a status, hangs, cannot start) without a process or a sleep.
 */
@FunctionalInterface
public interface ScriptLauncher {

    /**
     * Starts {@code command} (the script and its arguments, no shell) with {@code environment} added to the
     * router's own.
     *
     * @throws IOException when it cannot be started (gone, not executable, exec format error, out of processes)
     */
    RunningScript start(List<String> command, Map<String, String> environment) throws IOException;

    /** How a wait for a running script ended. */
    enum Outcome {
        /** It exited (by itself or by a signal): {@link RunningScript#exitStatus()} says how. */
        EXITED,
        /** It was still running when the timeout passed. */
        TIMED_OUT,
        /** It wrote more output than is kept ({@link ProcessScriptLauncher#MAX_OUTPUT_BYTES}) and was stopped. */
        OUTPUT_LIMIT
    }

    /** One run of the script. Used by one thread (the hook's). */
    interface RunningScript extends AutoCloseable {

        /**
         * Waits at most {@code timeout} for the script to exit.
         *
         * @throws InterruptedException when the waiting thread is interrupted (the router is stopping)
         */
        Outcome awaitExit(Duration timeout) throws InterruptedException;

        /** The exit status once it {@link Outcome#EXITED}: 0 success; 128 + N after signal N (as a shell says). */
        int exitStatus();

        /** Kills the script and every descendant it still has (SIGKILL), and waits briefly for the script to go. */
        void kill();

        /**
         * The first lines of what it wrote to standard output and standard error together, at most {@code maxLines}
         * of at most {@code maxChars} characters each, control characters replaced: for the log.
         */
        List<String> firstLines(int maxLines, int maxChars);

        /** Releases what the run holds (its output file). */
        @Override
        void close();
    }
}
