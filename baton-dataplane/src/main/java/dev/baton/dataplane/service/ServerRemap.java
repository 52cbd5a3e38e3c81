package dev.baton.dataplane.service;

import java.util.Arrays;

/**
 * How the ids of one {@link ServiceMap} become those of the next after a reload: a service is the same service when
 * its name is, a server the same server when its service is and its address is (Baton forwards without changing an
 * address or a port, so a server is its address). Everything a worker keeps by id (connections, persistence,
 * counters, health and drain verdicts, the XDP map) moves through this; an id with no counterpart ({@link #GONE}) has
 * left the configuration.
 */
public final class ServerRemap {

    /** An old id with no counterpart in the new map. */
    public static final int GONE = -1;

    private final int[] serviceOf;
    private final int[] serverOf;
    private final boolean identity;

    private ServerRemap(int[] serviceOf, int[] serverOf, boolean identity) {
        this.serviceOf = serviceOf;
        this.serverOf = serverOf;
        this.identity = identity;
    }

    /** The remap from {@code old}'s ids to {@code next}'s. */
    public static ServerRemap between(ServiceMap old, ServiceMap next) {
        int[] serviceOf = new int[old.serviceCount()];
        boolean identity = old.serviceCount() == next.serviceCount() && old.totalServers() == next.totalServers();
        for (int s = 0; s < serviceOf.length; s++) {
            serviceOf[s] = next.indexOf(old.name(s));
            identity &= serviceOf[s] == s;
        }
        int[] serverOf = new int[old.totalServers()];
        Arrays.fill(serverOf, GONE);
        for (int s = 0; s < serviceOf.length; s++) {
            int to = serviceOf[s];
            for (int i = 0; i < old.serverCount(s); i++) {
                int id = old.serverId(s, i);
                if (to != GONE) {
                    int address = old.serverAddress(id);
                    for (int j = 0; j < next.serverCount(to); j++) {
                        int candidate = next.serverId(to, j);
                        if (next.serverAddress(candidate) == address) {
                            serverOf[id] = candidate;
                            break;
                        }
                    }
                }
                identity &= serverOf[id] == id;
            }
        }
        return new ServerRemap(serviceOf, serverOf, identity);
    }

    /** The new id of old service {@code serviceId}, or {@link #GONE}. */
    public int service(int serviceId) {
        return serviceOf[serviceId];
    }

    /** The new id of old server {@code serverId}, or {@link #GONE}. */
    public int server(int serverId) {
        return serverOf[serverId];
    }

    /** Old service ids: 0 to this, exclusive. */
    public int oldServices() {
        return serviceOf.length;
    }

    /** Old server ids: 0 to this, exclusive. */
    public int oldServers() {
        return serverOf.length;
    }

    /** Whether every id stays what it was (weights, checks or timeouts changed, not the servers): nothing to move. */
    public boolean identity() {
        return identity;
    }
}
