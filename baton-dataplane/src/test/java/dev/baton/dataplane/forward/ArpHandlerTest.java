package dev.baton.dataplane.forward;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.Ipv4;
import dev.baton.codec.MacAddress;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;

import static dev.baton.dataplane.forward.TwoPortRouter.ARP_REFRESH_MS;
import static dev.baton.dataplane.forward.TwoPortRouter.ARP_STALE_AFTER_MS;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.S0;
import static dev.baton.dataplane.forward.TwoPortRouter.S0_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.VIP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker's ARP on its own, without a forwarder: ARP payloads handed in as the forwarder hands them, frames
 * read back from memory ports. Four ports: two client-facing (front, front2) and two server-facing (back with
 * S0, back2 with S1), so every reply, probe and announcement is seen to leave by the right port with that port's
 * addresses, and only with the worker's flush.
 */
class ArpHandlerTest {

    static final long ROUTER_FRONT2_MAC = 0x02_00_00_00_00_03L;
    static final int ROUTER_FRONT2_IP = Ipv4.parse("192.0.2.3");
    static final long ROUTER_BACK2_MAC = 0x02_00_00_00_00_04L;
    static final int ROUTER_BACK2_IP = Ipv4.parse("198.51.100.130");
    static final int S1 = Ipv4.parse("198.51.100.140");
    static final long RETRY_MS = 1_000;

    final Arena arena = Arena.ofConfined();
    MemoryPacketPort front;
    MemoryPacketPort back;
    MemoryPacketPort front2;
    MemoryPacketPort back2;
    WorkerPorts ports;
    NeighbourTable neighbours;
    VipOwnership ownership;
    WorkerCounters counters;
    ArpHandler handler;
    long now = 1_000_000;

    @BeforeEach
    void setUp() {
        front = TwoPortRouter.frontPort();
        back = TwoPortRouter.backPort();
        front2 = new MemoryPacketPort("front2", ROUTER_FRONT2_MAC);
        back2 = new MemoryPacketPort("back2", ROUTER_BACK2_MAC);
        ports = new WorkerPorts(0, new PacketPort[]{front, back, front2, back2},
                new boolean[]{true, false, true, false}, new boolean[]{false, true, false, true},
                new int[]{ROUTER_FRONT_IP, ROUTER_BACK_IP, ROUTER_FRONT2_IP, ROUTER_BACK2_IP});
        ServiceMap services = ServiceMap.of(List.of(TwoPortRouter.web(new ServerConfig(S0, 1), new ServerConfig(S1, 1))));
        int[] addresses = services.neighbourAddresses();
        int[] serverSideIndex = new int[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            serverSideIndex[i] = addresses[i] == S1 ? 1 : 0; // S1 behind back2, the second server-facing port
        }
        neighbours = new NeighbourTable(addresses, serverSideIndex, ARP_REFRESH_MS, RETRY_MS, ARP_STALE_AFTER_MS);
        ownership = new VipOwnership(services.distinctVips(), true);
        counters = new WorkerCounters(services.serviceCount(), services.totalServers());
        handler = new ArpHandler(ports, services, neighbours, ownership, counters, null);
    }

    @AfterEach
    void tearDown() {
        for (MemoryPacketPort port : List.of(front, back, front2, back2)) {
            port.close();
        }
        arena.close();
    }

    /** Hands {@code frame}'s ARP payload to the handler as the forwarder does: port, Ethernet source, payload. */
    private void receive(MemoryPacketPort port, byte[] frame) {
        MemorySegment segment = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, segment, ValueLayout.JAVA_BYTE, 0, frame.length);
        handler.onArp(ports.indexOf(port), TestFrames.mac(frame, 6), segment, 14, frame.length - 14, now);
    }

    private int flushes() {
        return front.flushes() + back.flushes() + front2.flushes() + back2.flushes();
    }

    @Test
    void aRequestForAnOwnedVipIsAnsweredWithTheMacOfThePortItCameIn() {
        receive(front2, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP));

        assertEquals(List.of(), front.drainTransmitted());
        List<byte[]> sent = front2.drainTransmitted();
        assertEquals(1, sent.size());
        assertArrayEquals(TestFrames.arpReply(ROUTER_FRONT2_MAC, VIP, UPSTREAM_MAC, UPSTREAM_IP), sent.getFirst(),
                "unicast to the requester, the VIP at this port's MAC");
        assertEquals(1, counters.get(WorkerCounters.ARP_REPLIES_SENT));
    }

    @Test
    void repliesGoOutWithTheWorkersFlushOneKickPerPortForTheBatch() {
        receive(front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP));
        receive(front, TestFrames.arpRequest(UPSTREAM_MAC + 1, UPSTREAM_IP + 1, VIP));
        assertEquals(0, flushes(), "committed, not yet handed to the kernel");

        ports.flushDirty();
        assertEquals(1, front.flushes(), "both replies in one kick");
        assertEquals(0, back.flushes() + front2.flushes() + back2.flushes(), "ports nothing was written to are not kicked");
        assertEquals(2, front.drainTransmitted().size());
    }

    @Test
    void noReplyForAnotherAddressAVipNotAnsweredForOrOnAServerFacingPort() {
        receive(front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, Ipv4.parse("192.0.2.99")));
        receive(back, TestFrames.arpRequest(S0_MAC, S0, VIP)); // servers hold the VIP themselves, on loopback
        ownership.answerArpByIndex(ownership.indexOf(VIP), false);
        receive(front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP)); // FIG. 3, action 321: stay silent
        ports.flushDirty();

        assertEquals(0, front.drainTransmitted().size() + back.drainTransmitted().size());
        assertEquals(0, counters.get(WorkerCounters.ARP_REPLIES_SENT));
    }

    @Test
    void serverMacsAreLearnedOnServerFacingPortsOnly() {
        byte[] fromS0 = TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP);
        receive(front, fromS0);
        assertEquals(-1, neighbours.mac(neighbours.indexOf(S0)), "the client side cannot name a server's MAC");

        receive(back, fromS0);
        assertEquals(S0_MAC, neighbours.mac(neighbours.indexOf(S0)));
        assertEquals(1, counters.get(WorkerCounters.ARP_LEARNED));
        assertTrue(neighbours.resolved(neighbours.indexOf(S0), now));
    }

    @Test
    void aSenderMacThatIsNotUnicastOrNotTheFramesSourceIsCountedAndNotLearned() {
        receive(back, TestFrames.arp(ROUTER_BACK_MAC, S0_MAC, 2, MacAddress.BROADCAST, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        receive(back, TestFrames.arp(ROUTER_BACK_MAC, UPSTREAM_MAC, 2, S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));

        assertEquals(1, counters.drops(DropReason.ARP_SENDER_NOT_UNICAST));
        assertEquals(1, counters.drops(DropReason.ARP_SENDER_MISMATCH));
        assertEquals(-1, neighbours.mac(neighbours.indexOf(S0)));
    }

    @Test
    void aTruncatedArpIsMalformed() {
        byte[] frame = TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP);
        MemorySegment segment = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, segment, ValueLayout.JAVA_BYTE, 0, frame.length);
        handler.onArp(ports.indexOf(front), UPSTREAM_MAC, segment, 14, 20, now);

        assertEquals(1, counters.drops(DropReason.MALFORMED));
        assertEquals(0, front.transmittedFrames());
    }

    @Test
    void everyDueServerIsProbedOnItsOwnServerFacingPortFromThatPortsAddress() {
        assertEquals(2, handler.probeNeighbours(now));
        ports.flushDirty();
        assertEquals(List.of(), front.drainTransmitted());
        assertEquals(List.of(), front2.drainTransmitted());
        List<byte[]> onBack = back.drainTransmitted();
        List<byte[]> onBack2 = back2.drainTransmitted();
        assertEquals(1, onBack.size());
        assertEquals(1, onBack2.size());
        assertArrayEquals(TestFrames.arpRequest(ROUTER_BACK_MAC, ROUTER_BACK_IP, S0), onBack.getFirst());
        assertArrayEquals(TestFrames.arpRequest(ROUTER_BACK2_MAC, ROUTER_BACK2_IP, S1), onBack2.getFirst());
        assertEquals(2, counters.get(WorkerCounters.ARP_REQUESTS_SENT));

        assertEquals(0, handler.probeNeighbours(now + RETRY_MS - 1), "not again before the retry interval");
        receive(back, TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        assertEquals(1, handler.probeNeighbours(now + RETRY_MS), "only the server that did not answer");
        assertEquals(1, back.transmittedFrames(), "S0 answered: asked again only at the refresh interval");
        assertEquals(2, back2.transmittedFrames());
    }

    @Test
    void aReplyTheFullRingRefusedIsADropNotAReplySent() {
        front.fillTxRing();
        receive(front, TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP));
        assertEquals(1, counters.drops(DropReason.TX_RING_FULL));
        assertEquals(0, counters.get(WorkerCounters.ARP_REPLIES_SENT));
    }

    @Test
    void aProbeToAFullRingIsDroppedAndCountedNotBlocking() {
        back.fillTxRing();
        assertEquals(1, handler.probeNeighbours(now), "S1's probe still goes out on back2");
        assertEquals(1, counters.drops(DropReason.TX_RING_FULL));
        assertEquals(0, back.transmittedFrames());
        assertEquals(1, counters.get(WorkerCounters.ARP_REQUESTS_SENT));
    }

    @Test
    void anAnnouncementIsAGratuitousRequestAndReplyOnEveryClientFacingPortFlushedAtOnce() {
        assertTrue(handler.announce(VIP));

        for (MemoryPacketPort port : List.of(front, front2)) {
            long mac = port.macAddress();
            List<String> expected = List.of(
                    hex(TestFrames.arp(MacAddress.BROADCAST, mac, ArpFlyweight.OP_REQUEST, mac, VIP, 0L, VIP)),
                    hex(TestFrames.arp(MacAddress.BROADCAST, mac, ArpFlyweight.OP_REPLY, mac, VIP, mac, VIP)));
            assertEquals(expected, port.drainTransmitted().stream().map(ArpHandlerTest::hex).toList(),
                    port.name() + ": a request (RFC 5227 §3), then a reply, both from the VIP at this port's MAC");
            assertEquals(1, port.flushes(), port.name() + ": sent without waiting for the worker's flush");
        }
        assertEquals(0, back.transmittedFrames() + back2.transmittedFrames(), "servers do not learn the VIP from the router");
    }

    @Test
    void noAnnouncementOnceThisRouterNoLongerAnswersArpForTheVip() {
        // Queued before a hand-over (355) and run after it: must not undo the new active's announcement.
        ownership.answerArpByIndex(ownership.indexOf(VIP), false);

        assertFalse(handler.announce(VIP));
        assertEquals(0, front.transmittedFrames() + front2.transmittedFrames());
        assertEquals(0, flushes());
    }

    private static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame);
    }
}
