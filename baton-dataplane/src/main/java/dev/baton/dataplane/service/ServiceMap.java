package dev.baton.dataplane.service;

import dev.baton.config.BatonConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The services (the patent's VECs) and their servers, flattened into arrays for the forwarding path.
 * Immutable once built; shared by every worker.
 *
 * <p>Ids: a service id is its index in the configuration; a server id is global across services (the
 * connection table stores it), and several server ids may share one address, hence one neighbour entry.
 *
 * <p>After a reload ({@code baton ctl reload}), a server the new file no longer lists may still carry connections:
 * it stays as a <em>departing</em> server ({@link DepartingServer}) after every configured one, in its service's
 * list after the fallback servers, with weight 0, so that its connections keep reaching it while no new one can.
 * Configured servers keep the ids the file gives them, so two routers with the same file agree on them whatever
 * each reloaded before (the peer protocol names a server by id).
 */
public final class ServiceMap {

    private final String[] names;
    private final int[] vips;
    private final int[] protocols;
    private final long[] persistenceMs;
    private final ServiceConfig.SchedulerKind[] schedulers;
    /** Per service: port ranges as {first, last} pairs. */
    private final int[][] portRanges;
    /** Per service: its server ids, in configuration order. */
    private final int[][] serverIds;
    private final int[] serverService;
    private final int[] serverIndexInService;
    private final int[] serverAddress;
    private final int[] serverWeight;
    private final int[] serverNeighbour;
    /** Per server id: the neighbour index of each of its addresses, the configured one first, then its alternates. */
    private final int[][] serverNeighbours;
    private final int[] distinctVips;
    /** Per service: how many of its servers come first and are not fallback servers. */
    private final int[] primaryServers;
    /** Per server id: whether it is a fallback server (new connections only while every server of its service is down). */
    private final boolean[] serverIsFallback;
    /** Per service: whether a server failing its check loses its established connections (on-server-down: drop). */
    private final boolean[] dropsOnServerDown;
    private final int[] neighbourAddresses;
    /** Per service: how many of its servers the configuration lists (servers and fallback); departing ones follow. */
    private final int[] configuredServers;
    /** Per server id: whether it is departing (removed by a reload, kept for its connections). */
    private final boolean[] serverIsDeparting;
    /** The configured server ids: [0, configuredTotal); departing ones after. */
    private final int configuredTotal;

    /**
     * A server a reload removed from service {@code service} (by name) while connections still go to it: they keep
     * going there until they end ({@code on-server-down: keep}); it gets no new one.
     */
    public record DepartingServer(String service, int address) {
    }

    private ServiceMap(List<ServiceConfig> services, List<DepartingServer> departing) {
        int count = services.size();
        names = new String[count];
        vips = new int[count];
        protocols = new int[count];
        persistenceMs = new long[count];
        schedulers = new ServiceConfig.SchedulerKind[count];
        dropsOnServerDown = new boolean[count];
        portRanges = new int[count][];
        serverIds = new int[count][];
        int configured = services.stream().mapToInt(s -> s.servers().size() + s.fallback().size()).sum();
        List<List<Integer>> departingOf = new ArrayList<>();
        int departingTotal = 0;
        for (ServiceConfig service : services) {
            List<Integer> addresses = new ArrayList<>();
            for (DepartingServer d : departing) {
                boolean listed = service.servers().stream().anyMatch(c -> c.address() == d.address())
                        || service.fallback().stream().anyMatch(c -> c.address() == d.address());
                if (d.service().equals(service.name()) && !listed && !addresses.contains(d.address())) {
                    addresses.add(d.address());
                }
            }
            departingOf.add(addresses);
            departingTotal += addresses.size();
        }
        int totalServers = configured + departingTotal;
        configuredTotal = configured;
        configuredServers = new int[count];
        serverIsDeparting = new boolean[totalServers];
        primaryServers = new int[count];
        serverIsFallback = new boolean[totalServers];
        serverService = new int[totalServers];
        serverIndexInService = new int[totalServers];
        serverAddress = new int[totalServers];
        serverWeight = new int[totalServers];
        serverNeighbour = new int[totalServers];
        serverNeighbours = new int[totalServers][];
        List<Integer> neighbours = new ArrayList<>();
        int next = 0;
        for (int s = 0; s < count; s++) {
            ServiceConfig service = services.get(s);
            names[s] = service.name();
            vips[s] = service.vip();
            protocols[s] = service.protocol().ipProtocol;
            persistenceMs[s] = service.persistence().toMillis();
            schedulers[s] = service.scheduler();
            dropsOnServerDown[s] = service.onServerDown() == ServiceConfig.OnServerDown.DROP;
            List<PortRange> ranges = service.ports();
            portRanges[s] = new int[ranges.size() * 2];
            for (int r = 0; r < ranges.size(); r++) {
                portRanges[s][2 * r] = ranges.get(r).first();
                portRanges[s][2 * r + 1] = ranges.get(r).last();
            }
            // The fallback servers follow the servers, in one list: they share every per-server structure (counters,
            // health, replication by server id), and only scheduling tells them apart.
            List<ServiceConfig.ServerConfig> all = new ArrayList<>(service.servers());
            all.addAll(service.fallback());
            primaryServers[s] = service.servers().size();
            configuredServers[s] = all.size();
            serverIds[s] = new int[all.size() + departingOf.get(s).size()];
            for (int i = 0; i < all.size(); i++) {
                ServiceConfig.ServerConfig server = all.get(i);
                serverIsFallback[next] = i >= primaryServers[s];
                serverIds[s][i] = next;
                serverService[next] = s;
                serverIndexInService[next] = i;
                serverAddress[next] = server.address();
                serverWeight[next] = server.weight();
                serverNeighbours[next] = new int[1 + server.alternates().size()];
                for (int a = 0; a <= server.alternates().size(); a++) {
                    int address = a == 0 ? server.address() : server.alternates().get(a - 1);
                    int neighbour = neighbours.indexOf(address);
                    if (neighbour < 0) {
                        neighbour = neighbours.size();
                        neighbours.add(address);
                    }
                    serverNeighbours[next][a] = neighbour;
                }
                serverNeighbour[next] = serverNeighbours[next][0];
                next++;
            }
        }
        // Departing servers after every configured one: the configured ids are the file's alone.
        for (int s = 0; s < count; s++) {
            List<Integer> addresses = departingOf.get(s);
            for (int d = 0; d < addresses.size(); d++) {
                int index = configuredServers[s] + d;
                int address = addresses.get(d);
                serverIsDeparting[next] = true;
                serverIds[s][index] = next;
                serverService[next] = s;
                serverIndexInService[next] = index;
                serverAddress[next] = address;
                serverWeight[next] = 0;
                int neighbour = neighbours.indexOf(address);
                if (neighbour < 0) {
                    neighbour = neighbours.size();
                    neighbours.add(address);
                }
                serverNeighbours[next] = new int[] {neighbour};
                serverNeighbour[next] = neighbour;
                next++;
            }
        }
        neighbourAddresses = neighbours.stream().mapToInt(Integer::intValue).toArray();
        distinctVips = Arrays.stream(vips).distinct().toArray();
    }

    public static ServiceMap of(BatonConfig config) {
        return new ServiceMap(config.services(), List.of());
    }

    public static ServiceMap of(List<ServiceConfig> services) {
        return new ServiceMap(services, List.of());
    }

    /** The map of {@code config} after a reload: its servers, then {@code departing} (those its services still have). */
    public static ServiceMap of(BatonConfig config, List<DepartingServer> departing) {
        return new ServiceMap(config.services(), departing);
    }

    /** As {@link #of(BatonConfig, List)}, from the services alone. */
    public static ServiceMap of(List<ServiceConfig> services, List<DepartingServer> departing) {
        return new ServiceMap(services, departing);
    }

    /**
     * The service for a packet to {@code vip:port} over {@code protocol}, or -1. A linear scan: a router
     * serves a handful of services, and the arrays stay in one or two cache lines.
     */
    public int find(int vip, int protocol, int port) {
        for (int s = 0; s < vips.length; s++) {
            if (vips[s] == vip && protocols[s] == protocol) {
                int[] ranges = portRanges[s];
                for (int r = 0; r < ranges.length; r += 2) {
                    if (port >= ranges[r] && port <= ranges[r + 1]) {
                        return s;
                    }
                }
            }
        }
        return -1;
    }

    /** Whether {@code address} is the VIP of any service. */
    public boolean isVip(int address) {
        for (int vip : distinctVips) {
            if (vip == address) {
                return true;
            }
        }
        return false;
    }

    public int[] distinctVips() {
        return distinctVips.clone();
    }

    /** The index in {@link #distinctVips()} of {@code vip}, or -1 when no service has it. */
    public int vipIndex(int vip) {
        for (int i = 0; i < distinctVips.length; i++) {
            if (distinctVips[i] == vip) {
                return i;
            }
        }
        return -1;
    }

    /**
     * For each service id, the index of its VIP in {@link #distinctVips()}: the connection table's partition,
     * since a VIP (with every service on it) is what one router takes over from another.
     */
    public int[] vipIndexOfServices() {
        int[] result = new int[vips.length];
        for (int s = 0; s < vips.length; s++) {
            result[s] = vipIndex(vips[s]);
        }
        return result;
    }

    public int serviceCount() {
        return names.length;
    }

    public String name(int service) {
        return names[service];
    }

    /** The service id named {@code name}, or -1. */
    public int indexOf(String name) {
        for (int s = 0; s < names.length; s++) {
            if (names[s].equals(name)) {
                return s;
            }
        }
        return -1;
    }

    public int vip(int service) {
        return vips[service];
    }

    public int protocol(int service) {
        return protocols[service];
    }

    public long persistenceMs(int service) {
        return persistenceMs[service];
    }

    public ServiceConfig.SchedulerKind scheduler(int service) {
        return schedulers[service];
    }

    /** Whether a server of {@code service} that fails its check loses its established connections. */
    public boolean dropsOnServerDown(int service) {
        return dropsOnServerDown[service];
    }

    /** The servers of {@code service}, its fallback servers included (they come last). */
    public int serverCount(int service) {
        return serverIds[service].length;
    }

    /** The servers of {@code service} that are not fallback servers: indexes 0 to this, exclusive. */
    public int primaryServerCount(int service) {
        return primaryServers[service];
    }

    /** Whether server {@code serverId} is a fallback server of its service. */
    public boolean isFallback(int serverId) {
        return serverIsFallback[serverId];
    }

    /** Whether server {@code serverId} was removed by a reload and is kept only for its connections (weight 0). */
    public boolean isDeparting(int serverId) {
        return serverIsDeparting[serverId];
    }

    /** How many of {@code service}'s servers the configuration lists (servers and fallback); departing ones follow. */
    public int configuredServerCount(int service) {
        return configuredServers[service];
    }

    /** The configured server ids are 0 to this, exclusive; departing servers come after. */
    public int configuredTotalServers() {
        return configuredTotal;
    }

    /** Global server id of the {@code index}-th server of {@code service}. */
    public int serverId(int service, int index) {
        return serverIds[service][index];
    }

    public int totalServers() {
        return serverAddress.length;
    }

    public int serviceOfServer(int serverId) {
        return serverService[serverId];
    }

    public int indexInService(int serverId) {
        return serverIndexInService[serverId];
    }

    public int serverAddress(int serverId) {
        return serverAddress[serverId];
    }

    public int serverWeight(int serverId) {
        return serverWeight[serverId];
    }

    /** Index in the {@code NeighbourTable} of the server's configured address. */
    public int neighbourOf(int serverId) {
        return serverNeighbour[serverId];
    }

    /**
     * Index in the {@code NeighbourTable} of the server's address number {@code choice}: 0 its configured address,
     * 1.. its alternates (address substitution, RM 230). A choice beyond them is the configured address.
     */
    public int neighbourOf(int serverId, int choice) {
        int[] addresses = serverNeighbours[serverId];
        return choice > 0 && choice < addresses.length ? addresses[choice] : addresses[0];
    }

    /** How many addresses the server has: its configured one and its alternates. */
    public int addressCount(int serverId) {
        return serverNeighbours[serverId].length;
    }

    /** The server's address number {@code choice} (0 the configured one). */
    public int serverAddress(int serverId, int choice) {
        return neighbourAddresses[neighbourOf(serverId, choice)];
    }

    /** Distinct server addresses (alternates included), in order of first appearance: the neighbour table's entries. */
    public int[] neighbourAddresses() {
        return neighbourAddresses.clone();
    }
}
