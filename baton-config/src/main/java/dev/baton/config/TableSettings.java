package dev.baton.config;

import java.time.Duration;

/**
 * Connection table capacity and per-state idle timeouts. An entry idle for longer than its state's timeout
 * is removed.
 *
 * @param capacity                 entries the table holds at most (across all workers)
 * @param tcpSynTimeout            a connection whose client has sent only SYN (embryonic)
 * @param tcpEstablishedTimeout    a connection whose client has acknowledged the server's SYN-ACK
 * @param tcpClosingTimeout        after the client's FIN
 * @param tcpClosedTimeout         after the client's RST (kept briefly so late segments still reach the server)
 * @param udpTimeout               a UDP flow
 */
public record TableSettings(
        int capacity,
        Duration tcpSynTimeout,
        Duration tcpEstablishedTimeout,
        Duration tcpClosingTimeout,
        Duration tcpClosedTimeout,
        Duration udpTimeout) {

    public TableSettings {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        ConfigValues.requirePositive(tcpSynTimeout, "tcpSynTimeout");
        ConfigValues.requirePositive(tcpEstablishedTimeout, "tcpEstablishedTimeout");
        ConfigValues.requirePositive(tcpClosingTimeout, "tcpClosingTimeout");
        ConfigValues.requirePositive(tcpClosedTimeout, "tcpClosedTimeout");
        ConfigValues.requirePositive(udpTimeout, "udpTimeout");
    }
}
