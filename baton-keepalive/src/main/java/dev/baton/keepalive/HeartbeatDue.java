package dev.baton.keepalive;

/**
 * A heartbeat to send now: to peer {@code peerRouterId} over its link {@code linkIndex}.
 *
 * @param peerRouterId the peer
 * @param linkIndex    the link, an index into the peer's {@link PeerConfig#links()}
 */
public record HeartbeatDue(int peerRouterId, int linkIndex) {
}
