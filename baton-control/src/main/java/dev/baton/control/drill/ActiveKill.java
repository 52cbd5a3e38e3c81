package dev.baton.control.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code baton drill --hard}: SIGKILL to the active router's process, the crash a switch-over does not show (FIG. 3,
 * transition 348: the standby hears nothing for t2 and takes over with its replicated table).
 *
 * <p>Why by PID and not by a control command: a command that halts the router would be one more way to stop a
 * production router by mistake or by a stolen socket, and it would need a switch in the configuration to be refused
 * everywhere else; and a halt from inside the JVM is not the crash an operator fears (it runs on a healthy JVM at a
 * moment the router chose). The kernel's SIGKILL is the real thing, and needs nothing of the router. So the drill
 * kills by PID, which works only on the active's own host: the router's {@code ctl status} gives its {@code pid} and
 * {@code process_started}, and the drill kills only a local process with that PID that started at that instant.
 * Run anywhere else (another host, another PID namespace, a PID reused since), it refuses with why, before any
 * connection is opened.
 *
 * <p>Threads: the drill's thread.
 */
public final class ActiveKill {

    private ActiveKill() {
    }

    /** The local process that is the router {@code view}, or why there is none (the drill then refuses --hard). */
    public static Target find(PairControl.RouterView view) {
        if (view.pid() <= 0 || view.processStarted().isEmpty()) {
            return new Target(null, view.router() + " does not report its pid and start time in ctl status (a router older"
                    + " than this drill): --hard cannot tell its process; kill -9 it yourself on its host");
        }
        Optional<ProcessHandle> local = ProcessHandle.of(view.pid());
        if (local.isEmpty()) {
            return new Target(null, "no process " + view.pid() + " on this host: --hard kills the active router ("
                    + view.router() + ") by its PID and must run on its host, in its PID namespace");
        }
        Optional<Instant> localStart = local.get().info().startInstant();
        Instant routerStart = view.processStarted().get();
        if (localStart.isEmpty() || !sameInstant(localStart.get(), routerStart)) {
            return new Target(null, "process " + view.pid() + " here started at " + localStart.map(Instant::toString).orElse("an unknown time")
                    + ", the router " + view.router() + " at " + routerStart + ": not the same process (the router runs on another"
                    + " host or in another PID namespace, or the PID was reused); --hard must run on the active router's host");
        }
        return new Target(local.get(), null);
    }

    /** Start times from /proc are jiffies; two readings of one process agree to the millisecond. */
    static boolean sameInstant(Instant a, Instant b) {
        return Math.abs(Duration.between(a, b).toMillis()) <= 10;
    }

    /**
     * The router's process, or why it cannot be killed.
     *
     * @param process the process, or null
     * @param refusal why not, or null
     */
    public record Target(ProcessHandle process, String refusal) {

        /**
         * SIGKILL, then waits at most {@code timeout} for the process to be gone.
         *
         * @return null when it is gone, else why not
         */
        public String kill(Duration timeout) {
            if (process == null) {
                return refusal;
            }
            if (!process.destroyForcibly()) {
                return "SIGKILL to " + process.pid() + " was refused (not root, or not the router's user?)";
            }
            try {
                process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            } catch (TimeoutException e) {
                return "process " + process.pid() + " still runs " + timeout.toMillis() + " ms after SIGKILL";
            } catch (ExecutionException e) {
                return "waiting for process " + process.pid() + " to end: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted waiting for process " + process.pid() + " to end";
            }
        }
    }
}
