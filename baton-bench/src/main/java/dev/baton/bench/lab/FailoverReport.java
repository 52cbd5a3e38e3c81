package dev.baton.bench.lab;

import dev.baton.lab.EchoLoad;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The failover benchmark's text: one progress line per round, a Markdown table of every round, and the
 * aggregated figures against the failover targets (forwarding outage on the wire ≤ 100 ms; client stall per
 * connection p99 ≤ 250 ms after a kill; p99 ≤ 30 ms and no message lost across an operator switchover).
 * Percentiles are nearest-rank ({@link EchoLoad#nearestRank}); stalls are pooled over every connection of every
 * round of a kind.
 */
final class FailoverReport {

    static final double OUTAGE_TARGET_MS = 100;
    static final double KILL_STALL_P99_TARGET_MS = 250;
    static final double SWITCHOVER_STALL_P99_TARGET_MS = 30;
    /** A reachability hand-over's outage may exceed its detection time by this much. */
    static final double CUT_MARGIN_MS = 100;

    private FailoverReport() {
    }

    /** One line per round, printed as the run goes. */
    static String roundLine(FailoverRound r) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s #%d r%d->r%d:", r.kind().label, r.number(),
                r.fromRouter(), r.toRouter()));
        if (r.kind() != FailoverRound.Kind.BASELINE) {
            line.append(" first frame of the new active ").append(ms(r.outageMs(), "none seen"));
            if (r.kind() == FailoverRound.Kind.KILL) {
                line.append(", old active's last ").append(ms(r.lastOldFrameMs(), "none seen"));
            }
            line.append(", ACTIVE event ").append(ms(r.decisionMs(), "none")).append(" [").append(r.takeoverReference()).append(']');
            line.append(';');
        }
        line.append(String.format(Locale.ROOT, " stall p50 %.1f, p99 %.1f, max %.1f ms; %d echoed, %d lost, %d broken;"
                        + " client retransmissions %d; no-entry drops %d; vip-not-owned drops %d; ring drops %d; client loop late <= %.1f ms",
                r.stallPercentileMs(50), r.stallPercentileMs(99), r.stallPercentileMs(100), r.messagesEchoed(),
                r.messagesLost(), r.brokenConnections(), r.clientRetransmissions(), r.tcpNoConnectionDrops(),
                r.vipNotOwnedDrops(), r.ringDrops(), r.load().maxTickLatenessMs()));
        if (r.standbyReadyMs() >= 0) {
            line.append("; standby synchronized ").append(r.standbyReadyMs()).append(" ms later");
        }
        return line.toString();
    }

    /** A Markdown table with a row per round. */
    static String table(List<FailoverRound> rounds) {
        StringBuilder text = new StringBuilder();
        text.append("| round | from → to | outage on the wire, ms | old active's last frame, ms | ACTIVE event, ms [ref] "
                + "| stall p50 / p99 / max, ms | echoed / lost / broken | client retransmissions | no-entry drops | standby synchronized after, ms |\n");
        text.append("|---|---|---:|---:|---:|---|---|---:|---:|---:|\n");
        for (FailoverRound r : rounds) {
            text.append(String.format(Locale.ROOT, "| %s %d | r%d → r%d | %s | %s | %s [%d] | %.0f / %.0f / %.0f | %d / %d / %d | %d | %d | %s |%n",
                    r.kind().label, r.number(), r.fromRouter(), r.toRouter(), number(r.outageMs()), number(r.lastOldFrameMs()),
                    number(r.decisionMs()), r.takeoverReference(), r.stallPercentileMs(50), r.stallPercentileMs(99),
                    r.stallPercentileMs(100), r.messagesEchoed(), r.messagesLost(), r.brokenConnections(),
                    r.clientRetransmissions(), r.tcpNoConnectionDrops(), r.standbyReadyMs() < 0 ? "-" : Long.toString(r.standbyReadyMs())));
        }
        return text.toString();
    }

    /**
     * The aggregated figures against the targets, as a Markdown table. {@code baseline} may be null, either list
     * may be empty.
     */
    static String summary(FailoverRound baseline, List<FailoverRound> kills, List<FailoverRound> switchovers) {
        StringBuilder text = new StringBuilder("| figure | measured | target | met |\n|---|---|---|---|\n");
        if (!kills.isEmpty()) {
            List<Double> outages = values(kills, FailoverRound::outageMs);
            long missing = kills.size() - outages.size();
            long within = outages.stream().filter(o -> o <= OUTAGE_TARGET_MS).count();
            text.append(String.format(Locale.ROOT, "| forwarding outage on the wire, kill → new active's first frame to a server"
                            + " (%d kills): median / p90 / max | %s | ≤ %.0f ms | %s (%d of %d within%s) |%n",
                    kills.size(), triple(outages, 50, 90, 100), OUTAGE_TARGET_MS,
                    missing == 0 && within == kills.size() ? "yes" : "no", within, kills.size(),
                    missing == 0 ? "" : "; " + missing + " with no frame seen"));
            List<Double> gaps = values(kills, FailoverRound::wireGapMs);
            List<Double> decisions = values(kills, FailoverRound::decisionMs);
            text.append("| old active's last frame → new active's first frame: median / p90 / max | ").append(triple(gaps, 50, 90, 100))
                    .append(" | | |\n");
            text.append("| kill → the standby's transition to ACTIVE (its event time, ms resolution): median / p90 / max | ")
                    .append(triple(decisions, 50, 90, 100)).append(" | | |\n");
            List<Double> stalls = pooledStalls(kills);
            double p99 = EchoLoad.nearestRank(stalls, 99);
            text.append(String.format(Locale.ROOT, "| client stall per connection across a kill -9 (%d connections × %d kills): p50 / p99 / max"
                            + " | %s | p99 ≤ %.0f ms | %s |%n",
                    stalls.size() / kills.size(), kills.size(), triple(stalls, 50, 99, 100), KILL_STALL_P99_TARGET_MS,
                    p99 <= KILL_STALL_P99_TARGET_MS ? "yes" : "no"));
            text.append(lossRow("kill -9", kills));
        }
        if (!switchovers.isEmpty()) {
            List<Double> stalls = pooledStalls(switchovers);
            double p99 = EchoLoad.nearestRank(stalls, 99);
            text.append(String.format(Locale.ROOT, "| client stall per connection across an operator switchover (%d connections × %d switchovers):"
                            + " p50 / p99 / max | %s | p99 ≤ %.0f ms | %s |%n",
                    stalls.size() / switchovers.size(), switchovers.size(), triple(stalls, 50, 99, 100),
                    SWITCHOVER_STALL_P99_TARGET_MS, p99 <= SWITCHOVER_STALL_P99_TARGET_MS ? "yes" : "no"));
            long lost = switchovers.stream().mapToLong(FailoverRound::messagesLost).sum();
            long broken = switchovers.stream().mapToLong(FailoverRound::brokenConnections).sum();
            text.append(String.format(Locale.ROOT, "| messages lost across the switchovers (sent, never echoed intact); broken connections"
                    + " | %d; %d | 0 | %s |%n", lost, broken, lost == 0 && broken == 0 ? "yes" : "no"));
            long retransmissions = switchovers.stream().mapToLong(FailoverRound::clientRetransmissions).sum();
            long echoed = switchovers.stream().mapToLong(FailoverRound::messagesEchoed).sum();
            text.append(String.format(Locale.ROOT, "| client TCP retransmissions across the switchovers (segments lost on the wire, or"
                    + " tail-loss probes); messages echoed | %d; %d | 0 | %s |%n", retransmissions, echoed, retransmissions == 0 ? "yes" : "no"));
        }
        if (baseline != null) {
            text.append(String.format(Locale.ROOT, "| for scale: client stall per connection with no failure (%d connections): p50 / p99 / max"
                    + " | %s | | |%n", baseline.stallsMs().size(), triple(baseline.stallsMs(), 50, 99, 100)));
        }
        return text.toString();
    }

    /**
     * Rows for the reachability hand-overs, to follow {@link #summary}'s table: the outage on the wire from the cut
     * to the new active's first frame (in cut rounds a fresh connection's SYN, as they come every 20 ms) against the
     * detection time plus {@value #CUT_MARGIN_MS} ms; the first segment of an established connection; the losses.
     */
    static String cutRows(List<FailoverRound> cuts, List<Double> establishedMs, double detectionMs) {
        if (cuts.isEmpty()) {
            return "";
        }
        List<Double> established = establishedMs.stream().filter(ms -> !ms.isNaN()).sorted().toList();
        List<Double> outages = values(cuts, FailoverRound::outageMs);
        double target = detectionMs + CUT_MARGIN_MS;
        long within = outages.stream().filter(o -> o <= target).count();
        return String.format(Locale.ROOT, "| forwarding outage on the wire, the active's server segment cut behind a lit port (link 637)"
                        + " → new active's first frame to a server (%d cuts): median / p90 / max | %s | ≤ detection %.0f ms + %.0f ms"
                        + " | %s (%d of %d within) |%n",
                cuts.size(), triple(outages, 50, 90, 100), detectionMs, CUT_MARGIN_MS,
                within == cuts.size() ? "yes" : "no", within, cuts.size())
                + "| cut → the standby's transition to ACTIVE (its event time): median / p90 / max | "
                + triple(values(cuts, FailoverRound::decisionMs), 50, 90, 100) + " | | |\n"
                + String.format(Locale.ROOT, "| cut → the new active's first segment of an established connection (%d of %d cuts"
                        + " seen; it waits for the client's retransmission timer too): median / p90 / max | %s | | |%n",
                        established.size(), cuts.size(), triple(established, 50, 90, 100))
                + lossRow("server link cut", cuts);
    }

    private static String lossRow(String what, List<FailoverRound> rounds) {
        long lost = rounds.stream().mapToLong(FailoverRound::messagesLost).sum();
        long broken = rounds.stream().mapToLong(FailoverRound::brokenConnections).sum();
        long noEntry = rounds.stream().mapToLong(FailoverRound::tcpNoConnectionDrops).sum();
        long echoed = rounds.stream().mapToLong(FailoverRound::messagesEchoed).sum();
        return String.format(Locale.ROOT, "| %s: messages lost; broken connections; segments dropped for want of a table entry;"
                + " messages echoed | %d; %d; %d; %d | 0; 0; 0 | %s |%n", what, lost, broken, noEntry, echoed,
                lost == 0 && broken == 0 && noEntry == 0 ? "yes" : "no");
    }

    /** Every connection's longest stall in every round, ascending. */
    static List<Double> pooledStalls(List<FailoverRound> rounds) {
        List<Double> stalls = new ArrayList<>();
        for (FailoverRound r : rounds) {
            stalls.addAll(r.stallsMs());
        }
        stalls.sort(null);
        return stalls;
    }

    /** The present values of {@code figure} over {@code rounds}, ascending. */
    static List<Double> values(List<FailoverRound> rounds, Function<FailoverRound, OptionalDouble> figure) {
        List<Double> values = new ArrayList<>();
        for (FailoverRound r : rounds) {
            OptionalDouble value = figure.apply(r);
            if (value.isPresent()) {
                values.add(value.getAsDouble());
            }
        }
        values.sort(null);
        return values;
    }

    /** "p / q / r ms" for three percentiles of {@code ascending}, or "n/a". */
    static String triple(List<Double> ascending, double first, double second, double third) {
        if (ascending.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", EchoLoad.nearestRank(ascending, first),
                EchoLoad.nearestRank(ascending, second), EchoLoad.nearestRank(ascending, third));
    }

    private static String ms(OptionalDouble value, String absent) {
        return value.isPresent() ? String.format(Locale.ROOT, "%+.1f ms", value.getAsDouble()) : absent;
    }

    private static String number(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.1f", value.getAsDouble()) : "-";
    }
}
