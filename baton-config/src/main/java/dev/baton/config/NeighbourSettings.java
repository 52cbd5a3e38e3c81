package dev.baton.config;

import java.time.Duration;

/**
 * Baton's own ARP for server MAC addresses. A server gets no traffic until its address resolves.
 *
 * @param refreshInterval how often a resolved server is asked again (its MAC may change)
 * @param retryInterval   how often an unresolved server is asked
 * @param staleAfter      a server that has not answered for this long is unresolved again and gets no new
 *                        connections
 */
public record NeighbourSettings(Duration refreshInterval, Duration retryInterval, Duration staleAfter) {

    public NeighbourSettings {
        ConfigValues.requirePositive(refreshInterval, "refreshInterval");
        ConfigValues.requirePositive(retryInterval, "retryInterval");
        ConfigValues.requirePositive(staleAfter, "staleAfter");
    }
}
