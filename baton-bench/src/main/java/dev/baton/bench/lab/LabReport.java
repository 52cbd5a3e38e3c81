package dev.baton.bench.lab;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text for the benchmark's output: one block per measurement while it runs, then Markdown tables (medians,
 * ratios, every repetition) ready for docs/benchmarks.md. ASCII only ("us" for microseconds), whatever the
 * terminal's encoding.
 */
public final class LabReport {

    /** Baton/kernel ratio the UDP target asks for. */
    public static final double UDP_TARGET_RATIO = 1.2;
    /** Baton/kernel ratio the TCP target asks for. */
    public static final double TCP_TARGET_RATIO = 1.0;
    /** Baton's CPU time per forwarded packet the target allows, microseconds. */
    public static final double CPU_TARGET_MICROS = 1.0;

    private LabReport() {
    }

    /** A few lines describing one measurement, with Baton's losses or the kernel's interface drops. */
    public static String measurement(Measurement m, String routerInterface) {
        UdpResult u = m.udp();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "rep %d %-6s UDP: offered %s pps, delivered %s pps (%.1f %%) over %.2f s%s%n",
                m.repetition(), m.path().label, count(u.offeredPacketsPerSecond()), count(u.deliveredPacketsPerSecond()),
                100 * u.deliveredFraction(), u.seconds(), u.generatorExhausted() ? "  [generator stopped early]" : ""));
        out.append(String.format(Locale.ROOT, "             CPU busy: generator CPU %.0f %%, router CPU %.0f %% (before the load: %.0f %% / %.0f %%);"
                        + " other processes %.2f CPUs (%s)%n",
                100 * u.generatorBusyFraction(), 100 * u.routerBusyFraction(),
                100 * m.backgroundGenerator(), 100 * m.backgroundRouter(), u.foreignLoad().cpus(), u.foreignLoad().top()));
        out.append(String.format(Locale.ROOT, "             CPU per delivered packet: %srouter CPU softirq %s, router CPU busy %s%n",
                m.path() == ForwardingPath.BATON
                        ? "Baton JVM " + microsUnit(u.processMicrosPerPacket()) + " (user " + microsUnit(u.processUserMicrosPerPacket()) + "), "
                        : "",
                microsUnit(u.routerSoftirqMicrosPerPacket()), microsUnit(u.routerBusyMicrosPerPacket())));
        if (m.path() == ForwardingPath.BATON) {
            Map<String, Long> c = u.batonCounters();
            out.append(String.format(Locale.ROOT, "             Baton: rx_frames %s, forwarded_frames %s; losses: %s%n",
                    count(c.getOrDefault("rx_frames", 0L)), count(c.getOrDefault("forwarded_frames", 0L)),
                    losses(BatonCounters.losses(c))));
        } else {
            out.append(String.format(Locale.ROOT, "             kernel: %s rx_dropped %s (RPS backlog full)%n",
                    routerInterface, count(u.interfaceDrops())));
        }
        out.append(String.format(Locale.ROOT, "             TCP: %.2f Gbit/s received over %.1f s, %d retransmits, mean RTT %s us; CPU busy: other CPU %.0f %%, router CPU %.0f %%%s%n",
                m.tcp().gigabitsPerSecond(), m.tcp().seconds(), m.tcp().retransmits(), count(m.tcp().meanRttMicros()),
                100 * m.tcpOtherBusy(), 100 * m.tcpRouterBusy(),
                m.path() == ForwardingPath.BATON ? "; Baton losses: " + losses(m.tcpBatonLosses()) : ""));
        return out.toString();
    }

    private static String losses(Map<String, Long> losses) {
        if (losses.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        losses.forEach((name, value) -> out.append(out.isEmpty() ? "" : ", ").append(name).append('=').append(count(value)));
        return out.toString();
    }

    /** The Markdown summary: medians, ratios, targets, then every repetition. */
    public static String summary(List<Measurement> measurements) {
        List<Measurement> baton = measurements.stream().filter(m -> m.path() == ForwardingPath.BATON).toList();
        List<Measurement> kernel = measurements.stream().filter(m -> m.path() == ForwardingPath.KERNEL).toList();
        double batonPps = Medians.median(baton.stream().mapToDouble(m -> m.udp().deliveredPacketsPerSecond()).toArray());
        double kernelPps = Medians.median(kernel.stream().mapToDouble(m -> m.udp().deliveredPacketsPerSecond()).toArray());
        double batonGbps = Medians.median(baton.stream().mapToDouble(m -> m.tcp().gigabitsPerSecond()).toArray());
        double kernelGbps = Medians.median(kernel.stream().mapToDouble(m -> m.tcp().gigabitsPerSecond()).toArray());
        double batonCpu = Medians.median(baton.stream().mapToDouble(m -> m.udp().processMicrosPerPacket()).toArray());
        double batonBusy = Medians.median(baton.stream().mapToDouble(m -> m.udp().routerBusyMicrosPerPacket()).toArray());
        double kernelSoftirq = Medians.median(kernel.stream().mapToDouble(m -> m.udp().routerSoftirqMicrosPerPacket()).toArray());
        double kernelBusy = Medians.median(kernel.stream().mapToDouble(m -> m.udp().routerBusyMicrosPerPacket()).toArray());
        double udpRatio = batonPps / kernelPps;
        double tcpRatio = batonGbps / kernelGbps;

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Medians of %d repetitions:%n%n", Math.min(baton.size(), kernel.size())));
        out.append("| measure | Baton | kernel | Baton/kernel | target | met |\n");
        out.append("|---|---:|---:|---:|---|---|\n");
        out.append(String.format(Locale.ROOT, "| 64 B UDP delivered, packets/s | %s | %s | %.2fx | >= %.1fx | %s |%n",
                count(batonPps), count(kernelPps), udpRatio, UDP_TARGET_RATIO, yesNo(udpRatio >= UDP_TARGET_RATIO)));
        out.append(String.format(Locale.ROOT, "| TCP (iperf3, 1 stream), Gbit/s | %.2f | %.2f | %.2fx | >= %.1fx | %s |%n",
                batonGbps, kernelGbps, tcpRatio, TCP_TARGET_RATIO, yesNo(tcpRatio >= TCP_TARGET_RATIO)));
        out.append(String.format(Locale.ROOT, "| CPU per delivered packet, us: Baton JVM utime+stime / kernel softirq on the router CPU | %s | %s | | Baton <= %.1f us | %s |%n",
                micros(batonCpu), micros(kernelSoftirq), CPU_TARGET_MICROS, yesNo(batonCpu <= CPU_TARGET_MICROS)));
        out.append(String.format(Locale.ROOT, "| CPU per delivered packet, us: all busy time of the router CPU | %s | %s | | | |%n",
                micros(batonBusy), micros(kernelBusy)));
        out.append('\n');
        out.append("Ratios per repetition (Baton rep i / kernel rep i): UDP");
        for (int i = 0; i < Math.min(baton.size(), kernel.size()); i++) {
            out.append(String.format(Locale.ROOT, " %.2fx", baton.get(i).udp().deliveredPacketsPerSecond() / kernel.get(i).udp().deliveredPacketsPerSecond()));
        }
        out.append("; TCP");
        for (int i = 0; i < Math.min(baton.size(), kernel.size()); i++) {
            out.append(String.format(Locale.ROOT, " %.2fx", baton.get(i).tcp().gigabitsPerSecond() / kernel.get(i).tcp().gigabitsPerSecond()));
        }
        out.append("\n\nEvery repetition:\n\n");
        out.append("| rep | path | offered pps | delivered pps | delivered/offered | Baton JVM us/pkt | router CPU softirq us/pkt | router CPU busy us/pkt | TCP Gbit/s | TCP retransmits | other processes, CPUs |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : measurements) {
            UdpResult u = m.udp();
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.1f %% | %s | %s | %s | %.2f | %d | %.2f |%n",
                    m.repetition(), m.path().label, count(u.offeredPacketsPerSecond()), count(u.deliveredPacketsPerSecond()),
                    100 * u.deliveredFraction(), m.path() == ForwardingPath.BATON ? micros(u.processMicrosPerPacket()) : "-",
                    micros(u.routerSoftirqMicrosPerPacket()), micros(u.routerBusyMicrosPerPacket()),
                    m.tcp().gigabitsPerSecond(), m.tcp().retransmits(), u.foreignLoad().cpus()));
        }
        return out.toString();
    }

    /** A count with thousands separators, e.g. "1,234,567". */
    static String count(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    static String micros(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }

    /** "1.23 us", or "n/a" (not measurable: the router CPU was not saturated, see {@link UdpResult#routerSaturated()}). */
    static String microsUnit(double value) {
        return Double.isNaN(value) ? "n/a" : micros(value) + " us";
    }

    private static String yesNo(boolean met) {
        return met ? "yes" : "no";
    }
}
