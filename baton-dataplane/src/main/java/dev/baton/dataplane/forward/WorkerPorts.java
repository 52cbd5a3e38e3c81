package dev.baton.dataplane.forward;

import dev.baton.dataplane.io.PacketPort;

/**
 * One worker's ports, the side each faces, and their transmit discipline. Every frame the worker sends is
 * claimed and committed here, which marks its port written; {@link #flushDirty} then hands each written port
 * to the kernel once: one kick per port per batch, never one per frame. The {@link Forwarder} and the
 * {@link ArpHandler} both send through the one instance their worker owns, so a batch that mixes forwarded
 * frames and ARP replies on a port still costs one kick, and neither flushes through the other.
 *
 * <p>Server-facing ports are also numbered among themselves, in the order added: that number is the
 * interface index the {@link dev.baton.dataplane.arp.NeighbourTable} keeps for each server.
 *
 * <p>Owned by the worker's thread, like the ports themselves.
 */
final class WorkerPorts {

    private final int workerId;
    private final PacketPort[] ports;
    private final boolean[] facesClients;
    private final boolean[] facesServers;
    /** Server-facing ports, indexed as the neighbour table's interface index. */
    private final PacketPort[] serverPorts;
    /** The router's own IPv4 address on each server-facing port: the sender of its ARP requests. */
    private final int[] serverPortAddresses;
    /** Ports committed to since the last flush. */
    private final boolean[] dirty;

    /**
     * @param addresses the router's own IPv4 address on each port, in the order of {@code ports}
     */
    WorkerPorts(int workerId, PacketPort[] ports, boolean[] facesClients, boolean[] facesServers, int[] addresses) {
        if (facesClients.length != ports.length || facesServers.length != ports.length || addresses.length != ports.length) {
            throw new IllegalArgumentException("one side and one address per port");
        }
        this.workerId = workerId;
        this.ports = ports.clone();
        this.facesClients = facesClients.clone();
        this.facesServers = facesServers.clone();
        int serverCount = 0;
        for (boolean serverSide : facesServers) {
            serverCount += serverSide ? 1 : 0;
        }
        this.serverPorts = new PacketPort[serverCount];
        this.serverPortAddresses = new int[serverCount];
        for (int i = 0, s = 0; i < ports.length; i++) {
            if (facesServers[i]) {
                serverPorts[s] = ports[i];
                serverPortAddresses[s] = addresses[i];
                s++;
            }
        }
        this.dirty = new boolean[ports.length];
    }

    int count() {
        return ports.length;
    }

    PacketPort port(int index) {
        return ports[index];
    }

    boolean facesClients(int index) {
        return facesClients[index];
    }

    boolean facesServers(int index) {
        return facesServers[index];
    }

    /** The index of the first client-facing port, or -1 when none faces the clients. */
    int firstClientFacing() {
        for (int i = 0; i < ports.length; i++) {
            if (facesClients[i]) {
                return i;
            }
        }
        return -1;
    }

    /** The server-facing port with neighbour-table interface index {@code interfaceIndex}. */
    PacketPort serverPort(int interfaceIndex) {
        return serverPorts[interfaceIndex];
    }

    /** The router's own address on server-facing port {@code interfaceIndex}. */
    int serverPortAddress(int interfaceIndex) {
        return serverPortAddresses[interfaceIndex];
    }

    /** The index of {@code port}; a port of another worker is a wiring error. */
    int indexOf(PacketPort port) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == port) {
                return i;
            }
        }
        throw new IllegalArgumentException("port " + port.name() + " does not belong to worker " + workerId);
    }

    /** A copy of the ports, in the order added. */
    PacketPort[] toArray() {
        return ports.clone();
    }

    /**
     * Claims a transmit slot. A receive batch can hold more frames than the transmit ring has slots, so
     * when the ring is full the frames committed so far are handed to the kernel first (the send runs the
     * transmit path in this call and frees their slots) and the claim is tried once more; only then is the
     * frame dropped. The kick is still once per ring-full, not per frame.
     *
     * @return the offset in {@code port.txBuffer()} to write at, or -1 when the frame is to be dropped
     */
    long claim(PacketPort port, int length) {
        long at = port.claim(length);
        if (at < 0) {
            port.flush();
            dirty[indexOf(port)] = false;
            at = port.claim(length);
        }
        return at;
    }

    /** Commits the slot last {@link #claim claimed} on {@code port}; it goes out with the next {@link #flushDirty}. */
    void commit(PacketPort port, int length) {
        port.commit(length);
        dirty[indexOf(port)] = true;
    }

    /** Flushes every port written to since the last flush: one kick per port per batch. */
    void flushDirty() {
        for (int i = 0; i < ports.length; i++) {
            if (dirty[i]) {
                ports[i].flush();
                dirty[i] = false;
            }
        }
    }
}
