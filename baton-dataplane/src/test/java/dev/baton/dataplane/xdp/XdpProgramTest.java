package dev.baton.dataplane.xdp;

import dev.baton.codec.Ipv4;
import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.ForwarderBuilder;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.NetworkNamespace;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;
import dev.baton.xdp.FastPathMaps;
import dev.baton.xdp.Libbpf;
import dev.baton.xdp.XdpCounter;
import dev.baton.xdp.XdpObject;
import dev.baton.xdp.XdpTestRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import static dev.baton.dataplane.forward.TestFrames.TCP_ACK;
import static dev.baton.dataplane.forward.TestFrames.TCP_FIN;
import static dev.baton.dataplane.forward.TestFrames.TCP_PSH;
import static dev.baton.dataplane.forward.TestFrames.TCP_RST;
import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The XDP program (baton-xdp's baton_xdp.c) run by the kernel over frames, without a network: BPF_PROG_TEST_RUN with
 * the real, verified program and real maps, in a namespace of this test's own (the ingress and egress interfaces
 * must exist). Every branch is a row: the verdict, the frame as the program left it, the counter it moved. Then the
 * differential test the fast path rests on: the same frames through the program and through the Java forwarder, with
 * the maps filled from the forwarder's table as the fast path fills them (a flow once ESTABLISHED, or a UDP flow) —
 * every frame the program forwards, the forwarder forwards byte for byte the same; the golden curl exchange and 3,000
 * seeded mutations of it. The maps are written by the forwarder's own {@link FastPath}, as in a router. Needs root (CAP_BPF, CAP_NET_ADMIN, namespaces) and libbpf1.
 */
class XdpProgramTest {

    static final long CLIENT_MAC = 0x02_00_00_00_01_0aL;
    static final long ROUTER_MAC = 0x02_00_00_00_01_01L;
    static final long BACK_MAC = 0x02_00_00_00_02_02L;
    static final long SERVER_MAC = 0x02_00_00_00_02_0bL;
    static final int VIP = Ipv4.parse("203.0.113.130");
    static final int CLIENT = Ipv4.parse("203.0.113.10");
    static final int SERVER = Ipv4.parse("198.51.100.11");
    static final int HTTP_PORT = 8080;
    static final int UDP_PORT = 5353;
    /**
     * Server ids of this test's rows (the program knows servers only by id): apart from 0 and 1, the differential
     * tests' forwarder's two servers, which those tests write as they go.
     */
    static final int BACK_SERVER = 4;
    static final int UNUSABLE_SERVER = 5;
    static final int NO_EGRESS_SERVER = 6;
    static final int ONE_ARM_SERVER = 7;
    static final int SERVICE = 0;
    /** The egress ports' longest frame: MTU 1500 and the Ethernet header. */
    static final int MAX_FRAME = 1514;

    private static NamespaceLab lab;
    private static XdpObject program;
    private static String router;
    private static int front;
    private static int back;

    @BeforeAll
    static void loadProgram() throws Exception {
        String reason = NamespaceLab.unavailableReason();
        if (reason == null) {
            reason = Libbpf.unavailableReason();
        }
        assumeTrue(reason == null, reason);
        lab = NamespaceLab.create("bx", "r", "p");
        router = lab.name("r");
        String peer = lab.name("p");
        lab.vethPair(router, lab.name("f"), "192.0.2.2/24", peer, lab.name("pf"), "192.0.2.1/24");
        lab.vethPair(router, lab.name("b"), "198.51.100.2/24", peer, lab.name("pb"), "198.51.100.1/24");
        program = XdpObject.load(new XdpObject.Capacity(256, 8, 4, 4, 4));
        inRouter(() -> {
            front = NetworkInterfaces.index(lab.name("f"));
            back = NetworkInterfaces.index(lab.name("b"));
            try (FastPathMaps maps = new FastPathMaps(program)) {
                maps.putPort(front, ROUTER_MAC);
                maps.putEgress(back); // the devmap takes an ifindex of the writer's namespace
                maps.putVip(VIP, true);
                maps.putServer(BACK_SERVER, SERVER_MAC, BACK_MAC, back, MAX_FRAME, true);
                maps.putServer(UNUSABLE_SERVER, SERVER_MAC, BACK_MAC, back, MAX_FRAME, false);
                maps.putServer(NO_EGRESS_SERVER, SERVER_MAC, BACK_MAC, back + 1000, MAX_FRAME, true);
                maps.putServer(ONE_ARM_SERVER, SERVER_MAC, ROUTER_MAC, front, MAX_FRAME, true);
            }
            return null;
        });
    }

    @AfterAll
    static void unload() {
        if (program != null) {
            program.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static <T> T inRouter(Callable<T> task) throws Exception {
        return NetworkNamespace.callIn(router, task);
    }

    private static byte[] tcp(int clientPort, int flags) {
        return TestFrames.tcp(ROUTER_MAC, CLIENT_MAC, CLIENT, clientPort, VIP, HTTP_PORT, flags, new byte[]{'h', 'i'});
    }

    private static Map<XdpCounter, Long> counters() {
        Map<XdpCounter, Long> values = new EnumMap<>(XdpCounter.class);
        for (XdpCounter counter : XdpCounter.values()) {
            values.put(counter, program.counter(counter));
        }
        return values;
    }

    private record Row(String name, byte[] frame, boolean onBack, XdpCounter reason) {
    }

    @Test
    void everyFrameTheProgramDoesNotForwardGoesUpUnchangedAndIsCountedByReason() throws Exception {
        byte[] established = tcp(40001, TCP_ACK);
        ByteBuffer options = ByteBuffer.wrap(TestFrames.tcp(ROUTER_MAC, CLIENT_MAC, CLIENT, 40001, VIP, HTTP_PORT, TCP_ACK, new byte[8]));
        options.put(14, (byte) 0x46); // IHL 6: four bytes of options (the TCP header's first four, here)
        byte[] vlan = established.clone();
        vlan[12] = (byte) 0x81;
        vlan[13] = 0x00;
        byte[] truncatedTcp = Arrays.copyOf(established, 14 + 20 + 10);
        ByteBuffer.wrap(truncatedTcp).putShort(16, (short) 30);
        byte[] shortDataOffset = established.clone();
        shortDataOffset[14 + 20 + 12] = 0x40;
        byte[] longDataOffset = established.clone();
        longDataOffset[14 + 20 + 12] = (byte) 0xf0;
        byte[] udpShortLength = TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 40002, VIP, UDP_PORT, new byte[4]);
        ByteBuffer.wrap(udpShortLength).putShort(14 + 20 + 4, (short) 4);
        byte[] overLong = established.clone();
        ByteBuffer.wrap(overLong).putShort(16, (short) (overLong.length - 14 + 1));
        byte[] underHeader = established.clone();
        ByteBuffer.wrap(underHeader).putShort(16, (short) 19);
        byte[] version6 = established.clone();
        version6[14] = 0x65;
        List<Row> rows = List.of(
                new Row("another host's frame", TestFrames.tcp(0x02_00_00_00_09_99L, CLIENT_MAC, CLIENT, 40001, VIP, HTTP_PORT,
                        TCP_ACK, new byte[2]), false, XdpCounter.PASS_NOT_OURS),
                new Row("a port the program does not serve", established, true, XdpCounter.PASS_NOT_OURS),
                new Row("ARP", TestFrames.arp(ROUTER_MAC, CLIENT_MAC, 1, CLIENT_MAC, CLIENT, 0, VIP), false, XdpCounter.PASS_NOT_IPV4),
                new Row("VLAN tag", vlan, false, XdpCounter.PASS_NOT_IPV4),
                new Row("IP options", options.array(), false, XdpCounter.PASS_IP_SLOW),
                new Row("first fragment", TestFrames.asFirstFragment(established), false, XdpCounter.PASS_IP_SLOW),
                new Row("later fragment", TestFrames.withFragmentOffset(established, 100), false, XdpCounter.PASS_IP_SLOW),
                new Row("ICMP", TestFrames.icmpError(ROUTER_MAC, CLIENT_MAC, CLIENT, VIP, 3, 4, 6, HTTP_PORT, CLIENT, 40001),
                        false, XdpCounter.PASS_IP_SLOW),
                new Row("TCP header cut short", truncatedTcp, false, XdpCounter.PASS_IP_SLOW),
                new Row("TCP data offset 4", shortDataOffset, false, XdpCounter.PASS_IP_SLOW),
                new Row("TCP data offset past the datagram", longDataOffset, false, XdpCounter.PASS_IP_SLOW),
                new Row("UDP length 4", udpShortLength, false, XdpCounter.PASS_IP_SLOW),
                new Row("IP total length past the frame", overLong, false, XdpCounter.PASS_IP_SLOW),
                new Row("IP total length under its header", underHeader, false, XdpCounter.PASS_IP_SLOW),
                new Row("IP version 6 in an IPv4 frame", version6, false, XdpCounter.PASS_IP_SLOW),
                new Row("not a VIP", TestFrames.tcp(ROUTER_MAC, CLIENT_MAC, CLIENT, 40001, Ipv4.parse("203.0.113.131"), HTTP_PORT,
                        TCP_ACK, new byte[2]), false, XdpCounter.PASS_NOT_FORWARDED_VIP),
                new Row("SYN", tcp(40001, TCP_SYN), false, XdpCounter.PASS_TCP_CONTROL),
                new Row("FIN", tcp(40001, TCP_FIN | TCP_ACK), false, XdpCounter.PASS_TCP_CONTROL),
                new Row("RST", tcp(40001, TCP_RST | TCP_ACK), false, XdpCounter.PASS_TCP_CONTROL),
                new Row("no flow", tcp(40009, TCP_ACK), false, XdpCounter.PASS_NO_FLOW),
                new Row("server not usable", tcp(40003, TCP_ACK), false, XdpCounter.PASS_SERVER_NOT_USABLE),
                new Row("longer than the egress port sends (a GSO super-frame)", TestFrames.tcp(ROUTER_MAC, CLIENT_MAC, CLIENT,
                        40001, VIP, HTTP_PORT, TCP_ACK, new byte[MAX_FRAME]), false, XdpCounter.PASS_TOO_LONG),
                new Row("server's port has no egress entry", tcp(40004, TCP_ACK), false, XdpCounter.REDIRECT_FAILED));
        inRouter(() -> {
            try (FastPathMaps maps = new FastPathMaps(program);
                 XdpTestRun onFront = new XdpTestRun(program, front);
                 XdpTestRun onBack = new XdpTestRun(program, back)) {
                maps.insertFlow(6, CLIENT, 40001, VIP, HTTP_PORT, BACK_SERVER, SERVICE, 1);
                maps.insertFlow(17, CLIENT, 40002, VIP, UDP_PORT, BACK_SERVER, SERVICE, 1);
                maps.insertFlow(6, CLIENT, 40003, VIP, HTTP_PORT, UNUSABLE_SERVER, SERVICE, 1);
                maps.insertFlow(6, CLIENT, 40004, VIP, HTTP_PORT, NO_EGRESS_SERVER, SERVICE, 1);
                for (Row row : rows) {
                    Map<XdpCounter, Long> before = counters();
                    XdpTestRun.Result result = (row.onBack() ? onBack : onFront).run(row.frame());
                    assertEquals(XdpTestRun.XDP_PASS, result.verdict(), row.name());
                    assertArrayEquals(row.frame(), result.frame(), row.name() + ": the slow path gets the frame unchanged");
                    Map<XdpCounter, Long> after = counters();
                    for (XdpCounter counter : XdpCounter.values()) {
                        long expected = counter == row.reason() || counter == XdpCounter.RX ? 1 : 0;
                        assertEquals(expected, after.get(counter) - before.get(counter), row.name() + ": " + counter);
                    }
                }
                for (int clientPort = 40001; clientPort <= 40004; clientPort++) {
                    maps.removeFlow(clientPort == 40002 ? 17 : 6, CLIENT, clientPort, VIP, clientPort == 40002 ? UDP_PORT : HTTP_PORT);
                }
            }
            return null;
        });
    }

    @Test
    void anEstablishedFlowIsForwardedWithOnlyTheEthernetAddressesChanged() throws Exception {
        inRouter(() -> {
            try (FastPathMaps maps = new FastPathMaps(program); XdpTestRun run = new XdpTestRun(program, front)) {
                maps.insertFlow(6, CLIENT, 40011, VIP, HTTP_PORT, BACK_SERVER, SERVICE, 1);
                maps.insertFlow(17, CLIENT, 40012, VIP, UDP_PORT, BACK_SERVER, SERVICE, 1);
                maps.insertFlow(6, CLIENT, 40013, VIP, HTTP_PORT, ONE_ARM_SERVER, SERVICE, 1);
                Map<XdpCounter, Long> before = counters();
                long serverPackets = program.sumPerCpu(program.serverTraffic(), BACK_SERVER, XdpObject.TRAFFIC_PACKETS_OFFSET);
                long servicePackets = program.sumPerCpu(program.serviceTraffic(), SERVICE, XdpObject.TRAFFIC_PACKETS_OFFSET);
                long serverBytes = program.sumPerCpu(program.serverTraffic(), BACK_SERVER, XdpObject.TRAFFIC_BYTES_OFFSET);

                byte[] data = tcp(40011, TCP_ACK | TCP_PSH);
                XdpTestRun.Result twoArm = run.run(data);
                assertEquals(XdpTestRun.XDP_REDIRECT, twoArm.verdict(), "servers behind the back port: a redirect");
                assertArrayEquals(rewritten(data, SERVER_MAC, BACK_MAC), twoArm.frame());

                byte[] datagram = TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 40012, VIP, UDP_PORT, new byte[18]);
                XdpTestRun.Result udp = run.run(datagram);
                assertEquals(XdpTestRun.XDP_REDIRECT, udp.verdict(), "a UDP flow");
                assertArrayEquals(rewritten(datagram, SERVER_MAC, BACK_MAC), udp.frame());

                byte[] oneArmData = tcp(40013, TCP_ACK);
                XdpTestRun.Result oneArm = run.run(oneArmData);
                assertEquals(XdpTestRun.XDP_TX, oneArm.verdict(), "a server on the clients' port: out the way it came");
                assertArrayEquals(rewritten(oneArmData, SERVER_MAC, ROUTER_MAC), oneArm.frame());

                Map<XdpCounter, Long> after = counters();
                assertEquals(3, after.get(XdpCounter.FORWARDED) - before.get(XdpCounter.FORWARDED));
                assertEquals(data.length + datagram.length + oneArmData.length,
                        after.get(XdpCounter.FORWARDED_BYTES) - before.get(XdpCounter.FORWARDED_BYTES));
                assertEquals(2, program.sumPerCpu(program.serverTraffic(), BACK_SERVER, XdpObject.TRAFFIC_PACKETS_OFFSET) - serverPackets);
                assertEquals(data.length + datagram.length,
                        program.sumPerCpu(program.serverTraffic(), BACK_SERVER, XdpObject.TRAFFIC_BYTES_OFFSET) - serverBytes);
                assertEquals(3, program.sumPerCpu(program.serviceTraffic(), SERVICE, XdpObject.TRAFFIC_PACKETS_OFFSET) - servicePackets);
                // The program stamped the flow with the kernel's monotonic clock, which System.nanoTime reads too.
                long lastSeen = maps.lastSeenNs(6, CLIENT, 40011, VIP, HTTP_PORT);
                long now = System.nanoTime();
                assertTrue(lastSeen > 1 && lastSeen <= now && now - lastSeen < Duration.ofSeconds(10).toNanos(),
                        "last seen " + lastSeen + " against now " + now);
                assertEquals(-1, maps.lastSeenNs(6, CLIENT, 40099, VIP, HTTP_PORT), "an absent flow");

                maps.putVip(VIP, false);
                try {
                    assertEquals(XdpTestRun.XDP_PASS, run.run(data).verdict(), "a VIP not forwarded (standby): up, always");
                } finally {
                    maps.putVip(VIP, true);
                }
                assertTrue(maps.removeFlow(6, CLIENT, 40011, VIP, HTTP_PORT));
                assertEquals(XdpTestRun.XDP_PASS, run.run(data).verdict(), "a removed flow goes up");
                maps.removeFlow(17, CLIENT, 40012, VIP, UDP_PORT);
                maps.removeFlow(6, CLIENT, 40013, VIP, HTTP_PORT);
            }
            return null;
        });
    }

    /** The frame with the two Ethernet addresses replaced, all else as it was. */
    static byte[] rewritten(byte[] frame, long destination, long source) {
        byte[] out = frame.clone();
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (destination >>> (40 - 8 * i));
            out[6 + i] = (byte) (source >>> (40 - 8 * i));
        }
        return out;
    }

    // ---- the differential test: the program against the Java forwarder ----

    private static Forwarder forwarder(MemoryPacketPort frontPort, MemoryPacketPort backPort, FastPath fastPath) {
        ServiceMap services = ServiceMap.of(List.of(
                new ServiceConfig("http", VIP, ServiceConfig.Protocol.TCP, List.of(new ServiceConfig.PortRange(HTTP_PORT, HTTP_PORT)),
                        ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(new ServiceConfig.ServerConfig(SERVER, 1))),
                new ServiceConfig("mdns", VIP, ServiceConfig.Protocol.UDP, List.of(new ServiceConfig.PortRange(UDP_PORT, UDP_PORT)),
                        ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(new ServiceConfig.ServerConfig(SERVER, 1)))));
        NeighbourTable neighbours = new NeighbourTable(services.neighbourAddresses(), new int[1], 30_000, 1_000, 90_000);
        neighbours.learn(SERVER, SERVER_MAC, 0);
        return new ForwarderBuilder().services(services).neighbours(neighbours)
                .port(frontPort, true, false, Ipv4.parse("203.0.113.1"))
                .port(backPort, false, true, Ipv4.parse("198.51.100.2")).capacity(64)
                .fastPath(fastPath).build();
    }

    /** A differential test's body: the forwarder (with its fast path over the loaded program) and the program. */
    @FunctionalInterface
    private interface DifferentialBody {
        void run(MemoryPacketPort frontPort, MemoryPacketPort backPort, Forwarder forwarder, FastPathMaps maps,
                 XdpTestRun run) throws Exception;
    }

    /** Runs {@code body} in the router namespace with a fresh forwarder and fast path, both warmed by a first cycle. */
    private static void differential(DifferentialBody body) throws Exception {
        inRouter(() -> {
            try (MemoryPacketPort frontPort = new MemoryPacketPort("front", ROUTER_MAC);
                 MemoryPacketPort backPort = new MemoryPacketPort("back", BACK_MAC);
                 FastPath fastPath = new FastPath(program, 0, 1, new FastPath.Egress(new int[]{back}, new long[]{BACK_MAC}, new int[]{MAX_FRAME}), System::nanoTime);
                 Forwarder forwarder = forwarder(frontPort, backPort, fastPath);
                 XdpTestRun run = new XdpTestRun(program, front)) {
                forwarder.doWork(0);
                backPort.drainTransmitted();
                body.run(frontPort, backPort, forwarder, fastPath.maps(), run);
            }
            return null;
        });
    }

    /** Both paths' handling of one frame. */
    private record Outcome(XdpTestRun.Result program, List<byte[]> javaOutput) {
    }

    /**
     * Runs {@code frame} through the program, then through the Java forwarder, whose fast path (the production
     * {@link FastPath}) writes what the frame changed into the maps at the end of its duty cycle.
     */
    private static Outcome both(byte[] frame, XdpTestRun run, Forwarder forwarder, MemoryPacketPort frontPort,
                                MemoryPacketPort backPort, long nowMs) {
        XdpTestRun.Result result = run.run(frame);
        frontPort.inject(frame);
        forwarder.doWork(nowMs);
        List<byte[]> output = new ArrayList<>();
        for (byte[] sent : backPort.drainTransmitted()) {
            if (!(sent[12] == 0x08 && sent[13] == 0x06)) { // the forwarder's own ARP requests are not the frame's outcome
                output.add(sent);
            }
        }
        return new Outcome(result, output);
    }

    /** Checks one frame's two outcomes: what the program forwards, the forwarder forwards identically. */
    private static void assertAgree(String name, byte[] frame, Outcome outcome) {
        if (outcome.program().forwarded()) {
            assertEquals(1, outcome.javaOutput().size(), name + ": the program forwarded a frame the Java forwarder did not: "
                    + HexFormat.of().formatHex(frame));
            assertArrayEquals(outcome.javaOutput().getFirst(), outcome.program().frame(), name + ": "
                    + HexFormat.of().formatHex(frame));
        } else {
            assertEquals(XdpTestRun.XDP_PASS, outcome.program().verdict(), name);
            assertArrayEquals(frame, outcome.program().frame(), name + ": passed up unchanged");
        }
    }

    @Test
    void theGoldenCurlExchangeTakesTheFastPathOnceEstablishedAndAgreesWithTheForwarder() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        for (PcapRecord record : PcapFixtures.load(PcapFixtures.TCP_HTTP)) {
            if (TestFrames.mac(record.data(), 6) == CLIENT_MAC) {
                inputs.add(record.data());
            }
        }
        assertTrue(inputs.size() >= 5, "handshake, request, ACKs and FIN from the client");
        differential((frontPort, backPort, forwarder, maps, run) -> {
            int fast = 0;
            long nowMs = 1;
            for (int i = 0; i < inputs.size(); i++) {
                byte[] frame = inputs.get(i);
                // Seconds apart: the second client segment after the handshake ACK makes the entry ESTABLISHED
                // (ConnectionTable.CONFIRM_AFTER_MS), and from then on the flow is in the map.
                nowMs += 2_000;
                Outcome outcome = both(frame, run, forwarder, frontPort, backPort, nowMs);
                assertAgree("curl frame " + i, frame, outcome);
                assertEquals(1, outcome.javaOutput().size(), "the forwarder forwards every frame of the exchange");
                if (outcome.program().forwarded()) {
                    fast++;
                }
            }
            assertTrue(fast >= 1, "the segments between ESTABLISHED and the FIN took the fast path, got " + fast);
            assertEquals(-1, maps.lastSeenNs(6, CLIENT, Short.toUnsignedInt(ByteBuffer.wrap(inputs.getFirst()).getShort(34)),
                    VIP, HTTP_PORT), "the FIN took the flow out of the map (the table says CLOSING)");
        });
    }

    @Test
    void threeThousandMutationsOfEstablishedFramesNeverMakeTheProgramForwardWhatTheForwarderWouldNot() throws Exception {
        byte[] tcpBase = tcp(40021, TCP_ACK | TCP_PSH);
        byte[] udpBase = TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 40022, VIP, UDP_PORT, new byte[24]);
        Random random = new Random(0x5eed_0010L);
        differential((frontPort, backPort, forwarder, maps, run) -> {
            int forwardedByProgram = 0;
            int passedByProgram = 0;
            for (int variant = 0; variant < 3_000; variant++) {
                long nowMs = 1_000 + variant;
                // Both flows established in the table and in the map before every variant: a variant that closed
                // one (a mutated RST or FIN) does not leak into the next.
                establish(forwarder.table(), 6, 40021, HTTP_PORT, TcpState.ESTABLISHED, nowMs);
                establish(forwarder.table(), 17, 40022, UDP_PORT, TcpState.UDP, nowMs);
                forwarder.doWork(nowMs); // the fast path writes both into the map (a removal and an insert of each)
                assertTrue(maps.lastSeenNs(6, CLIENT, 40021, VIP, HTTP_PORT) >= 0
                        && maps.lastSeenNs(17, CLIENT, 40022, VIP, UDP_PORT) >= 0, "both flows in the map");
                byte[] frame = mutate((variant & 1) == 0 ? tcpBase : udpBase, random);
                Outcome outcome = both(frame, run, forwarder, frontPort, backPort, nowMs);
                assertAgree("variant " + variant, frame, outcome);
                if (outcome.program().forwarded()) {
                    forwardedByProgram++;
                } else {
                    passedByProgram++;
                }
            }
            assertTrue(forwardedByProgram > 300 && passedByProgram > 300,
                    "the mutations exercise both outcomes: forwarded " + forwardedByProgram + ", passed " + passedByProgram);
            maps.removeFlow(6, CLIENT, 40021, VIP, HTTP_PORT);
            maps.removeFlow(17, CLIENT, 40022, VIP, UDP_PORT);
        });
    }

    /** The flow removed from the table and inserted again in {@code state}: the forwarder's fast path follows. */
    private static void establish(ConnectionTable table, int protocol, int clientPort, int vipPort, int state, long nowMs) {
        table.remove(protocol, CLIENT, clientPort, VIP, vipPort);
        int service = protocol == 6 ? 0 : 1;
        long slot = table.insert(protocol, CLIENT, clientPort, VIP, vipPort, service, 0, state, nowMs);
        assertTrue(slot >= 0, "entry inserted");
    }

    /** One to three random bytes in the headers (first 60 bytes) changed, and one in five cut short. */
    private static byte[] mutate(byte[] base, Random random) {
        byte[] frame = base.clone();
        int changes = 1 + random.nextInt(3);
        for (int i = 0; i < changes; i++) {
            int at = random.nextInt(Math.min(60, frame.length));
            frame[at] = (byte) random.nextInt(256);
        }
        if (random.nextInt(5) == 0) {
            frame = Arrays.copyOf(frame, 14 + random.nextInt(frame.length - 14));
        }
        return frame;
    }
}
