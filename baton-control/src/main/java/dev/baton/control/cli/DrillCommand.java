package dev.baton.control.cli;

import dev.baton.codec.Ipv4;
import dev.baton.config.ConfigValues;
import dev.baton.control.drill.Drill;
import dev.baton.control.drill.DrillLoad;
import dev.baton.control.drill.DrillReport;
import dev.baton.control.protocol.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code baton drill}: the failover proof an operator runs against a live pair before going live (docs/operations.md,
 * "Proving failover: baton drill"). Exit status 0 only when the VIP moved and nothing was lost; 1 when something was
 * lost or the switch did not happen; 2 for a usage error; 3 when the pair cannot be drilled (no synchronized standby
 * to fail over to, no active router, a router that does not answer).
 */
@Command(name = "drill", description = "Prove a failover on a live pair: long-lived connections through a VIP, a switch-over "
        + "(or with --hard a kill -9 of the active), and what the clients saw. Exit 0 only when nothing was lost.%n"
        + "Example: baton drill --target 192.0.2.10:7000 --ctl /run/baton/r0.sock --ctl /run/baton/r1.sock")
final class DrillCommand implements Callable<Integer> {

    static final int MAX_ROUTERS = 8;

    @Option(names = "--target", required = true, description = "the VIP and port, e.g. 192.0.2.10:7000")
    String target;

    @Option(names = "--ctl", required = true, description = "a router's control socket; give each router of the pair (2..8)")
    List<Path> ctl = new ArrayList<>();

    @Option(names = "--mode", defaultValue = "echo", description = "echo (every byte echoed back and checked) or keepalive "
            + "(connections that send nothing, kept alive by TCP keep-alive probes; any TCP service) (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--connections", defaultValue = "100", description = "long-lived connections, 1..2000 (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--duration", defaultValue = "10s", description = "measured, from every connection up; the switch comes a "
            + "third of the way in; 3s..10m (keepalive: at least 6s) (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--interval", defaultValue = "50ms", description = "echo mode: a message on each connection this often, "
            + "5ms..10s (default ${DEFAULT-VALUE})")
    String interval;

    @Option(names = "--probe-interval", defaultValue = "100ms", description = "a fresh probe connection this often, 50ms..10s "
            + "(default ${DEFAULT-VALUE})")
    String probeInterval;

    @Option(names = "--probe-timeout", defaultValue = "1s", description = "a probe not done within it failed, 100ms..10s; at 1s a "
            + "probe whose SYN needed a retransmission fails (default ${DEFAULT-VALUE})")
    String probeTimeout;

    @Option(names = "--hard", description = "kill -9 the active router instead of a switch-over (needs "
            + "--yes-kill-the-active-router; runs on the active router's host only)")
    boolean hard;

    @Option(names = "--yes-kill-the-active-router", description = "the operator's consent to --hard")
    boolean killConsent;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        DrillLoad.Settings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("baton drill: " + e.getMessage());
            return Baton.EXIT_INVALID;
        }
        if (ctl.size() < 2 || ctl.size() > MAX_ROUTERS) {
            System.err.println("baton drill: give the control socket of each router of the pair (--ctl twice, at most "
                    + MAX_ROUTERS + "), e.g. --ctl /run/baton/r0.sock --ctl /run/baton/r1.sock; got " + ctl.size());
            return Baton.EXIT_INVALID;
        }
        if (hard && !killConsent) {
            System.err.println("baton drill: --hard kills the active router with SIGKILL; say so with --yes-kill-the-active-router");
            return Baton.EXIT_INVALID;
        }
        if (killConsent && !hard) {
            System.err.println("baton drill: --yes-kill-the-active-router goes with --hard");
            return Baton.EXIT_INVALID;
        }
        DrillReport report = Drill.run(new Drill.Options(settings, ctl, hard), line -> System.err.println("baton drill: " + line));
        System.out.print(json ? Json.write(report.json()) + "\n" : report.text());
        return report.exitStatus();
    }

    /** The load's settings from the options, each checked against its bounds. */
    DrillLoad.Settings settings() {
        InetSocketAddress address = target(target);
        DrillLoad.Mode loadMode = switch (mode.toLowerCase(Locale.ROOT)) {
            case "echo" -> DrillLoad.Mode.ECHO;
            case "keepalive" -> DrillLoad.Mode.KEEPALIVE;
            default -> throw new IllegalArgumentException("--mode is echo or keepalive, not '" + mode + "'");
        };
        if (connections < 1 || connections > DrillLoad.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("--connections " + connections + " is outside 1.." + DrillLoad.MAX_CONNECTIONS);
        }
        Duration measured = bounded("--duration", duration, Duration.ofSeconds(3), Duration.ofMinutes(10));
        // A lost connection in keepalive mode shows only when its keep-alive probes go unanswered: KEEPALIVE_COUNT of
        // them a second apart after the switch, which comes a third of the way in.
        Duration keepAliveTail = Duration.ofSeconds(DrillLoad.KEEPALIVE_COUNT + 1);
        if (loadMode == DrillLoad.Mode.KEEPALIVE && measured.multipliedBy(2).dividedBy(3).compareTo(keepAliveTail) < 0) {
            throw new IllegalArgumentException("--duration " + duration + " is too short for keepalive mode: a lost connection shows "
                    + "after " + DrillLoad.KEEPALIVE_COUNT + " unanswered keep-alive probes, so at least "
                    + keepAliveTail.multipliedBy(3).dividedBy(2).toSeconds() + "s (e.g. --duration 10s)");
        }
        return new DrillLoad.Settings(address, loadMode, connections,
                bounded("--interval", interval, Duration.ofMillis(5), Duration.ofSeconds(10)), measured,
                bounded("--probe-interval", probeInterval, Duration.ofMillis(50), Duration.ofSeconds(10)),
                bounded("--probe-timeout", probeTimeout, Duration.ofMillis(100), Duration.ofSeconds(10)),
                Duration.ofSeconds(10), Duration.ofSeconds(3));
    }

    /** "192.0.2.10:7000" as an address; only IPv4, as Baton's VIPs. */
    static InetSocketAddress target(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--target '" + text + "' needs VIP:PORT, e.g. 192.0.2.10:7000");
        }
        int vip = Ipv4.parse(text.substring(0, colon));
        String port = text.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("--target '" + text + "': the port must be 1..65535, e.g. 192.0.2.10:7000");
        }
        try {
            byte[] bytes = {(byte) (vip >>> 24), (byte) (vip >>> 16), (byte) (vip >>> 8), (byte) vip};
            return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--target '" + text + "': " + e.getMessage());
        }
    }

    private static Duration bounded(String option, String text, Duration min, Duration max) {
        Duration value;
        try {
            value = ConfigValues.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage() + ", e.g. " + ConfigValues.formatDuration(min));
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(option + " " + text + " is outside " + ConfigValues.formatDuration(min) + ".."
                    + ConfigValues.formatDuration(max));
        }
        return value;
    }
}
