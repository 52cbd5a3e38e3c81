package dev.baton.bench.lab;

/**
 * One contestant's results in one repetition.
 *
 * @param repetition          1-based
 * @param contestant          who forwarded
 * @param udp                 the UDP window
 * @param tcp                 the iperf3 run with one stream
 * @param tcpParallel         the iperf3 run with {@code --tcp-streams} streams
 * @param backgroundGenerator busy share of the generator's CPU in the second before the load started
 * @param backgroundRouter    busy share of the router's CPU in the second before the load started
 * @param routerWork          where the router's work ran, when it needed checking (the NAPI thread of native XDP
 *                            on a veth); empty otherwise
 * @param routerWorkPinned    false when part of the router's work could not be placed on the router CPU (then its
 *                            CPU figures leave that part out)
 */
public record Measurement(int repetition, Contestant contestant, UdpResult udp, TcpRun tcp, TcpRun tcpParallel,
                          double backgroundGenerator, double backgroundRouter, String routerWork, boolean routerWorkPinned) {
}
