package dev.baton.dataplane.xdp;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.ForwarderBuilder;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.NetworkNamespace;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;
import dev.baton.xdp.FastPathMaps;
import dev.baton.xdp.Libbpf;
import dev.baton.xdp.XdpObject;
import dev.baton.xdp.XdpTestRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static dev.baton.dataplane.forward.TestFrames.TCP_ACK;
import static dev.baton.dataplane.forward.TestFrames.TCP_FIN;
import static dev.baton.dataplane.forward.TestFrames.TCP_PSH;
import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The forwarder with its fast path, against the real program and maps (BPF_PROG_TEST_RUN in a namespace of the
 * test's own; root and libbpf1): the flow map follows the table (in once ESTABLISHED or a UDP flow, out on FIN, RST,
 * removal and expiry), the program's last-seen times keep the table's entries alive and are what the table expires
 * them by, strays are removed, and worker 0 keeps each VIP's flag and each server's MAC current. The forwarder's clock
 * is stepped; the program's is the kernel's, read back through {@link System#nanoTime()}.
 */
class FastPathTest {

    static final long CLIENT_MAC = 0x02_00_00_00_01_0aL;
    static final long ROUTER_MAC = 0x02_00_00_00_01_01L;
    static final long BACK_MAC = 0x02_00_00_00_02_02L;
    static final long SERVER_MAC = 0x02_00_00_00_02_0bL;
    static final long NEW_SERVER_MAC = 0x02_00_00_00_02_0cL;
    static final int VIP = Ipv4.parse("203.0.113.130");
    static final int CLIENT = Ipv4.parse("203.0.113.10");
    static final int SERVER = Ipv4.parse("198.51.100.11");
    static final long ESTABLISHED_TIMEOUT_MS = 60_000;

    private static NamespaceLab lab;
    private static String router;
    private static int front;
    private static int back;

    @BeforeAll
    static void namespace() throws Exception {
        String reason = NamespaceLab.unavailableReason();
        if (reason == null) {
            reason = Libbpf.unavailableReason();
        }
        assumeTrue(reason == null, reason);
        lab = NamespaceLab.create("bf", "r", "p");
        router = lab.name("r");
        lab.vethPair(router, lab.name("f"), "192.0.2.2/24", lab.name("p"), lab.name("pf"), "192.0.2.1/24");
        lab.vethPair(router, lab.name("b"), "198.51.100.2/24", lab.name("p"), lab.name("pb"), "198.51.100.1/24");
        NetworkNamespace.callIn(router, () -> {
            front = NetworkInterfaces.index(lab.name("f"));
            back = NetworkInterfaces.index(lab.name("b"));
            return null;
        });
    }

    @AfterAll
    static void removeNamespace() {
        if (lab != null) {
            lab.close();
        }
    }

    /** One forwarder with a fast path over a freshly loaded program, its maps written as the data plane writes them. */
    private record Rig(XdpObject program, FastPath fastPath, MemoryPacketPort frontPort, MemoryPacketPort backPort,
                       Forwarder forwarder, NeighbourTable neighbours, VipOwnership ownership, XdpTestRun run)
            implements AutoCloseable {

        static Rig start() {
            return start(true);
        }

        /** With {@code resolved} false, the server's MAC is not known yet. */
        static Rig start(boolean resolved) {
            XdpObject program = XdpObject.load(new XdpObject.Capacity(64, 4, 4, 4, 4));
            ServiceMap services = ServiceMap.of(List.of(
                    new ServiceConfig("http", VIP, ServiceConfig.Protocol.TCP, List.of(new ServiceConfig.PortRange(80, 80)),
                            ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(new ServiceConfig.ServerConfig(SERVER, 1))),
                    new ServiceConfig("dns", VIP, ServiceConfig.Protocol.UDP, List.of(new ServiceConfig.PortRange(53, 53)),
                            ServiceConfig.SchedulerKind.WRR, Duration.ZERO, List.of(new ServiceConfig.ServerConfig(SERVER, 1)))));
            NeighbourTable neighbours = new NeighbourTable(services.neighbourAddresses(), new int[1], 30_000, 1_000, 90_000);
            if (resolved) {
                neighbours.learn(SERVER, SERVER_MAC, 0);
            }
            VipOwnership ownership = new VipOwnership(services.distinctVips(), true);
            FastPath fastPath = new FastPath(program, 0, 1, new FastPath.Egress(new int[]{back}, new long[]{BACK_MAC}, new int[]{1514}), System::nanoTime);
            MemoryPacketPort frontPort = new MemoryPacketPort("front", ROUTER_MAC);
            MemoryPacketPort backPort = new MemoryPacketPort("back", BACK_MAC);
            try (FastPathMaps maps = new FastPathMaps(program)) {
                maps.putPort(front, ROUTER_MAC);
                maps.putEgress(back);
            }
            Forwarder forwarder = new ForwarderBuilder().services(services).neighbours(neighbours).ownership(ownership)
                    .port(frontPort, true, false, Ipv4.parse("203.0.113.1"))
                    .port(backPort, false, true, Ipv4.parse("198.51.100.2")).capacity(64)
                    .timeouts(new ConnectionTimeouts(30_000, ESTABLISHED_TIMEOUT_MS, 10_000, 10_000, ESTABLISHED_TIMEOUT_MS))
                    .fastPath(fastPath).build();
            return new Rig(program, fastPath, frontPort, backPort, forwarder, neighbours, ownership, new XdpTestRun(program, front));
        }

        /** A frame through the forwarder at {@code nowMs}, then a duty cycle's map work. */
        void slowPath(byte[] frame, long nowMs) {
            frontPort.inject(frame);
            forwarder.doWork(nowMs);
            backPort.drainTransmitted();
        }

        long slot(int protocol, int clientPort, int vipPort) {
            return forwarder.table().find(protocol, CLIENT, clientPort, VIP, vipPort);
        }

        boolean inMap(int protocol, int clientPort, int vipPort) {
            return fastPath.maps().lastSeenNs(protocol, CLIENT, clientPort, VIP, vipPort) >= 0;
        }

        /** Duty cycles at {@code nowMs} until a whole last-seen pass has run. */
        void pass(long nowMs) {
            for (int i = 0; i < 4; i++) {
                forwarder.doWork(nowMs + i * FastPath.PULL_INTERVAL_MS);
            }
        }

        @Override
        public void close() {
            run.close();
            forwarder.close();
            fastPath.close();
            frontPort.close();
            backPort.close();
            program.close();
        }
    }

    private static <T> T inRouter(Callable<T> task) throws Exception {
        return NetworkNamespace.callIn(router, task);
    }

    private static byte[] tcp(int clientPort, int flags) {
        return TestFrames.tcp(ROUTER_MAC, CLIENT_MAC, CLIENT, clientPort, VIP, 80, flags, new byte[]{'x'});
    }

    @Test
    void aConnectionEntersTheMapWhenEstablishedIsForwardedByTheProgramAndLeavesOnItsFin() throws Exception {
        inRouter(() -> {
            try (Rig rig = Rig.start()) {
                rig.slowPath(tcp(41000, TCP_SYN), 1_000);
                rig.slowPath(tcp(41000, TCP_ACK), 1_010);
                assertEquals(TcpState.UNCONFIRMED, rig.forwarder().table().state(rig.slot(6, 41000, 80)));
                assertTrue(!rig.inMap(6, 41000, 80), "not in the map before it is ESTABLISHED");
                assertEquals(XdpTestRun.XDP_PASS, rig.run().run(tcp(41000, TCP_ACK | TCP_PSH)).verdict());

                rig.slowPath(tcp(41000, TCP_ACK | TCP_PSH), 2_100); // a second after the ACK: ESTABLISHED
                assertEquals(TcpState.ESTABLISHED, rig.forwarder().table().state(rig.slot(6, 41000, 80)));
                assertTrue(rig.inMap(6, 41000, 80), "in the map once ESTABLISHED");
                byte[] data = tcp(41000, TCP_ACK | TCP_PSH);
                XdpTestRun.Result result = rig.run().run(data);
                assertEquals(XdpTestRun.XDP_REDIRECT, result.verdict());
                assertArrayEquals(XdpProgramTest.rewritten(data, SERVER_MAC, BACK_MAC), result.frame());

                rig.slowPath(tcp(41000, TCP_FIN | TCP_ACK), 3_000);
                assertEquals(TcpState.CLOSING, rig.forwarder().table().state(rig.slot(6, 41000, 80)));
                assertTrue(!rig.inMap(6, 41000, 80), "out of the map on the client's FIN");
                assertEquals(1, rig.fastPath().inserted());
                assertEquals(1, rig.fastPath().removed());
            }
            return null;
        });
    }

    @Test
    void theProgramsLastSeenKeepsTheTableEntryAliveAndItsAbsenceLetsItExpireFromBoth() throws Exception {
        inRouter(() -> {
            try (Rig rig = Rig.start()) {
                rig.slowPath(tcp(41001, TCP_SYN), 1_000);
                rig.slowPath(tcp(41001, TCP_ACK), 1_010);
                rig.slowPath(tcp(41001, TCP_ACK), 2_100);
                assertTrue(rig.inMap(6, 41001, 80));
                // Fifty seconds on, the program forwards a frame; the forwarder sees nothing of it.
                long later = 52_000;
                assertEquals(XdpTestRun.XDP_REDIRECT, rig.run().run(tcp(41001, TCP_ACK)).verdict());
                rig.pass(later);
                long lastSeen = rig.forwarder().table().lastSeenMs(rig.slot(6, 41001, 80));
                assertTrue(lastSeen >= later - 1_000, "the table took the program's time: " + lastSeen);
                assertTrue(rig.fastPath().refreshed() >= 1);
                // Past the timeout from the old time, not from the program's: alive.
                rig.pass(2_100 + ESTABLISHED_TIMEOUT_MS + 5_000);
                assertTrue(rig.slot(6, 41001, 80) >= 0 && rig.inMap(6, 41001, 80), "kept alive by the program's traffic");
                // Idle in both past the timeout from the program's last frame: gone from the table and from the map.
                long expiry = lastSeen + ESTABLISHED_TIMEOUT_MS + 60_000;
                for (int i = 0; i < 200 && rig.slot(6, 41001, 80) >= 0; i++) {
                    rig.forwarder().doWork(expiry + i);
                }
                rig.forwarder().doWork(expiry + 500);
                assertTrue(rig.forwarder().table().find(6, CLIENT, 41001, VIP, 80, expiry) < 0, "expired from the table");
                assertTrue(!rig.inMap(6, 41001, 80), "and from the map");
            }
            return null;
        });
    }

    @Test
    void aUdpFlowEntersAtOnceAndAStrayFlowInTheMapIsRemovedByTheNextPass() throws Exception {
        inRouter(() -> {
            try (Rig rig = Rig.start()) {
                rig.slowPath(TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 41002, VIP, 53, new byte[12]), 1_000);
                assertTrue(rig.inMap(17, 41002, 53), "a UDP flow is in the map from its first datagram");
                rig.fastPath().maps().insertFlow(6, CLIENT, 41003, VIP, 80, 0, 0, System.nanoTime());
                rig.pass(5_000);
                assertTrue(!rig.inMap(6, 41003, 80), "a flow the table does not hold is taken out");
                assertEquals(1, rig.fastPath().staleRemoved());
                assertTrue(rig.inMap(17, 41002, 53), "the table's own flows stay");
            }
            return null;
        });
    }

    @Test
    void worker0KeepsTheVipFlagAndTheServersMacCurrent() throws Exception {
        inRouter(() -> {
            try (Rig rig = Rig.start()) {
                byte[] datagram = TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 41004, VIP, 53, new byte[12]);
                rig.slowPath(datagram, 1_000);
                XdpTestRun.Result before = rig.run().run(datagram);
                assertEquals(XdpTestRun.XDP_REDIRECT, before.verdict());
                assertArrayEquals(XdpProgramTest.rewritten(datagram, SERVER_MAC, BACK_MAC), before.frame());

                // The server moves to a new MAC: announced, probed, answered, confirmed a retry interval later
                // (NeighbourTable); the program follows within the cycle that confirms it.
                assertEquals(NeighbourTable.HELD, rig.neighbours().learn(SERVER, NEW_SERVER_MAC, 2_000));
                rig.forwarder().doWork(2_000); // the probe goes out
                rig.neighbours().learn(SERVER, NEW_SERVER_MAC, 2_010);
                rig.forwarder().doWork(3_100);
                assertEquals(NEW_SERVER_MAC, rig.neighbours().mac(0), "the neighbour table took the new MAC");
                XdpTestRun.Result after = rig.run().run(datagram);
                assertEquals(XdpTestRun.XDP_REDIRECT, after.verdict());
                assertArrayEquals(XdpProgramTest.rewritten(datagram, NEW_SERVER_MAC, BACK_MAC), after.frame());

                rig.ownership().forwardByIndex(0, false);
                rig.forwarder().doWork(3_101);
                assertEquals(XdpTestRun.XDP_PASS, rig.run().run(datagram).verdict(), "a VIP this router stopped forwarding");
                rig.ownership().forwardByIndex(0, true);
                rig.forwarder().doWork(3_102);
                assertEquals(XdpTestRun.XDP_REDIRECT, rig.run().run(datagram).verdict());
            }
            return null;
        });
    }

    @Test
    void withinOneDutyCycleTheLastChangeOfAFlowIsWhatTheMapGets() throws Exception {
        inRouter(() -> {
            try (Rig rig = Rig.start()) {
                FastPath fastPath = rig.fastPath();
                rig.forwarder().doWork(1_000); // the first last-seen pass runs now, over an empty map
                fastPath.onInsert(17, CLIENT, 41010, VIP, 53, 0, 1, TcpState.UDP, 1_000);
                fastPath.ended(17, CLIENT, 41010, VIP, 53);
                fastPath.ended(17, CLIENT, 41011, VIP, 53);
                fastPath.onInsert(17, CLIENT, 41011, VIP, 53, 0, 1, TcpState.UDP, 1_000);
                fastPath.onInsert(17, CLIENT, 41012, VIP, 53, 0, 1, TcpState.UDP, 1_000);
                fastPath.ended(17, CLIENT, 41012, VIP, 53);
                fastPath.onInsert(17, CLIENT, 41012, VIP, 53, 0, 1, TcpState.UDP, 1_000);
                rig.forwarder().doWork(1_001);
                assertTrue(!rig.inMap(17, 41010, 53), "in, then out: out");
                assertTrue(rig.inMap(17, 41011, 53), "out, then in (a flow expired and opened again): in");
                assertTrue(rig.inMap(17, 41012, 53), "in, out, in: in");
                assertEquals(2, fastPath.inserted(), "one write per flow, not one per change");
            }
            return null;
        });
    }

    /** Rounds of the allocation test: the last 200 are measured, after the JIT has compiled the path. */
    private static final int ROUNDS = 3_000;

    @Test
    void theFastPathAllocatesNothingPerFrameNorPerDutyCycle() throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        inRouter(() -> {
            try (Rig rig = Rig.start(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                rig.backPort().countTransmittedOnly();
                int flows = 32;
                java.lang.foreign.MemorySegment[] frames = new java.lang.foreign.MemorySegment[flows];
                for (int f = 0; f < flows; f++) {
                    frames[f] = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                            TestFrames.udp(ROUTER_MAC, CLIENT_MAC, CLIENT, 42000 + f, VIP, 53, new byte[18]));
                }
                // Each round: a frame of every flow (the first round opens them: inserts staged from the table's
                // change stream; later ones, more than the hold-off apart, put each in again: the re-insert path),
                // then a duty cycle that writes them (one batch) and runs a slice of the last-seen pass.
                long nowMs = 1_000;
                long leastFrames = Long.MAX_VALUE;
                long leastCycle = Long.MAX_VALUE;
                for (int round = 0; round < ROUNDS; round++) {
                    long allocated = 0;
                    for (int f = 0; f < flows; f++) {
                        long mark = bean.getCurrentThreadAllocatedBytes();
                        rig.forwarder().onFrame(rig.frontPort(), frames[f], 0, (int) frames[f].byteSize(), -1, 0, 0);
                        allocated += bean.getCurrentThreadAllocatedBytes() - mark;
                    }
                    long mark = bean.getCurrentThreadAllocatedBytes();
                    rig.forwarder().doWork(nowMs);
                    long cycle = bean.getCurrentThreadAllocatedBytes() - mark;
                    nowMs += FastPath.REINSERT_HOLDOFF_MS + 100;
                    if (round >= ROUNDS - 200) {
                        leastFrames = Math.min(leastFrames, allocated);
                        leastCycle = Math.min(leastCycle, cycle);
                    }
                }
                assertEquals(flows, (int) rig.fastPath().flowsInMap(), "every flow in the map, counted by the last pass");
                assertTrue(rig.fastPath().reinserted() >= 30L * flows, "the re-insert path ran: " + rig.fastPath().reinserted());
                assertEquals(0, leastFrames, "bytes allocated by " + flows + " frames, once warmed up (least of 200 rounds)");
                assertEquals(0, leastCycle, "bytes allocated by a duty cycle writing them, once warmed up (least of 200 rounds)");
            }
            return null;
        });
    }
}
