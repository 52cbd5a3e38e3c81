package dev.baton.bench.lab;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Lab;
import dev.baton.lab.Segment;
import dev.baton.lab.Tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.MANUAL;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.STANDBY_STATE;
import static dev.baton.lab.HaLabPair.other;

/**
 * The failover benchmark ({@code bench/failover.sh}; method and results in docs/benchmarks.md, "High
 * availability: failover"): a pair of real {@code baton run} processes ({@link HaLabPair}, default timers,
 * t2 = 60 ms) under 200 long-lived echo connections (a message every 20 ms each, every echoed byte checked), and
 * <ol>
 *   <li>one baseline client run with no failure, for scale;</li>
 *   <li>{@code --rounds} kill -9 failovers: SIGKILL to the active router, the standby takes over (FIG. 3, 348);
 *       the killed router is restarted, becomes a synchronized standby (failback manual, so it stays one), and is
 *       the other router killed in the next round, so the pair alternates;</li>
 *   <li>{@code --switchovers} operator switchovers ({@code ctl switchover} on the active: 355, then 335 on the
 *       standby), alternating as well;</li>
 *   <li>{@code --cuts} reachability hand-overs: the pair restarted with health checks and a reachability set (the
 *       echo service's servers, and each server by ICMP echo, every {@value #CUT_INTERVAL_MS} ms), then the
 *       active's server segment cut on the switch's side while its own port stays lit (FIG. 6, link 637): only
 *       its probes see it, and its reachability manager hands the VIP to the standby (345, then 335). The segment
 *       is repaired and the next cut is the other router's.</li>
 * </ol>
 * Each round is a fresh client run: the connections are opened, run steadily (so both routers hold their entries),
 * then the failure, then more load; the per-connection longest stall is the client's figure. On the wire, tcpdump
 * in the switch namespace ({@link WireCapture}) timestamps the new active's first frame towards the VIP on its
 * server-side port, and for kills the old active's last one; the kill's own timestamp is taken right before the
 * signal, on the same clock (CLOCK_REALTIME, shared by all namespaces).
 *
 * <p>Bounded: every wait has a timeout; the lab (routers, clients, servers, captures) is removed when the run
 * ends, fails or is interrupted (Ctrl-C: the lab's shutdown hook); routers are stopped by PID only.
 *
 * <p>Threads: the main thread only; everything measured runs in other processes.
 */
public final class FailoverBenchmark {

    /** How long the standby gets to become active once the failure happened (t2 = 60 ms, plus polling). */
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(5);
    /** How long a capture waits for the new active's first frame. */
    private static final Duration FIRST_FRAME_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CAPTURE_START_TIMEOUT = Duration.ofSeconds(10);
    /** How long the old active's frames are captured before the kill: more than two of the clients' 20 ms ticks. */
    private static final long OLD_FRAMES_LEAD_MS = 50;
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LOAD_POLL = Duration.ofSeconds(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String NO_ENTRY = "tcp-no-connection";
    private static final String VIP_NOT_OWNED = "vip-not-owned";
    /** The reachability hand-over's probes: every element every 200 ms, down after 2 failures, a 500 ms hold. */
    static final long CUT_INTERVAL_MS = 200;
    static final int CUT_FALL = 2;
    static final long CUT_HOLD_MS = 500;
    /**
     * The detection time of a cut: the first probe after it fails at most an interval plus its timeout later, the
     * second an interval after that, then the judge's hold.
     */
    static final double CUT_DETECTION_MS = (CUT_FALL + 1) * CUT_INTERVAL_MS + CUT_HOLD_MS;
    private static final Duration CUT_TAKEOVER_TIMEOUT = Duration.ofSeconds(10);
    /** In cut rounds, a fresh one-message connection this often: what the new active forwards first. */
    static final Duration CUT_PROBE_INTERVAL = Duration.ofMillis(20);
    /** Per cut round: from the cut to the new active's first segment of an established connection, ms (NaN: none seen). */
    private final List<Double> cutEstablishedMs = new ArrayList<>();
    private static final Duration ELEMENTS_UP_TIMEOUT = Duration.ofSeconds(15);

    private final FailoverBenchmarkOptions options;
    private HaLabPair pair;

    FailoverBenchmark(FailoverBenchmarkOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        BenchArguments.main("failover benchmark", FailoverBenchmarkOptions.USAGE, args, FailoverBenchmarkOptions::parse, FailoverBenchmark::missingPrerequisite,
                options -> new FailoverBenchmark(options).run());
    }

    /** Why the benchmark cannot run here, or null. */
    static String missingPrerequisite() {
        if (!Lab.isSupported()) {
            return Lab.unsupportedReason();
        }
        if (!Tool.PYTHON3.isAvailable()) {
            return Tool.PYTHON3.missingMessage();
        }
        if (WireCapture.tcpdump().isEmpty()) {
            return "tcpdump not found (bench/failover.sh installs the Debian package tcpdump)";
        }
        return null;
    }

    void run() throws IOException {
        System.out.println("# Baton failover benchmark");
        System.out.println("started " + Instant.now() + " on " + firstLine(command("uname", "-srm")) + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version() + "; "
                + firstLine(command(WireCapture.tcpdump().orElseThrow().toString(), "--version")));
        System.out.println("options: " + options);
        waitForQuietMachine();
        List<FailoverRound> kills = new ArrayList<>();
        List<FailoverRound> switchovers = new ArrayList<>();
        List<FailoverRound> cuts = new ArrayList<>();
        FailoverRound baseline;
        try (HaLabPair built = HaLabPair.build()) {
            pair = built;
            try {
                pair.useDefaultTimers(); // the figures are those of the product's defaults (t2 = 60 ms)
                // The lab has one client address, and every round opens 200 connections from it: their closed entries
                // stay counted until they expire (tcp-closing 2 min), and a restarted router learns them all in its
                // dump, so from the sixth round the default per-source limit (1,024) refused 176 of 200 SYNs on
                // either data path. A benchmark of failover, not of the quota: no limit, as the cut rounds.
                pair.perSourceLimit(0);
                System.out.print(pair.lab().describe());
                pair.startPair(MANUAL);
                System.out.println("pair up: r0 ACTIVE, r1 a synchronized STANDBY; r0's configuration:\n"
                        + pair.config(PRIMARY, MANUAL).strip().indent(4));
                int active = PRIMARY;
                baseline = baselineRound(active);
                System.out.println(FailoverReport.roundLine(baseline));
                for (int round = 1; round <= options.rounds(); round++) {
                    FailoverRound result = killRound(round, active);
                    kills.add(result);
                    System.out.println(FailoverReport.roundLine(result));
                    active = result.toRouter();
                }
                for (int round = 1; round <= options.switchovers(); round++) {
                    FailoverRound result = switchoverRound(round, active);
                    switchovers.add(result);
                    System.out.println(FailoverReport.roundLine(result));
                    active = result.toRouter();
                }
                if (options.cuts() > 0) {
                    startPairWithReachability();
                    active = PRIMARY;
                }
                for (int round = 1; round <= options.cuts(); round++) {
                    FailoverRound result = cutRound(round, active);
                    cuts.add(result);
                    System.out.println(FailoverReport.roundLine(result));
                    active = result.toRouter();
                }
            } catch (RuntimeException e) {
                // Read while the lab is still open: closing it removes the routers' logs with its work directory.
                try {
                    System.out.println("==== router logs ====\n" + pair.logs());
                } catch (RuntimeException logsUnreadable) {
                    e.addSuppressed(logsUnreadable);
                }
                throw e;
            }
        } finally {
            pair = null;
        }
        System.out.println();
        System.out.println("## Every round");
        System.out.println();
        List<FailoverRound> all = new ArrayList<>();
        all.add(baseline);
        all.addAll(kills);
        all.addAll(switchovers);
        all.addAll(cuts);
        System.out.print(FailoverReport.table(all));
        System.out.println();
        System.out.println("## Against the targets");
        System.out.println();
        System.out.print(FailoverReport.summary(baseline, kills, switchovers));
        System.out.print(FailoverReport.cutRows(cuts, cutEstablishedMs, CUT_DETECTION_MS));
        System.out.println();
        System.out.println("finished " + Instant.now() + "; 1-minute load average " + LabForwardingBenchmark.loadAverage());
    }

    // ------------------------------------------------------------------------------------------ rounds

    /** The same client run with nothing failing: what the machine's own jitter does to the stall figure. */
    private FailoverRound baselineRound(int active) {
        try (EchoClients clients = startSteadyLoad()) {
            long retransmissionsBefore = pair.clientRetransmissions();
            Instant markedAt = Instant.now();
            EchoLoad load = EchoLoad.finish(clients);
            return new FailoverRound(1, FailoverRound.Kind.BASELINE, active, active, markedAt, Optional.empty(), Optional.empty(),
                    Optional.empty(), 0, load, pair.clientRetransmissions() - retransmissionsBefore, 0, 0, 0, -1);
        }
    }

    /** Kill -9 the active router under load, measure, then restart it as the synchronized standby. */
    private FailoverRound killRound(int number, int active) throws IOException {
        int standby = other(active);
        Path work = pair.lab().workDirectory();
        FailoverRound measured;
        try (EchoClients clients = startSteadyLoad()) {
            long retransmissionsBefore = pair.clientRetransmissions();
            long noEntryBefore = pair.drops(standby, NO_ENTRY);
            long vipNotOwnedBefore = pair.drops(standby, VIP_NOT_OWNED);
            long ringDropsBefore = pair.ringDrops(standby);
            Instant killedAt;
            Optional<Instant> firstNew;
            Optional<Instant> lastOld;
            try (WireCapture newFrames = WireCapture.start(pair.lab(), pair.serverSideBridgePort(standby),
                    pair.host(standby).serverMac(), HaLabPair.VIP, true, work.resolve("capture-kill-" + number + "-new.txt"),
                    CAPTURE_START_TIMEOUT);
                 WireCapture oldFrames = WireCapture.start(pair.lab(), pair.serverSideBridgePort(active),
                         pair.host(active).serverMac(), HaLabPair.VIP, false, work.resolve("capture-kill-" + number + "-old.txt"),
                         CAPTURE_START_TIMEOUT)) {
                // The clients send on every connection at each 20 ms tick: capture at least two ticks of the old
                // active's frames before the kill. The pause is not aligned with the ticks, so the kill falls at a
                // random phase of the client's cycle.
                HaLabPair.pause(OLD_FRAMES_LEAD_MS);
                killedAt = pair.kill9(active);
                pair.awaitVip(standby, ACTIVE_STATE, "router " + standby + " ACTIVE after router " + active + " was killed",
                        TAKEOVER_TIMEOUT);
                firstNew = newFrames.awaitFirstFrame(FIRST_FRAME_TIMEOUT);
                List<Instant> old = oldFrames.stopAndCollect();
                lastOld = old.isEmpty() ? Optional.empty() : Optional.of(old.getLast());
            }
            noteIfTheUpstreamHasNotMoved(standby);
            EchoLoad load = EchoLoad.finish(clients);
            Map<String, Object> takeover = pair.lastTakeover(standby).orElse(Map.of());
            measured = new FailoverRound(number, FailoverRound.Kind.KILL, active, standby, killedAt, firstNew, lastOld,
                    eventTime(takeover), reference(takeover), load, pair.clientRetransmissions() - retransmissionsBefore,
                    pair.drops(standby, NO_ENTRY) - noEntryBefore, pair.drops(standby, VIP_NOT_OWNED) - vipNotOwnedBefore,
                    pair.ringDrops(standby) - ringDropsBefore, -1);
        }
        pair.destroyClientConnections(); // connections a failure broke would retransmit into the next round
        long restartedAtNs = System.nanoTime();
        pair.start(active, MANUAL);
        pair.awaitSynchronizedStandby(active);
        long readyMs = (System.nanoTime() - restartedAtNs) / 1_000_000;
        return withStandbyReady(measured, readyMs);
    }

    /** {@code ctl switchover} on the active router under load; the old active ends a synchronized standby. */
    private FailoverRound switchoverRound(int number, int active) {
        int standby = other(active);
        Path work = pair.lab().workDirectory();
        FailoverRound measured;
        try (EchoClients clients = startSteadyLoad()) {
            long retransmissionsBefore = pair.clientRetransmissions();
            long noEntryBefore = pair.drops(standby, NO_ENTRY);
            long vipNotOwnedBefore = pair.drops(standby, VIP_NOT_OWNED) + pair.drops(active, VIP_NOT_OWNED);
            long ringDropsBefore = pair.ringDrops(standby);
            Instant commandAt;
            Optional<Instant> firstNew;
            try (WireCapture newFrames = WireCapture.start(pair.lab(), pair.serverSideBridgePort(standby),
                    pair.host(standby).serverMac(), HaLabPair.VIP, true, work.resolve("capture-switchover-" + number + "-new.txt"),
                    CAPTURE_START_TIMEOUT)) {
                commandAt = Instant.now();
                pair.router(active).ctl("switchover", Map.of());
                pair.awaitVip(standby, ACTIVE_STATE, "router " + standby + " ACTIVE after the switchover", TAKEOVER_TIMEOUT);
                pair.awaitVip(active, STANDBY_STATE, "router " + active + " STANDBY after the switchover", TAKEOVER_TIMEOUT);
                firstNew = newFrames.awaitFirstFrame(FIRST_FRAME_TIMEOUT);
            }
            pair.awaitSynchronizedStandby(active);
            long readyMs = Duration.between(commandAt, Instant.now()).toMillis();
            noteIfTheUpstreamHasNotMoved(standby);
            EchoLoad load = EchoLoad.finish(clients);
            Map<String, Object> takeover = pair.lastTakeover(standby).orElse(Map.of());
            measured = new FailoverRound(number, FailoverRound.Kind.SWITCHOVER, active, standby, commandAt, firstNew,
                    Optional.empty(), eventTime(takeover), reference(takeover), load,
                    pair.clientRetransmissions() - retransmissionsBefore, pair.drops(standby, NO_ENTRY) - noEntryBefore,
                    pair.drops(standby, VIP_NOT_OWNED) + pair.drops(active, VIP_NOT_OWNED) - vipNotOwnedBefore,
                    pair.ringDrops(standby) - ringDropsBefore, readyMs);
        }
        pair.destroyClientConnections();
        return measured;
    }

    /**
     * Restarts the pair with TCP health checks on the echo service and a reachability set on both routers: the
     * service's servers (a {@code service} element) and each server by ICMP echo. Returns with every element up on
     * both routers and router 0 active.
     */
    private void startPairWithReachability() throws IOException {
        pair.stopAll();
        pair.destroyClientConnections();
        // No router restarts between cuts, so the one client address's closed entries of every round stay counted
        // until they expire: past five rounds of 200 they would exceed the default per-source limit (1,024).
        pair.perSourceLimit(0);
        String timing = "interval: " + CUT_INTERVAL_MS + "ms, timeout: 100ms, rise: 2, fall: " + CUT_FALL;
        pair.serviceSettings("    health-check: { type: tcp, port: " + HaLabPair.ECHO_PORT + ", " + timing + " }\n");
        String servers = pair.lab().servers().stream()
                .map(s -> "    - { name: " + s.name() + ", address: " + s.address() + ", probe: icmp, " + timing + " }\n")
                .collect(Collectors.joining());
        pair.extraSections(index -> "reachability:\n  compare: count\n  min-improvement: 1\n  hold: " + CUT_HOLD_MS
                + "ms\n  report-interval: 200ms\n  targets:\n    - { name: echo-servers, service: echo }\n" + servers);
        pair.startPair(MANUAL);
        awaitEveryElementUp(PRIMARY);
        awaitEveryElementUp(other(PRIMARY));
        System.out.println("pair restarted with reachability: r0's configuration:\n" + pair.config(PRIMARY, MANUAL).strip().indent(4));
    }

    /**
     * Cuts the active router's server segment behind its lit port under load and measures the hand-over; repairs
     * it and waits until the old active is a synchronized standby that reaches everything again (failback manual:
     * it stays standby), so the next cut is the other router's.
     */
    private FailoverRound cutRound(int number, int active) {
        int standby = other(active);
        String port = pair.serverSideBridgePort(active);
        Path work = pair.lab().workDirectory();
        FailoverRound measured;
        // Fresh connections every CUT_PROBE_INTERVAL: the first SYN the new active forwards shows when it forwards;
        // the established connections' first segment waits for their own retransmission timers as well.
        try (EchoClients clients = startSteadyLoad(CUT_PROBE_INTERVAL)) {
            long retransmissionsBefore = pair.clientRetransmissions();
            long noEntryBefore = pair.drops(standby, NO_ENTRY);
            long vipNotOwnedBefore = pair.drops(standby, VIP_NOT_OWNED);
            long ringDropsBefore = pair.ringDrops(standby);
            Instant cutAt;
            Optional<Instant> firstNew;
            Optional<Instant> firstEstablished;
            try {
                try (WireCapture newFrames = WireCapture.start(pair.lab(), pair.serverSideBridgePort(standby),
                        pair.host(standby).serverMac(), HaLabPair.VIP, true, work.resolve("capture-cut-" + number + "-new.txt"),
                        CAPTURE_START_TIMEOUT);
                     WireCapture establishedFrames = WireCapture.start(pair.lab(), pair.serverSideBridgePort(standby),
                             pair.host(standby).serverMac(), HaLabPair.VIP, WireCapture.ESTABLISHED_ONLY, true,
                             work.resolve("capture-cut-" + number + "-established.txt"), CAPTURE_START_TIMEOUT)) {
                    cutAt = Instant.now();
                    pair.bridgePort(port, Segment.BACK, false);
                    pair.awaitVip(standby, ACTIVE_STATE, "router " + standby + " ACTIVE after router " + active
                            + "'s server segment was cut", CUT_TAKEOVER_TIMEOUT);
                    firstNew = newFrames.awaitFirstFrame(FIRST_FRAME_TIMEOUT);
                    firstEstablished = establishedFrames.awaitFirstFrame(FIRST_FRAME_TIMEOUT);
                }
                pair.awaitVip(active, STANDBY_STATE, "router " + active + " STANDBY after handing the VIP over", TAKEOVER_TIMEOUT);
                noteIfTheUpstreamHasNotMoved(standby);
                EchoLoad load = EchoLoad.finish(clients);
                Map<String, Object> takeover = pair.lastTakeover(standby).orElse(Map.of());
                measured = new FailoverRound(number, FailoverRound.Kind.CUT, active, standby, cutAt, firstNew, Optional.empty(),
                        eventTime(takeover), reference(takeover), load, pair.clientRetransmissions() - retransmissionsBefore,
                        pair.drops(standby, NO_ENTRY) - noEntryBefore, pair.drops(standby, VIP_NOT_OWNED) - vipNotOwnedBefore,
                        pair.ringDrops(standby) - ringDropsBefore, -1);
                double establishedMs = firstEstablished.map(at -> Duration.between(cutAt, at).toNanos() / 1e6).orElse(Double.NaN);
                cutEstablishedMs.add(establishedMs);
                System.out.printf(java.util.Locale.ROOT, "cut #%d: an established connection's first segment through the new"
                        + " active %.1f ms after the cut; fresh connections (one every %d ms) %d of %d echoed (those sent into"
                        + " the cut retry their SYN after TCP's 1 s)%n", number, establishedMs, CUT_PROBE_INTERVAL.toMillis(),
                        load.probes().size() - load.failedProbes().size(), load.probes().size());
            } finally {
                pair.bridgePort(port, Segment.BACK, true);
            }
        }
        pair.destroyClientConnections();
        long repairedAtNs = System.nanoTime();
        awaitEveryElementUp(active);
        pair.awaitSynchronizedStandby(active);
        return withStandbyReady(measured, (System.nanoTime() - repairedAtNs) / 1_000_000);
    }

    /** Waits until router {@code index}'s {@code ctl reachability} shows every element of its set up. */
    @SuppressWarnings("unchecked")
    private void awaitEveryElementUp(int index) {
        long deadlineNs = System.nanoTime() + ELEMENTS_UP_TIMEOUT.toNanos();
        while (true) {
            Map<String, Object> status = (Map<String, Object>) pair.router(index).ctl("reachability", Map.of());
            List<Object> elements = status.get("elements") instanceof List<?> list ? (List<Object>) list : List.of();
            boolean allUp = !elements.isEmpty() && elements.stream().allMatch(e -> "up".equals(((Map<String, Object>) e).get("health")));
            if (allUp) {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("router " + index + ": not every reachability element up within "
                        + ELEMENTS_UP_TIMEOUT.toSeconds() + " s: " + status);
            }
            HaLabPair.pause(50);
        }
    }

    /**
     * Starts the connections, waits until every one has had its first echo, then lets them run steadily so both
     * routers hold an entry for each; returns with the failure due.
     */
    private EchoClients startSteadyLoad() {
        return startSteadyLoad(null);
    }

    /** As {@link #startSteadyLoad()}, with a fresh one-message connection every {@code probeInterval} (null: none). */
    private EchoClients startSteadyLoad(Duration probeInterval) {
        EchoClients clients = probeInterval == null
                ? EchoLoad.start(pair.lab().client(0), options.connections(), options.loadDuration())
                : EchoLoad.startWithProbes(pair.lab().client(0), options.connections(), options.loadDuration(), probeInterval);
        try {
            clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
            String ready = clients.readyLine();
            if (!ready.equals("READY connected=" + options.connections() + " failed=0")) {
                // The client's own account says why (refused, timed out, reset): worth the run's few seconds.
                List<Map<String, Object>> broken = EchoLoad.finish(clients).brokenConnections();
                throw new IllegalStateException("not every connection got going: " + ready + "; e.g. "
                        + broken.subList(0, Math.min(3, broken.size())) + "; active drops: "
                        + pair.router(activeRouter()).stats().get("drops"));
            }
            HaLabPair.pause(options.steady().toMillis());
            return clients;
        } catch (RuntimeException e) {
            clients.close();
            throw e;
        }
    }

    /** Waits a little for the upstream to send VIP traffic to {@code router}; notes it in the output if it does not. */
    private void noteIfTheUpstreamHasNotMoved(int router) {
        if (!pair.awaitUpstreamSendsTo(router, UPSTREAM_TIMEOUT)) {
            System.out.println("NOTE: the upstream still does not send VIP traffic to router " + router + ": "
                    + pair.upstreamNeighbour());
        }
    }

    /** The router that says it is active now (router 0 if neither does). */
    private int activeRouter() {
        return "ACTIVE".equals(pair.state(other(PRIMARY))) ? other(PRIMARY) : PRIMARY;
    }

    private static FailoverRound withStandbyReady(FailoverRound r, long readyMs) {
        return new FailoverRound(r.number(), r.kind(), r.fromRouter(), r.toRouter(), r.failureAt(), r.firstFrameOfNewActive(),
                r.lastFrameOfOldActive(), r.takeoverEventAt(), r.takeoverReference(), r.load(), r.clientRetransmissions(),
                r.tcpNoConnectionDrops(), r.vipNotOwnedDrops(), r.ringDrops(), readyMs);
    }

    private static Optional<Instant> eventTime(Map<String, Object> event) {
        Object time = event.get("time");
        return time == null ? Optional.empty() : Optional.of(Instant.parse(String.valueOf(time)));
    }

    private static long reference(Map<String, Object> event) {
        return event.get("reference") instanceof Number n ? n.longValue() : 0;
    }

    // ------------------------------------------------------------------------------------------ machine

    /**
     * Waits, bounded by {@code --load-wait-s}, until the 1-minute load average is below {@code --max-load}: the two
     * CPUs are shared, and someone else's work on them would show up as stalls.
     */
    private void waitForQuietMachine() {
        long deadlineNs = System.nanoTime() + options.loadWait().toNanos();
        double load = LabForwardingBenchmark.loadAverage();
        if (load >= options.maxLoad()) {
            System.out.printf(Locale.ROOT, "1-minute load average %.2f >= %.2f: waiting up to %d s for the machine to quieten%n",
                    load, options.maxLoad(), options.loadWait().toSeconds());
        }
        while (load >= options.maxLoad() && System.nanoTime() - deadlineNs < 0) {
            try {
                Thread.sleep(LOAD_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            load = LabForwardingBenchmark.loadAverage();
        }
        System.out.printf(Locale.ROOT, load >= options.maxLoad()
                ? "NOTE: 1-minute load average still %.2f (wanted below %.2f): other work shares the CPUs%n"
                : "1-minute load average %.2f (below %.2f)%n", load, options.maxLoad());
    }

    /** Runs a short local command (outside the lab) and returns its output. */
    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("");
    }
}
