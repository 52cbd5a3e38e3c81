package dev.baton.ha;

import dev.baton.keepalive.PeerConfig;

import java.util.List;

/**
 * This router's configured peers, and the one place where a peer's three names meet: its index {@code p}, which
 * every per-peer array of the agent uses; its router number, which the wire carries ({@code docs/protocol.md})
 * and the keep-alive manager and transport address it by; and its key in the FIG. 3 monitors, the router number
 * zero-padded to ten digits so that the text order the monitors compare is the numeric order. Agent thread
 * only; immutable after construction.
 */
final class Peers {

    private final PeerConfig[] configs;
    private final String[] keys;
    private final int[] routerIds;

    Peers(List<PeerConfig> configs) {
        this.configs = configs.toArray(PeerConfig[]::new);
        this.keys = new String[this.configs.length];
        this.routerIds = new int[this.configs.length];
        for (int p = 0; p < this.configs.length; p++) {
            routerIds[p] = this.configs[p].routerId();
            keys[p] = keyOfRouter(routerIds[p]);
        }
    }

    /** A router's key in the monitors: its number, zero-padded so that text order is numeric order. */
    static String keyOfRouter(int routerNumber) {
        return String.format("%010d", Integer.toUnsignedLong(routerNumber));
    }

    int count() {
        return configs.length;
    }

    PeerConfig config(int p) {
        return configs[p];
    }

    /** The name the operator gave the peer in the configuration. */
    String name(int p) {
        return configs[p].name();
    }

    /** The peer's router number: its id on the wire. */
    int routerId(int p) {
        return routerIds[p];
    }

    /** The router numbers of every peer, by index: a copy. */
    int[] routerIds() {
        return routerIds.clone();
    }

    /** The peer's key in the monitors ({@link #keyOfRouter}). */
    String key(int p) {
        return keys[p];
    }

    /** The index of the peer with router number {@code routerId}, or -1 (a number no peer has). */
    int indexOfRouter(int routerId) {
        for (int p = 0; p < routerIds.length; p++) {
            if (routerIds[p] == routerId) {
                return p;
            }
        }
        return -1;
    }

    /** The index of the peer the monitors know by {@code key}, or -1. */
    int indexOfKey(String key) {
        for (int p = 0; p < keys.length; p++) {
            if (keys[p].equals(key)) {
                return p;
            }
        }
        return -1;
    }

    /** A monitor's reason with the peers' keys replaced by their names, for people. */
    String forPeople(String reason) {
        String text = reason;
        for (int p = 0; p < keys.length; p++) {
            text = text.replace(keys[p], configs[p].name());
        }
        return text;
    }
}
