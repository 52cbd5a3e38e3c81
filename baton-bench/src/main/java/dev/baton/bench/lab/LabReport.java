package dev.baton.bench.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Text for the benchmark's output: one block per measurement while it runs, then Markdown tables (medians, ratios
 * to the kernel per repetition, every repetition) ready for docs/benchmarks.md. ASCII only ("us" for
 * microseconds), whatever the terminal's encoding.
 */
public final class LabReport {

    /** xdp/kernel ratio of 64-byte UDP packets delivered per second the target asks for. */
    public static final double UDP_TARGET_RATIO = 2.0;
    /** xdp/kernel ratio of TCP throughput the target asks for, one stream and several. */
    public static final double TCP_TARGET_RATIO = 1.0;
    /** Highest xdp/kernel ratio of TCP mean round-trip time the target allows. */
    public static final double RTT_TARGET_RATIO = 1.2;
    /** xdp's router CPU time per forwarded packet the target allows, microseconds. */
    public static final double CPU_TARGET_MICROS = 0.3;
    /**
     * A contestant that delivered at least this share of what was offered while its router CPU had room was held back by
     * the generator, not by its own cost: its UDP rate, and a ratio over it, is a lower bound.
     */
    static final double GENERATOR_BOUND_FRACTION = 0.98;

    private LabReport() {
    }

    /** What a target compares. */
    private enum TargetKind { RATIO_AT_LEAST, RATIO_AT_MOST, XDP_AT_MOST, NONE }

    /** One row of the medians table: a figure per contestant, its ratio to the kernel, and xdp's target. */
    private record Metric(String name, ToDoubleFunction<Measurement> value, DoubleFunction<String> format, TargetKind target,
                          double targetValue, boolean ratioColumns) {
    }

    private static List<Metric> metrics(int tcpStreams) {
        String streams = tcpStreams + " streams";
        return List.of(
                new Metric("64 B UDP delivered, packets/s", m -> m.udp().deliveredPacketsPerSecond(), LabReport::count,
                        TargetKind.RATIO_AT_LEAST, UDP_TARGET_RATIO, true),
                new Metric("TCP (iperf3, 1 stream), Gbit/s", m -> m.tcp().gigabitsPerSecond(), LabReport::gbps,
                        TargetKind.RATIO_AT_LEAST, TCP_TARGET_RATIO, true),
                new Metric("TCP (1 stream), sender's mean RTT, us", m -> m.tcp().meanRttMicros(), LabReport::count,
                        TargetKind.RATIO_AT_MOST, RTT_TARGET_RATIO, true),
                new Metric("TCP (iperf3 -P " + tcpStreams + "), Gbit/s", m -> m.tcpParallel().gigabitsPerSecond(), LabReport::gbps,
                        TargetKind.RATIO_AT_LEAST, TCP_TARGET_RATIO, true),
                new Metric("TCP (" + streams + "), senders' mean RTT, us", m -> m.tcpParallel().meanRttMicros(), LabReport::count,
                        TargetKind.RATIO_AT_MOST, RTT_TARGET_RATIO, true),
                new Metric("router CPU (CPU " + LabForwardingBenchmark.ROUTER_CPU + ") busy time per delivered packet, us",
                        m -> m.udp().routerBusyMicrosPerPacket(), LabReport::micros, TargetKind.XDP_AT_MOST, CPU_TARGET_MICROS, true),
                new Metric("router CPU busy time per frame it took in (offered - refused), us",
                        m -> m.udp().routerBusyMicrosPerTakenFrame(), LabReport::micros, TargetKind.NONE, 0, true),
                new Metric("64 B UDP delivered / offered", m -> m.udp().deliveredFraction(), LabReport::percent, TargetKind.NONE, 0, false),
                new Metric("router CPU busy during the UDP window", m -> m.udp().routerBusyFraction(), LabReport::percent,
                        TargetKind.NONE, 0, false));
    }

    /** A few lines describing one measurement: rates, CPU, where packets were lost, where the router's work ran. */
    public static String measurement(Measurement m, int tcpStreams) {
        UdpResult u = m.udp();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "rep %d %-9s UDP: offered %s pps, delivered %s pps (%.1f %%) over %.2f s%s%n",
                m.repetition(), m.contestant().label, count(u.offeredPacketsPerSecond()), count(u.deliveredPacketsPerSecond()),
                100 * u.deliveredFraction(), u.seconds(), u.generatorExhausted() ? "  [generator stopped early]" : ""));
        String indent = "             ";
        out.append(String.format(Locale.ROOT, "%sCPU busy: generator CPU %.0f %%, router CPU %.0f %% (before the load: %.0f %% / %.0f %%);"
                        + " other processes %.2f CPUs (%s)%n", indent,
                100 * u.generatorBusyFraction(), 100 * u.routerBusyFraction(),
                100 * m.backgroundGenerator(), 100 * m.backgroundRouter(), u.foreignLoad().cpus(), u.foreignLoad().top()));
        out.append(String.format(Locale.ROOT, "%sCPU per delivered packet: router CPU busy %s (per frame taken in %s)%s, router CPU softirq %s%n", indent,
                microsUnit(u.routerBusyMicrosPerPacket()), microsUnit(u.routerBusyMicrosPerTakenFrame()),
                m.contestant().isBaton() ? "; Baton JVM " + microsUnit(u.processMicrosPerPacket())
                        + " (user " + microsUnit(u.processUserMicrosPerPacket()) + ")" : "",
                microsUnit(u.routerSoftirqMicrosPerPacket())));
        out.append(String.format(Locale.ROOT, "%srouter veth refused %s frames (tx_dropped of its bridge port: %s full)%n", indent,
                count(u.entryDrops()), m.contestant() == Contestant.XDP ? "the veth's XDP ring" : "the RPS backlog"));
        if (m.contestant().isBaton()) {
            Map<String, Long> c = u.batonCounters();
            out.append(String.format(Locale.ROOT, "%sBaton: rx_frames %s, forwarded_frames %s%s; losses: %s%n", indent,
                    count(c.getOrDefault("rx_frames", 0L)), count(c.getOrDefault("forwarded_frames", 0L)),
                    m.contestant().isXdp() ? xdpCounters(c) : "", losses(BatonCounters.losses(c))));
        }
        if (!m.routerWork().isEmpty() || !Double.isNaN(u.napiThreadBusyFraction())) {
            out.append(String.format(Locale.ROOT, "%srouter work: %s%s%n", indent, m.routerWork(),
                    Double.isNaN(u.napiThreadBusyFraction()) ? ""
                            : String.format(Locale.ROOT, "; NAPI thread busy %.0f %% of the window (tick-sampled)", 100 * u.napiThreadBusyFraction())));
        }
        out.append(tcpLine(indent, "1 stream", m.tcp()));
        out.append(tcpLine(indent, tcpStreams + " streams", m.tcpParallel()));
        return out.toString();
    }

    private static String tcpLine(String indent, String streams, TcpRun run) {
        return String.format(Locale.ROOT, "%sTCP %s: %.2f Gbit/s received over %.1f s, %d retransmits, mean RTT %s us; CPU busy: other CPU %.0f %%,"
                        + " router CPU %.0f %%; router veth refused %s frames; server checksum errors %d%s%n", indent, streams,
                run.gigabitsPerSecond(), run.result().seconds(), run.result().retransmits(), count(run.meanRttMicros()),
                100 * run.otherBusy(), 100 * run.routerBusy(), count(run.entryDrops()), run.checksumErrors(),
                run.batonLosses().isEmpty() ? "" : "; Baton losses: " + losses(run.batonLosses()));
    }

    /** "; XDP: xdp_rx_frames 1, xdp_forwarded_frames 1, passed up: xdp_pass_no_flow=3". */
    private static String xdpCounters(Map<String, Long> c) {
        StringBuilder passed = new StringBuilder();
        c.forEach((name, value) -> {
            if (name.startsWith("xdp_pass_") && value != 0) {
                passed.append(passed.isEmpty() ? "" : ", ").append(name).append('=').append(count(value));
            }
        });
        return "; XDP: xdp_rx_frames " + count(c.getOrDefault("xdp_rx_frames", 0L)) + ", xdp_forwarded_frames "
                + count(c.getOrDefault("xdp_forwarded_frames", 0L)) + ", passed up: " + (passed.isEmpty() ? "none" : passed);
    }

    private static String losses(Map<String, Long> losses) {
        if (losses.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        losses.forEach((name, value) -> out.append(out.isEmpty() ? "" : ", ").append(name).append('=').append(count(value)));
        return out.toString();
    }

    /** The Markdown summary: medians with ratios and targets, ratios per repetition, notes, then every repetition. */
    public static String summary(List<Measurement> measurements, int tcpStreams) {
        List<Contestant> present = List.of(Contestant.values()).stream()
                .filter(c -> measurements.stream().anyMatch(m -> m.contestant() == c)).toList();
        boolean kernel = present.contains(Contestant.KERNEL);
        List<Contestant> compared = kernel ? present.stream().filter(Contestant::isBaton).toList() : List.of();
        int repetitions = measurements.stream().mapToInt(Measurement::repetition).max().orElse(0);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Medians of %d repetitions; CPU figures are all busy time of the router CPU (CPU %d), where every"
                + " contestant's router work runs:%n%n", repetitions, LabForwardingBenchmark.ROUTER_CPU));
        StringBuilder heading = new StringBuilder("| measure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Contestant c : present) {
            heading.append(' ').append(c.label).append(" |");
            rule.append("---:|");
        }
        for (Contestant c : compared) {
            heading.append(' ').append(c.label).append("/kernel |");
            rule.append("---:|");
        }
        out.append(heading).append(" target (xdp) | met |\n").append(rule).append("---|---|\n");
        for (Metric metric : metrics(tcpStreams)) {
            out.append("| ").append(metric.name()).append(" |");
            for (Contestant c : present) {
                out.append(' ').append(metric.format().apply(median(measurements, c, metric.value()))).append(" |");
            }
            for (Contestant c : compared) {
                out.append(' ').append(metric.ratioColumns()
                        ? ratio(median(measurements, c, metric.value()) / median(measurements, Contestant.KERNEL, metric.value())) : "").append(" |");
            }
            out.append(' ').append(target(metric)).append(" | ").append(met(metric, measurements, kernel)).append(" |\n");
        }
        if (!compared.isEmpty()) {
            out.append("\nRatios to the kernel per repetition (contestant rep i / kernel rep i):\n\n");
            out.append(String.format(Locale.ROOT, "| rep | ratio | UDP pps | TCP 1 stream | TCP %d streams | RTT 1 stream | RTT %d streams | router CPU us/pkt |%n",
                    tcpStreams, tcpStreams));
            out.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
            for (int rep = 1; rep <= repetitions; rep++) {
                Measurement k = find(measurements, rep, Contestant.KERNEL);
                for (Contestant c : compared) {
                    Measurement m = find(measurements, rep, c);
                    if (k == null || m == null) {
                        continue;
                    }
                    out.append(String.format(Locale.ROOT, "| %d | %s/kernel | %s | %s | %s | %s | %s | %s |%n", rep, c.label,
                            ratio(m.udp().deliveredPacketsPerSecond() / k.udp().deliveredPacketsPerSecond()),
                            ratio(m.tcp().gigabitsPerSecond() / k.tcp().gigabitsPerSecond()),
                            ratio(m.tcpParallel().gigabitsPerSecond() / k.tcpParallel().gigabitsPerSecond()),
                            ratio(m.tcp().meanRttMicros() / k.tcp().meanRttMicros()),
                            ratio(m.tcpParallel().meanRttMicros() / k.tcpParallel().meanRttMicros()),
                            ratio(m.udp().routerBusyMicrosPerPacket() / k.udp().routerBusyMicrosPerPacket())));
                }
            }
        }
        out.append(notes(measurements, present));
        out.append("\nEvery repetition:\n\n");
        out.append(String.format(Locale.ROOT, "| rep | contestant | offered pps | delivered pps | delivered/offered | refused by the router veth"
                + " | router CPU busy | router CPU us/pkt | Baton JVM us/pkt | TCP 1 stream Gbit/s | RTT us | retransmits"
                + " | TCP %d streams Gbit/s | RTT us | retransmits | server checksum errors | other processes, CPUs |%n", tcpStreams));
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : measurements) {
            UdpResult u = m.udp();
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %d | %d | %.2f |%n",
                    m.repetition(), m.contestant().label + (m.routerWorkPinned() ? "" : " (not pinned)"),
                    count(u.offeredPacketsPerSecond()), count(u.deliveredPacketsPerSecond()), percent(u.deliveredFraction()),
                    count(u.entryDrops()), percent(u.routerBusyFraction()), micros(u.routerBusyMicrosPerPacket()),
                    m.contestant().isBaton() ? micros(u.processMicrosPerPacket()) : "-",
                    gbps(m.tcp().gigabitsPerSecond()), count(m.tcp().meanRttMicros()), m.tcp().result().retransmits(),
                    gbps(m.tcpParallel().gigabitsPerSecond()), count(m.tcpParallel().meanRttMicros()),
                    m.tcpParallel().result().retransmits(), m.tcp().checksumErrors() + m.tcpParallel().checksumErrors(),
                    u.foreignLoad().cpus()));
        }
        return out.toString();
    }

    /** What a reader must know before trusting a ratio: generator-bound contestants, unpinned work, bad checksums. */
    private static String notes(List<Measurement> measurements, List<Contestant> present) {
        List<String> notes = new ArrayList<>();
        for (Contestant c : present) {
            double delivered = median(measurements, c, m -> m.udp().deliveredFraction());
            double busy = median(measurements, c, m -> m.udp().routerBusyFraction());
            if (delivered >= GENERATOR_BOUND_FRACTION && busy < UdpResult.SATURATED_BUSY_FRACTION) {
                notes.add(String.format(Locale.ROOT, "%s delivered %s of what was offered with the router CPU %s busy: the generator"
                        + " (CPU %d), not the router, set its UDP rate, so its UDP figure and ratio are lower bounds.",
                        c.label, percent(delivered), percent(busy), LabForwardingBenchmark.GENERATOR_CPU));
            }
        }
        for (Measurement m : measurements) {
            if (!m.routerWorkPinned()) {
                notes.add("rep " + m.repetition() + " " + m.contestant().label + ": router work not all on the router CPU: " + m.routerWork());
            }
            long errors = m.tcp().checksumErrors() + m.tcpParallel().checksumErrors();
            if (errors != 0) {
                notes.add("rep " + m.repetition() + " " + m.contestant().label + ": the servers counted " + errors
                        + " TCP segments with a bad checksum (TcpInCsumErrors): a sender's checksum offload reached native XDP.");
            }
        }
        StringBuilder out = new StringBuilder();
        for (String note : notes) {
            out.append(out.isEmpty() ? "\n" : "").append("NOTE: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static String target(Metric metric) {
        return switch (metric.target()) {
            case RATIO_AT_LEAST -> String.format(Locale.ROOT, ">= %.1fx", metric.targetValue());
            case RATIO_AT_MOST -> String.format(Locale.ROOT, "<= %.1fx", metric.targetValue());
            case XDP_AT_MOST -> String.format(Locale.ROOT, "<= %.1f us", metric.targetValue());
            case NONE -> "";
        };
    }

    /** "yes"/"no" for xdp against the target; "-" when xdp (or, for a ratio, the kernel) was not measured. */
    private static String met(Metric metric, List<Measurement> measurements, boolean kernel) {
        double xdp = median(measurements, Contestant.XDP, metric.value());
        if (metric.target() == TargetKind.NONE || Double.isNaN(xdp)) {
            return metric.target() == TargetKind.NONE ? "" : "-";
        }
        if (metric.target() == TargetKind.XDP_AT_MOST) {
            return yesNo(xdp <= metric.targetValue());
        }
        double ratio = kernel ? xdp / median(measurements, Contestant.KERNEL, metric.value()) : Double.NaN;
        if (Double.isNaN(ratio)) {
            return "-";
        }
        return yesNo(metric.target() == TargetKind.RATIO_AT_LEAST ? ratio >= metric.targetValue() : ratio <= metric.targetValue());
    }

    private static double median(List<Measurement> measurements, Contestant contestant, ToDoubleFunction<Measurement> value) {
        return Medians.median(measurements.stream().filter(m -> m.contestant() == contestant).mapToDouble(value).toArray());
    }

    private static Measurement find(List<Measurement> measurements, int repetition, Contestant contestant) {
        return measurements.stream().filter(m -> m.repetition() == repetition && m.contestant() == contestant).findFirst().orElse(null);
    }

    /** A count with thousands separators, e.g. "1,234,567". */
    static String count(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    static String micros(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    static String gbps(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    static String ratio(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a" : String.format(Locale.ROOT, "%.2fx", value);
    }

    /** "1.23 us", or "n/a" (not measurable: the router CPU was not saturated, see {@link UdpResult#routerSaturated()}). */
    static String microsUnit(double value) {
        return Double.isNaN(value) ? "n/a" : micros(value) + " us";
    }

    private static String yesNo(boolean met) {
        return met ? "yes" : "no";
    }
}
