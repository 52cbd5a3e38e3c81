package dev.baton.control.drill;

import dev.baton.control.protocol.ControlClient;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One drill: read the pair, open the load, switch the VIP over (or kill the active with {@code --hard}) a third of the
 * way into the measured duration, watch the standby take over and the old active follow it, let the load run to its
 * end, and judge. Refuses before opening anything when there is nothing to fail over to. Every wait has a deadline.
 *
 * <p>Threads: the caller's; the load runs on its own ({@link DrillLoad}).
 */
public final class Drill {

    /** How long the standby gets to be seen ACTIVE after the command (a switch-over takes milliseconds, a kill t2). */
    public static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(10);
    /** How long the old active gets to follow the new one again (a dump of its table). */
    public static final Duration FOLLOW_TIMEOUT = Duration.ofSeconds(10);
    /** How long both routers' tables get to be read equal after the switch. */
    public static final Duration AGREE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param settings the load
     * @param ctl      the routers' control sockets (the active and its standby, in any order)
     * @param hard     kill -9 the active instead of a switch-over (the operator confirmed it)
     */
    public record Options(DrillLoad.Settings settings, List<Path> ctl, boolean hard) {
        public Options {
            Objects.requireNonNull(settings, "settings");
            ctl = List.copyOf(ctl);
        }
    }

    private Drill() {
    }

    /**
     * Runs the drill; {@code progress} gets a line at each step (the command prints them on stderr).
     *
     * @throws IOException when the load's selector cannot be opened
     */
    public static DrillReport run(Options options, Consumer<String> progress) throws IOException, InterruptedException {
        DrillLoad.Settings settings = options.settings();
        boolean hard = options.hard();
        String vip = settings.target().getAddress().getHostAddress();
        PairControl pair = new PairControl(options.ctl(), vip, System::nanoTime);
        List<PairControl.RouterView> before = pair.views();
        if (!(pair.plan(before) instanceof PairControl.Plan.Ready ready)) {
            return DrillReport.notReady(settings, hard, ((PairControl.Plan.NotReady) pair.plan(before)).reason(), before);
        }
        PairControl.RouterView active = before.get(ready.active());
        PairControl.RouterView standby = before.get(ready.standby());
        ActiveKill.Target victim = null;
        if (hard) {
            victim = ActiveKill.find(active);
            if (victim.refusal() != null) {
                return DrillReport.notReady(settings, true, victim.refusal(), before);
            }
        }
        progress.accept("active " + active.describe() + "; synchronized standby " + standby.describe());
        progress.accept("opening " + settings.connections() + " connections to " + vip + ":" + settings.target().getPort() + " ...");
        try (DrillLoad load = new DrillLoad(settings, System::nanoTime)) {
            load.start();
            if (!load.awaitReady(settings.setupTimeout().plusSeconds(5))) {
                load.stopEarly();
                return failed(settings, hard, "the connections did not come up within " + settings.setupTimeout().plusSeconds(5).toMillis()
                        + " ms", active, standby, "", -1, before, pair, load, System.nanoTime());
            }
            if (load.notReady() > 0) {
                load.stopEarly();
                return failed(settings, hard, load.notReady() + " of " + settings.connections()
                        + " connections did not come up before the switch (see 'lost'): nothing was switched", active, standby, "", -1,
                        before, pair, load, System.nanoTime());
            }
            long switchAtNs = load.readyNs() + settings.duration().toNanos() / 3;
            progress.accept("every connection up; " + (hard ? "kill -9 of " : "switch-over of ") + active.router() + " in "
                    + Math.max(0, (switchAtNs - System.nanoTime()) / 1_000_000) + " ms");
            sleepUntil(switchAtNs);
            // The standby must still be synchronized now, or a switch-over would be refused and a kill would lose.
            List<PairControl.RouterView> now = pair.views();
            if (!(pair.plan(now) instanceof PairControl.Plan.Ready still) || still.active() != ready.active()
                    || still.standby() != ready.standby()) {
                load.stopEarly();
                PairControl.Plan changed = pair.plan(now);
                return failed(settings, hard, "the pair changed before the switch: " + (changed instanceof PairControl.Plan.NotReady n
                        ? n.reason() : "now " + now.get(((PairControl.Plan.Ready) changed).active()).router() + " is active"),
                        active, standby, "", -1, before, pair, load, System.nanoTime());
            }
            long switchNs = System.nanoTime();
            String outcome;
            boolean refused = false;
            if (hard) {
                String why = victim.kill(KILL_TIMEOUT);
                refused = why != null;
                outcome = why == null ? "SIGKILL to pid " + active.pid() : why;
            } else {
                try {
                    outcome = pair.switchover(active.socket());
                    refused = outcome.contains("refused");
                } catch (ControlClient.ControlException e) {
                    outcome = "refused: " + e.getMessage();
                    refused = true;
                }
            }
            progress.accept((hard ? "kill -9: " : "switch-over: ") + outcome);
            PairControl.RouterView[] last = new PairControl.RouterView[1];
            Optional<PairControl.RouterView> took = refused ? Optional.empty()
                    : pair.await(standby.socket(), PairControl.RouterView::active, TAKEOVER_TIMEOUT, last);
            long takeoverMs = took.isPresent() ? (System.nanoTime() - switchNs) / 1_000_000 : -1;
            if (took.isEmpty()) {
                load.stopEarly();
                String why = refused ? "the " + (hard ? "kill" : "switch-over") + " did not happen: " + outcome
                        : standby.router() + " was not seen ACTIVE within " + TAKEOVER_TIMEOUT.toMillis() + " ms; last: " + last[0].describe();
                return failed(settings, hard, why, active, standby, outcome, -1, before, pair, load, switchNs);
            }
            progress.accept(standby.router() + " ACTIVE " + takeoverMs + " ms after the command");
            if (!hard) {
                pair.await(active.socket(), PairControl.RouterView::synchronizedStandby, FOLLOW_TIMEOUT, last);
            }
            List<PairControl.RouterView> after = agreeingViews(pair, hard ? List.of(standby.socket()) : pair.sockets());
            boolean agree = !hard && agree(after);
            if (hard) {
                after = List.of(after.getFirst(), PairControl.RouterView.unavailable(active.socket(), active.router(), "killed (SIGKILL)"));
            }
            progress.accept("waiting for the load to end ...");
            Duration left = Duration.ofNanos(Math.max(0, load.readyNs() + settings.duration().toNanos() - System.nanoTime()))
                    .plus(settings.drain()).plusSeconds(15);
            if (!load.awaitEnd(left)) {
                load.abort();
            }
            load.awaitEnd(Duration.ofSeconds(5));
            LoadOutcome outcomeOfLoad = load.outcome(switchNs);
            return judge(settings, hard, active, standby, outcome, takeoverMs, before, after, agree, outcomeOfLoad);
        }
    }

    static DrillReport judge(DrillLoad.Settings settings, boolean hard, PairControl.RouterView from, PairControl.RouterView to,
                             String outcome, long takeoverMs, List<PairControl.RouterView> before, List<PairControl.RouterView> after,
                             boolean agree, LoadOutcome load) {
        String how = hard ? "the kill -9 of " + from.router() : "the switch-over from " + from.router() + " to " + to.router();
        DrillReport.Verdict verdict = DrillReport.Verdict.FAILED;
        String reason;
        if (load.failure() != null) {
            reason = "the drill's load failed: " + load.failure();
        } else if (!load.nothingLost()) {
            reason = (load.connections() - load.kept()) + " of " + load.connections() + " connections lost"
                    + (load.mode() == DrillLoad.Mode.ECHO ? ", " + load.messagesAwaited() + " messages never echoed" : "")
                    + " across " + how;
        } else if (!load.probes().recovered()) {
            reason = "new connections still failed at the end of the drill";
        } else {
            verdict = DrillReport.Verdict.PASSED;
            reason = "every connection kept across " + how + ", nothing lost";
        }
        return new DrillReport(settings, hard, verdict, reason, from.router(), to.router(), outcome, takeoverMs, before, after,
                agree, load);
    }

    private static DrillReport failed(DrillLoad.Settings settings, boolean hard, String reason, PairControl.RouterView from,
                                      PairControl.RouterView to, String outcome, long takeoverMs, List<PairControl.RouterView> before,
                                      PairControl pair, DrillLoad load, long originNs) throws InterruptedException {
        if (!load.awaitEnd(settings.drain().plusSeconds(10))) {
            load.abort();
            load.awaitEnd(Duration.ofSeconds(5));
        }
        LoadOutcome outcomeOfLoad = load.outcome(originNs);
        List<PairControl.RouterView> after = pair.views();
        return new DrillReport(settings, hard, DrillReport.Verdict.FAILED, reason, from.router(), to.router(), outcome,
                takeoverMs, before, after, agree(after), outcomeOfLoad);
    }

    /** Reads every router until their tables agree, at most {@link #AGREE_TIMEOUT}: the last reading. */
    private static List<PairControl.RouterView> agreeingViews(PairControl pair, List<Path> sockets) {
        long deadlineNs = System.nanoTime() + AGREE_TIMEOUT.toNanos();
        while (true) {
            List<PairControl.RouterView> views = sockets.stream().map(pair::view).toList();
            if (agree(views) || System.nanoTime() - deadlineNs >= 0) {
                return views;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return views;
            }
        }
    }

    /** Whether every router answered with the same table size and digest. */
    static boolean agree(List<PairControl.RouterView> views) {
        if (views.isEmpty() || !views.stream().allMatch(PairControl.RouterView::answered)) {
            return false;
        }
        PairControl.RouterView first = views.getFirst();
        return views.stream().allMatch(v -> v.tableSize() == first.tableSize() && v.tableDigest().equals(first.tableDigest()));
    }

    private static void sleepUntil(long deadlineNs) throws InterruptedException {
        long waitNs = deadlineNs - System.nanoTime();
        if (waitNs > 0) {
            Thread.sleep(Duration.ofNanos(waitNs));
        }
    }
}
