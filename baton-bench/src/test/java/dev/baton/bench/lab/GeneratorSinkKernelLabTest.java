package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Segment;
import dev.baton.lab.ServerHost;
import dev.baton.lab.UpstreamHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's instruments in a real lab: trafgen's frames are counted exactly by the sinks, only on the
 * server they are addressed to, and kernel forwarding is switched on and off again completely.
 */
@Tag("lab")
class GeneratorSinkKernelLabTest {

    private static final String VIP = "192.0.2.10";
    private static final int PORT = 9000;
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static Lab lab;
    private static UdpSinks sinks;

    @BeforeAll
    static void buildLab() {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "needs root and iproute2: " + Lab.unsupportedReason());
        for (String tool : new String[]{"trafgen", "nft", "taskset", "timeout"}) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/usr/bin", tool)),
                    tool + " is not installed (apt-get install -y netsniff-ng nftables util-linux coreutils)");
        }
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "RPS to CPU 1 needs two CPUs");
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
        sinks = UdpSinks.install(lab.servers(), VIP, PORT, lab.workDirectory());
    }

    @AfterAll
    static void removeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Sends exactly {@code count} frames from the upstream's interface on {@code segment} to {@code mac}. */
    private static void send(Segment segment, String mac, int count, String name) {
        UpstreamHost upstream = lab.upstream();
        String itf = upstream.interfaceOn(segment).orElseThrow().name();
        String config = UdpGenerator.packetConfig(upstream.interfaceOn(segment).orElseThrow().mac(), mac,
                lab.client(0).address(), VIP, 20000, 16, PORT);
        Path file = UdpGenerator.writeConfig(lab.workDirectory().resolve(name + ".trafgen"), config);
        LabProcess trafgen = UdpGenerator.start(upstream, itf, file, count, Duration.ofSeconds(20), 0,
                lab.workDirectory().resolve(name + ".log"));
        assertEquals(0, trafgen.waitFor(Duration.ofSeconds(25)).orElse(-1), trafgen.output());
    }

    /** Polls the sinks until they hold {@code expected} (frames may still be in flight), bounded. */
    private static long[] awaitCounts(long[] expected) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long[] counts = sinks.perServer();
        while (!java.util.Arrays.equals(counts, expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            counts = sinks.perServer();
        }
        return counts;
    }

    @Test
    void sinksCountExactlyTheFramesAddressedToTheirServerAndKernelForwardingIsUndoneOnClose() throws Exception {
        ServerHost s0 = lab.server(0);
        RouterHost router = lab.router(0);
        long[] start = sinks.perServer();

        // 1. Straight onto the back segment, to s0's MAC: s0 counts every frame, s1 (flooded or not) none.
        send(Segment.BACK, s0.mac(), 500, "direct");
        assertArrayEquals(new long[]{start[0] + 500, start[1]}, awaitCounts(new long[]{start[0] + 500, start[1]}));

        // 2. Through the router with kernel forwarding on: the route sends every frame to s0.
        KernelForwarding forwarding = KernelForwarding.enable(router, lab.upstream(), VIP, s0.address(), 1);
        try {
            assertEquals("1", KernelForwarding.run(router, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip());
            assertEquals("2", KernelForwarding.run(router, "cat", "/sys/class/net/" + router.clientInterface()
                    + "/queues/rx-0/rps_cpus").stdout().strip());
            // Resolve s0 first: frames that wait for ARP beyond the neighbour queue would be lost.
            KernelForwarding.run(router, "ping", "-c", "1", "-W", "2", s0.address());
            send(Segment.FRONT, router.clientMac(), 1000, "kernel");
            assertArrayEquals(new long[]{start[0] + 1500, start[1]}, awaitCounts(new long[]{start[0] + 1500, start[1]}));
            assertTrue(KernelForwarding.run(lab.upstream(), "ip", "neigh", "show", VIP).stdout().contains("PERMANENT"));
        } finally {
            forwarding.close();
        }

        // 3. Undone: no forwarding, no route, no RPS, no pinned neighbour; frames to the router go nowhere.
        assertEquals("0", KernelForwarding.run(router, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip());
        assertEquals("", KernelForwarding.run(router, "ip", "route", "show", VIP + "/32").stdout().strip());
        assertEquals("0", KernelForwarding.run(router, "cat", "/sys/class/net/" + router.clientInterface()
                + "/queues/rx-0/rps_cpus").stdout().strip());
        assertEquals("", KernelForwarding.run(lab.upstream(), "ip", "neigh", "show", VIP).stdout().strip());
        send(Segment.FRONT, router.clientMac(), 200, "off");
        Thread.sleep(200);
        assertArrayEquals(new long[]{start[0] + 1500, start[1]}, sinks.perServer());
    }
}
