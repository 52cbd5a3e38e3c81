package dev.baton.bench.lab;

import java.util.Map;

/**
 * One iperf3 run through the router and what it cost.
 *
 * @param result      iperf3's report
 * @param otherBusy   busy share of the other CPU (the generator's in the UDP window) during the run, where iperf3
 *                    and the upstream's forwarding run unless the scheduler moves them
 * @param routerBusy  busy share of the router's CPU during the run
 * @param batonLosses Baton's non-zero loss counters over the run (empty for the kernel)
 * @param checksumErrors TCP segments the servers received with a bad checksum during the run ({@link TcpChecksumErrors})
 * @param entryDrops  frames the router's client-facing veth refused during the run (UdpResult#entryDrops): each one is
 *                    a lost segment the sender retransmits
 */
public record TcpRun(TcpResult result, double otherBusy, double routerBusy, Map<String, Long> batonLosses, long checksumErrors,
                     long entryDrops) {

    public TcpRun {
        batonLosses = Map.copyOf(batonLosses);
    }

    public double gigabitsPerSecond() {
        return result.gigabitsPerSecond();
    }

    public double meanRttMicros() {
        return result.meanRttMicros();
    }
}
