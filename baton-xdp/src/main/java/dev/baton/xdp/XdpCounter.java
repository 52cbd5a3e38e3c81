package dev.baton.xdp;

/**
 * The XDP program's global counters, one per-CPU slot each in {@code baton_counters}: the order is the C
 * {@code enum baton_counter} in baton_xdp.c (pinned by {@code XdpLayoutsTest}, which reads the enum from the
 * program's BTF). A frame has exactly one of RX's outcomes: forwarded, or one pass reason.
 */
public enum XdpCounter {
    /** Every frame the program saw. */
    RX("xdp_rx_frames"),
    /** Forwarded in the driver (XDP_TX or a redirect). */
    FORWARDED("xdp_forwarded_frames"),
    FORWARDED_BYTES("xdp_forwarded_bytes"),
    /** Up to the slow path: a port Baton did not open, or a frame for another host. */
    PASS_NOT_OURS("xdp_pass_not_ours"),
    /** Up: not untagged IPv4 (ARP, IPv6, a VLAN tag...). */
    PASS_NOT_IPV4("xdp_pass_not_ipv4"),
    /** Up: IP options, a fragment, neither TCP nor UDP, or malformed: the Java forwarder's checks decide. */
    PASS_IP_SLOW("xdp_pass_ip_slow"),
    /** Up: not a VIP, or one this router does not forward now (standby). */
    PASS_NOT_FORWARDED_VIP("xdp_pass_vip_not_forwarded"),
    /** Up: a TCP segment with SYN, FIN or RST, which the connection table must see. */
    PASS_TCP_CONTROL("xdp_pass_tcp_control"),
    /** Up: no flow in the map (new, not yet established, or removed). */
    PASS_NO_FLOW("xdp_pass_no_flow"),
    /** Up: the flow's server is not usable in the driver (MAC unknown, or its frames are to be dropped). */
    PASS_SERVER_NOT_USABLE("xdp_pass_server_not_usable"),
    /** Up: longer than the egress port sends (a GSO super-frame in generic mode); the slow path forwards it whole. */
    PASS_TOO_LONG("xdp_pass_too_long"),
    /** Up: the server's port has no egress entry (a loader bug, counted rather than silent). */
    REDIRECT_FAILED("xdp_redirect_failed");

    private final String counterName;

    XdpCounter(String counterName) {
        this.counterName = counterName;
    }

    /** The name in {@code ctl counters}. */
    public String counterName() {
        return counterName;
    }
}
