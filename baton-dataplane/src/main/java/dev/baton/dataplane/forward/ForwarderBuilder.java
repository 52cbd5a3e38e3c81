package dev.baton.dataplane.forward;

import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.xdp.FastPath;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTimeouts;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Assembles a {@link Forwarder}. Ports are added with the side they face and the router's own address on
 * them; server-facing ports are numbered in the order added, which is the interface index the
 * {@link NeighbourTable} uses.
 */
public final class ForwarderBuilder {

    int workerId;
    final List<PacketPort> ports = new ArrayList<>();
    private final List<Boolean> clientSide = new ArrayList<>();
    private final List<Boolean> serverSide = new ArrayList<>();
    private final List<Integer> addresses = new ArrayList<>();
    ServiceMap services;
    NeighbourTable neighbours;
    ServerHealthBoard health;
    VipOwnership ownership;
    boolean ownsArp = true;
    int capacity = 65_536;
    int persistenceCapacity = 65_536;
    /** No quota unless set: the configuration's default comes through {@code Dataplane}. */
    int perSourceLimit = 0;
    ConnectionTimeouts timeouts = new ConnectionTimeouts(30_000, 900_000, 120_000, 10_000, 300_000);
    private ConnectionListener listener = ConnectionListener.NONE;
    WorkerExtension extension = WorkerExtension.NONE;
    FastPath fastPath;
    java.util.function.LongSupplier hashSeeds = RANDOM_HASH_SEEDS;

    /** Hash seeds nobody outside can predict, so no flood can be aimed at one slot of a table. */
    public static final java.util.function.LongSupplier RANDOM_HASH_SEEDS = new java.security.SecureRandom()::nextLong;

    /** Where the connection and persistence tables take their hash seeds (default {@link #RANDOM_HASH_SEEDS}). */
    public ForwarderBuilder hashSeeds(java.util.function.LongSupplier hashSeeds) {
        this.hashSeeds = hashSeeds;
        return this;
    }

    /** This worker's side of the XDP fast path. Without one the worker is the whole data plane. */
    public ForwarderBuilder fastPath(FastPath fastPath) {
        this.fastPath = fastPath;
        return this;
    }

    public ForwarderBuilder workerId(int workerId) {
        this.workerId = workerId;
        return this;
    }

    /** Adds a port; {@code address} is the router's own IPv4 address on it (the source of its ARP requests). */
    public ForwarderBuilder port(PacketPort port, boolean facesClients, boolean facesServers, int address) {
        ports.add(port);
        clientSide.add(facesClients);
        serverSide.add(facesServers);
        addresses.add(address);
        return this;
    }

    public ForwarderBuilder services(ServiceMap services) {
        this.services = services;
        return this;
    }

    public ForwarderBuilder neighbours(NeighbourTable neighbours) {
        this.neighbours = neighbours;
        return this;
    }

    /** The shared health-check and drain verdicts (default: a board of this worker's own, every server unchecked). */
    public ForwarderBuilder health(ServerHealthBoard health) {
        this.health = health;
        return this;
    }

    public ForwarderBuilder ownership(VipOwnership ownership) {
        this.ownership = ownership;
        return this;
    }

    /** Whether this worker sends ARP probes (exactly one worker does: the one that receives ARP). */
    public ForwarderBuilder ownsArp(boolean ownsArp) {
        this.ownsArp = ownsArp;
        return this;
    }

    public ForwarderBuilder capacity(int capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Connection entries one client address may hold in this worker's shard; 0 for no limit. */
    public ForwarderBuilder perSourceLimit(int perSourceLimit) {
        this.perSourceLimit = perSourceLimit;
        return this;
    }

    public ForwarderBuilder persistenceCapacity(int persistenceCapacity) {
        this.persistenceCapacity = persistenceCapacity;
        return this;
    }

    public ForwarderBuilder timeouts(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
        return this;
    }

    /**
     * Runs {@code extension} in every duty cycle of the worker and gives it every connection change, before the
     * {@link #listener}; {@link WorkerExtension#attach} is called once the forwarder is built. Independent of
     * {@link #listener}: set both and both hear every change, in either order of the calls.
     */
    public ForwarderBuilder extension(WorkerExtension extension) {
        this.extension = Objects.requireNonNull(extension, "extension");
        return this;
    }

    /** Receives every connection change after the worker's own bookkeeping and after the {@link #extension}. */
    public ForwarderBuilder listener(ConnectionListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public Forwarder build() {
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(neighbours, "neighbours");
        if (ownership == null) {
            ownership = new VipOwnership(services.distinctVips(), true);
        }
        if (ports.isEmpty() || !clientSide.contains(true) || !serverSide.contains(true)) {
            throw new IllegalStateException("a worker needs a client-facing and a server-facing port (may be one port)");
        }
        Forwarder forwarder = new Forwarder(this);
        extension.attach(forwarder);
        return forwarder;
    }

    /** Where the forwarder passes every connection change: the extension, then the listener. */
    ConnectionListener downstream() {
        if (listener == ConnectionListener.NONE) {
            return extension;
        }
        return extension == WorkerExtension.NONE ? listener : new ExtensionThenListener(extension, listener);
    }

    boolean[] facesClients() {
        return toArray(clientSide);
    }

    boolean[] facesServers() {
        return toArray(serverSide);
    }

    int[] portAddresses() {
        return addresses.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Both receivers of a worker's connection changes, in a fixed order; allocates nothing per change. */
    private record ExtensionThenListener(WorkerExtension extension, ConnectionListener listener) implements ConnectionListener {

        @Override
        public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, long lastSeenMs) {
            extension.onInsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs);
            listener.onInsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs);
        }

        @Override
        public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                  int serviceId, int serverId, int oldState, int newState, long nowMs) {
            extension.onStateChange(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, oldState, newState, nowMs);
            listener.onStateChange(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, oldState, newState, nowMs);
        }

        @Override
        public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, int reason) {
            extension.onRemove(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, reason);
            listener.onRemove(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, reason);
        }
    }

    private static boolean[] toArray(List<Boolean> values) {
        boolean[] result = new boolean[values.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = values.get(i);
        }
        return result;
    }
}
