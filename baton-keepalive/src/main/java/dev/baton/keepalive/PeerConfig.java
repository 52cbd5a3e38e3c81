package dev.baton.keepalive;

import java.util.List;
import java.util.Objects;

/**
 * A configured peer router: its router id (as carried in every peer message, {@code docs/protocol.md}), its
 * name (for people) and its links, indexed from 0 in the order given.
 *
 * @param routerId the peer's unsigned 32-bit router id
 * @param name     the peer's name from the configuration
 * @param links    one or more links to the peer
 */
public record PeerConfig(int routerId, String name, List<PeerLink> links) {

    public PeerConfig {
        Objects.requireNonNull(name, "name");
        links = List.copyOf(links);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " needs at least one link");
        }
    }
}
