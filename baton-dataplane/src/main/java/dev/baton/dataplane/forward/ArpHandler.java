package dev.baton.dataplane.forward;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.VirtioNetHeaderFlyweight;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.dataplane.xdp.FastPath;

import java.lang.foreign.MemorySegment;

/**
 * One worker's ARP (RFC 826), both sides of the router:
 * <ul>
 *   <li>on a client-facing port, a request for a VIP this router answers ARP for gets a reply with the port's
 *       MAC, so the upstream sends the VIP's traffic here (the patent's FIG. 1: the router appears to clients
 *       as the end point);</li>
 *   <li>on a server-facing port, an ARP from a server's address resolves the server's MAC: only a unicast
 *       sender MAC equal to the frame's Ethernet source, and a known server's MAC changes only once a probe
 *       confirms it ({@link NeighbourTable});</li>
 *   <li>the worker that owns ARP probes the servers that are due ({@link #probeNeighbours});</li>
 *   <li>IP takeover sends gratuitous ARP for a VIP on every client-facing port ({@link #announce}).</li>
 * </ul>
 * Frames go out through the worker's {@link WorkerPorts}, so they leave with the batch's one kick per port.
 *
 * <p>Threading: the worker's thread only, like the {@link Forwarder} that owns it. Nothing on the per-frame
 * path ({@link #onArp}) allocates, locks or makes a syscall.
 */
public final class ArpHandler {

    private final WorkerPorts ports;
    private final ServiceMap services;
    private final NeighbourTable neighbours;
    private final VipOwnership ownership;
    private final WorkerCounters counters;
    /** The XDP fast path's side in this worker, or null on the AF_PACKET data path alone. */
    private final FastPath fastPath;

    private final ArpFlyweight arp = new ArpFlyweight();
    private final EthernetFlyweight txEthernet = new EthernetFlyweight();
    private final ArpFlyweight txArp = new ArpFlyweight();
    private final VirtioNetHeaderFlyweight txVirtio = new VirtioNetHeaderFlyweight();

    ArpHandler(WorkerPorts ports, ServiceMap services, NeighbourTable neighbours, VipOwnership ownership,
               WorkerCounters counters, FastPath fastPath) {
        this.ports = ports;
        this.services = services;
        this.neighbours = neighbours;
        this.ownership = ownership;
        this.counters = counters;
        this.fastPath = fastPath;
    }

    /**
     * An ARP frame's payload, received on port {@code portIndex}.
     *
     * @param frameSourceMac the frame's Ethernet source, which a learned sender MAC must equal
     * @param nowMs          the duty cycle's time
     */
    void onArp(int portIndex, long frameSourceMac, MemorySegment buffer, long arpOffset, int arpLength, long nowMs) {
        arp.wrap(buffer, arpOffset, arpLength);
        if (!arp.valid()) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        int operation = arp.operation();
        int sender = arp.senderAddress();
        if (ports.facesServers(portIndex)) {
            learnNeighbour(sender, arp.senderMac(), frameSourceMac, nowMs);
        }
        if (operation == ArpFlyweight.OP_REQUEST && ports.facesClients(portIndex)) {
            int target = arp.targetAddress();
            if (services.isVip(target) && ownership.answersArp(target)) {
                // A reply the full ring refused is counted there (tx-ring-full), not as sent.
                if (sendArp(ports.port(portIndex), ArpFlyweight.OP_REPLY, arp.senderMac(), target, arp.senderMac(), sender)) {
                    counters.increment(WorkerCounters.ARP_REPLIES_SENT);
                }
            }
        }
    }

    /**
     * Learns a server's MAC from an ARP on a server-facing port: only a unicast sender
     * MAC that is the frame's own Ethernet source; a change of a known MAC waits for a probe
     * ({@link NeighbourTable}).
     */
    private void learnNeighbour(int sender, long senderMac, long frameSourceMac, long nowMs) {
        if (MacAddress.isGroup(senderMac) || senderMac == 0) {
            counters.drop(DropReason.ARP_SENDER_NOT_UNICAST);
            return;
        }
        if (senderMac != frameSourceMac) {
            counters.drop(DropReason.ARP_SENDER_MISMATCH);
            return;
        }
        switch (neighbours.learn(sender, senderMac, nowMs)) {
            case NeighbourTable.LEARNED -> counters.increment(WorkerCounters.ARP_LEARNED);
            case NeighbourTable.REFUTED -> {
                counters.increment(WorkerCounters.ARP_LEARNED);
                counters.increment(WorkerCounters.ARP_MAC_CHANGES_REFUTED);
            }
            case NeighbourTable.HELD -> counters.drop(DropReason.ARP_MAC_CHANGE_UNCONFIRMED);
            default -> {
                // Not a server's address: other hosts on the segment are none of Baton's business.
            }
        }
    }

    /**
     * Sends an ARP request for every neighbour that is due (RFC 826; RFC 5227 §1.1 for the retry pace), after
     * settling the MAC changes whose probe has had its time. Only the worker that owns ARP calls this, once per
     * duty cycle and after its receive, so a reply that arrived in the batch is learned before anyone is asked
     * again. The requests go out with the cycle's flush.
     *
     * @return changes settled plus requests sent
     */
    int probeNeighbours(long nowMs) {
        int sent = 0;
        int settled;
        while ((settled = neighbours.settleNextChange(nowMs)) != NeighbourTable.NONE) {
            counters.increment(settled == NeighbourTable.CHANGED
                    ? WorkerCounters.ARP_MAC_CHANGES : WorkerCounters.ARP_MAC_CHANGES_UNANSWERED);
            sent++;
        }
        int neighbour;
        while ((neighbour = neighbours.nextDueProbe(nowMs)) >= 0) {
            int interfaceIndex = neighbours.interfaceIndex(neighbour);
            PacketPort port = ports.serverPort(interfaceIndex);
            if (sendArp(port, ArpFlyweight.OP_REQUEST, MacAddress.BROADCAST, ports.serverPortAddress(interfaceIndex), 0L,
                    neighbours.address(neighbour))) {
                counters.increment(WorkerCounters.ARP_REQUESTS_SENT);
                sent++;
            }
        }
        return sent;
    }

    /**
     * IP takeover (FIG. 6): gratuitous ARP for {@code vip} on every client-facing port, in both forms (a request,
     * which RFC 5227 §3 recommends and every stack accepts, and a reply, which some switches and older stacks
     * need), flushed at once. Nothing when this router no longer answers ARP for the VIP: an announcement queued
     * just before it yielded (two actives resolved, a hand-over) must not go out after the winner's, or the
     * upstream would send the VIP's traffic to a router that no longer forwards it until its ARP entry goes
     * stale. Worker thread (the takeover code reaches it through worker 0's {@code ShardCommands}).
     *
     * @return whether it was sent
     */
    public boolean announce(int vip) {
        if (!ownership.answersArp(vip)) {
            return false;
        }
        if (fastPath != null) {
            // The program forwards the VIP before anyone is told to send it here (FIG. 3: forward, then announce).
            fastPath.syncVips(ownership);
        }
        for (int i = 0; i < ports.count(); i++) {
            if (ports.facesClients(i)) {
                PacketPort port = ports.port(i);
                sendArp(port, ArpFlyweight.OP_REQUEST, MacAddress.BROADCAST, vip, 0L, vip);
                sendArp(port, ArpFlyweight.OP_REPLY, MacAddress.BROADCAST, vip, port.macAddress(), vip);
            }
        }
        ports.flushDirty();
        return true;
    }

    /** Sends an ARP packet from {@code port}'s MAC, with the next flush; false (counted) when the ring is full. */
    private boolean sendArp(PacketPort port, int operation, long ethernetDestination, int senderAddress, long targetMac,
                            int targetAddress) {
        int prefix = port.hasVirtioHeader() ? VirtioNetHeaderFlyweight.LENGTH : 0;
        int length = prefix + EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
        long at = ports.claim(port, length);
        if (at < 0) {
            counters.drop(DropReason.TX_RING_FULL);
            return false;
        }
        MemorySegment tx = port.txBuffer();
        // Every byte of the slot is written below, so it is not cleared first: a slice to fill() is an object
        // per reply that escape analysis did not remove (40 bytes each, measured).
        if (prefix > 0) {
            txVirtio.wrap(tx, at, VirtioNetHeaderFlyweight.LENGTH).clear();
        }
        long frameAt = at + prefix;
        txEthernet.wrap(tx, frameAt, EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH);
        txEthernet.destinationMac(ethernetDestination);
        txEthernet.sourceMac(port.macAddress());
        txEthernet.etherType(EthernetFlyweight.ETHER_TYPE_ARP);
        txArp.wrap(tx, frameAt + EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH)
                .message(operation, port.macAddress(), senderAddress, targetMac, targetAddress);
        ports.commit(port, length);
        return true;
    }
}
