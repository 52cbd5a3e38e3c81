package dev.baton.dataplane.forward;

import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.scheduling.Scheduler;
import dev.baton.scheduling.Servers;
import dev.baton.scheduling.WeightedLeastConnections;
import dev.baton.scheduling.WeightedRoundRobin;

/**
 * One worker's schedulers: per service a {@link Scheduler} and the {@link Servers} view it selects from,
 * with availability (MAC resolved, weight above zero, not failing its health check, not drained by an operator)
 * and active-connection counts kept current.
 * Owned by the worker's thread.
 */
public final class ServiceSchedulers {

    private final ServiceMap services;
    private final Scheduler[] schedulers;
    private final Servers[] servers;

    public ServiceSchedulers(ServiceMap services) {
        this.services = services;
        int count = services.serviceCount();
        schedulers = new Scheduler[count];
        servers = new Servers[count];
        for (int s = 0; s < count; s++) {
            schedulers[s] = services.scheduler(s) == ServiceConfig.SchedulerKind.WLC
                    ? new WeightedLeastConnections() : new WeightedRoundRobin();
            servers[s] = new Servers(services.serverCount(s));
            for (int i = 0; i < services.serverCount(s); i++) {
                servers[s].weight(i, services.serverWeight(services.serverId(s, i)));
                servers[s].available(i, false);
            }
        }
    }

    /**
     * Marks servers available exactly when their MAC is resolved and fresh, their weight is above zero, and the
     * board admits them (not failing their health check, not drained); takes the weight an operator set on the
     * board ({@code baton ctl weight}, here or replicated from a peer), or the configured one.
     */
    public void refreshAvailability(NeighbourTable neighbours, ServerHealthBoard health, long nowMs) {
        for (int s = 0; s < servers.length; s++) {
            Servers set = servers[s];
            int primaries = services.primaryServerCount(s);
            boolean anyPrimary = false;
            for (int i = 0; i < set.size(); i++) {
                int serverId = services.serverId(s, i);
                int override = health.weightOverride(serverId);
                int weight = override >= 0 ? override : services.serverWeight(serverId);
                if (set.weight(i) != weight) {
                    set.weight(i, weight); // from the next selection on
                }
                // A fallback server takes new connections only while no server of the service can.
                boolean usable = (i < primaries || !anyPrimary) && set.weight(i) > 0 && health.admits(serverId)
                        && neighbours.resolved(services.neighbourOf(serverId, health.addressChoice(serverId)), nowMs);
                set.available(i, usable);
                anyPrimary |= usable && i < primaries;
            }
        }
    }

    /** A server id for a new connection to {@code service}, or -1 when none is available. */
    public int select(int service, int clientAddress, long nowMs) {
        int index = schedulers[service].select(servers[service], clientAddress, nowMs);
        return index < 0 ? -1 : services.serverId(service, index);
    }

    /** The server id a new connection to {@code service} would get now, without advancing the scheduler. */
    public int peek(int service, int clientAddress, long nowMs) {
        int index = schedulers[service].peek(servers[service], clientAddress, nowMs);
        return index < 0 ? -1 : services.serverId(service, index);
    }

    public boolean available(int serverId) {
        return servers[services.serviceOfServer(serverId)].available(services.indexInService(serverId));
    }

    public void connectionOpened(int serverId) {
        servers[services.serviceOfServer(serverId)].connectionOpened(services.indexInService(serverId));
    }

    public void connectionClosed(int serverId) {
        servers[services.serviceOfServer(serverId)].connectionClosed(services.indexInService(serverId));
    }

    public Servers servers(int service) {
        return servers[service];
    }
}
