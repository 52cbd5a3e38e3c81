package dev.baton.lab;

import dev.baton.codec.Ipv4;

/**
 * An L2 segment of the lab: one Linux bridge in the lab's switch namespace. The {@link #code()} letter ends
 * the bridge name ({@code <prefix>c}, {@code <prefix>f}, {@code <prefix>b}) and every interface name on it.
 */
public enum Segment {

    /** Clients and the upstream's client side, 203.0.113.0/24. */
    CLIENT('c', Ipv4.TEST_NET_3),
    /** Upstream and the routers' client-facing side, 192.0.2.0/24; the VIPs live in this subnet. */
    FRONT('f', Ipv4.TEST_NET_1),
    /**
     * Upstream, the routers' server-facing side and the servers, 198.51.100.0/24. Exists only in
     * {@link Layout#TWO_SEGMENTS}; in {@link Layout#ONE_SEGMENT} those interfaces are on {@link #FRONT}.
     */
    BACK('b', Ipv4.TEST_NET_2);

    /** Every segment is a /24: a whole TEST-NET range. */
    static final int PREFIX_LENGTH = Ipv4.TEST_NET_PREFIX_LENGTH;

    private final char code;
    private final int network;

    Segment(char code, int network) {
        this.code = code;
        this.network = network;
    }

    /** The letter used in bridge and interface names. */
    public char code() {
        return code;
    }

    /** The segment's /24 network, e.g. "192.0.2.0/24". */
    public String subnet() {
        return Ipv4.cidr(network, PREFIX_LENGTH);
    }

    int networkAddress() {
        return network;
    }

    /** Host {@code hostNumber} (1..254) of this segment's /24. */
    int address(int hostNumber) {
        if (hostNumber < 1 || hostNumber > 254) {
            throw new IllegalArgumentException("host number " + hostNumber + " is outside 1..254");
        }
        return network | hostNumber;
    }
}
