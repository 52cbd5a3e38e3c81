package dev.baton.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.TcpFlyweight;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.NativeException;
import dev.baton.nativeio.PacketSocket;
import dev.baton.nativeio.RxVisitor;

/**
 * A {@link ProbeEngine}'s TCP connect and ICMP echo probes of on-link targets, sent as frames from the TX ring of
 * their interface's packet socket and answered into its RX ring ({@link ProbeLink}): no socket per probe and no
 * system call per probe, one {@code send} per interface per duty cycle for all the frames the cycle wrote. Why:
 * a probe through a kernel socket costs this router's kernel 37 µs (ICMP) to 76 µs (TCP) of CPU, far above the 10
 * µs a probe the budget allows (docs/benchmarks.md, "Probes").
 *
 * <h2>Which targets</h2>
 * A target goes through the rings when its address lies in the subnet of an interface the engine was
 * {@link ProbeEngine#addLink given} and its source is that interface's address: a server on a server-facing
 * segment, a previous-hop router on the client side. The frames go to the neighbour's own MAC, learned by this
 * class (ARP requests from the same ring, {@link ProbeNeighbours}); anything further away goes through a kernel
 * socket as before ({@link StreamProbes}, {@link EchoProbes}), where the kernel's routing picks the way.
 *
 * <h2>TCP: a SYN and what answers it (RFC 9293 §3.5)</h2>
 * The SYN leaves from a probe port of its own ({@value #FIRST_PROBE_PORT}..{@value #FIRST_PROBE_PORT} + {@value
 * #PROBE_PORTS} - 1, above Linux's default ephemeral range 32768-60999, so no kernel socket of the router uses it)
 * with a random initial sequence number. A SYN-ACK acknowledging it is the answer "connected", and a RST goes back
 * at once so the server drops the half-open connection (the router's kernel, which knows no such connection,
 * resets it too: RFC 9293 §3.10.7.1); a RST acknowledging it is "connection refused". A segment that does not
 * acknowledge the probe's sequence number answers nothing: another host on the segment cannot fake an answer
 * without seeing the SYN.
 *
 * <h2>ICMP echo</h2>
 * The request and the test of a reply are {@link EchoMessage}'s, as through a raw socket.
 *
 * <h2>Neighbours</h2>
 * A probe to a neighbour whose MAC is unknown waits for it: an ARP request goes out (at most one a second per
 * neighbour, however many targets share it) and the probe is sent when the reply comes; a probe that times out
 * waiting says "no ARP reply". A MAC is asked again when a probe to it went unanswered or
 * {@value #NEIGHBOUR_CONFIRMED_FOR_MS} ms after an answer last confirmed it; answers from it confirm it, so a
 * healthy neighbour is not asked at all.
 *
 * <p>Nothing here allocates per probe or per frame. Every frame the filter lets through is checked in full
 * (lengths, checksums, addresses, ports, sequence numbers); what answers no probe is counted in
 * {@link #ignored()}. Engine thread only.
 */
final class RingProbes {

    /** The first source port of TCP probes through the rings. */
    static final int FIRST_PROBE_PORT = 61_000;
    /** How many: TCP probes in flight at once through all the links. */
    static final int PROBE_PORTS = 4_096;
    /** A neighbour's MAC is asked again this long after an answer last confirmed it (the kernel's reachable time, about 30 s). */
    static final long NEIGHBOUR_CONFIRMED_FOR_MS = 30_000;
    /** At most one ARP request per neighbour in this time (RFC 1122 §2.3.2.1). */
    static final long ARP_REQUEST_EVERY_MS = 1_000;
    /** Frames are padded to the Ethernet minimum (without the FCS), as some drivers do not pad. */
    static final int MIN_FRAME_BYTES = 60;
    /** The most answers read from one link in one duty cycle: a full RX ring. */
    static final int FRAMES_PER_CYCLE = ProbeLink.RX_FRAMES;

    private static final System.Logger LOG = System.getLogger(RingProbes.class.getName());
    private static final String LOCAL_PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";
    private static final int IP = EthernetFlyweight.HEADER_LENGTH;
    private static final int TRANSPORT = IP + Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final int TTL = 64;
    private static final int WINDOW = 64_240;
    private static final String CONNECTED = "connected";
    private static final String REFUSED = "connection refused";
    private static final String ECHO_REPLY = "echo reply";
    private static final String NO_PORT = "no free probe port (" + PROBE_PORTS + " TCP probes in flight)";
    private static final String RING_FULL = "the probe ring is full";

    private record Route(String interfaceName, int address, int mask) {
    }

    private final ProbeEngine engine;
    private final int identifier;
    private final int neighboursPerLink;
    private final List<Route> routes = new ArrayList<>();
    private final List<ProbeLink> links = new ArrayList<>();
    /** Which target a probe port serves: its slot + 1, or 0 when the port is free. */
    private final int[] portOwner = new int[PROBE_PORTS];
    private int portCursor;
    private long sequenceState;
    private int nextSequence;

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final RxVisitor onFrame = this::onFrame;
    private boolean portRangeChecked;
    private ProbeLink receiving;
    private long receivingNowMs;
    private long ignored;
    private long ringFull;

    RingProbes(ProbeEngine engine, int identifier, int maxTargets) {
        this.engine = engine;
        this.identifier = identifier;
        this.neighboursPerLink = maxTargets;
        this.sequenceState = System.nanoTime() ^ ((long) System.identityHashCode(this) << 32) | 1;
    }

    // ------------------------------------------------------------------ links

    /**
     * Probes on-link targets of {@code interfaceName}'s subnet, sent from its {@code address}, through its rings.
     * Routes are given before targets: a link's filter lets in answers to the addresses its routes had when it
     * opened.
     */
    void addRoute(String interfaceName, int address, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        routes.add(new Route(interfaceName, address, mask));
    }

    /**
     * The link {@code target} goes through, counted as one user more, or null when it is no on-link TCP or ICMP
     * target of a route (it then goes through a kernel socket). The link is opened when its first target comes.
     */
    ProbeLink retain(TargetState target) {
        if (target.ipv6 || !(target.spec.target() instanceof ProbeTarget.Tcp
                || target.spec.target() instanceof ProbeTarget.IcmpEcho)) {
            return null;
        }
        Route route = null;
        for (Route r : routes) {
            if (r.address == target.source4 && (r.address & r.mask) == (target.address4 & r.mask)
                    && target.address4 != r.address) {
                route = r;
                break;
            }
        }
        if (route == null) {
            return null;
        }
        target.noArpReplyCause = target.timeoutCause + ": no ARP reply from "
                + target.spec.target().address().getHostAddress() + " on " + route.interfaceName;
        for (ProbeLink link : links) {
            if (link.interfaceName().equals(route.interfaceName)) {
                link.retain();
                return link;
            }
        }
        if (!portRangeChecked) {
            portRangeChecked = true;
            warnIfTheKernelUsesProbePorts();
        }
        ProbeLink link = new ProbeLink(route.interfaceName, identifier, neighboursPerLink, addressesOf(route.interfaceName));
        links.add(link);
        link.retain();
        return link;
    }

    /**
     * Warns when the kernel of this namespace may pick a probe port for a connection of its own
     * ({@code net.ipv4.ip_local_port_range} reaching {@value #FIRST_PROBE_PORT}): such a connection's segments would
     * reach the probe rings, and a probe's reset could reach its peer (docs/operations.md).
     */
    private static void warnIfTheKernelUsesProbePorts() {
        try {
            // Not Files.readString: it reads an empty-sized file a byte first, then from offset 1, and the kernel's
            // integer sysctls answer a read past offset 0 with nothing, so it returned "3" of "32768 60999".
            String warning = localPortRangeWarning(String.join(" ", java.nio.file.Files.readAllLines(java.nio.file.Path.of(LOCAL_PORT_RANGE))));
            if (warning != null) {
                LOG.log(System.Logger.Level.WARNING, warning);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Not Linux's /proc, or unreadable: nothing to warn about that can be known.
        }
    }

    /** The warning for {@code net.ipv4.ip_local_port_range}'s text ("32768 60999"), or null when its ports stay below ours. */
    static String localPortRangeWarning(String portRange) {
        String[] range = portRange.trim().split("\\s+");
        if (range.length == 2 && Integer.parseInt(range[1]) >= FIRST_PROBE_PORT) {
            return "net.ipv4.ip_local_port_range is " + range[0] + "-" + range[1] + ": the kernel may use ports of the TCP probes' "
                    + FIRST_PROBE_PORT + "-" + (FIRST_PROBE_PORT + PROBE_PORTS - 1) + "; end it below " + FIRST_PROBE_PORT;
        }
        return null;
    }

    /** The addresses of the routes through {@code interfaceName}: the sources of its probes. */
    private int[] addressesOf(String interfaceName) {
        return routes.stream().filter(r -> r.interfaceName.equals(interfaceName)).mapToInt(Route::address).distinct()
                .limit(ProbeReplyFilter.MAX_LOCAL_ADDRESSES).toArray();
    }

    /** One target fewer on {@code link} (nothing for null); the last one closes it. */
    void release(ProbeLink link) {
        if (link != null && link.release()) {
            links.remove(link);
            link.close();
        }
    }

    // ------------------------------------------------------------------ sending

    /** Starts {@code target}'s probe: now, or once its neighbour's MAC is known. */
    void start(TargetState target, long nowMs) {
        ProbeLink link = target.link;
        if (!link.usable(nowMs, DatagramProbes.REOPEN_AFTER_MS)) {
            engine.finishFailure(target, nowMs, link.openFailure());
            return;
        }
        int neighbour = link.neighbours.entry(target.address4);
        if (link.neighbours.requestDue(neighbour, nowMs, NEIGHBOUR_CONFIRMED_FOR_MS, ARP_REQUEST_EVERY_MS)) {
            sendArpRequest(link, target.source4, target.address4, nowMs);
        }
        long mac = link.neighbours.mac(neighbour);
        if (mac == ProbeNeighbours.UNKNOWN) {
            target.awaitingMac = true;
            return;
        }
        send(link, target, mac, nowMs);
    }

    /** Writes {@code target}'s probe frame to {@code mac} into the link's TX ring; sent at the cycle's {@link #flush}. */
    private void send(ProbeLink link, TargetState target, long mac, long nowMs) {
        target.awaitingMac = false;
        boolean isTcp = target.spec.target() instanceof ProbeTarget.Tcp;
        int port = -1;
        if (isTcp) {
            port = takePort(target);
            if (port < 0) {
                engine.finishFailure(target, nowMs, NO_PORT);
                return;
            }
        }
        long at = startFrame(link, mac, EthernetFlyweight.ETHER_TYPE_IPV4, nowMs);
        if (at < 0) {
            releasePort(target);
            engine.finishFailure(target, nowMs, link.socket() == null ? link.openFailure() : RING_FULL);
            return;
        }
        MemorySegment ring = link.socket().txRing();
        if (isTcp) {
            target.initialSequence = nextRandom();
            writeIpv4(ring, at, Ipv4Flyweight.PROTOCOL_TCP, TcpFlyweight.MIN_HEADER_LENGTH, target.source4,
                    target.address4);
            writeTcp(ring, at, port, ((ProbeTarget.Tcp) target.spec.target()).port(), target.initialSequence, 0,
                    TcpFlyweight.SYN, target.source4, target.address4);
        } else {
            writeIpv4(ring, at, Ipv4Flyweight.PROTOCOL_ICMP, EchoMessage.BYTES, target.source4, target.address4);
            EchoMessage.write(icmp, ring, at + TRANSPORT, EchoMessage.MAGIC_RING, identifier, target, nextSequence++);
        }
        link.socket().txCommit(MIN_FRAME_BYTES);
    }

    private void sendArpRequest(ProbeLink link, int source, int address, long nowMs) {
        long at = startFrame(link, MacAddress.BROADCAST, EthernetFlyweight.ETHER_TYPE_ARP, nowMs);
        if (at < 0) {
            return; // the probes waiting on it time out with "no ARP reply"
        }
        arp.wrap(link.socket().txRing(), at + IP, ArpFlyweight.LENGTH)
                .message(ArpFlyweight.OP_REQUEST, link.interfaceMac(), source, 0, address);
        link.socket().txCommit(MIN_FRAME_BYTES);
    }

    /**
     * Claims a slot of the link's TX ring for a {@value #MIN_FRAME_BYTES}-byte frame (see {@link #claim}) and writes
     * its Ethernet header from the link's MAC to {@code destinationMac}; returns its offset in the ring, or -1.
     */
    private long startFrame(ProbeLink link, long destinationMac, int etherType, long nowMs) {
        long at = claim(link, nowMs);
        if (at >= 0) {
            ethernet.wrap(link.socket().txRing(), at, MIN_FRAME_BYTES).destinationMac(destinationMac)
                    .sourceMac(link.interfaceMac()).outerEtherType(etherType);
        }
        return at;
    }

    /**
     * Claims a slot of the link's TX ring for a {@value #MIN_FRAME_BYTES}-byte frame, zeroed (kicking the kernel
     * once if the ring is full); returns its offset in the ring, or -1.
     */
    private long claim(ProbeLink link, long nowMs) {
        PacketSocket socket = link.socket();
        if (socket == null) {
            return -1;
        }
        long at = socket.txClaim(MIN_FRAME_BYTES);
        if (at < 0) {
            flush(link, nowMs);
            socket = link.socket();
            at = socket == null ? -1 : socket.txClaim(MIN_FRAME_BYTES);
            if (at < 0) {
                ringFull++;
                return -1;
            }
        }
        // Zeroed word by word: a slice to fill would be an object per frame.
        MemorySegment ring = socket.txRing();
        for (int i = 0; i + Long.BYTES <= MIN_FRAME_BYTES; i += Long.BYTES) {
            ring.set(ValueLayout.JAVA_LONG_UNALIGNED, at + i, 0L);
        }
        ring.set(ValueLayout.JAVA_INT_UNALIGNED, at + MIN_FRAME_BYTES - Integer.BYTES, 0);
        return at;
    }

    private void writeIpv4(MemorySegment ring, long frame, int protocol, int payloadBytes, int source, int destination) {
        ipv4.wrap(ring, frame + IP, Ipv4Flyweight.MIN_HEADER_LENGTH + payloadBytes)
                .version(Ipv4Flyweight.VERSION)
                .headerLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
                .totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + payloadBytes)
                .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT)
                .ttl(TTL)
                .protocol(protocol)
                .sourceAddress(source)
                .destinationAddress(destination)
                .writeHeaderChecksum();
    }

    private void writeTcp(MemorySegment ring, long frame, int sourcePort, int destinationPort, int sequence,
                          int acknowledgment, int flags, int source, int destination) {
        tcp.wrap(ring, frame + TRANSPORT, TcpFlyweight.MIN_HEADER_LENGTH)
                .sourcePort(sourcePort)
                .destinationPort(destinationPort)
                .sequenceNumber(sequence)
                .acknowledgmentNumber(acknowledgment)
                .dataOffset(TcpFlyweight.MIN_HEADER_LENGTH)
                .flags(flags)
                .window(flags == TcpFlyweight.SYN ? WINDOW : 0);
        tcp.checksum(tcp.computeChecksum(source, destination, TcpFlyweight.MIN_HEADER_LENGTH));
    }

    /** Kicks every link's TX ring once for the frames this cycle wrote (no system call when there are none). */
    void flush(long nowMs) {
        for (int i = 0; i < links.size(); i++) {
            flush(links.get(i), nowMs);
        }
    }

    private void flush(ProbeLink link, long nowMs) {
        PacketSocket socket = link.socket();
        if (socket == null) {
            return;
        }
        try {
            socket.txFlush();
        } catch (NativeException e) {
            // The interface went away (its index is gone): probes in flight time out, the link opens anew later.
            link.fail("the probe rings on " + link.interfaceName() + " failed: " + e.getMessage(), nowMs,
                    DatagramProbes.REOPEN_AFTER_MS);
        }
    }

    // ------------------------------------------------------------------ ports

    private int takePort(TargetState target) {
        for (int i = 0; i < PROBE_PORTS; i++) {
            int index = (portCursor + i) & (PROBE_PORTS - 1);
            if (portOwner[index] == 0) {
                portOwner[index] = target.slot + 1;
                portCursor = index + 1;
                target.probePort = FIRST_PROBE_PORT + index;
                return target.probePort;
            }
        }
        return -1;
    }

    private void releasePort(TargetState target) {
        if (target.probePort >= 0) {
            portOwner[target.probePort - FIRST_PROBE_PORT] = 0;
            target.probePort = -1;
        }
    }

    /** xorshift64*: initial sequence numbers nobody off the path can guess from the last one seen. */
    private int nextRandom() {
        long x = sequenceState;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        sequenceState = x;
        return (int) ((x * 0x2545_F491_4F6C_DD1DL) >>> 32);
    }

    // ------------------------------------------------------------------ ends of a probe

    /** The probe in flight ends without an answer (timed out, abandoned, removed): its port is free again. */
    void abandon(TargetState target) {
        releasePort(target);
        target.awaitingMac = false;
    }

    /** The probe in flight timed out: if it went to a known MAC, the next probe to that neighbour asks ARP again. */
    void timedOut(TargetState target) {
        if (target.link != null && !target.awaitingMac) {
            int neighbour = target.link.neighbours.find(target.address4);
            if (neighbour >= 0) {
                target.link.neighbours.suspect(neighbour);
            }
        }
    }

    // ------------------------------------------------------------------ receiving

    /** Reads what the kernel copied into every link's RX ring; returns the frames read. */
    int receive(long nowMs) {
        int frames = 0;
        receivingNowMs = nowMs;
        for (int i = 0; i < links.size(); i++) {
            ProbeLink link = links.get(i);
            PacketSocket socket = link.socket();
            if (socket != null) {
                receiving = link;
                frames += socket.receive(onFrame, FRAMES_PER_CYCLE / PacketSocket.V2_FRAMES_PER_RECEIVE_BLOCK);
            }
        }
        receiving = null;
        return frames;
    }

    private void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, int status, int vlanTci,
                         long vnetHeaderOffset) {
        ethernet.wrap(ring, macOffset, snapLength);
        if (!ethernet.valid() || ethernet.vlanTagged()) {
            ignored++;
            return;
        }
        long payload = macOffset + EthernetFlyweight.HEADER_LENGTH;
        int payloadLength = snapLength - EthernetFlyweight.HEADER_LENGTH;
        if (ethernet.etherType() == EthernetFlyweight.ETHER_TYPE_ARP) {
            onArp(ring, payload, payloadLength);
        } else if (ethernet.etherType() == EthernetFlyweight.ETHER_TYPE_IPV4) {
            ipv4.wrap(ring, payload, payloadLength);
            if (!ipv4.valid() || ipv4.isFragment() || !ipv4.headerChecksumValid()) {
                ignored++;
            } else if (ipv4.protocol() == Ipv4Flyweight.PROTOCOL_TCP) {
                onTcp(ring, status);
            } else {
                onEcho(ring);
            }
        } else {
            ignored++;
        }
    }

    private void onArp(MemorySegment ring, long offset, int length) {
        arp.wrap(ring, offset, length);
        if (!arp.valid() || arp.operation() != ArpFlyweight.OP_REPLY
                || (arp.targetMac() != receiving.interfaceMac() && !MacAddress.isBroadcast(arp.targetMac()))) {
            ignored++;
            return;
        }
        int sender = arp.senderAddress();
        int neighbour = receiving.neighbours.find(sender);
        long mac = arp.senderMac();
        if (neighbour < 0 || MacAddress.isGroup(mac) || mac == 0) {
            ignored++;
            return;
        }
        long known = receiving.neighbours.mac(neighbour);
        if (known != ProbeNeighbours.UNKNOWN && known != mac && !receiving.neighbours.asking(neighbour)) {
            ignored++; // an unsolicited reply may not move a known neighbour (ARP spoofing); a failed probe asks again
            return;
        }
        boolean wasUnknown = known == ProbeNeighbours.UNKNOWN;
        receiving.neighbours.confirm(neighbour, mac, receivingNowMs);
        if (wasUnknown) {
            // The probes that waited for this MAC go out now (rare: once per neighbour after a start or a loss).
            for (int slot = 0; slot <= engine.highestSlot(); slot++) {
                TargetState target = engine.targetOrNull(slot);
                if (target != null && target.link == receiving && target.inFlight && target.awaitingMac
                        && target.address4 == sender) {
                    send(receiving, target, mac, receivingNowMs);
                }
            }
        }
    }

    private void onEcho(MemorySegment ring) {
        TargetState target = engine.targetOrNull(EchoMessage.claimedSlot(ring, ipv4, icmp, EchoMessage.MAGIC_RING, identifier));
        if (target == null || target.link != receiving || target.awaitingMac
                || ipv4.destinationAddress() != target.source4 || !EchoMessage.answers(ring, ipv4, icmp, target)) {
            ignored++;
            return;
        }
        confirmNeighbour(target);
        engine.finishSuccess(target, receivingNowMs, ECHO_REPLY);
    }

    private void onTcp(MemorySegment ring, int status) {
        int segmentLength = ipv4.payloadLength();
        tcp.wrap(ring, ipv4.payloadOffset(), segmentLength);
        if (!tcp.valid()) {
            ignored++;
            return;
        }
        int port = tcp.destinationPort() - FIRST_PROBE_PORT;
        TargetState target = port >= 0 && port < PROBE_PORTS ? engine.targetOrNull(portOwner[port] - 1) : null;
        // A frame another process on this host sent over a veth pair may carry a checksum still to be completed
        // (CHECKSUM_PARTIAL, TP_STATUS_CSUMNOTREADY): it never crossed a wire.
        boolean checksumOk = (status & KernelConstants.TP_STATUS_CSUMNOTREADY) != 0
                || tcp.checksumValid(ipv4.sourceAddress(), ipv4.destinationAddress(), segmentLength);
        if (target == null || target.link != receiving || !target.inFlight || !checksumOk
                || ipv4.sourceAddress() != target.address4 || ipv4.destinationAddress() != target.source4
                || tcp.sourcePort() != ((ProbeTarget.Tcp) target.spec.target()).port()
                || !tcp.isAck() || tcp.acknowledgmentNumber() != target.initialSequence + 1) {
            ignored++;
            return;
        }
        if (tcp.isRst()) {
            releasePort(target);
            confirmNeighbour(target);
            engine.finishFailure(target, receivingNowMs, REFUSED);
        } else if (tcp.isSyn()) {
            sendReset(target);
            releasePort(target);
            confirmNeighbour(target);
            engine.finishSuccess(target, receivingNowMs, CONNECTED);
        } else {
            ignored++;
        }
    }

    /** RST for the SYN-ACK: sequence number = its acknowledgment (RFC 9293 §3.10.7.1), so the server drops it. */
    private void sendReset(TargetState target) {
        int neighbour = receiving.neighbours.find(target.address4);
        long at = neighbour < 0 ? -1
                : startFrame(receiving, receiving.neighbours.mac(neighbour), EthernetFlyweight.ETHER_TYPE_IPV4, receivingNowMs);
        if (at < 0) {
            return; // the guard keeps the SYN-ACK from the router's kernel, so the server keeps it half-open until it gives up
        }
        MemorySegment ring = receiving.socket().txRing();
        writeIpv4(ring, at, Ipv4Flyweight.PROTOCOL_TCP, TcpFlyweight.MIN_HEADER_LENGTH, target.source4,
                target.address4);
        writeTcp(ring, at, target.probePort, tcp.sourcePort(), target.initialSequence + 1, 0, TcpFlyweight.RST,
                target.source4, target.address4);
        receiving.socket().txCommit(MIN_FRAME_BYTES);
    }

    /** An answer from the neighbour's known MAC confirms it (RFC 1122 §2.3.2.1, upper-layer advice). */
    private void confirmNeighbour(TargetState target) {
        int neighbour = receiving.neighbours.find(target.address4);
        if (neighbour >= 0 && receiving.neighbours.mac(neighbour) == ethernet.sourceMac()) {
            receiving.neighbours.confirm(neighbour, ethernet.sourceMac(), receivingNowMs);
        }
    }

    // ------------------------------------------------------------------ close, counters

    void close() {
        for (ProbeLink link : links) {
            link.close();
        }
        links.clear();
    }

    /** Frames the rings received that answered no probe (malformed, late, another's, forged). */
    long ignored() {
        return ignored;
    }

    /** Frames not sent because a TX ring stayed full after a kick. */
    long ringFull() {
        return ringFull;
    }
}
