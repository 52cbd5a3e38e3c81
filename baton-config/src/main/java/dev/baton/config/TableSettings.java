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
 * @param perSourceLimit           entries one client address may hold in its worker's shard; 0 for no limit
 */
public record TableSettings(
        int capacity,
        Duration tcpSynTimeout,
        Duration tcpEstablishedTimeout,
        Duration tcpClosingTimeout,
        Duration tcpClosedTimeout,
        Duration udpTimeout,
        int perSourceLimit) {

    public TableSettings {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        if (perSourceLimit < 0) {
            throw new IllegalArgumentException("perSourceLimit " + perSourceLimit + " < 0");
        }
        ConfigValues.requirePositive(tcpSynTimeout, "tcpSynTimeout");
        ConfigValues.requirePositive(tcpEstablishedTimeout, "tcpEstablishedTimeout");
        ConfigValues.requirePositive(tcpClosingTimeout, "tcpClosingTimeout");
        ConfigValues.requirePositive(tcpClosedTimeout, "tcpClosedTimeout");
        ConfigValues.requirePositive(udpTimeout, "udpTimeout");
    }

    /** Settings with the default per-source limit ({@link ConfigDefaults#TABLE_PER_SOURCE_LIMIT}). */
    public TableSettings(int capacity, Duration tcpSynTimeout, Duration tcpEstablishedTimeout, Duration tcpClosingTimeout,
                         Duration tcpClosedTimeout, Duration udpTimeout) {
        this(capacity, tcpSynTimeout, tcpEstablishedTimeout, tcpClosingTimeout, tcpClosedTimeout, udpTimeout,
                ConfigDefaults.TABLE_PER_SOURCE_LIMIT);
    }
}
