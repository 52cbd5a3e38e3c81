package dev.baton.lab;

/** What a lab namespace is for. The {@link #code()} starts the host's name ("c0", "r1", "s2", "up"). */
public enum HostRole {

    /** The previous-hop router: kernel forwarding between the client segment and the front/back segments. */
    UPSTREAM("up"),
    /** A client: default route via the upstream's client address. */
    CLIENT("c"),
    /** A namespace for a Baton router: addresses on its interfaces, kernel forwarding off, nothing else. */
    ROUTER("r"),
    /** A real server: every VIP on {@code lo}, ARP for it suppressed, default route via the upstream. */
    SERVER("s");

    private final String code;

    HostRole(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
