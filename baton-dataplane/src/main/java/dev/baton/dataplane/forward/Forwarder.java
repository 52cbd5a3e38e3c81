package dev.baton.dataplane.forward;

import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.NetworkOrder;
import dev.baton.codec.TcpFlyweight;
import dev.baton.codec.UdpFlyweight;
import dev.baton.codec.VirtioNetHeaderFlyweight;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServerRemap;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.dataplane.xdp.FastPath;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.PersistenceListener;
import dev.baton.table.PersistenceTable;
import dev.baton.table.TcpState;

import java.lang.foreign.MemorySegment;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One forwarding worker: receives frames from its ports and forwards packets for VIPs to servers by MAC
 * forwarding (direct server return). Only the Ethernet addresses change; IP and TCP are untouched, so the
 * server, which holds the VIP on loopback, answers the client directly (the patent's FIG. 1 environment).
 *
 * <p>Per frame, in order:
 * <ol>
 *   <li>ARP (RFC 826) goes to the worker's {@link ArpHandler}: it answers requests for an owned VIP on a
 *       client-facing port and learns the servers' MACs on a server-facing port.</li>
 *   <li>IPv4 to an owned VIP and a served port: the connection table decides the server; a miss on a TCP SYN
 *       (or any UDP datagram) schedules a new connection, honouring client persistence.</li>
 *   <li>ICMP errors about a VIP flow (RFC 792; e.g. fragmentation needed, RFC 1191) go to the server that
 *       owns the flow: the embedded header is the server's reply, so its source is the VIP and its
 *       destination the client.</li>
 * </ol>
 * Everything else is counted by {@link DropReason} and dropped.
 *
 * <p>Threading: owned by one thread, driven through {@link #doWork(long)} (an Aeron-style duty cycle).
 * Other threads reach it only through {@link #submit(Runnable)}. Nothing on the per-frame path allocates,
 * locks or makes a syscall; transmit rings are flushed once per batch ({@link WorkerPorts}, shared with the
 * {@link ArpHandler}).
 */
public final class Forwarder implements PacketPort.FrameSink, ConnectionListener, AutoCloseable {

    /** Mirrors TP_STATUS_CSUMNOTREADY (linux/if_packet.h): the transport checksum is only a partial sum. */
    static final int STATUS_CSUM_NOT_READY = 0x8;
    /** Mirrors TP_STATUS_VLAN_VALID: the kernel stripped an 802.1Q tag into the frame's TCI. */
    static final int STATUS_VLAN_VALID = 0x10;
    private static final int VIRTIO_HEADER_LENGTH = VirtioNetHeaderFlyweight.LENGTH;
    private static final int MAX_BATCHES_PER_PORT = 8;
    private static final int EXPIRY_SCAN_PER_CYCLE = 256;
    /** RFC 792: an ICMP error quotes the offending IP header and the first 64 bits of its payload. */
    private static final int ICMP_QUOTED_TRANSPORT_BYTES = 8;

    private final int workerId;
    /** The ports and their one-kick-per-batch transmit discipline, shared with {@link #arp}. */
    private final WorkerPorts ports;
    private ServiceMap services;
    private NeighbourTable neighbours;
    /** Health-check and drain verdicts per server, shared by every worker. */
    private ServerHealthBoard health;
    /** Whether this worker probes the servers and keeps the fast path's shared maps (worker 0: it receives ARP). */
    private final boolean ownsArp;
    private final VipOwnership ownership;
    private ArpHandler arp;
    private final ConnectionTable table;
    private final PersistenceTable persistence;
    private ServiceSchedulers schedulers;
    private final OpeningSyns openingSyns = new OpeningSyns(OpeningSyns.DEFAULT_RECORDS);
    private WorkerCounters counters;
    private final ConnectionListener downstream;
    /** Replication and anything else that runs in this worker's duty cycle; {@link WorkerExtension#NONE} for none. */
    private final WorkerExtension extension;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** The XDP fast path's side in this worker (issue #10), or null on the AF_PACKET data path alone. */
    private final FastPath fastPath;

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final Ipv4Flyweight innerIp = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final EthernetFlyweight txEthernet = new EthernetFlyweight();
    private final VirtioNetHeaderFlyweight txVirtio = new VirtioNetHeaderFlyweight();
    /** The port {@link #idle} waits on. */
    private final int idlePort;
    private long nowMs;

    Forwarder(ForwarderBuilder b) {
        this.workerId = b.workerId;
        this.ports = new WorkerPorts(b.workerId, b.ports.toArray(PacketPort[]::new), b.facesClients(), b.facesServers(),
                b.portAddresses());
        this.services = b.services;
        this.neighbours = b.neighbours;
        this.health = b.health != null ? b.health : ServerHealthBoard.of(b.services);
        this.ownsArp = b.ownsArp;
        this.ownership = b.ownership;
        this.counters = new WorkerCounters(services.serviceCount(), services.totalServers());
        this.downstream = b.downstream();
        // One partition per VIP, the unit of takeover: its size and digest are compared with a peer's alone.
        this.table = new ConnectionTable(b.capacity, b.timeouts, this, b.hashSeeds.getAsLong())
                .partitions(services.vipIndexOfServices(), services.distinctVips().length)
                .perSourceLimit(b.perSourceLimit);
        this.extension = b.extension;
        this.persistence = new PersistenceTable(b.persistenceCapacity, PersistenceListener.NONE, b.hashSeeds.getAsLong());
        this.schedulers = new ServiceSchedulers(services);
        this.fastPath = b.fastPath;
        this.arp = new ArpHandler(ports, services, neighbours, ownership, counters, fastPath);
        this.idlePort = ports.firstClientFacing(); // the builder insists on one
    }

    public int workerId() {
        return workerId;
    }

    /** The health-check and drain verdicts this worker schedules by. */
    public ServerHealthBoard health() {
        return health;
    }

    /** The services this worker forwards by (a reload replaces them: {@link #reconfigure}). Worker thread. */
    public ServiceMap services() {
        return services;
    }

    /** The neighbour table this worker reads server MACs from. Worker thread. */
    public NeighbourTable neighbours() {
        return neighbours;
    }

    public WorkerCounters counters() {
        return counters;
    }

    /** The table shard this worker owns. Read it only on this worker's thread (use {@link #submit}). */
    public ConnectionTable table() {
        return table;
    }

    public PersistenceTable persistence() {
        return persistence;
    }

    public ServiceSchedulers schedulers() {
        return schedulers;
    }

    /** Runs {@code command} on this worker's thread at the start of its next duty cycle. */
    public void submit(Runnable command) {
        commands.add(command);
    }

    /**
     * One duty cycle: commands, server availability, receive and forward a batch from every port, ARP
     * probes (worker 0), flush, and a bounded slice of the expiry sweep.
     *
     * @param nowMs the time, read once per cycle by the caller
     * @return work done (frames handled plus commands run); 0 lets the caller idle
     */
    public int doWork(long nowMs) {
        this.nowMs = nowMs;
        int work = 0;
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
            work++;
        }
        schedulers.refreshAvailability(neighbours, health, nowMs);
        work += extension.doWork(nowMs);
        for (int i = 0; i < ports.count(); i++) {
            work += ports.port(i).receive(this, MAX_BATCHES_PER_PORT);
        }
        // After receiving, so a reply that arrived in this batch is learned before anyone is asked again.
        if (ownsArp) {
            work += arp.probeNeighbours(nowMs);
        }
        flushDirtyPorts();
        table.expire(nowMs, EXPIRY_SCAN_PER_CYCLE);
        persistence.expire(nowMs, EXPIRY_SCAN_PER_CYCLE);
        if (fastPath != null) {
            // After the expiry slice, so the flows it removed leave the map in this cycle's flush.
            if (ownsArp) {
                fastPath.syncShared(ownership, services, neighbours, health);
            }
            work += fastPath.doWork(nowMs, table);
        }
        return work;
    }

    /**
     * Blocks for at most {@code timeoutMs} on the first client-facing port, where VIP traffic arrives: the
     * idle strategy when a cycle did nothing. Server-facing ports carry only ARP replies, picked up by the
     * next cycle.
     */
    public void idle(int timeoutMs) {
        if (commands.isEmpty()) {
            ports.port(idlePort).awaitFrames(timeoutMs);
        }
    }

    @Override
    public void onFrame(PacketPort port, MemorySegment buffer, long frameOffset, int frameLength,
                        long virtioOffset, int status, int vlanTci) {
        counters.increment(WorkerCounters.RX_FRAMES);
        counters.add(WorkerCounters.RX_BYTES, frameLength);
        ethernet.wrap(buffer, frameOffset, frameLength);
        if (!ethernet.valid()) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        int portIndex = ports.indexOf(port);
        int etherType = ethernet.etherType();
        if (etherType == EthernetFlyweight.ETHER_TYPE_ARP) {
            arp.onArp(portIndex, ethernet.sourceMac(), buffer, ethernet.payloadOffset(),
                    (int) (frameOffset + frameLength - ethernet.payloadOffset()), nowMs);
            return;
        }
        if (etherType != EthernetFlyweight.ETHER_TYPE_IPV4) {
            // IPv6 neighbour discovery, LLDP, STP...: the host's, seen by the packet tap; counted so that
            // every frame read has exactly one outcome.
            counters.increment(WorkerCounters.IGNORED_OTHER_ETHERTYPE);
            return;
        }
        long destinationMac = ethernet.destinationMac();
        if (destinationMac != port.macAddress()) {
            // Flooded by a bridge to every port, or multicast: addressed to another host, not forwarded.
            counters.increment(WorkerCounters.IGNORED_OTHER_HOST);
            return;
        }
        long l3Offset = ethernet.payloadOffset();
        int l3Length = (int) (frameOffset + frameLength - l3Offset);
        ip.wrap(buffer, l3Offset, l3Length);
        if (!ip.valid()) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        int vip = ip.destinationAddress();
        if (!services.isVip(vip)) {
            counters.drop(DropReason.NOT_VIP);
            return;
        }
        if (!ownership.forwards(vip)) {
            counters.drop(DropReason.VIP_NOT_OWNED);
            return;
        }
        // Before any transport header is read, ICMP's included: a non-first fragment starts mid-payload.
        if (ip.fragmentOffset() != 0) {
            counters.drop(DropReason.FRAGMENT);
            return;
        }
        int protocol = ip.protocol();
        // The transport header ends where the datagram does (ip.valid(): within the frame), not at the end
        // of the frame, which may carry Ethernet padding.
        long l4Offset = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
            onIcmpToVip(vip, l4Offset, l4Length, buffer, frameOffset, frameLength, virtioOffset, status, vlanTci);
            return;
        }
        if (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP) {
            counters.drop(DropReason.NO_SERVICE);
            return;
        }
        int clientPort;
        int vipPort;
        int tcpFlags;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP) {
            tcp.wrap(buffer, l4Offset, l4Length);
            if (!tcp.valid()) {
                counters.drop(DropReason.MALFORMED);
                return;
            }
            clientPort = tcp.sourcePort();
            vipPort = tcp.destinationPort();
            tcpFlags = tcp.flags();
        } else {
            udp.wrap(buffer, l4Offset, l4Length);
            if (!udp.valid()) {
                counters.drop(DropReason.MALFORMED);
                return;
            }
            clientPort = udp.sourcePort();
            vipPort = udp.destinationPort();
            tcpFlags = 0;
        }
        int service = services.find(vip, protocol, vipPort);
        if (service < 0) {
            counters.drop(DropReason.NO_SERVICE);
            return;
        }
        int client = ip.sourceAddress();
        long slot = table.find(protocol, client, clientPort, vip, vipPort, nowMs);
        boolean pureSyn = protocol == Ipv4Flyweight.PROTOCOL_TCP
                && (tcpFlags & (TcpFlyweight.SYN | TcpFlyweight.ACK | TcpFlyweight.RST)) == TcpFlyweight.SYN;
        if (slot >= 0 && pureSyn && opensAgain(table.state(slot), table.serverId(slot), client, clientPort, vip, vipPort)) {
            table.remove(protocol, client, clientPort, vip, vipPort);
            slot = -1; // chosen afresh, like a miss
        }
        int serverId;
        boolean forwardableBefore = false;
        if (slot >= 0) {
            serverId = table.serverId(slot);
            forwardableBefore = fastPath != null && FastPath.forwardsInProgram(table.state(slot));
            if (services.dropsOnServerDown(service) && health.health(serverId) == ServerHealthBoard.DOWN) {
                // on-server-down: drop. Removed here, on its next segment, so a replicated removal tells the
                // standbys too; the client's later segments find no connection.
                table.remove(protocol, client, clientPort, vip, vipPort);
                counters.dropForService(DropReason.SERVER_DOWN, service);
                return;
            }
            table.touch(slot, tcpFlags, nowMs);
            if ((tcpFlags & (TcpFlyweight.FIN | TcpFlyweight.RST)) != 0) {
                openingSyns.forget(client, clientPort, vip, vipPort); // closing: a SYN now is a new connection anyway
            }
        } else {
            boolean opensConnection = protocol == Ipv4Flyweight.PROTOCOL_UDP || pureSyn;
            if (!opensConnection) {
                counters.dropForService(DropReason.TCP_NO_CONNECTION, service);
                return;
            }
            serverId = chooseServer(service, client);
            if (serverId < 0) {
                counters.dropForService(DropReason.NO_SERVER, service);
                return;
            }
            int state = protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpState.SYN_RECEIVED : TcpState.UDP;
            slot = table.insert(protocol, client, clientPort, vip, vipPort, service, serverId, state, nowMs);
            if (slot < 0) {
                counters.dropForService(slot == ConnectionTable.SOURCE_LIMIT ? DropReason.SOURCE_LIMIT : DropReason.TABLE_FULL, service);
                return;
            }
            if (pureSyn) {
                openingSyns.record(client, clientPort, vip, vipPort, tcp.sequenceNumber(), nowMs);
            }
            counters.service(service, WorkerCounters.SERVICE_CONNECTIONS, 1);
            counters.server(serverId, WorkerCounters.SERVER_CONNECTIONS, 1);
        }
        boolean forwarded = forwardToServer(serverId, service, buffer, frameOffset, frameLength, virtioOffset, status, vlanTci);
        if (forwarded && forwardableBefore) {
            fastPath.forwardedOnSlowPath(protocol, client, clientPort, vip, vipPort, serverId, service, table.state(slot),
                    tcpFlags, ip.headerLength() == Ipv4Flyweight.MIN_HEADER_LENGTH && !ip.moreFragments(), nowMs);
        }
    }

    /**
     * Whether a client SYN on an entry in {@code state} with {@code serverId} is a new connection, to be scheduled like
     * a miss (TcpState, note 2):
     * <ul>
     *   <li>the entry's connection ended (CLOSING, CLOSED): the client reuses the 4-tuple, as HTTP/1.0 clients whose
     *       server closed first do at once;</li>
     *   <li>it is embryonic and its server now takes no new connections (failing its check, drained, weight 0,
     *       unresolved), so the SYN sent again must not wait there. Kept on the old server, a reused port went back
     *       to a dead server (6 of 200 refused in the health lab) and skewed the scheduler towards the server that took
     *       the previous connections (27 to 13 under round robin);</li>
     *   <li>it is embryonic or unconfirmed and the SYN carries another ISN than the one that opened it
     *       ({@link OpeningSyns}): the server refused or reset that connection with a RST that went straight to the
     *       client (direct server return), and the client reused the port. Kept, the new connection went to that
     *       server without a scheduling decision: refused while it was dead (1 of 200 in the health lab), round robin
     *       19 to 21 once it was back. The same ISN is the SYN sent again, and stays.</li>
     * </ul>
     * A SYN inside an ESTABLISHED connection keeps its server whatever its ISN: the server answers it with a challenge
     * ACK, and a spoofed SYN must not move a live connection. An UNCONFIRMED entry is what a blind spoofer can make
     * (TcpState); moving it needs its 4-tuple before the client's traffic confirmed it, the window in which it may be
     * evicted too.
     */
    private boolean opensAgain(int state, int serverId, int client, int clientPort, int vip, int vipPort) {
        if (state == TcpState.CLOSING || state == TcpState.CLOSED) {
            return true;
        }
        if (state == TcpState.SYN_RECEIVED && !schedulers.available(serverId)) {
            return true;
        }
        return (state == TcpState.SYN_RECEIVED || state == TcpState.UNCONFIRMED)
                && openingSyns.compare(client, clientPort, vip, vipPort, tcp.sequenceNumber()) == OpeningSyns.ANOTHER;
    }

    /**
     * A new connection's server: the client's persistent server while that entry lives and the server is
     * available, otherwise the service's scheduler.
     */
    private int chooseServer(int service, int client) {
        long persistenceMs = services.persistenceMs(service);
        if (persistenceMs > 0) {
            long slot = persistence.find(service, client, nowMs, persistenceMs);
            if (slot >= 0 && schedulers.available(persistence.serverId(slot))) {
                persistence.touch(slot, nowMs);
                return persistence.serverId(slot);
            }
        }
        int serverId = schedulers.select(service, client, nowMs);
        if (serverId >= 0 && persistenceMs > 0) {
            persistence.put(service, client, serverId, persistenceMs, nowMs);
        }
        return serverId;
    }

    /**
     * An ICMP message to a VIP: an error about a VIP flow goes to the server that owns the flow. The quoted
     * datagram is attacker-shaped input like any other, so it is checked whole before the table is asked
     * (a quote the table could not hold once ended the duty cycle): IPv4 with IHL at least 5, a total length
     * no shorter than its header, options within the quote, not a non-first fragment, a protocol the table
     * tracks, and the 8 transport bytes RFC 792 promises (the ports).
     */
    private void onIcmpToVip(int vip, long l4Offset, int l4Length, MemorySegment buffer, long frameOffset, int frameLength,
                             long virtioOffset, int status, int vlanTci) {
        icmp.wrap(buffer, l4Offset, l4Length);
        if (!icmp.valid()) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        if (!icmp.isError()) {
            // Echo requests to a VIP are not a service: Baton does not answer them, and no server is chosen.
            counters.drop(DropReason.NO_SERVICE);
            return;
        }
        long innerOffset = icmp.innerOffset();
        int innerLength = icmp.innerLength();
        innerIp.wrap(buffer, innerOffset, innerLength);
        if (!innerIp.validHeader() || innerIp.headerLength() + ICMP_QUOTED_TRANSPORT_BYTES > innerLength) {
            counters.drop(DropReason.ICMP_INNER_MALFORMED);
            return;
        }
        int innerProtocol = innerIp.protocol();
        if (!ConnectionTable.isTracked(innerProtocol) || innerIp.fragmentOffset() != 0) {
            counters.drop(DropReason.ICMP_INNER_UNSUPPORTED);
            return;
        }
        if (innerIp.sourceAddress() != vip) {
            // About a flow of another address (perhaps a VIP this router does not own): not this VIP's error.
            counters.drop(DropReason.ICMP_NO_CONNECTION);
            return;
        }
        long quotedPorts = innerIp.payloadOffset();
        int vipPort = Short.toUnsignedInt(buffer.get(NetworkOrder.SHORT, quotedPorts));
        int clientPort = Short.toUnsignedInt(buffer.get(NetworkOrder.SHORT, quotedPorts + 2));
        // The offending packet was the server's reply: VIP -> client.
        long slot = table.find(innerProtocol, innerIp.destinationAddress(), clientPort, vip, vipPort, nowMs);
        if (slot < 0) {
            counters.drop(DropReason.ICMP_NO_CONNECTION);
            return;
        }
        counters.increment(WorkerCounters.ICMP_ERRORS_FORWARDED);
        forwardToServer(table.serverId(slot), table.serviceId(slot), buffer, frameOffset, frameLength, virtioOffset, status, vlanTci);
    }

    private boolean forwardToServer(int serverId, int service, MemorySegment buffer, long frameOffset, int frameLength,
                                    long virtioOffset, int status, int vlanTci) {
        // The address the server is reached at now: its configured one, or an alternate the health checker chose
        // when that one stopped answering (address substitution, RM 230).
        int neighbour = services.neighbourOf(serverId, health.addressChoice(serverId));
        long serverMac = neighbours.mac(neighbour);
        if (serverMac < 0) {
            counters.dropForService(DropReason.SERVER_UNRESOLVED, service);
            return false;
        }
        int egressIndex = neighbours.interfaceIndex(neighbour);
        if (transmit(ports.serverPort(egressIndex), buffer, frameOffset, frameLength, virtioOffset, status, vlanTci, serverMac, service)) {
            counters.increment(WorkerCounters.FORWARDED_FRAMES);
            counters.add(WorkerCounters.FORWARDED_BYTES, frameLength);
            counters.service(service, WorkerCounters.SERVICE_PACKETS, 1);
            counters.service(service, WorkerCounters.SERVICE_BYTES, frameLength);
            counters.server(serverId, WorkerCounters.SERVER_PACKETS, 1);
            counters.server(serverId, WorkerCounters.SERVER_BYTES, frameLength);
            return true;
        }
        return false;
    }

    /**
     * Copies a frame to {@code out}'s transmit ring with new Ethernet addresses: destination the server,
     * source the egress port (or the bridge would learn the client's MAC on the router's port). A virtio
     * header travels unchanged so GSO super-frames and partial checksums stay valid; a VLAN tag the kernel
     * stripped is put back.
     */
    private boolean transmit(PacketPort out, MemorySegment buffer, long frameOffset, int frameLength, long virtioOffset,
                             int status, int vlanTci, long destinationMac, int service) {
        boolean tagged = (status & STATUS_VLAN_VALID) != 0;
        int prefix = out.hasVirtioHeader() ? VIRTIO_HEADER_LENGTH : 0;
        int tagLength = tagged ? 4 : 0;
        int total = prefix + frameLength + tagLength;
        if (total > out.maxTransmitLength()) {
            counters.dropForService(DropReason.TOO_BIG, service);
            return false;
        }
        if ((status & STATUS_CSUM_NOT_READY) != 0 && (virtioOffset < 0 || prefix == 0)) {
            // Without a virtio header to carry csum_start/csum_offset, finish the partial checksum here.
            if (TransportChecksum.complete(buffer, frameOffset, frameLength, ethernet)) {
                counters.increment(WorkerCounters.CHECKSUMS_COMPLETED);
            }
        }
        long at = ports.claim(out, total);
        if (at < 0) {
            counters.dropForService(DropReason.TX_RING_FULL, service);
            return false;
        }
        MemorySegment tx = out.txBuffer();
        if (prefix > 0) {
            if (virtioOffset >= 0) {
                MemorySegment.copy(buffer, virtioOffset, tx, at, VIRTIO_HEADER_LENGTH);
            } else {
                txVirtio.wrap(tx, at, VIRTIO_HEADER_LENGTH).clear(); // no offload asked for
            }
        }
        long frameAt = at + prefix;
        txEthernet.wrap(tx, frameAt, frameLength + tagLength);
        txEthernet.destinationMac(destinationMac);
        txEthernet.sourceMac(out.macAddress());
        if (tagged) {
            tx.set(NetworkOrder.SHORT, frameAt + 12, (short) EthernetFlyweight.ETHER_TYPE_VLAN);
            tx.set(NetworkOrder.SHORT, frameAt + 14, (short) vlanTci);
            MemorySegment.copy(buffer, frameOffset + 12, tx, frameAt + 16, frameLength - 12);
        } else {
            MemorySegment.copy(buffer, frameOffset + 12, tx, frameAt + 12, frameLength - 12);
        }
        ports.commit(out, total);
        return true;
    }

    /** Flushes every port written to since the last flush: one kick per port per batch. */
    public void flushDirtyPorts() {
        ports.flushDirty();
    }

    /** This worker's ARP: the takeover code's gratuitous ARP ({@link ArpHandler#announce}). Worker thread only. */
    public ArpHandler arp() {
        return arp;
    }

    public PacketPort[] ports() {
        return ports.toArray();
    }

    // ConnectionListener: keep per-server active counts for WLC and the stats, keep the XDP map in step (FastPath),
    // then pass the change on downstream (replication to the standbys, baton-ha).

    @Override
    public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId, int state, long nowMs) {
        schedulers.connectionOpened(serverId);
        counters.server(serverId, WorkerCounters.SERVER_ACTIVE, 1);
        if (fastPath != null) {
            fastPath.onInsert(protocol, clientAddress, clientPort, vip, vipPort, serverId, serviceId, state, nowMs);
        }
        downstream.onInsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, nowMs);
    }

    @Override
    public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId, int oldState, int newState, long nowMs) {
        if (fastPath != null) {
            fastPath.onStateChange(protocol, clientAddress, clientPort, vip, vipPort, serverId, serviceId, oldState, newState, nowMs);
        }
        downstream.onStateChange(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, oldState, newState, nowMs);
    }

    @Override
    public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId, int state, int reason) {
        schedulers.connectionClosed(serverId);
        counters.server(serverId, WorkerCounters.SERVER_ACTIVE, -1);
        if (fastPath != null) {
            fastPath.onRemove(protocol, clientAddress, clientPort, vip, vipPort, state);
        }
        downstream.onRemove(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, reason);
    }

    /**
     * Applies a reloaded configuration ({@code baton ctl reload}, docs/operations.md "Reload"), between two duty
     * cycles on this worker's thread (a command: {@link #submit}), so no frame sees half of it:
     * <ol>
     *   <li>connections of a service or server the reload removed outright ({@link ServerRemap#GONE}: the service is
     *       gone, or the server's service says {@code on-server-down: drop}) are removed, announced with the old ids
     *       to the structures of the old configuration (replication tells the standbys);</li>
     *   <li>the services, neighbour table and health board become {@code next}'s; counters move to the new ids;
     *       schedulers start afresh with the active connections counted again;</li>
     *   <li>every other connection keeps its server under its new id ({@link ConnectionTable#reassign}): nothing a
     *       client sees changes, the departing servers of {@code nextServices} included;</li>
     *   <li>persistence entries move likewise and the table's timeouts become {@code timeouts}. The XDP map's flows
     *       stay as they are: they name servers by slot, which a reload keeps ({@code XdpSlots}; the data plane gives
     *       the fast path its new slots before this runs).</li>
     * </ol>
     * Allocates in proportion to the table (a reload is rare; the worker does not forward meanwhile).
     *
     * @return the connections removed
     */
    public int reconfigure(ServiceMap nextServices, NeighbourTable nextNeighbours, ServerHealthBoard nextHealth,
                           ServerRemap remap, ConnectionTimeouts timeouts) {
        int removed = removeGone(remap);
        services = nextServices;
        neighbours = nextNeighbours;
        health = nextHealth;
        counters = counters.carriedTo(remap, nextServices.serviceCount(), nextServices.totalServers());
        schedulers = new ServiceSchedulers(nextServices);
        arp = new ArpHandler(ports, nextServices, nextNeighbours, ownership, counters, fastPath);
        int[] serviceOf = new int[remap.oldServices()];
        for (int s = 0; s < serviceOf.length; s++) {
            serviceOf[s] = remap.service(s);
        }
        int[] serverOf = new int[remap.oldServers()];
        for (int i = 0; i < serverOf.length; i++) {
            serverOf[i] = remap.server(i);
        }
        table.reassign(serviceOf, serverOf, nextServices.vipIndexOfServices(), nextServices.distinctVips().length,
                nextServices.configuredTotalServers() < nextServices.totalServers() ? nextServices.configuredTotalServers() : Integer.MAX_VALUE);
        table.timeouts(timeouts);
        table.forEach((protocol, client, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                schedulers.connectionOpened(serverId));
        movePersistence(remap);
        extension.reconfigure(nextServices);
        schedulers.refreshAvailability(neighbours, health, nowMs);
        return removed;
    }

    /** Removes the connections whose service or server has no new id; the listeners see them leave with the old ids. */
    private int removeGone(ServerRemap remap) {
        // Keys first, removals after: a removal moves entries (backward shift), which a visit must not see.
        java.util.List<long[]> gone = new java.util.ArrayList<>();
        table.forEach((protocol, client, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) -> {
            if (remap.service(serviceId) == ServerRemap.GONE || remap.server(serverId) == ServerRemap.GONE) {
                gone.add(new long[] {protocol, client, clientPort, vip, vipPort});
            }
        });
        for (long[] key : gone) {
            table.remove((int) key[0], (int) key[1], (int) key[2], (int) key[3], (int) key[4]);
        }
        return gone.size();
    }

    /** Persistence entries under their new ids (their key holds the service id: taken out, then put back). */
    private void movePersistence(ServerRemap remap) {
        if (remap.identity()) {
            return;
        }
        java.util.List<long[]> entries = new java.util.ArrayList<>();
        persistence.forEach((serviceId, client, serverId, lastUsedMs, timeoutMs) ->
                entries.add(new long[] {serviceId, client, serverId, lastUsedMs, timeoutMs}));
        for (long[] e : entries) {
            persistence.remove((int) e[0], (int) e[1]);
        }
        for (long[] e : entries) {
            int service = remap.service((int) e[0]);
            int server = remap.server((int) e[2]);
            if (service != ServerRemap.GONE && server != ServerRemap.GONE && !services.isDeparting(server)) {
                persistence.putLearned(service, (int) e[1], server, (int) e[4], e[3], nowMs);
            }
        }
    }

    /** This worker's side of the XDP fast path, or null on the AF_PACKET data path alone. */
    public FastPath fastPath() {
        return fastPath;
    }

    @Override
    public void close() {
        table.close();
        persistence.close();
    }
}
