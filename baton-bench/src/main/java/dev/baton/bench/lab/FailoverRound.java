package dev.baton.bench.lab;

import dev.baton.lab.EchoLoad;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one round of the failover benchmark measured: the failure (a kill -9 of the active router, an operator
 * switchover, the active's server segment cut so that reachability hands the VIP over, or none for the baseline), the wire timestamps around it, the new active's own account, and what the
 * client saw. Every instant is CLOCK_REALTIME on this host (the capture's kernel timestamps, {@link Instant#now()}
 * right before the signal or the command, the router's event time in milliseconds).
 *
 * @param number                 1-based, within its kind
 * @param kind                   what failed
 * @param fromRouter             the active router before the failure (lab router index)
 * @param toRouter               the one expected to be active after it
 * @param failureAt              right before {@code kill -9} / the {@code ctl switchover} command / the cut; for the baseline, the
 *                               same moment of the run
 * @param firstFrameOfNewActive  the first frame {@code toRouter} put on the server segment towards the VIP after
 *                               {@code failureAt}, if one was seen within the capture's timeout
 * @param lastFrameOfOldActive   the last frame {@code fromRouter} put there (captured from shortly before the kill on),
 *                               kill rounds only
 * @param takeoverEventAt        the time of {@code toRouter}'s transition into ACTIVE in its event history
 * @param takeoverReference      that transition's FIG. 3 reference (348 for a lost active, 335 for a switchover), 0 if none
 * @param load                   the client run around the failure
 * @param clientRetransmissions  TCP segments the client retransmitted from just before the failure to the run's end
 * @param tcpNoConnectionDrops   segments {@code toRouter} dropped for want of a table entry during the round
 * @param vipNotOwnedDrops       frames either router dropped for a VIP it did not own during the round
 * @param ringDrops              frames {@code toRouter}'s RX rings dropped during the round
 * @param standbyReadyMs         kill rounds: from restarting the killed router (a new JVM) to both routers seeing it
 *                               as a synchronized standby; switchovers: from the command to the same for the old
 *                               active; -1 for the baseline
 */
record FailoverRound(int number, Kind kind, int fromRouter, int toRouter, Instant failureAt,
                     Optional<Instant> firstFrameOfNewActive, Optional<Instant> lastFrameOfOldActive,
                     Optional<Instant> takeoverEventAt, long takeoverReference, EchoLoad load, long clientRetransmissions,
                     long tcpNoConnectionDrops, long vipNotOwnedDrops, long ringDrops, long standbyReadyMs) {

    /** What a round does to the active router. */
    enum Kind {
        BASELINE("no failure"),
        KILL("kill -9"),
        SWITCHOVER("switchover"),
        CUT("server link cut");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** The forwarding outage on the wire: from {@link #failureAt} to the new active's first frame to a server, ms. */
    OptionalDouble outageMs() {
        return firstFrameOfNewActive.map(first -> OptionalDouble.of(millisBetween(failureAt, first))).orElse(OptionalDouble.empty());
    }

    /** The old active's last frame relative to {@link #failureAt}, ms (negative: before the signal). */
    OptionalDouble lastOldFrameMs() {
        return lastFrameOfOldActive.map(last -> OptionalDouble.of(millisBetween(failureAt, last))).orElse(OptionalDouble.empty());
    }

    /** The gap on the wire: the old active's last frame to the new active's first, ms. */
    OptionalDouble wireGapMs() {
        if (firstFrameOfNewActive.isEmpty() || lastFrameOfOldActive.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(millisBetween(lastFrameOfOldActive.get(), firstFrameOfNewActive.get()));
    }

    /** From {@link #failureAt} to the new active's transition into ACTIVE (its event time, ms resolution). */
    OptionalDouble decisionMs() {
        return takeoverEventAt.map(at -> OptionalDouble.of(millisBetween(failureAt, at))).orElse(OptionalDouble.empty());
    }

    /** Each connection's longest stall, ascending. */
    List<Double> stallsMs() {
        return load.stallsMs();
    }

    double stallPercentileMs(double percentile) {
        return EchoLoad.nearestRank(stallsMs(), percentile);
    }

    long messagesEchoed() {
        return load.total("ok");
    }

    long messagesLost() {
        return load.messagesLost();
    }

    int brokenConnections() {
        return load.brokenConnections().size();
    }

    static double millisBetween(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
