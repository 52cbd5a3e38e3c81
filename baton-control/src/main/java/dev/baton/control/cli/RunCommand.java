package dev.baton.control.cli;

import dev.baton.agent.MillisClock;
import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.router.RouterDaemon;
import dev.baton.control.systemd.ReloadSignal;
import dev.baton.control.systemd.RouterLiveness;
import dev.baton.control.systemd.ServiceWatchdog;
import dev.baton.control.systemd.SystemdNotifier;
import dev.baton.nativeio.PacketSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code baton run}: runs a router until SIGTERM or SIGINT; SIGHUP reloads its configuration file ({@link ReloadSignal}).
 * Under systemd ({@code Type=notify}) it says when it forwards, pings the watchdog while its threads cycle, says when
 * it reloads and when it stops ({@link SystemdNotifier}).
 */
@Command(name = "run", description = "Run a router with the given configuration until stopped (SIGTERM/SIGINT). "
        + "SIGHUP re-reads the configuration file, as `baton ctl reload` does (see there what a reload changes).")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "text (default): one line per record; json: one JSON object per line (time, level, logger,"
                    + " message, thrown), for the journal's consumers and log shippers")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        if (!LogFormat.NAMES.contains(logFormat)) {
            System.err.println("baton run: --log-format " + logFormat + " is not one of " + LogFormat.NAMES
                    + "; for example: --log-format json");
            return Baton.EXIT_INVALID;
        }
        if (logFormat.equals("json")) {
            LogFormat.use("json");
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid(),
                MillisClock.SYSTEM);
        BatonConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            return fail(notifier, Baton.EXIT_INVALID, e.getMessage());
        }
        if (!PacketSocket.isAvailable()) {
            return fail(notifier, Baton.EXIT_FAILURE, "baton: cannot open AF_PACKET sockets: " + PacketSocket.unavailabilityCause()
                    + " (run as root or with CAP_NET_RAW and CAP_NET_ADMIN)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        RouterDaemon daemon;
        try {
            daemon = RouterDaemon.start(loaded);
        } catch (java.io.IOException | RuntimeException e) {
            return fail(notifier, Baton.EXIT_FAILURE, "baton run: " + e.getMessage());
        }
        // SIGHUP reloads from now on (before, the JVM's default for it ends the process: the router is not up yet).
        ReloadSignal reloads = new ReloadSignal(daemon, notifier, config, () -> statusLine(daemon)).start().handleHangup();
        // Up: the interfaces checked, the host guard installed, the workers (and the XDP program) forwarding, the HA
        // agent and the control socket started. With peers a VIP is served once the agent's listen time (t1) ends,
        // which systemd need not wait for: the service is up.
        notifier.ready(statusLine(daemon));
        long intervalMs = ServiceWatchdog.intervalMs(notifier);
        ServiceWatchdog watchdog = notifier.enabled() && intervalMs > 0
                ? new ServiceWatchdog(notifier, RouterLiveness.of(daemon.dataplane(), daemon.agent() != null),
                        () -> statusLine(daemon), intervalMs, MillisClock.SYSTEM).start()
                : null;
        if (watchdog != null) {
            LOG.info("systemd watchdog: WATCHDOG=1 every " + intervalMs + " ms while every worker"
                    + (daemon.agent() != null ? " and the HA agent" : "") + " cycles");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // First: no reload starts any more (a SIGHUP now is logged and ignored), and one that runs ends before
            // the router is taken down under it.
            reloads.close();
            notifier.stopping("router " + loaded.router().id() + " stopping");
            if (watchdog != null) {
                watchdog.close();
            }
            daemon.close();
            notifier.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
        return Baton.EXIT_OK;
    }

    /**
     * A start that failed: the message on standard error (as a log record with {@code --log-format json}, so that
     * every line stays JSON) and in {@code STATUS=}, then the exit status.
     */
    private int fail(SystemdNotifier notifier, int exitStatus, String message) {
        if (logFormat.equals("json")) {
            LOG.severe(message);
        } else {
            System.err.println(message);
        }
        notifier.status("failed to start: " + message.lines().findFirst().orElse(""));
        notifier.close();
        return exitStatus;
    }

    /**
     * {@code STATUS=} for {@code systemctl status}: which router, how many of its VIPs it forwards now (a standby
     * forwards none), and the data path.
     */
    static String statusLine(RouterDaemon daemon) {
        BatonConfig config = daemon.config();
        Set<Integer> vips = new LinkedHashSet<>();
        config.services().forEach(service -> vips.add(service.vip()));
        int owned = 0;
        for (int vip : vips) {
            if (daemon.dataplane().ownership().owns(vip)) {
                owned++;
            }
        }
        return "router " + config.router().id() + ": forwarding " + owned + " of " + vips.size() + " VIP(s)"
                + (vips.size() == 1 ? " (" + Ipv4.format(vips.iterator().next()) + ")" : "")
                + "; data path " + daemon.dataplane().fastPath().status();
    }
}
