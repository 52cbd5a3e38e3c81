package dev.baton.keepalive;

/**
 * A notification from the keep-alive manager to the monitoring manager (patent FIG. 2, KAM 210 to MM 240
 * over connection 205): a link or a peer became alive or failed, with the reason in words.
 *
 * @param kind         what happened
 * @param peerRouterId the peer concerned
 * @param peerName     the peer's configured name
 * @param linkIndex    the link concerned, or {@link #NO_LINK} for a peer event
 * @param atMs         the time (the manager's injected clock) the event was detected
 * @param reason       why, in words, for logs and the event history
 */
public record KeepAliveEvent(Kind kind, int peerRouterId, String peerName, int linkIndex, long atMs, String reason) {

    /** {@link #linkIndex()} of a peer event. */
    public static final int NO_LINK = -1;

    /** The four notifications, with stable codes (never {@code ordinal()}). */
    public enum Kind {
        /** A link carries heartbeats again (or for the first time). */
        LINK_ALIVE(1),
        /** A link has been silent for the failure time. Fails nothing on its own. */
        LINK_FAILED(2),
        /** A peer is heard on at least one link again (or for the first time). */
        PEER_ALIVE(3),
        /** Every link of a peer has been silent for the failure time: the peer is gone. */
        PEER_FAILED(4);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** Stable code for logs and JSON. */
        public int code() {
            return code;
        }

        /** Whether this is about one link rather than the whole peer. */
        public boolean isLinkEvent() {
            return this == LINK_ALIVE || this == LINK_FAILED;
        }
    }

    @Override
    public String toString() {
        return kind + " peer " + peerName + " (" + Integer.toUnsignedString(peerRouterId)
                + (linkIndex == NO_LINK ? "" : ") link " + linkIndex) + (linkIndex == NO_LINK ? ")" : "")
                + " at " + atMs + " ms: " + reason;
    }
}
