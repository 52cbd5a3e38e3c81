package dev.baton.bench.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static dev.baton.bench.lab.LabReport.count;
import static dev.baton.bench.lab.LabReport.micros;
import static dev.baton.bench.lab.LabReport.microsUnit;
import static dev.baton.bench.lab.LabReport.percent;

/**
 * Text for the SYN-rate benchmark: a block per measurement while it runs, then Markdown (medians against the target,
 * notes, every repetition) ready for docs/benchmarks.md. ASCII only ("us" for microseconds), as {@link LabReport}.
 */
final class SynRateReport {

    /** Confirmations that did not confirm, as a share of those delivered, from which a note says so. */
    static final double UNCONFIRMED_NOTE_SHARE = 0.02;

    private SynRateReport() {
    }

    /** One row of the medians table. */
    private record Row(String name, ToDoubleFunction<SynRateResult> value, boolean micros, boolean xdpOnly, boolean target) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("new connections offered (generator's SYNs), /s", SynRateResult::offeredPerSecond, false, false, false),
            new Row("SYNs delivered to the servers, /s", SynRateResult::synsDeliveredPerSecond, false, false, false),
            new Row("table inserts (SYN -> schedule -> entry), /s", SynRateResult::insertsPerSecond, false, false, false),
            new Row("connections that reached ESTABLISHED (table.confirmed), /s", SynRateResult::establishedPerSecond, false, false, false),
            new Row("flows written into the XDP map (xdp_flows_inserted), /s", SynRateResult::mapInsertsPerSecond, false, true, false),
            new Row("router CPU (CPU " + LabForwardingBenchmark.ROUTER_CPU + ") busy time per ESTABLISHED connection, us",
                    SynRateResult::routerMicrosPerConnection, true, false, false),
            new Row("ESTABLISHED connections per router core (1 s / router CPU per connection), /s",
                    SynRateResult::connectionsPerRouterCore, false, false, true),
            new Row("Baton JVM CPU per ESTABLISHED connection, us", SynRateResult::batonMicrosPerConnection, true, false, false));

    /** A few lines describing one measurement. */
    static String measurement(SynRateResult r) {
        String indent = "                   ";
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "rep %d %-15s offered %s conn/s%s; SYNs delivered %s/s (%s); table inserts %s/s;"
                        + " ESTABLISHED %s/s; over %.2f s%s%n", r.repetition(), r.label(), count(r.offeredPerSecond()),
                r.ratePerSecond() == 0 ? "" : " (paced at " + count(r.ratePerSecond()) + ")",
                count(r.synsDeliveredPerSecond()), percent(r.synsDeliveredFraction()), count(r.insertsPerSecond()),
                count(r.establishedPerSecond()), r.seconds(),
                r.generatorStoppedEarly() ? "  [generator " + SynGeneratorCounters.stateName(r.generator().state()) + " in the window]" : ""));
        SynGeneratorCounters.Snapshot g = r.generator();
        out.append(String.format(Locale.ROOT, "%sgenerator: ACKs %s/s, confirmations %s/s, %s awaiting theirs at the end; steps stopped"
                        + " by a full transmit ring %s, held by the confirmation ring %s%n", indent, count(g.acks() / r.seconds()),
                count(g.confirms() / r.seconds()), count(g.pending()), count(g.transmitRingFull()), count(g.confirmRingFull())));
        out.append(String.format(Locale.ROOT, "%sservers: SYN %s, ACK %s, confirm %s, other %s; frames offered to the router veth %s,"
                        + " refused %s%n", indent, count(r.sink(TcpSinks.Kind.SYN)), count(r.sink(TcpSinks.Kind.ACK)),
                count(r.sink(TcpSinks.Kind.CONFIRM)), count(r.sink(TcpSinks.Kind.OTHER)), count(r.entry().offered()),
                count(r.entry().dropped())));
        out.append(String.format(Locale.ROOT, "%sCPU: router CPU %s busy, %s per ESTABLISHED connection = %s connections/s per router"
                        + " core; Baton JVM %s (%s of it user time, tick-sampled); generator CPU %s busy (before the load: %.0f %% / %.0f %%);"
                        + " other processes %.2f CPUs (%s)%n",
                indent, percent(r.routerBusyFraction()), microsUnit(r.routerMicrosPerConnection()), count(r.connectionsPerRouterCore()),
                microsUnit(r.batonMicrosPerConnection()), percent(r.batonProcess().totalTicks() == 0 ? Double.NaN
                        : (double) r.batonProcess().userTicks() / r.batonProcess().totalTicks()),
                percent(r.generatorBusyFraction()), 100 * r.backgroundGenerator(),
                100 * r.backgroundRouter(), r.foreignLoad().cpus(), r.foreignLoad().top()));
        Map<String, Long> c = r.batonCounters();
        out.append(String.format(Locale.ROOT, "%sBaton: rx_frames %s, forwarded_frames %s; table %s -> %s entries; losses: %s%n", indent,
                count(c.getOrDefault("rx_frames", 0L)), count(c.getOrDefault("forwarded_frames", 0L)), count(r.tableStart()),
                count(r.tableEnd()), losses(r.losses())));
        if (r.contestant().isXdp()) {
            out.append(String.format(Locale.ROOT, "%sXDP: flows inserted %s/s, in the map %s -> %s (%s/s), refused full %s, map errors %s;"
                            + " program: xdp_rx_frames %s, xdp_forwarded_frames %s, passed up: %s%n", indent,
                    count(r.mapInsertsPerSecond()), count(r.flowsInMapStart()), count(r.flowsInMapEnd()),
                    count(r.flowsInMapGrowthPerSecond()), count(c.getOrDefault("xdp_flows_refused_full", 0L)),
                    count(c.getOrDefault("xdp_map_errors", 0L)), count(c.getOrDefault("xdp_rx_frames", 0L)),
                    count(c.getOrDefault("xdp_forwarded_frames", 0L)), passedUp(c)));
        }
        if (!r.routerWork().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%srouter work: %s%s%n", indent, r.routerWork(),
                    Double.isNaN(r.napiThreadBusyFraction()) ? ""
                            : String.format(Locale.ROOT, "; NAPI thread busy %.0f %% of the window (tick-sampled)", 100 * r.napiThreadBusyFraction())));
        }
        return out.toString();
    }

    /** The Markdown summary: medians against the target, notes, every repetition. */
    static String summary(List<SynRateResult> results, long confirmAfterMs) {
        List<String> present = results.stream().map(SynRateResult::label).distinct().toList();
        int repetitions = results.stream().mapToInt(SynRateResult::repetition).max().orElse(0);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Medians of %d repetitions; every connection a SYN, its ACK, and a segment %d ms after"
                + " the ACK (ESTABLISHED); CPU figures are all busy time of the router CPU (CPU %d), where all of Baton's work runs:%n%n",
                repetitions, confirmAfterMs, LabForwardingBenchmark.ROUTER_CPU));
        StringBuilder heading = new StringBuilder("| measure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String column : present) {
            heading.append(' ').append(column).append(" |");
            rule.append("---:|");
        }
        out.append(heading).append(" target | met |\n").append(rule).append("---|---|\n");
        for (Row row : ROWS) {
            out.append("| ").append(row.name()).append(" |");
            List<String> met = new ArrayList<>();
            for (String column : present) {
                double median = median(results, column, row.value());
                boolean applies = !row.xdpOnly() || column.startsWith(Contestant.XDP.label); // "xdp ..." and "xdp-generic ..."
                out.append(' ').append(!applies ? "-" : row.micros() ? micros(median) : count(median)).append(" |");
                if (row.target() && !Double.isNaN(median)) {
                    met.add(column + " " + (median >= SynRateResult.TARGET_CONNECTIONS_PER_CORE ? "yes" : "no"));
                }
            }
            out.append(' ').append(row.target() ? ">= " + count(SynRateResult.TARGET_CONNECTIONS_PER_CORE) : "")
                    .append(" | ").append(String.join(", ", met)).append(" |\n");
        }
        out.append("| router CPU busy |");
        for (String column : present) {
            out.append(' ').append(percent(median(results, column, SynRateResult::routerBusyFraction))).append(" |");
        }
        out.append(" | |\n| SYNs delivered / offered |");
        for (String column : present) {
            out.append(' ').append(percent(median(results, column, SynRateResult::synsDeliveredFraction))).append(" |");
        }
        out.append(" | |\n");
        out.append(notes(results, present));
        out.append("\nEvery repetition:\n\n");
        out.append("| rep | contestant, load | offered /s | SYNs delivered /s | inserts /s | ESTABLISHED /s | XDP map inserts /s | router CPU busy"
                + " | router CPU us/conn | per router core /s | Baton JVM us/conn | generator CPU busy | refused by the router veth"
                + " | Baton losses | other processes, CPUs |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (SynRateResult r : results) {
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |%n",
                    r.repetition(), r.label() + (r.routerWorkPinned() ? "" : " (not pinned)"),
                    count(r.offeredPerSecond()), count(r.synsDeliveredPerSecond()), count(r.insertsPerSecond()),
                    count(r.establishedPerSecond()), r.contestant().isXdp() ? count(r.mapInsertsPerSecond()) : "-",
                    percent(r.routerBusyFraction()), micros(r.routerMicrosPerConnection()), count(r.connectionsPerRouterCore()),
                    micros(r.batonMicrosPerConnection()), percent(r.generatorBusyFraction()), count(r.entry().dropped()),
                    losses(r.losses()), r.foreignLoad().cpus()));
        }
        return out.toString();
    }

    /** What a reader must know before trusting a figure. */
    private static String notes(List<SynRateResult> results, List<String> present) {
        List<String> notes = new ArrayList<>();
        for (String column : present) {
            double busy = median(results, column, SynRateResult::routerBusyFraction);
            if (busy < UdpResult.SATURATED_BUSY_FRACTION) {
                notes.add(String.format(Locale.ROOT, "%s: the router CPU was %s busy, so the generator (CPU %d), not Baton, set the"
                                + " connection rate; the per-core figure extrapolates the cost per connection to a whole core"
                                + " (pessimistically: a frame costs Baton more at a lower rate, fewer to a wake-up).",
                        column, percent(busy), LabForwardingBenchmark.GENERATOR_CPU));
            }
        }
        if (results.stream().anyMatch(r -> r.load() == SynRateOptions.Load.FLOOD && !r.losses().isEmpty())) {
            notes.add("flood: Baton was offered more than it takes, and lost frames at its receive ring: every connection whose"
                    + " ACK or confirmation was lost there wasted the work done on its SYN (and its later segments are dropped as"
                    + " tcp-no-connection when the SYN was lost), so the flood's CPU per connection includes that waste; the paced"
                    + " load's is the cost of a connection without loss.");
        }
        for (SynRateResult r : results) {
            String which = "rep " + r.repetition() + " " + r.label() + ": ";
            if (r.generatorStoppedEarly()) {
                notes.add(which + "the generator was " + SynGeneratorCounters.stateName(r.generator().state())
                        + " before the window ended (count or time limit): the offered rate fell within it.");
            }
            if (!r.losses().isEmpty() && r.load() == SynRateOptions.Load.PACED) {
                notes.add(which + "Baton lost or refused: " + losses(r.losses()) + ".");
            }
            long early = r.confirmationsThatDidNotConfirm();
            if (early > UNCONFIRMED_NOTE_SHARE * r.sink(TcpSinks.Kind.CONFIRM)) {
                notes.add(String.format(Locale.ROOT, "%s%s of %s confirming segments reached the servers without confirming their"
                                + " connection: their ACK had been lost, or a backlog in Baton's receive ring drained between ACK and"
                                + " confirmation and brought them less than a second apart (more margin: --confirm-after-ms).",
                        which, count(early), count(r.sink(TcpSinks.Kind.CONFIRM))));
            }
            if (r.sink(TcpSinks.Kind.OTHER) != 0) {
                notes.add(which + r.sink(TcpSinks.Kind.OTHER) + " segments of another kind reached the servers.");
            }
            if (!r.routerWorkPinned()) {
                notes.add(which + "router work not all on the router CPU: " + r.routerWork());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String note : notes) {
            out.append(out.isEmpty() ? "\n" : "").append("NOTE: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static String passedUp(Map<String, Long> c) {
        StringBuilder passed = new StringBuilder();
        c.forEach((name, value) -> {
            if (name.startsWith("xdp_pass_") && value != 0) {
                passed.append(passed.isEmpty() ? "" : ", ").append(name).append('=').append(count(value));
            }
        });
        return passed.isEmpty() ? "none" : passed.toString();
    }

    private static String losses(Map<String, Long> losses) {
        if (losses.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        losses.forEach((name, value) -> out.append(out.isEmpty() ? "" : ", ").append(name).append('=').append(count(value)));
        return out.toString();
    }

    private static double median(List<SynRateResult> results, String label, ToDoubleFunction<SynRateResult> value) {
        return Medians.median(results.stream().filter(r -> r.label().equals(label)).mapToDouble(value).toArray());
    }
}
