package dev.baton.control.systemd;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigProblem;
import dev.baton.control.router.ConfigReloader;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGHUP reloads the configuration ({@code kill -HUP}, the Unix daemon's convention; {@code baton ctl reload} asks
 * the same of the control socket). Without a handler the JVM takes SIGHUP for a hang-up of its terminal and shuts
 * down, which on an active router is a switch-over: {@code baton run} installs this one once the router has started.
 *
 * <p>The signal only asks ({@link #request}): the reload runs on a thread of its own, {@value #THREAD_NAME}, never in
 * the JVM's signal dispatch (a slow reload would hold up the next signal, SIGTERM's shutdown included). Requests
 * that come while a reload runs, or before it starts, are coalesced into one more reload: that one reads the file
 * after every request was made, so it sees every edit they announced, and ten SIGHUPs in a row cost at most two reloads,
 * not ten queued ones. Once {@link #close}d (the router stops) a request does nothing but say so in the log.
 *
 * <p>Around each reload it tells the service manager, as {@code sd_notify(3)} asks: {@code RELOADING=1} (with
 * {@code MONOTONIC_USEC=}) before, {@code READY=1} after, also after a rejected file, with a {@code STATUS=} line
 * saying it was rejected. The log has each change, or each problem of a rejected file (file:line:column) at WARNING
 * with "the running configuration stays".
 */
public final class ReloadSignal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReloadSignal.class.getName());

    /** The thread reloads run on. */
    public static final String THREAD_NAME = "baton-reload";

    private final ConfigReloader reloader;
    private final SystemdNotifier notifier;
    private final Path config;
    private final Supplier<String> status;
    private final Object lock = new Object();
    private Thread thread;
    // Guarded by lock.
    private boolean pending;
    private boolean running;
    private boolean closed;
    private long requests;
    private long coalesced;
    private long runs;

    /**
     * @param config the file being reloaded, for the log and {@code STATUS=}
     * @param status the router's status line for {@code STATUS=} after a reload that went through
     */
    public ReloadSignal(ConfigReloader reloader, SystemdNotifier notifier, Path config, Supplier<String> status) {
        this.reloader = Objects.requireNonNull(reloader, "reloader");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.config = Objects.requireNonNull(config, "config");
        this.status = Objects.requireNonNull(status, "status");
    }

    /** Starts the reload thread (a daemon: it never holds the JVM up). */
    public ReloadSignal start() {
        synchronized (lock) {
            if (thread != null) {
                throw new IllegalStateException("already started");
            }
            thread = Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(this::loop);
        }
        thread.start();
        return this;
    }

    /**
     * Routes SIGHUP to {@link #request} ({@code sun.misc.Signal} of module {@code jdk.unsupported}, the supported way
     * to handle a signal in Java; its handler runs on a short-lived thread of the JVM's signal dispatch, and only
     * asks).
     */
    public ReloadSignal handleHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> request("SIGHUP"));
            LOG.fine("SIGHUP reloads " + config);
        } catch (IllegalArgumentException e) {
            // The JVM refuses a signal it uses itself: the router runs on, and the control socket still reloads.
            LOG.warning("SIGHUP cannot be handled here (" + e.getMessage() + "): reload with `baton ctl reload`,"
                    + " and do not send this process SIGHUP");
        }
        return this;
    }

    /**
     * Asks for a reload and returns at once: the reload thread runs it, or one more after the reload it is running.
     *
     * @param why who asked, for the log ({@code "SIGHUP"})
     * @return false when closed (the router stops): nothing is reloaded
     */
    public boolean request(String why) {
        synchronized (lock) {
            if (closed) {
                LOG.info(why + " ignored: the router is stopping");
                return false;
            }
            requests++;
            if (pending) {
                coalesced++; // the reload still to come reads the file after this request too
                return true;
            }
            pending = true;
            lock.notifyAll();
            return true;
        }
    }

    private void loop() {
        while (true) {
            synchronized (lock) {
                while (!pending && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                pending = false;
                running = true;
            }
            try {
                reloadOnce();
            } finally {
                synchronized (lock) {
                    running = false;
                    runs++;
                    lock.notifyAll();
                }
            }
        }
    }

    /** One reload with its notifications and log lines. Never throws a {@link RuntimeException}. */
    void reloadOnce() {
        notifier.reloading("reloading " + config);
        LOG.info("reloading " + config);
        try {
            Map<String, Object> answer = reloader.reload();
            List<String> changes = changes(answer);
            Object outcome = answer.get("outcome");
            if ("unchanged".equals(outcome) && changes.isEmpty()) {
                LOG.info("reload: " + answer.getOrDefault("config", config) + " is what the router runs already (configuration digest "
                        + answer.get("config_digest") + "): nothing changed");
            } else {
                LOG.info("reload: " + outcome + " " + answer.getOrDefault("config", config) + ", " + changes.size()
                        + (changes.size() == 1 ? " change" : " changes") + " (configuration digest " + answer.get("config_digest") + ")");
                for (String change : changes) {
                    LOG.info("reload: " + change);
                }
            }
            notifier.ready(status());
        } catch (ConfigException e) {
            List<ConfigProblem> problems = e.problems();
            LOG.warning("reload rejected: " + config + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                    + "; the running configuration stays");
            for (ConfigProblem problem : problems) {
                LOG.warning("reload rejected: " + problem);
            }
            notifier.ready("reload rejected, the running configuration stays (" + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems") + ", in the log): " + problems.getFirst());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reload of " + config + " failed: " + e.getMessage()
                    + "; `baton ctl status` shows the configuration the router runs", e);
            notifier.ready("reload failed (see the log): " + e.getMessage());
        }
    }

    private String status() {
        try {
            return status.get();
        } catch (RuntimeException e) {
            return "reloaded " + config;
        }
    }

    private static List<String> changes(Map<String, Object> answer) {
        return answer.get("changes") instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    /** SIGHUPs (and other requests) so far, counted or not as coalesced. */
    public long requests() {
        synchronized (lock) {
            return requests;
        }
    }

    /** Requests that joined a reload still to come instead of adding one. */
    public long coalesced() {
        synchronized (lock) {
            return coalesced;
        }
    }

    /** Reloads run to their end (reloaded, unchanged, rejected or failed). */
    public long runs() {
        synchronized (lock) {
            return runs;
        }
    }

    /**
     * Waits until no reload is asked for and none runs, at most {@code timeoutMs}.
     *
     * @return whether it is idle
     */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        synchronized (lock) {
            while (pending || running) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return false;
                }
                lock.wait(leftMs);
            }
            return true;
        }
    }

    /**
     * No reload starts from now on (a SIGHUP while the router stops is said in the log and does nothing, a request
     * not started yet is dropped); waits up to {@code waitMs} for a reload that runs, so that the router is not
     * stopped under it.
     */
    public void close(long waitMs) {
        Thread t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            pending = false;
            lock.notifyAll();
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(waitMs);
            if (t.isAlive()) {
                LOG.warning("a reload still runs after " + waitMs + " ms; stopping the router anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #close(long)} with up to 5 s for a reload that runs. */
    @Override
    public void close() {
        close(5_000);
    }
}
