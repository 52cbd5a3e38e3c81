package dev.baton.keepalive;

/**
 * What the keep-alive manager knows about a link or a peer. Codes are stable (status JSON); never
 * {@code ordinal()}.
 */
public enum LinkState {
    /** Nothing heard yet, and the failure time since start has not run out. */
    UNKNOWN(0, "unknown"),
    /** A heartbeat was heard within the failure time. */
    ALIVE(1, "alive"),
    /** Silent for at least the failure time (for a peer: every one of its links). */
    FAILED(2, "failed");

    private final int code;
    private final String label;

    LinkState(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** Stable code for status output. */
    public int code() {
        return code;
    }

    /** Words for people. */
    public String label() {
        return label;
    }
}
