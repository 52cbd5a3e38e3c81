package dev.baton.dataplane.stats;

/**
 * Why a received frame was not forwarded. Codes are stable: they name counters in {@code baton ctl stats}
 * and in the control protocol, so never reorder them, only append.
 */
public enum DropReason {
    /** Too short, or a header that does not parse (bad IPv4 version/IHL/length, truncated L4 header). */
    MALFORMED(0, "malformed"),
    /** IPv4 to an address that is no VIP: not Baton's to forward (its kernel does not forward it either). */
    NOT_VIP(1, "not-vip"),
    /** To a VIP, but a protocol or port no service of that VIP serves. */
    NO_SERVICE(2, "no-service"),
    /** A TCP segment without SYN and without a connection entry: a server would answer it with RST. */
    TCP_NO_CONNECTION(3, "tcp-no-connection"),
    /** A new connection found no available server (all unresolved, failing their checks, drained or at weight 0). */
    NO_SERVER(4, "no-server"),
    /** The server's MAC address has never been resolved. */
    SERVER_UNRESOLVED(5, "server-unresolved"),
    /** The connection table was full and its capacity policy found nothing it may evict. */
    TABLE_FULL(6, "table-full"),
    /** A non-first IPv4 fragment: it carries no ports, so it cannot be matched to a connection. */
    FRAGMENT(7, "fragment"),
    /** An ICMP error about a flow that has no connection entry. */
    ICMP_NO_CONNECTION(8, "icmp-no-connection"),
    /** The transmit ring had no free slot. */
    TX_RING_FULL(9, "tx-ring-full"),
    /** The frame is larger than a transmit slot (ring misconfigured for the sender's GSO size). */
    TOO_BIG(10, "too-big"),
    /** The router does not own the VIP at the moment (standby): it neither answers ARP nor forwards. */
    VIP_NOT_OWNED(11, "vip-not-owned"),
    /**
     * An ICMP error quoting a datagram Baton cannot match to a connection: an inner protocol other than TCP
     * or UDP, or a non-first fragment (no ports in it).
     */
    ICMP_INNER_UNSUPPORTED(12, "icmp-inner-unsupported"),
    /**
     * An ICMP error whose quoted datagram does not parse: not IPv4, IHL below 5, a total length shorter than
     * its header, options beyond the quote, or fewer than the 8 bytes of transport header RFC 792 requires.
     */
    ICMP_INNER_MALFORMED(13, "icmp-inner-malformed"),
    /**
     * An ARP on a server-facing port whose sender MAC is broadcast, multicast or zero: learning it would
     * flood every server's traffic, or send it nowhere.
     */
    ARP_SENDER_NOT_UNICAST(14, "arp-sender-not-unicast"),
    /** An ARP on a server-facing port whose sender MAC is not the frame's Ethernet source: not learned. */
    ARP_SENDER_MISMATCH(15, "arp-sender-mismatch"),
    /**
     * An ARP giving a known server a different MAC: held, not applied, until a probe confirms it (the new
     * MAC answers, the known one stays silent for a retry interval).
     */
    ARP_MAC_CHANGE_UNCONFIRMED(16, "arp-mac-change-unconfirmed"),
    /**
     * A new connection from a client address that already holds {@code table.per-source-limit} entries in
     * its worker's shard.
     */
    SOURCE_LIMIT(17, "source-limit"),
    /**
     * A segment of a connection whose server fails its health check, in a service with {@code on-server-down:
     * drop}: the connection is removed (on the standbys too) and the segment dropped; the client's next ones find
     * no connection.
     */
    SERVER_DOWN(18, "server-down");

    private static final DropReason[] BY_CODE = values();

    public final int code;
    public final String label;

    DropReason(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public static DropReason ofCode(int code) {
        return BY_CODE[code];
    }

    static {
        for (int i = 0; i < BY_CODE.length; i++) {
            if (BY_CODE[i].code != i) {
                throw new ExceptionInInitializerError("DropReason codes must be dense and in order");
            }
        }
    }
}
