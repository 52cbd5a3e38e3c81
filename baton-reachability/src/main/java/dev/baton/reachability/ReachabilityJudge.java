package dev.baton.reachability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The active RM's decision for one VIP (FIG. 4, steps 440 to 460): on the router that is active for the VIP,
 * it scores this router and every peer with the compare function, orders them, and tells the best peer to take
 * the VIP over once that peer has beaten this router by the {@link Hysteresis} margin for its hold time and is a
 * synchronized standby. An equal or worse peer changes nothing (path 445); neither does anything while this
 * router's own state is unsettled (it has just started, or a new element has no probe result yet): it cannot
 * know it is worse.
 *
 * <p>One per VIP active here; the HA agent's thread calls {@link #judge} at each reporting interval and when a
 * report changes, and {@link #reset} when the VIP leaves ACTIVE (the next time it is active, the hold starts
 * over).
 */
public final class ReachabilityJudge {

    private final CompareFunction function;
    private final Hysteresis hysteresis;
    /** Since when each peer has beaten this router by the margin, continuously. */
    private final Map<String, Long> betterSinceMs = new HashMap<>();

    public ReachabilityJudge(CompareFunction function, Hysteresis hysteresis) {
        this.function = Objects.requireNonNull(function, "function");
        this.hysteresis = Objects.requireNonNull(hysteresis, "hysteresis");
    }

    /**
     * @param nowMs      the time
     * @param self       this router's report (the active's)
     * @param candidates every peer that serves the VIP, with its last report
     * @return the order and, if the hold has passed for a ready peer that beats this router, that peer
     */
    public Judgement judge(long nowMs, ReachabilityReport self, List<Candidate> candidates) {
        Score selfScore = function.score(self);
        long holdMs = hysteresis.hold().toMillis();
        Set<String> present = new HashSet<>();
        List<Judgement.Ranked> order = new ArrayList<>();
        boolean selfSettled = self.settled();
        if (selfSettled) {
            order.add(ranked(self, true, selfScore, -1, true));
        }
        Candidate best = null;
        Score bestScore = null;
        for (Candidate candidate : candidates) {
            String router = candidate.router();
            present.add(router);
            if (!selfSettled || !candidate.report().settled()) {
                betterSinceMs.remove(router);
                continue;
            }
            Score score = function.score(candidate.report());
            long betterForMs = -1;
            if (score.beats(selfScore, hysteresis.minImprovement())) {
                betterForMs = nowMs - betterSinceMs.computeIfAbsent(router, r -> nowMs);
            } else {
                betterSinceMs.remove(router);
            }
            order.add(ranked(candidate.report(), false, score, betterForMs, candidate.ready()));
            if (candidate.ready() && betterForMs >= holdMs
                    && (best == null || score.compareTo(bestScore) > 0
                    || score.compareTo(bestScore) == 0 && router.compareTo(best.router()) < 0)) {
                best = candidate;
                bestScore = score;
            }
        }
        betterSinceMs.keySet().retainAll(present);
        order.sort(Comparator.comparing(Judgement.Ranked::score).reversed()
                .thenComparing(r -> !r.self())
                .thenComparing(Judgement.Ranked::router));
        if (!selfSettled) {
            return new Judgement(order, null, "this router's reachability is not settled (an element has no probe"
                    + " result yet): no comparison");
        }
        if (best == null) {
            return new Judgement(order, null, noHandOverReason(self, selfScore, order, candidates, holdMs));
        }
        betterSinceMs.remove(best.router());
        String reason = best.router() + " reaches more (" + describe(best.report(), bestScore) + ") than this router ("
                + describe(self, selfScore) + ") under " + function.configName() + ", for " + holdMs
                + " ms or more: it takes the VIP over (345)";
        return new Judgement(order, best.router(), reason);
    }

    /** The VIP left ACTIVE here: forget every hold in progress. */
    public void reset() {
        betterSinceMs.clear();
    }

    public CompareFunction function() {
        return function;
    }

    public Hysteresis hysteresis() {
        return hysteresis;
    }

    private String noHandOverReason(ReachabilityReport self, Score selfScore, List<Judgement.Ranked> order,
                                    List<Candidate> candidates, long holdMs) {
        for (Judgement.Ranked ranked : order) {
            if (ranked.self()) {
                continue;
            }
            if (ranked.betterForMs() >= 0 && !ranked.ready()) {
                String why = candidates.stream().filter(c -> c.router().equals(ranked.router()))
                        .map(Candidate::notReady).findFirst().orElse("");
                return ranked.router() + " reaches more (score " + ranked.score() + " vs " + selfScore
                        + ") but cannot take the VIP over now (" + why + "): waiting";
            }
            if (ranked.betterForMs() >= 0) {
                return ranked.router() + " reaches more (score " + ranked.score() + " vs " + selfScore + ") for "
                        + ranked.betterForMs() + " ms of the " + holdMs + " ms hold";
            }
        }
        return "no router reaches more than this one (" + describe(self, selfScore) + ") by "
                + hysteresis.minImprovement() + " or more";
    }

    private static String describe(ReachabilityReport report, Score score) {
        return report.reachableCount() + " of " + report.elements().size() + " reachable, score " + score
                + ", unreachable: " + report.unreachableNames();
    }

    private static Judgement.Ranked ranked(ReachabilityReport report, boolean self, Score score, long betterForMs,
                                           boolean ready) {
        return new Judgement.Ranked(report.router(), self, score, report.reachableCount(), report.elements().size(),
                report.unreachableNames(), betterForMs, ready);
    }
}
