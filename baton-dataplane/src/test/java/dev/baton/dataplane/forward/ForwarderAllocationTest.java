package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

import static dev.baton.dataplane.forward.TestFrames.TCP_ACK;
import static dev.baton.dataplane.forward.TestFrames.TCP_PSH;
import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static dev.baton.dataplane.forward.TwoPortRouter.CLIENT;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.S0;
import static dev.baton.dataplane.forward.TwoPortRouter.S0_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Forwarder#onFrame} allocates nothing per frame, whatever it decides: one warmed-up forwarder over memory
 * ports gets a frame for every outcome (forwarded TCP and UDP, new and established, with a stripped VLAN tag or a
 * partial checksum, with and without a virtio-net header on either side; ICMP errors about a connection; ARP
 * answered, learned or none of Baton's business; frames for other hosts and of other EtherTypes; a first fragment
 * and a later one) and for every {@link DropReason}. Each frame is checked to have exactly its outcome, so a frame
 * that stopped reaching its path would fail the test, not pass it unmeasured.
 *
 * <p>The router: client-facing ports {@code front} and {@code frontVirtio} (PACKET_VNET_HDR: a virtio-net header
 * before every frame), server-facing ports {@code back} (server S0) and {@code backVirtio} (server S1). TCP 80 of
 * the VIP goes to S0, UDP 53 to S1.
 *
 * <p>Only the forwarder is measured: the frames sit in off-heap memory built before the run and go straight to
 * {@code onFrame} (the memory port's receive path allocates a segment per frame), and the ports only count what
 * is transmitted ({@link MemoryPacketPort#countTransmittedOnly()}). The thread's allocation counter is read just
 * before and after each frame, and state a verdict needs (a full table, a full transmit ring, a per-source
 * limit) is set up and undone between frames, outside the measurement.
 */
class ForwarderAllocationTest {

    private static final int FRAMES_PER_ROUND = 2_000;
    private static final int WARM_UP_ROUNDS = 20;
    /** The least of these counts: a steady per-frame allocation shows in every round, a late compilation in one. */
    private static final int MEASURED_ROUNDS = 5;
    private static final long NOW = 1_000_000;
    private static final int CAPACITY = 1_024;
    private static final int VLAN_TCI = 100;
    private static final int VIRTIO_HEADER_LENGTH = 10;
    private static final int STATUS_CSUM_NOT_READY = Forwarder.STATUS_CSUM_NOT_READY;
    private static final int STATUS_VLAN_VALID = Forwarder.STATUS_VLAN_VALID;

    /** A VIP this router serves but, being the standby for it, neither forwards nor answers ARP for. */
    private static final int STANDBY_VIP = Ipv4.parse("192.0.2.20");
    private static final int NOT_A_VIP = Ipv4.parse("192.0.2.99");
    /** A server no ARP reply has come from yet. */
    private static final int UNRESOLVED_SERVER = Ipv4.parse("198.51.100.99");
    private static final int OTHER_SERVER_SEGMENT_HOST = Ipv4.parse("198.51.100.50");
    /** The address whose entries fill the table for {@link DropReason#TABLE_FULL}. */
    private static final int FILLING_CLIENT = Ipv4.parse("203.0.113.200");
    private static final long OTHER_HOST_MAC = 0x02_00_00_00_00_ccL;
    private static final long S0_OTHER_MAC = 0x02_00_00_00_00_b1L;
    private static final long MULTICAST_MAC = 0x01_00_5e_00_00_01L;
    private static final long ROUTER_FRONT_VIRTIO_MAC = 0x02_00_00_00_00_03L;
    private static final long ROUTER_BACK_VIRTIO_MAC = 0x02_00_00_00_00_04L;
    private static final int ROUTER_FRONT_VIRTIO_IP = Ipv4.parse("192.0.2.3");
    private static final int ROUTER_BACK_VIRTIO_IP = Ipv4.parse("198.51.100.3");
    private static final int S1 = Ipv4.parse("198.51.100.12");
    private static final long S1_MAC = 0x02_00_00_00_00_b2L;
    /** What the kernel puts before a frame it did not offload: no flags, no GSO (virtio 1.1, 5.1.6). */
    private static final byte[] NO_OFFLOAD_VIRTIO_HEADER = new byte[VIRTIO_HEADER_LENGTH];

    private static final int TCP_CONNECTION_PORT = 40_000;
    private static final int UNRESOLVED_CONNECTION_PORT = 40_001;
    private static final int UDP_FLOW_PORT = 5_353;
    private static final int NEW_CONNECTION_PORT = 41_000;
    private static final int UNKNOWN_PORT = 42_000;
    private static final int UNSERVED_VIP_PORT = 81;
    private static final int UNRESOLVED_SERVICE_PORT = 8_080;
    private static final int DROPPING_SERVICE_PORT = 8_443;
    private static final int IP_PROTOCOL_ICMP = 1;
    private static final int IP_PROTOCOL_TCP = 6;
    private static final int IP_PROTOCOL_UDP = 17;
    private static final int IP_PROTOCOL_GRE = 47;
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_DESTINATION_UNREACHABLE = 3;
    private static final int ICMP_FRAGMENTATION_NEEDED = 4;

    private final Arena arena = Arena.ofConfined();
    private MemoryPacketPort front;
    private MemoryPacketPort frontVirtio;
    private MemoryPacketPort back;
    private MemoryPacketPort backVirtio;
    private ServiceMap services;
    private Forwarder forwarder;
    private ConnectionTable table;
    private WorkerCounters counters;
    private int web;
    private int dns;
    private int unresolved;
    private int filled;

    @BeforeEach
    void setUp() {
        front = TwoPortRouter.frontPort();
        frontVirtio = new MemoryPacketPort("front-virtio", ROUTER_FRONT_VIRTIO_MAC, true, 2048, 64);
        back = TwoPortRouter.backPort();
        backVirtio = new MemoryPacketPort("back-virtio", ROUTER_BACK_VIRTIO_MAC, true, 2048, 64);
        for (MemoryPacketPort port : List.of(front, frontVirtio, back, backVirtio)) {
            port.countTransmittedOnly();
        }
        List<ServerConfig> s0 = List.of(new ServerConfig(S0, 1));
        services = ServiceMap.of(List.of(
                TwoPortRouter.web(new ServerConfig(S0, 1)),
                new ServiceConfig("dns", VIP, Protocol.UDP, List.of(new PortRange(53, 53)), SchedulerKind.WLC,
                        Duration.ofMinutes(5), List.of(new ServerConfig(S1, 1))),
                new ServiceConfig("unresolved", VIP, Protocol.TCP, List.of(new PortRange(UNRESOLVED_SERVICE_PORT, UNRESOLVED_SERVICE_PORT)),
                        SchedulerKind.WRR, Duration.ZERO, List.of(new ServerConfig(UNRESOLVED_SERVER, 1))),
                new ServiceConfig("standby", STANDBY_VIP, Protocol.TCP, List.of(new PortRange(80, 80)), SchedulerKind.WRR,
                        Duration.ZERO, s0),
                new ServiceConfig("dropping", VIP, Protocol.TCP, List.of(new PortRange(DROPPING_SERVICE_PORT, DROPPING_SERVICE_PORT)),
                        SchedulerKind.WRR, Duration.ZERO, s0, dev.baton.config.ConfigDefaults.SERVICE_ROLE, dev.baton.config.ConfigDefaults.PRIORITY,
                        dev.baton.config.ConfigDefaults.FAILBACK, dev.baton.config.HealthCheckSettings.NONE,
                        ServiceConfig.OnServerDown.DROP, List.of())));
        web = services.find(VIP, IP_PROTOCOL_TCP, 80);
        dns = services.find(VIP, IP_PROTOCOL_UDP, 53);
        unresolved = services.find(VIP, IP_PROTOCOL_TCP, UNRESOLVED_SERVICE_PORT);
        // S1 on the second server-facing port (backVirtio), every other server on the first (back).
        int[] serverAddresses = services.neighbourAddresses();
        int[] serverPorts = new int[serverAddresses.length];
        for (int i = 0; i < serverAddresses.length; i++) {
            serverPorts[i] = serverAddresses[i] == S1 ? 1 : 0;
        }
        NeighbourTable neighbours = new NeighbourTable(serverAddresses, serverPorts, TwoPortRouter.ARP_REFRESH_MS, 1_000,
                TwoPortRouter.ARP_STALE_AFTER_MS);
        VipOwnership ownership = new VipOwnership(services.distinctVips(), true);
        ownership.own(STANDBY_VIP, false);
        forwarder = TwoPortRouter.forwarder(services, neighbours, ownership, front, back)
                .port(frontVirtio, true, false, ROUTER_FRONT_VIRTIO_IP).port(backVirtio, false, true, ROUTER_BACK_VIRTIO_IP)
                .capacity(CAPACITY).build();
        counters = forwarder.counters();
        table = forwarder.table();
        neighbours.learn(S0, S0_MAC, NOW);
        neighbours.learn(S1, S1_MAC, NOW);
        forwarder.doWork(NOW); // S0 and S1 available to the schedulers, the unresolved server not
        // Connections as the active router replicated them: one to a server this router has not resolved yet.
        connection(IP_PROTOCOL_TCP, TCP_CONNECTION_PORT, 80, web, TcpState.ESTABLISHED);
        connection(IP_PROTOCOL_UDP, UDP_FLOW_PORT, 53, dns, TcpState.UDP);
        connection(IP_PROTOCOL_TCP, UNRESOLVED_CONNECTION_PORT, UNRESOLVED_SERVICE_PORT, unresolved, TcpState.ESTABLISHED);
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        for (MemoryPacketPort port : List.of(front, frontVirtio, back, backVirtio)) {
            port.close();
        }
        arena.close();
    }

    @Test
    void everyVerdictAllocatesNothingPerFrame() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                        && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        List<Verdict> verdicts = verdicts();
        long[] least = new long[verdicts.size()];
        Arrays.fill(least, Long.MAX_VALUE);
        long measurementItself = Long.MAX_VALUE;
        for (int round = 0; round < WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
            for (int v = 0; v < verdicts.size(); v++) {
                long allocated = run(verdicts.get(v), bean);
                if (round >= WARM_UP_ROUNDS) {
                    least[v] = Math.min(least[v], allocated);
                }
            }
            long allocated = 0;
            for (int i = 0; i < FRAMES_PER_ROUND; i++) {
                long mark = bean.getCurrentThreadAllocatedBytes();
                allocated += bean.getCurrentThreadAllocatedBytes() - mark;
            }
            if (round >= WARM_UP_ROUNDS) {
                measurementItself = Math.min(measurementItself, allocated);
            }
        }
        assertEquals(0, measurementItself, "reading the allocation counter allocates: the figures below would not be the forwarder's");
        List<String> allocating = new ArrayList<>();
        for (int v = 0; v < verdicts.size(); v++) {
            if (least[v] != 0) {
                allocating.add(verdicts.get(v).name + ": " + least[v] + " bytes over " + FRAMES_PER_ROUND + " frames ("
                        + least[v] / FRAMES_PER_ROUND + " per frame)");
            }
        }
        assertEquals(List.of(), allocating, "verdicts that allocate once warmed up (least of " + MEASURED_ROUNDS + " rounds)");
    }

    @Test
    void everyDropReasonHasAFrame() {
        Set<DropReason> provoked = EnumSet.noneOf(DropReason.class);
        for (Verdict verdict : verdicts()) {
            if (verdict.outcome.drop != null) {
                provoked.add(verdict.outcome.drop);
            }
        }
        Set<DropReason> missing = EnumSet.complementOf(EnumSet.copyOf(provoked));
        assertEquals(Set.of(), missing, "drop reasons without a frame in verdicts(): add one, so its path is measured too");
    }

    /** Runs one verdict's frames, checks each had its outcome, and returns what they allocated. */
    private long run(Verdict verdict, com.sun.management.ThreadMXBean bean) {
        verdict.before.run();
        long outcomes = verdict.outcome.count.getAsLong();
        long transmitted = transmittedFrames();
        long frameOffset = verdict.virtioOffset < 0 ? 0 : VIRTIO_HEADER_LENGTH;
        int length = (int) (verdict.frame.byteSize() - frameOffset);
        long allocated = 0;
        for (int i = 0; i < FRAMES_PER_ROUND; i++) {
            long mark = bean.getCurrentThreadAllocatedBytes();
            forwarder.onFrame(verdict.port, verdict.frame, frameOffset, length, verdict.virtioOffset, verdict.status, VLAN_TCI);
            forwarder.flushDirtyPorts();
            allocated += bean.getCurrentThreadAllocatedBytes() - mark;
            verdict.afterEachFrame.run();
        }
        verdict.after.run();
        assertEquals((long) FRAMES_PER_ROUND * verdict.outcome.perFrame, verdict.outcome.count.getAsLong() - outcomes,
                verdict.name + ": " + verdict.outcome.label);
        assertEquals((long) FRAMES_PER_ROUND * verdict.transmitsPerFrame,
                transmittedFrames() - transmitted, verdict.name + ": frames transmitted");
        return allocated;
    }

    private long transmittedFrames() {
        return front.transmittedFrames() + frontVirtio.transmittedFrames() + back.transmittedFrames()
                + backVirtio.transmittedFrames();
    }

    /** A frame for every outcome of {@link Forwarder#onFrame}. */
    private List<Verdict> verdicts() {
        List<Verdict> v = new ArrayList<>();
        byte[] established = tcp(CLIENT, TCP_CONNECTION_PORT, VIP, 80, TCP_ACK | TCP_PSH, 3);
        byte[] syn = tcp(CLIENT, NEW_CONNECTION_PORT, VIP, 80, TCP_SYN, 0);

        // Forwarded to a server.
        v.add(new Verdict("TCP SYN, new connection", front, syn, 0, counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1)
                .afterEachFrame(() -> table.remove(IP_PROTOCOL_TCP, CLIENT, NEW_CONNECTION_PORT, VIP, 80)));
        v.add(new Verdict("TCP, established connection", front, established, 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1));
        v.add(new Verdict("TCP with a stripped VLAN tag, put back", front, established, STATUS_VLAN_VALID,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1));
        v.add(new Verdict("TCP with a partial checksum, completed", front, established, STATUS_CSUM_NOT_READY,
                counter("checksums completed", WorkerCounters.CHECKSUMS_COMPLETED), 1));
        v.add(new Verdict("IPv4 first fragment of a connection", front, TestFrames.asFirstFragment(established), 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1));
        v.add(new Verdict("TCP from a virtio port to a plain one", frontVirtio,
                TestFrames.tcp(ROUTER_FRONT_VIRTIO_MAC, UPSTREAM_MAC, CLIENT, TCP_CONNECTION_PORT, VIP, 80, TCP_ACK, new byte[3]), 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1).withVirtioHeader());
        v.add(new Verdict("UDP, new flow (client persistence), from a plain port to a virtio one", front, udp(CLIENT, UDP_FLOW_PORT + 1, VIP, 53), 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1)
                .afterEachFrame(() -> table.remove(IP_PROTOCOL_UDP, CLIENT, UDP_FLOW_PORT + 1, VIP, 53)));
        v.add(new Verdict("UDP, known flow, from a plain port to a virtio one", front, udp(CLIENT, UDP_FLOW_PORT, VIP, 53), 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1));
        v.add(new Verdict("UDP, known flow, from a virtio port to a virtio one", frontVirtio,
                TestFrames.udp(ROUTER_FRONT_VIRTIO_MAC, UPSTREAM_MAC, CLIENT, UDP_FLOW_PORT, VIP, 53, new byte[4]), 0,
                counter("forwarded", WorkerCounters.FORWARDED_FRAMES), 1).withVirtioHeader());
        v.add(new Verdict("ICMP error about a TCP connection", front,
                icmpError(IP_PROTOCOL_TCP, 80, TCP_CONNECTION_PORT), 0,
                counter("ICMP errors forwarded", WorkerCounters.ICMP_ERRORS_FORWARDED), 1));
        v.add(new Verdict("ICMP error about a UDP flow", front, icmpError(IP_PROTOCOL_UDP, 53, UDP_FLOW_PORT), 0,
                counter("ICMP errors forwarded", WorkerCounters.ICMP_ERRORS_FORWARDED), 1));

        // ARP.
        v.add(new Verdict("ARP request for an owned VIP, answered", front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP), 0,
                counter("ARP replies sent", WorkerCounters.ARP_REPLIES_SENT), 1));
        v.add(new Verdict("ARP request for an owned VIP on a virtio port, answered", frontVirtio,
                TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP), 0,
                counter("ARP replies sent", WorkerCounters.ARP_REPLIES_SENT), 1).withVirtioHeader());
        v.add(new Verdict("ARP request for a VIP this router is standby for", front,
                TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, STANDBY_VIP), 0, none(), 0));
        v.add(new Verdict("ARP request for another host", front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, ROUTER_FRONT_IP + 1), 0,
                none(), 0));
        v.add(new Verdict("ARP reply from a server, learned", back, TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP), 0,
                counter("ARP learned", WorkerCounters.ARP_LEARNED), 0));
        v.add(new Verdict("ARP from another host on the server segment", back,
                TestFrames.arpRequest(OTHER_HOST_MAC, OTHER_SERVER_SEGMENT_HOST, ROUTER_BACK_IP), 0, none(), 0));

        // Not Baton's.
        v.add(new Verdict("IPv4 to another host's MAC", front,
                TestFrames.tcp(OTHER_HOST_MAC, UPSTREAM_MAC, CLIENT, TCP_CONNECTION_PORT, VIP, 80, TCP_ACK, new byte[0]), 0,
                counter("ignored, other host", WorkerCounters.IGNORED_OTHER_HOST), 0));
        v.add(new Verdict("IPv6", front, TestFrames.ethernet(ROUTER_FRONT_MAC, UPSTREAM_MAC, 0x86DD, new byte[40]), 0,
                counter("ignored, other EtherType", WorkerCounters.IGNORED_OTHER_ETHERTYPE), 0));
        v.add(new Verdict("LLDP", front, TestFrames.ethernet(0x01_80_c2_00_00_0eL, UPSTREAM_MAC, 0x88CC, new byte[46]), 0,
                counter("ignored, other EtherType", WorkerCounters.IGNORED_OTHER_ETHERTYPE), 0));

        // Dropped, by reason.
        v.add(dropped("runt frame", front, new byte[10], DropReason.MALFORMED));
        byte[] shortIhl = established.clone();
        shortIhl[14] = 0x44;
        v.add(dropped("IPv4 header length 16", front, shortIhl, DropReason.MALFORMED));
        v.add(dropped("truncated TCP header", front, ipv4(IP_PROTOCOL_TCP, VIP, new byte[10]), DropReason.MALFORMED));
        v.add(dropped("truncated UDP header", front, ipv4(IP_PROTOCOL_UDP, VIP, new byte[4]), DropReason.MALFORMED));
        v.add(dropped("truncated ICMP header", front, ipv4(IP_PROTOCOL_ICMP, VIP, new byte[4]), DropReason.MALFORMED));
        byte[] tokenRingArp = TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP);
        tokenRingArp[15] = 6;
        v.add(dropped("ARP for another hardware type", front, tokenRingArp, DropReason.MALFORMED));
        v.add(dropped("IPv4 to an address that is no VIP", front, tcp(CLIENT, TCP_CONNECTION_PORT, NOT_A_VIP, 80, TCP_SYN, 0),
                DropReason.NOT_VIP));
        v.add(dropped("TCP to a port no service serves", front, tcp(CLIENT, TCP_CONNECTION_PORT, VIP, UNSERVED_VIP_PORT, TCP_SYN, 0),
                DropReason.NO_SERVICE));
        v.add(dropped("ICMP echo request to the VIP", front,
                TestFrames.icmpErrorQuoting(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, VIP, ICMP_ECHO_REQUEST, 0, new byte[8]),
                DropReason.NO_SERVICE));
        v.add(dropped("GRE to the VIP", front, ipv4(IP_PROTOCOL_GRE, VIP, new byte[8]), DropReason.NO_SERVICE));
        v.add(dropped("TCP ACK without a connection", front, tcp(CLIENT, UNKNOWN_PORT, VIP, 80, TCP_ACK, 0),
                DropReason.TCP_NO_CONNECTION));
        v.add(dropped("SYN to a service whose only server is unresolved", front,
                tcp(CLIENT, UNKNOWN_PORT, VIP, UNRESOLVED_SERVICE_PORT, TCP_SYN, 0), DropReason.NO_SERVER));
        v.add(dropped("segment of a connection to an unresolved server", front,
                tcp(CLIENT, UNRESOLVED_CONNECTION_PORT, VIP, UNRESOLVED_SERVICE_PORT, TCP_ACK, 0), DropReason.SERVER_UNRESOLVED));
        v.add(dropped("SYN to a table full of established connections", front, syn, DropReason.TABLE_FULL)
                .before(this::fillTable).after(this::emptyFilledEntries));
        v.add(dropped("IPv4 non-first fragment", front, TestFrames.withFragmentOffset(established, 185), DropReason.FRAGMENT));
        v.add(dropped("ICMP error about no connection", front, icmpError(IP_PROTOCOL_TCP, 80, UNKNOWN_PORT),
                DropReason.ICMP_NO_CONNECTION));
        v.add(dropped("segment of a connection, transmit ring full", front, established, DropReason.TX_RING_FULL)
                .before(back::fillTxRing).after(back::emptyTxRing));
        v.add(dropped("frame larger than a transmit slot", front, tcp(CLIENT, TCP_CONNECTION_PORT, VIP, 80, TCP_ACK, 2_100),
                DropReason.TOO_BIG));
        v.add(dropped("TCP to the VIP of a standby router", front, tcp(CLIENT, TCP_CONNECTION_PORT, STANDBY_VIP, 80, TCP_SYN, 0),
                DropReason.VIP_NOT_OWNED));
        v.add(dropped("ICMP error quoting ICMP", front, icmpError(IP_PROTOCOL_ICMP, 80, TCP_CONNECTION_PORT),
                DropReason.ICMP_INNER_UNSUPPORTED));
        v.add(dropped("ICMP error quoting header length 16", front, icmpQuoting(TestFrames.quotedDatagram(0x44, 1500,
                IP_PROTOCOL_TCP, 0x4000, VIP, CLIENT, 0, new byte[8])), DropReason.ICMP_INNER_MALFORMED));
        v.add(dropped("ARP with a multicast sender MAC", back,
                TestFrames.arp(ROUTER_BACK_MAC, MULTICAST_MAC, 2, MULTICAST_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP),
                DropReason.ARP_SENDER_NOT_UNICAST));
        v.add(dropped("ARP whose sender MAC is not the frame's source", back,
                TestFrames.arp(ROUTER_BACK_MAC, S0_MAC, 2, S0_OTHER_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP),
                DropReason.ARP_SENDER_MISMATCH));
        v.add(dropped("ARP giving a known server another MAC", back,
                TestFrames.arpReply(S0_OTHER_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP), DropReason.ARP_MAC_CHANGE_UNCONFIRMED));
        v.add(dropped("SYN from a client at its per-source limit", front, syn, DropReason.SOURCE_LIMIT)
                .before(() -> table.perSourceLimit(1)).after(() -> table.perSourceLimit(0)));
        int dropping = services.find(VIP, IP_PROTOCOL_TCP, DROPPING_SERVICE_PORT);
        int droppingServer = services.serverId(dropping, 0);
        v.add(dropped("segment of a connection whose server failed its check (on-server-down: drop)", front,
                tcp(CLIENT, TCP_CONNECTION_PORT, VIP, DROPPING_SERVICE_PORT, TCP_ACK, 0), DropReason.SERVER_DOWN)
                .before(() -> {
                    forwarder.health().health(droppingServer, dev.baton.dataplane.service.ServerHealthBoard.DOWN);
                    connection(IP_PROTOCOL_TCP, TCP_CONNECTION_PORT, DROPPING_SERVICE_PORT, dropping, TcpState.ESTABLISHED);
                })
                .afterEachFrame(() -> connection(IP_PROTOCOL_TCP, TCP_CONNECTION_PORT, DROPPING_SERVICE_PORT, dropping,
                        TcpState.ESTABLISHED))
                .after(() -> {
                    table.remove(IP_PROTOCOL_TCP, CLIENT, TCP_CONNECTION_PORT, VIP, DROPPING_SERVICE_PORT);
                    forwarder.health().health(droppingServer, dev.baton.dataplane.service.ServerHealthBoard.UNKNOWN);
                }));
        return v;
    }

    private Verdict dropped(String name, MemoryPacketPort port, byte[] frame, DropReason reason) {
        return new Verdict(name, port, frame, 0, new Outcome(reason.label, () -> counters.drops(reason), 1, reason), 0);
    }

    private Outcome counter(String label, int id) {
        return new Outcome(label, () -> counters.get(id), 1, null);
    }

    /** Frames Baton neither forwards, answers, learns from nor counts as dropped or ignored (ARP not for it). */
    private Outcome none() {
        return new Outcome("no outcome", () -> {
            long sum = counters.get(WorkerCounters.FORWARDED_FRAMES) + counters.get(WorkerCounters.ARP_REPLIES_SENT)
                    + counters.get(WorkerCounters.ARP_LEARNED) + counters.get(WorkerCounters.IGNORED_OTHER_HOST)
                    + counters.get(WorkerCounters.IGNORED_OTHER_ETHERTYPE);
            for (DropReason reason : DropReason.values()) {
                sum += counters.drops(reason);
            }
            return sum;
        }, 0, null);
    }

    private void connection(int protocol, int clientPort, int vipPort, int service, int state) {
        long slot = table.insert(protocol, CLIENT, clientPort, VIP, vipPort, service, services.serverId(service, 0), state, NOW);
        assertTrue(slot >= 0, "connection inserted");
    }

    /** Fills the table with established connections, which its capacity policy never evicts. */
    private void fillTable() {
        while (table.insert(IP_PROTOCOL_TCP, FILLING_CLIENT, filled + 1, VIP, 80, web, services.serverId(web, 0),
                TcpState.ESTABLISHED, NOW) >= 0) {
            filled++;
        }
    }

    private void emptyFilledEntries() {
        for (; filled > 0; filled--) {
            table.remove(IP_PROTOCOL_TCP, FILLING_CLIENT, filled, VIP, 80);
        }
    }

    private static byte[] tcp(int client, int clientPort, int vip, int vipPort, int flags, int payloadBytes) {
        return TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, client, clientPort, vip, vipPort, flags, new byte[payloadBytes]);
    }

    private static byte[] udp(int client, int clientPort, int vip, int vipPort) {
        return TestFrames.udp(ROUTER_FRONT_MAC, UPSTREAM_MAC, client, clientPort, vip, vipPort, new byte[]{1, 2, 3, 4});
    }

    private static byte[] ipv4(int protocol, int destination, byte[] payload) {
        return TestFrames.ipv4(ROUTER_FRONT_MAC, UPSTREAM_MAC, protocol, CLIENT, destination, payload);
    }

    /** Fragmentation needed (RFC 1191) from the upstream router, about the server's reply VIP:vipPort -> client:clientPort. */
    private static byte[] icmpError(int innerProtocol, int vipPort, int clientPort) {
        return TestFrames.icmpError(ROUTER_FRONT_MAC, UPSTREAM_MAC, UPSTREAM_IP, VIP, ICMP_DESTINATION_UNREACHABLE,
                ICMP_FRAGMENTATION_NEEDED, innerProtocol, vipPort, CLIENT, clientPort);
    }

    private static byte[] icmpQuoting(byte[] quoted) {
        return TestFrames.icmpErrorQuoting(ROUTER_FRONT_MAC, UPSTREAM_MAC, UPSTREAM_IP, VIP, ICMP_DESTINATION_UNREACHABLE,
                ICMP_FRAGMENTATION_NEEDED, quoted);
    }

    /** What a verdict's frames must do to the counters: raise {@code count} by {@code perFrame} each. */
    private record Outcome(String label, LongSupplier count, int perFrame, DropReason drop) {
    }

    /**
     * One kind of frame: where it arrives, its TP_STATUS bits, its outcome, how many frames it transmits, and the
     * state it needs, set up before its frames and undone after them (or after each), unmeasured.
     */
    private final class Verdict {
        final String name;
        final MemoryPacketPort port;
        /**
         * Exactly the frame, after its virtio-net header when it has one: a read past its end throws, where a ring
         * would read a neighbour's bytes.
         */
        MemorySegment frame;
        /** Where the virtio-net header starts in {@link #frame}, or -1 without one. */
        long virtioOffset = -1;
        final int status;
        final Outcome outcome;
        final int transmitsPerFrame;
        Runnable before = () -> { };
        Runnable afterEachFrame = () -> { };
        Runnable after = () -> { };

        Verdict(String name, MemoryPacketPort port, byte[] frame, int status, Outcome outcome, int transmitsPerFrame) {
            this.name = name;
            this.port = port;
            this.frame = arena.allocate(frame.length, 16);
            MemorySegment.copy(frame, 0, this.frame, ValueLayout.JAVA_BYTE, 0, frame.length);
            this.status = status;
            this.outcome = outcome;
            this.transmitsPerFrame = transmitsPerFrame;
        }

        /** Puts a virtio-net header before the frame, as a port with PACKET_VNET_HDR receives it. */
        Verdict withVirtioHeader() {
            MemorySegment withHeader = arena.allocate(VIRTIO_HEADER_LENGTH + frame.byteSize(), 16);
            MemorySegment.copy(NO_OFFLOAD_VIRTIO_HEADER, 0, withHeader, ValueLayout.JAVA_BYTE, 0, VIRTIO_HEADER_LENGTH);
            MemorySegment.copy(frame, 0, withHeader, VIRTIO_HEADER_LENGTH, frame.byteSize());
            frame = withHeader;
            virtioOffset = 0;
            return this;
        }

        Verdict before(Runnable setUp) {
            this.before = setUp;
            return this;
        }

        Verdict afterEachFrame(Runnable undo) {
            this.afterEachFrame = undo;
            return this;
        }

        Verdict after(Runnable undo) {
            this.after = undo;
            return this;
        }
    }
}
