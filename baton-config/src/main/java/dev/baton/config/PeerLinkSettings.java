package dev.baton.config;

import dev.baton.codec.Ipv4;

/**
 * One path to a peer router: the peer protocol's UDP datagrams (keep-alives, sync) go from
 * {@code localAddress} to {@code peerAddress}. A peer is failed only when every one of its links has been
 * silent for the link failure time, so one cut cable fails nothing.
 *
 * @param localAddress this router's address on the link (int, see {@link Ipv4}); never a VIP, since a VIP
 *                     moves between routers
 * @param peerAddress  the peer's address on the link; differs from {@code localAddress}
 */
public record PeerLinkSettings(int localAddress, int peerAddress) {

    public PeerLinkSettings {
        if (localAddress == peerAddress) {
            throw new IllegalArgumentException("link from " + Ipv4.format(localAddress) + " to itself");
        }
    }

    @Override
    public String toString() {
        return Ipv4.format(localAddress) + " -> " + Ipv4.format(peerAddress);
    }
}
