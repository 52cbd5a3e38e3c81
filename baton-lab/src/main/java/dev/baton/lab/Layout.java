package dev.baton.lab;

/**
 * How the lab's routers and servers are wired. Diagrams with addresses are in docs/lab.md.
 *
 * <p>In both layouts the clients sit on the client segment (203.0.113.0/24) behind the upstream router, which
 * is their previous hop towards the VIPs; only the router/server side differs.
 */
public enum Layout {

    /**
     * Front segment 192.0.2.0/24 (upstream and the routers' client-facing interfaces) and back segment
     * 198.51.100.0/24 (upstream, the routers' server-facing interfaces and the servers): a router has two
     * interfaces and servers answer clients through the upstream's back address.
     */
    TWO_SEGMENTS("two-segments"),

    /**
     * Front and back are one bridge on 192.0.2.0/24: upstream, routers (one interface each) and servers share
     * the segment, as in the patent's FIG. 1 where the router and the servers share a LAN.
     */
    ONE_SEGMENT("one-segment");

    private final String code;

    Layout(String code) {
        this.code = code;
    }

    /** The stable name written to lab state files (never {@code ordinal()}). */
    public String code() {
        return code;
    }

    /** The layout whose {@link #code()} is {@code code}. */
    public static Layout fromCode(String code) {
        for (Layout layout : values()) {
            if (layout.code.equals(code)) {
                return layout;
            }
        }
        throw new IllegalArgumentException("unknown lab layout '" + code + "' (expected two-segments or one-segment)");
    }
}
