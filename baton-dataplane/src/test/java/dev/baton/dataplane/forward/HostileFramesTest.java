package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
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

import java.util.Arrays;
import java.util.List;

import static dev.baton.dataplane.forward.TestFrames.TCP_ACK;
import static dev.baton.dataplane.forward.TestFrames.TCP_PSH;
import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static dev.baton.dataplane.forward.TwoPortRouter.CLIENT;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.S0;
import static dev.baton.dataplane.forward.TwoPortRouter.S0_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Frames an attacker shapes never end a duty cycle. Each case is followed, in the same
 * receive batch, by a data segment of a live connection: that segment must still be forwarded, and the
 * hostile frame counted by its reason.
 */
class HostileFramesTest {

    static final int CLIENT_PORT = 40_000;

    MemoryPacketPort front;
    MemoryPacketPort back;
    ServiceMap services;
    NeighbourTable neighbours;
    Forwarder forwarder;
    long now = 1_000_000;
    byte[] data;

    @BeforeEach
    void setUp() {
        front = TwoPortRouter.frontPort();
        back = new MemoryPacketPort("back", ROUTER_BACK_MAC, false, 2048, 1024);
        services = ServiceMap.of(List.of(TwoPortRouter.web(new ServerConfig(S0, 1))));
        neighbours = TwoPortRouter.neighbours(services, 1_000);
        forwarder = TwoPortRouter.forwarder(services, neighbours, new VipOwnership(services.distinctVips(), true), front, back)
                .capacity(1024).build();
        forwarder.doWork(now);
        back.drainTransmitted();
        back.inject(TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
        forwarder.doWork(now);
        front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, CLIENT_PORT, VIP, 80, TCP_SYN, new byte[0]));
        forwarder.doWork(now);
        assertEquals(1, back.drainTransmitted().size(), "the live connection");
        data = TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, CLIENT_PORT, VIP, 80, TCP_ACK | TCP_PSH, new byte[]{1, 2, 3});
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

    private byte[] icmpQuoting(byte[] quoted) {
        return TestFrames.icmpErrorQuoting(ROUTER_FRONT_MAC, UPSTREAM_MAC, UPSTREAM_IP, VIP, 3, 4, quoted);
    }

    /** The server's reply VIP:80 -> client, as a router on the way would quote it. */
    private static byte[] quotedReply(int versionAndIhl, int totalLength, int protocol, int flagsFragment, int optionBytes, int l4Bytes) {
        byte[] l4 = new byte[l4Bytes];
        byte[] ports = {0, 80, (byte) (CLIENT_PORT >>> 8), (byte) CLIENT_PORT, 0, 0, 0x30, 0x39};
        System.arraycopy(ports, 0, l4, 0, Math.min(l4Bytes, ports.length));
        return TestFrames.quotedDatagram(versionAndIhl, totalLength, protocol, flagsFragment, VIP, CLIENT, optionBytes, l4);
    }

    @Test
    void icmpErrorsQuotingEveryInnerProtocolAreCountedAndTheRestOfTheBatchIsForwarded() {
        for (int protocol = 0; protocol <= 255; protocol++) {
            front.inject(icmpQuoting(quotedReply(0x45, 1500, protocol, 0x4000, 0, 8)));
            front.inject(data);
        }
        forwarder.doWork(now); // 512 frames: one receive batch of the front port

        assertEquals(256 + 1, back.drainTransmitted().size(), "every data segment, and the error about the TCP flow");
        assertEquals(1, forwarder.counters().get(WorkerCounters.ICMP_ERRORS_FORWARDED), "inner TCP: the live connection");
        assertEquals(1, drops(DropReason.ICMP_NO_CONNECTION), "inner UDP: tracked, but no such flow");
        assertEquals(254, drops(DropReason.ICMP_INNER_UNSUPPORTED), "every other protocol");
        assertEquals(1, forwarder.table().size());
    }

    @Test
    void oddQuotedHeadersAreCountedAndTheRestOfTheBatchIsForwarded() {
        List<byte[]> malformed = List.of(
                new byte[0],                                        // nothing quoted
                Arrays.copyOf(quotedReply(0x45, 1500, 6, 0, 0, 8), 10), // half a header
                quotedReply(0x44, 1500, 6, 0, 0, 8),                // IHL 4
                quotedReply(0x40, 1500, 6, 0, 0, 8),                // IHL 0
                quotedReply(0x65, 1500, 6, 0, 0, 8),                // version 6
                quotedReply(0x45, 12, 6, 0, 0, 8),                  // total length shorter than the header
                quotedReply(0x4F, 1500, 6, 0, 0, 8),                // IHL 15: options beyond the quote
                quotedReply(0x46, 1500, 6, 0, 4, 3),                // options, then only 3 bytes of ports
                quotedReply(0x45, 1500, 6, 0, 0, 3));               // 3 bytes of ports
        for (byte[] quoted : malformed) {
            front.inject(icmpQuoting(quoted));
            front.inject(data);
        }
        front.inject(icmpQuoting(quotedReply(0x45, 1500, 6, 185, 0, 8))); // a non-first fragment: no ports in it
        front.inject(data);
        front.inject(icmpQuoting(quotedReply(0x46, 1500, 6, 0x4000, 4, 8))); // options, well formed: matched
        front.inject(data);
        forwarder.doWork(now);

        assertEquals(malformed.size() + 2 + 1, back.drainTransmitted().size());
        assertEquals(malformed.size(), drops(DropReason.ICMP_INNER_MALFORMED));
        assertEquals(1, drops(DropReason.ICMP_INNER_UNSUPPORTED));
        assertEquals(1, forwarder.counters().get(WorkerCounters.ICMP_ERRORS_FORWARDED), "a quoted header with options is fine");
    }

    @Test
    void aNonFirstFragmentOfAnIcmpErrorIsAFragmentNotAnIcmpHeader() {
        byte[] error = TestFrames.icmpError(ROUTER_FRONT_MAC, UPSTREAM_MAC, UPSTREAM_IP, VIP, 3, 4, 6, 80, CLIENT, CLIENT_PORT);
        front.inject(TestFrames.withFragmentOffset(error, 185));
        front.inject(data);
        forwarder.doWork(now);

        assertEquals(1, back.drainTransmitted().size(), "only the data segment");
        assertEquals(1, drops(DropReason.FRAGMENT));
        assertEquals(0, forwarder.counters().get(WorkerCounters.ICMP_ERRORS_FORWARDED));
    }

    @Test
    void randomlyDamagedFramesOnEveryPortNeverEndABatch() {
        // A seeded, bounded mutation run over every kind of frame the forwarder parses, on both ports, with
        // every status bit it reads: whatever the bytes, each damaged frame is handled alone and the data
        // segment behind it is forwarded.
        java.util.Random random = new java.util.Random(7);
        byte[] quotedWithOptions = quotedReply(0x46, 1500, 6, 0x4000, 4, 8);
        List<byte[]> templates = List.of(
                TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT + 1, 40_001, VIP, 80, TCP_SYN, new byte[0]),
                TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, CLIENT_PORT, VIP, 80, TCP_ACK, new byte[]{9}),
                TestFrames.udp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, 5353, VIP, 53, new byte[4]),
                icmpQuoting(quotedWithOptions),
                TestFrames.arpRequest(UPSTREAM_MAC, UPSTREAM_IP, VIP),
                TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP),
                vlanTagged(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, CLIENT_PORT, VIP, 80, TCP_ACK, new byte[]{9})));
        int statusBits = Forwarder.STATUS_CSUM_NOT_READY | Forwarder.STATUS_VLAN_VALID;
        int rounds = 40;
        int perRound = 200;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < perRound; i++) {
                byte[] frame = templates.get(random.nextInt(templates.size())).clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(4) == 0) {
                    frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
                }
                MemoryPacketPort port = random.nextBoolean() ? front : back;
                port.inject(frame, random.nextInt() & statusBits, random.nextInt(0x10000), null);
                front.inject(data);
            }
            forwarder.doWork(now);
            long forwardedData = back.drainTransmitted().stream()
                    .filter(sent -> sent.length == data.length && Arrays.equals(sent, 12, sent.length, data, 12, data.length))
                    .count();
            // Damage can turn a template into a copy of the data segment: at least every real one arrives.
            assertEquals(true, forwardedData >= perRound, "round " + round + ": " + forwardedData);
            front.drainTransmitted();
        }
        assertEquals(rounds * perRound * 2 + 2L, forwarder.counters().get(WorkerCounters.RX_FRAMES));
    }

    @Test
    void aBlindSynAckFloodDoesNotLockOutARealClientAMinuteLater() {
        // The blind flood that once filled the table, as frames: 1,100 spoofed SYN/ACK pairs against a 1,024-entry
        // table.
        int spoofedNet = Ipv4.parse("198.51.100.0");
        for (int i = 0; i < 1_100; i++) {
            int source = spoofedNet | (i & 0xFF);
            front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, source, 1_024 + i, VIP, 80, TCP_SYN, new byte[0]));
            front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, source, 1_024 + i, VIP, 80, TCP_ACK, new byte[0]));
        }
        while (forwarder.doWork(now) > 0) {
            back.drainTransmitted();
        }
        now += 60_000;
        back.inject(TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP)); // S0 still answers ARP
        front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT + 1, 40_000, VIP, 80, TCP_SYN, new byte[0]));
        forwarder.doWork(now);

        assertEquals(1, back.drainTransmitted().stream().filter(f -> f.length > 42).count(), "the real SYN reached the server");
        assertEquals(0, drops(DropReason.TABLE_FULL));
    }

    @Test
    void newConnectionsOfAClientAtItsPerSourceLimitAreDroppedAndCounted() {
        // A fixed hash seed: sources are counted per bucket of a seeded hash (128 buckets here), and with a random
        // seed the innocent CLIENT + 1 shared CLIENT's bucket, and was refused with it, in 1 run of 128.
        Forwarder limited = TwoPortRouter.forwarder(services, neighbours, new VipOwnership(services.distinctVips(), true), front, back)
                .capacity(1024).perSourceLimit(2).hashSeeds(() -> 0x5EEDL).build();
        try {
            for (int port = 50_000; port < 50_003; port++) {
                front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, port, VIP, 80, TCP_SYN, new byte[0]));
            }
            front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT + 1, 50_000, VIP, 80, TCP_SYN, new byte[0]));
            limited.doWork(now);

            assertEquals(3, back.drainTransmitted().size());
            assertEquals(1, limited.counters().drops(DropReason.SOURCE_LIMIT));
            assertEquals(1, limited.counters().serviceDrops(0, DropReason.SOURCE_LIMIT));
            assertEquals(0, limited.counters().drops(DropReason.TABLE_FULL));
        } finally {
            limited.close();
        }
    }

    /** {@code frame} with an 802.1Q tag (VLAN 100) after the MAC addresses. */
    private static byte[] vlanTagged(byte[] frame) {
        byte[] tagged = new byte[frame.length + 4];
        System.arraycopy(frame, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = 0;
        tagged[15] = 100;
        System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
        return tagged;
    }
}
