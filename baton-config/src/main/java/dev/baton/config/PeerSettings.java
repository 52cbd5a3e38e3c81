package dev.baton.config;

import java.util.List;
import java.util.Objects;

/**
 * Another router that serves the same VIPs (the patent's peer FTR-CR).
 *
 * @param name         its {@code router.id}, shown in status and logs
 * @param routerNumber its router number, unsigned 32-bit held in a long (1..4294967295): how its messages
 *                     name it
 * @param links        the paths to it, at least one; heartbeats go over every one
 */
public record PeerSettings(String name, long routerNumber, List<PeerLinkSettings> links) {

    public PeerSettings {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("peer name is empty");
        }
        HighAvailabilitySettings.requireRouterNumber(routerNumber);
        links = List.copyOf(links);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " has no link");
        }
    }
}
