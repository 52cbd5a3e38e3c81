package dev.baton.keepalive;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One network link to a peer router: the local address this router sends from and receives on, and the
 * peer's address on the same link. A peer reachable over several networks has one link per network, and
 * heartbeats go over every one of them.
 *
 * @param localAddress this router's address and UDP port on the link
 * @param peerAddress  the peer's address and UDP port on the link
 */
public record PeerLink(InetSocketAddress localAddress, InetSocketAddress peerAddress) {

    public PeerLink {
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(peerAddress, "peerAddress");
    }

    /** {@code local -> peer}, for logs and status. */
    public String describe() {
        return localAddress.getAddress().getHostAddress() + ":" + localAddress.getPort() + " -> "
                + peerAddress.getAddress().getHostAddress() + ":" + peerAddress.getPort();
    }
}
