package dev.baton.bench.lab;

import java.util.Map;

/**
 * One path's results in one repetition.
 *
 * @param repetition          1-based
 * @param path                who forwarded
 * @param udp                 the UDP window
 * @param tcp                 the iperf3 run
 * @param backgroundGenerator busy share of the generator's CPU in the second before the load started
 * @param backgroundRouter    busy share of the router's CPU in the second before the load started
 * @param tcpOtherBusy        busy share of the other CPU (the generator's in the UDP window) during the iperf3 run,
 *                            where iperf3 and the upstream's forwarding run unless the scheduler moves them
 * @param tcpRouterBusy       busy share of the router's CPU during the iperf3 run
 * @param tcpBatonLosses      Baton's non-zero loss counters over the iperf3 run (empty for the kernel)
 */
public record Measurement(int repetition, ForwardingPath path, UdpResult udp, TcpResult tcp, double backgroundGenerator,
                          double backgroundRouter, double tcpOtherBusy, double tcpRouterBusy, Map<String, Long> tcpBatonLosses) {
}
