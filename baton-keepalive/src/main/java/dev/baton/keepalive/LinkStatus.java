package dev.baton.keepalive;

/**
 * A snapshot of one link's health, for {@code baton ctl status}.
 *
 * @param linkIndex          the link's index in its peer's configuration
 * @param link               its addresses
 * @param state              alive, failed or not yet known
 * @param lastHeardMs        when the last verified heartbeat arrived, or {@link #NEVER}
 * @param heartbeatsSent     heartbeats sent over the link
 * @param heartbeatsReceived verified heartbeats received over the link
 * @param failures           how many times the link went from alive (or unknown) to failed
 */
public record LinkStatus(int linkIndex, PeerLink link, LinkState state, long lastHeardMs, long heartbeatsSent,
                         long heartbeatsReceived, long failures) {

    /** {@link #lastHeardMs()} of a link never heard from. */
    public static final long NEVER = Long.MIN_VALUE;
}
