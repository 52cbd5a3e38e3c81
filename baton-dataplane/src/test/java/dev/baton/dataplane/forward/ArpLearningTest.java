package dev.baton.dataplane.forward;

import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static dev.baton.dataplane.forward.TwoPortRouter.CLIENT;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.S0;
import static dev.baton.dataplane.forward.TwoPortRouter.S0_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an ARP on a server-facing port may change. Only a unicast sender MAC equal to the
 * frame's Ethernet source is learned, and a known server's MAC changes only after a probe the old MAC did
 * not answer and the new one did.
 */
class ArpLearningTest {

    static final long NEW_S0_MAC = 0x02_00_00_00_00_b9L;
    static final long ATTACKER_MAC = 0x02_00_00_00_00_66L;
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    static final long RETRY_MS = 1_000;

    MemoryPacketPort front;
    MemoryPacketPort back;
    NeighbourTable neighbours;
    Forwarder forwarder;
    long now = 1_000_000;

    @BeforeEach
    void setUp() {
        front = TwoPortRouter.frontPort();
        back = TwoPortRouter.backPort();
        ServiceMap services = ServiceMap.of(List.of(TwoPortRouter.web(new ServerConfig(S0, 1))));
        neighbours = TwoPortRouter.neighbours(services, RETRY_MS);
        forwarder = TwoPortRouter.forwarder(services, neighbours, new VipOwnership(services.distinctVips(), true), front, back)
                .capacity(64).build();
        forwarder.doWork(now); // the first probe for S0
        back.drainTransmitted();
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        front.close();
        back.close();
    }

    private long drops(DropReason reason) {
        return forwarder.counters().drops(reason);
    }

    private long counter(int id) {
        return forwarder.counters().get(id);
    }

    /** An ARP reply from {@code mac} claiming S0, sent from {@code mac} (consistent, as a real host sends it). */
    private static byte[] replyFromS0As(long mac) {
        return TestFrames.arp(ROUTER_BACK_MAC, mac, 2, mac, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP);
    }

    private void resolveS0() {
        back.inject(replyFromS0As(S0_MAC));
        forwarder.doWork(now);
        assertEquals(S0_MAC, neighbours.mac(0));
        back.drainTransmitted();
    }

    /** The server MAC a new connection is sent to, or -1 when nothing was forwarded. */
    private long macOfNextConnection(int clientPort) {
        front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, clientPort, VIP, 80, TCP_SYN, new byte[0]));
        forwarder.doWork(now);
        List<byte[]> out = back.drainTransmitted();
        return out.isEmpty() ? -1 : TestFrames.mac(out.getLast(), 0);
    }

    /** ARP requests the router sent on the server side for S0 since the last drain. */
    private long probesForS0() {
        return back.drainTransmitted().stream()
                .filter(f -> f.length == 42 && (f[12] & 0xFF) == 0x08 && f[13] == 0x06 && f[21] == 1)
                .filter(f -> ((f[38] & 0xFF) << 24 | (f[39] & 0xFF) << 16 | (f[40] & 0xFF) << 8 | (f[41] & 0xFF)) == S0)
                .count();
    }

    @ParameterizedTest(name = "sender MAC {0}")
    @ValueSource(longs = {0xFFFF_FFFF_FFFFL, 0x01_00_5e_00_00_01L, 0x33_33_00_00_00_01L, 0L})
    void groupAndZeroSenderMacsAreNeverLearned(long senderMac) {
        back.inject(TestFrames.arp(ROUTER_BACK_MAC, senderMac, 2, senderMac, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        back.inject(TestFrames.arp(BROADCAST, senderMac, 1, senderMac, S0, 0, S0)); // gratuitous
        forwarder.doWork(now);

        assertEquals(-1, neighbours.mac(0), "broadcast would flood every server, multicast and zero reach none");
        assertEquals(2, drops(DropReason.ARP_SENDER_NOT_UNICAST));
        assertEquals(0, counter(WorkerCounters.ARP_LEARNED));
    }

    @Test
    void anArpWhoseSenderMacIsNotTheFrameSourceIsNotLearned() {
        back.inject(TestFrames.arp(ROUTER_BACK_MAC, ATTACKER_MAC, 2, S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        forwarder.doWork(now);
        assertEquals(-1, neighbours.mac(0));
        assertEquals(1, drops(DropReason.ARP_SENDER_MISMATCH));

        resolveS0();
        back.inject(TestFrames.arp(ROUTER_BACK_MAC, S0_MAC, 2, ATTACKER_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        forwarder.doWork(now);
        assertEquals(S0_MAC, neighbours.mac(0));
        assertEquals(2, drops(DropReason.ARP_SENDER_MISMATCH));
    }

    @Test
    void aChangedMacIsHeldAndALiveServerAnsweringTheProbeKeepsItsEntry() {
        resolveS0();
        back.inject(replyFromS0As(ATTACKER_MAC));
        forwarder.doWork(now);

        assertEquals(S0_MAC, neighbours.mac(0), "held, not applied");
        assertEquals(1, drops(DropReason.ARP_MAC_CHANGE_UNCONFIRMED));
        assertEquals(1, probesForS0(), "a probe goes out at once");
        assertEquals(S0_MAC, macOfNextConnection(40_000));

        // Both answer the probe: the server from its known MAC refutes the change.
        back.inject(replyFromS0As(ATTACKER_MAC));
        back.inject(replyFromS0As(S0_MAC));
        now += 10;
        forwarder.doWork(now);
        now += RETRY_MS + 1;
        forwarder.doWork(now);

        assertEquals(S0_MAC, neighbours.mac(0));
        assertEquals(1, counter(WorkerCounters.ARP_MAC_CHANGES_REFUTED));
        assertEquals(0, counter(WorkerCounters.ARP_MAC_CHANGES));
        assertEquals(S0_MAC, macOfNextConnection(40_001));
    }

    @Test
    void aServerThatReallyChangedItsMacIsFollowedOnceTheProbeConfirmsIt() {
        resolveS0();
        // A new NIC announces itself (gratuitous ARP); the old MAC is gone.
        back.inject(TestFrames.arp(BROADCAST, NEW_S0_MAC, 1, NEW_S0_MAC, S0, 0, S0));
        forwarder.doWork(now);
        assertEquals(1, probesForS0());
        assertEquals(S0_MAC, neighbours.mac(0));

        back.inject(replyFromS0As(NEW_S0_MAC)); // the answer to the probe
        now += 10;
        forwarder.doWork(now);
        assertEquals(S0_MAC, neighbours.mac(0), "the old MAC has a retry interval to answer");

        now += RETRY_MS;
        forwarder.doWork(now);
        assertEquals(NEW_S0_MAC, neighbours.mac(0));
        assertEquals(1, counter(WorkerCounters.ARP_MAC_CHANGES));
        assertEquals(NEW_S0_MAC, macOfNextConnection(40_000));
    }

    @Test
    void aChangeThatOnlyAnnouncedItselfAndNeverAnsweredTheProbeIsDropped() {
        resolveS0();
        back.inject(replyFromS0As(ATTACKER_MAC)); // before the probe: does not count as an answer
        forwarder.doWork(now);
        assertEquals(1, probesForS0());
        now += RETRY_MS + 1;
        forwarder.doWork(now);
        now += RETRY_MS + 1;
        forwarder.doWork(now);

        assertEquals(S0_MAC, neighbours.mac(0));
        assertEquals(0, counter(WorkerCounters.ARP_MAC_CHANGES));
        assertTrue(counter(WorkerCounters.ARP_MAC_CHANGES_UNANSWERED) >= 1);
    }

    @Test
    void arpWithEverNewMacsCostsAtMostOneProbePerRetryInterval() {
        resolveS0();
        long probes = 0;
        for (int i = 0; i < 100; i++) {
            back.inject(replyFromS0As(0x02_00_00_00_10_00L + i));
            now += 10;
            forwarder.doWork(now); // 100 frames over one second
            probes += probesForS0();
        }
        assertTrue(probes <= 2, probes + " probes");
        assertEquals(100, drops(DropReason.ARP_MAC_CHANGE_UNCONFIRMED));
        assertEquals(S0_MAC, neighbours.mac(0));
    }
}
