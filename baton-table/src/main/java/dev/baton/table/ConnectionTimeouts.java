package dev.baton.table;

/**
 * Idle timeouts of connection-table entries, per state, in milliseconds. An entry idle for longer than
 * its state's timeout (strictly: {@code nowMs - lastSeenMs > timeoutMs}) is expired.
 *
 * @param tcpSynMs         {@link TcpState#SYN_RECEIVED}: client SYN seen, handshake not completed
 * @param tcpEstablishedMs {@link TcpState#ESTABLISHED}, and {@link TcpState#UNCONFIRMED}: such an entry's
 *                         idle time counts from the ACK that made it unconfirmed, so a real connection that
 *                         went quiet before it was confirmed lives as long as an established one
 * @param tcpClosingMs     {@link TcpState#CLOSING}: after the client's FIN
 * @param tcpClosedMs      {@link TcpState#CLOSED}: after the client's RST
 * @param udpMs            {@link TcpState#UDP}
 */
public record ConnectionTimeouts(long tcpSynMs, long tcpEstablishedMs, long tcpClosingMs, long tcpClosedMs, long udpMs) {

    /** Every timeout must be positive and at most this (about 1.1 years), far below any overflow. */
    public static final long MAX_TIMEOUT_MS = 1L << 35;

    public ConnectionTimeouts {
        check("tcpSynMs", tcpSynMs);
        check("tcpEstablishedMs", tcpEstablishedMs);
        check("tcpClosingMs", tcpClosingMs);
        check("tcpClosedMs", tcpClosedMs);
        check("udpMs", udpMs);
    }

    /**
     * The Linux IPVS defaults (net/netfilter/ipvs/ip_vs_proto_tcp.c and ip_vs_proto_udp.c): SYN_RECV 60 s,
     * ESTABLISHED 15 min, FIN_WAIT 2 min, CLOSE 10 s, UDP 5 min.
     */
    public static ConnectionTimeouts defaults() {
        return new ConnectionTimeouts(60_000, 900_000, 120_000, 10_000, 300_000);
    }

    /** The timeout of {@code state}, one of the {@link TcpState} codes. */
    public long timeoutMs(int state) {
        return switch (state) {
            case TcpState.SYN_RECEIVED -> tcpSynMs;
            case TcpState.ESTABLISHED, TcpState.UNCONFIRMED -> tcpEstablishedMs;
            case TcpState.CLOSING -> tcpClosingMs;
            case TcpState.CLOSED -> tcpClosedMs;
            case TcpState.UDP -> udpMs;
            default -> throw new IllegalArgumentException("unknown state " + state);
        };
    }

    private static void check(String name, long valueMs) {
        if (valueMs <= 0 || valueMs > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException(name + " must be in 1.." + MAX_TIMEOUT_MS + " ms, was " + valueMs);
        }
    }
}
