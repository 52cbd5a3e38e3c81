package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;

import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.NetworkOrder;
import dev.baton.codec.TcpFlyweight;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.SockaddrLl;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.NetworkNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.baton.probe.ProbeEngineLabTest.BLACKHOLE;
import static dev.baton.probe.ProbeEngineLabTest.CLOSED_PORT;
import static dev.baton.probe.ProbeEngineLabTest.HOST;
import static dev.baton.probe.ProbeEngineLabTest.OPEN_PORT;
import static dev.baton.probe.ProbeEngineLabTest.ROUTER;
import static dev.baton.probe.ProbeEngineLabTest.UNROUTABLE;
import static dev.baton.probe.ProbeEngineLabTest.ip;
import static dev.baton.probe.ProbeEngineLabTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TCP and ICMP probes through an interface's rings ({@link RingProbes}), in a namespace pair of its own as in
 * {@link ProbeEngineLabTest}: {@code a} (the router, 198.51.100.1 on {@code va}) and {@code b} (the host,
 * 198.51.100.2 on {@code vb}); nothing holds 198.51.100.77. The engine is given {@code va} as a link, so on-link
 * targets go through its rings, with the router's host guard rules installed; a target off the link, or probed from
 * an address the engine was not given, still goes through a kernel socket. A stepped clock; real
 * time passes only while the host must answer (bounded). Namespaces are removed even when a test fails.
 */
@Tag("lab")
class RingProbesLabTest {

    static final String SOCKET_ROUTER = "192.0.2.1";
    static final String SOCKET_HOST = "192.0.2.2";

    @BeforeEach
    void requireLab() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    @Test
    void tcpAndEchoThroughTheRingsSeeTheHostGoAndComeBackAndLeaveNothingHalfOpen() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pr", "a", "b")) {
            String a = lab.name("a");
            String b = lab.name("b");
            lab.vethPair(a, lab.name("va"), ROUTER + "/24", b, lab.name("vb"), HOST + "/24");
            // A second subnet on the same link, not given to the engine: its probes go through kernel sockets.
            NamespaceLab.run("ip", "-n", a, "addr", "add", SOCKET_ROUTER + "/24", "dev", lab.name("va"));
            NamespaceLab.run("ip", "-n", b, "addr", "add", SOCKET_HOST + "/24", "dev", lab.name("vb"));
            long routerMac = NetworkNamespace.callIn(a, () -> NetworkInterfaces.macAddress(lab.name("va")));
            // The rules the router's host guard installs: the answers reach the rings, never the router's kernel.
            StringBuilder rules = new StringBuilder("add table netdev probes\nadd chain netdev probes in { type filter"
                    + " hook ingress device " + lab.name("va") + " priority -500; policy accept; }\n");
            for (String answers : ProbeEngine.ringAnswerIngressRules()) {
                rules.append("add rule netdev probes in ").append(answers).append(" counter drop\n");
            }
            nft(a, rules.toString());
            try (ServerSocket listener = ProbeEngineLabTest.listenOnHost(b)) {
                NetworkNamespace.callIn(a, () -> {
                    run(lab, routerMac, listener);
                    return null;
                });
            }
        }
    }

    private static void run(NamespaceLab lab, long routerMac, ServerSocket listener) throws Exception {
        String b = lab.name("b");
        String vb = lab.name("vb");
        InetAddress router = ip(ROUTER);
        ProbeEngine engine = new ProbeEngine("probes", 16);
        try {
            engine.addLink(lab.name("va"), router, 24);
            int echo = engine.add(spec("echo", new ProbeTarget.IcmpEcho(ip(HOST), router)), 0);
            int open = engine.add(spec("open", new ProbeTarget.Tcp(ip(HOST), OPEN_PORT, router)), 0);
            int closed = engine.add(spec("closed", new ProbeTarget.Tcp(ip(HOST), CLOSED_PORT, router)), 0);
            int tcpHole = engine.add(spec("tcp hole", new ProbeTarget.Tcp(ip(BLACKHOLE), 80, router)), 0);
            int echoHole = engine.add(spec("echo hole", new ProbeTarget.IcmpEcho(ip(BLACKHOLE), router)), 0);
            // Off the link: through a kernel socket, whose routing finds no way.
            int offLink = engine.add(spec("off link", new ProbeTarget.Tcp(ip(UNROUTABLE), 80, router)), 0);
            // From an address the engine was not given: a raw ICMP socket, whose answers the guard's rules let pass.
            int socketEcho = engine.add(spec("socket echo", new ProbeTarget.IcmpEcho(ip(SOCKET_HOST), ip(SOCKET_ROUTER))), 0);
            EngineStepper step = new EngineStepper(engine, 0);
            step.silent.addAll(Set.of(tcpHole, echoHole));

            step.at(0);
            step.runTo(2_000, 50);
            assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
            assertEquals("echo reply", engine.cause(echo));
            assertEquals(Health.UP, engine.health(open), engine.cause(open));
            assertEquals("connected", engine.cause(open));
            assertEquals(Health.DOWN, engine.health(closed), engine.cause(closed));
            assertEquals("connection refused", engine.cause(closed));
            String noArp = "timed out after 500 ms: no ARP reply from " + BLACKHOLE + " on " + lab.name("va");
            assertEquals(Health.DOWN, engine.health(tcpHole), engine.cause(tcpHole));
            assertEquals(noArp, engine.cause(tcpHole));
            assertEquals(Health.DOWN, engine.health(echoHole), engine.cause(echoHole));
            assertEquals(noArp, engine.cause(echoHole));
            assertEquals(Health.DOWN, engine.health(offLink), engine.cause(offLink));
            assertEquals("cannot connect: ENETUNREACH (Network is unreachable)", engine.cause(offLink));
            assertEquals(Health.UP, engine.health(socketEcho), engine.cause(socketEcho));
            assertEquals("echo reply", engine.cause(socketEcho));
            assertEquals(0, engine.ringFull());

            // The router's kernel saw none of the answers (it would have reset the SYN-ACKs itself): the rules
            // dropped them after the rings had them.
            String listing = nft(lab.name("a"), "list table netdev probes\n");
            List<Long> dropped = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(listing).results()
                    .map(m -> Long.parseLong(m.group(1))).toList();
            assertEquals(2, dropped.size(), listing);
            assertTrue(dropped.get(0) > 0 && dropped.get(1) > 0, "answers dropped by the guard's rules: " + listing);

            // Every SYN-ACK was reset by the probe: the host holds no half-open connection and has none to accept.
            String halfOpen = NamespaceLab.run("ip", "netns", "exec", b, "ss", "-Htn", "state", "syn-recv");
            assertEquals("", halfOpen.strip(), "half-open connections on the host");
            listener.setSoTimeout(1);
            assertThrows(SocketTimeoutException.class, listener::accept, "a probe completed a handshake");

            // Forged answers from the host (a SYN-ACK acknowledging no probe's SYN, an echo reply naming no probe, a
            // truncated datagram, a TCP segment with a wrong checksum) are counted and change nothing.
            long ignoredBefore = engine.ringIgnored();
            int identifier = engine.icmpIdentifier();
            NetworkNamespace.callIn(b, () -> {
                long hostMac = NetworkInterfaces.macAddress(vb);
                sendFrames(vb, forgedAnswers(hostMac, routerMac, identifier));
                return null;
            });
            step.spinFor(100);
            assertTrue(engine.ringIgnored() >= ignoredBefore + 4, "forged frames counted: "
                    + (engine.ringIgnored() - ignoredBefore));
            step.runTo(3_000, 50);
            assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
            assertEquals(Health.UP, engine.health(open), engine.cause(open));
            assertEquals(Health.DOWN, engine.health(closed), engine.cause(closed));

            // The host loses its address: unanswered, both fall after two probes.
            step.silent.addAll(Set.of(echo, open, closed));
            NamespaceLab.run("ip", "-n", b, "addr", "del", HOST + "/24", "dev", vb);
            step.runTo(6_000, 50);
            assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
            assertEquals(Health.DOWN, engine.health(open), engine.cause(open));

            // It comes back: up after two answers in a row (its MAC asked again after the failures).
            NamespaceLab.run("ip", "-n", b, "addr", "add", HOST + "/24", "dev", vb);
            step.silent.removeAll(Set.of(echo, open));
            step.realWaitLimitMs = 300;
            step.runTo(9_000, 50);
            assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
            assertEquals(Health.UP, engine.health(open), engine.cause(open));

            // Its link goes down: down again.
            step.silent.addAll(Set.of(echo, open));
            lab.setLinkUp(b, vb, false);
            step.runTo(12_000, 50);
            assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
            assertEquals(Health.DOWN, engine.health(open), engine.cause(open));
            System.out.println("changes: " + step.changes);
            System.out.println("ring frames ignored " + engine.ringIgnored() + ", ring full " + engine.ringFull());
        } finally {
            engine.onClose();
        }
    }

    @Test
    void aLinkWhoseInterfaceIsMissingOrGoesAwayFailsEachProbeWithWhyAndIsOpenedWhenTheInterfaceComes() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pr", "a", "b")) {
            String a = lab.name("a");
            NetworkNamespace.callIn(a, () -> {
                InetAddress router = ip(ROUTER);
                ProbeEngine engine = new ProbeEngine("probes", 4);
                try {
                    engine.addLink(lab.name("va"), router, 24);
                    int echo = engine.add(spec("echo", new ProbeTarget.IcmpEcho(ip(HOST), router)), 0);
                    EngineStepper step = new EngineStepper(engine, 0);
                    step.runTo(2_000, 50);
                    assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
                    assertTrue(engine.cause(echo).startsWith("cannot open the probe rings on " + lab.name("va") + ": "),
                            engine.cause(echo));

                    lab.vethPair(a, lab.name("va"), ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
                    step.runTo(5_000, 50);
                    assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
                    assertEquals("echo reply", engine.cause(echo));

                    // The interface goes away (the rings' socket is bound to its index) and comes back under the same
                    // name with a new index: the probes fail meanwhile, and the link is bound anew.
                    NamespaceLab.run("ip", "-n", a, "link", "del", lab.name("va"));
                    step.silent.add(echo);
                    step.runTo(8_000, 50);
                    assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
                    System.out.println("interface gone: " + engine.cause(echo));
                    lab.vethPair(a, lab.name("va"), ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
                    step.silent.remove(echo);
                    step.realWaitLimitMs = 300;
                    step.runTo(12_000, 50);
                    assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
                } finally {
                    engine.onClose();
                }
                return null;
            });
        }
    }

    @Test
    void ringProbesAllocateNothingOnceWarm() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pr", "a", "b")) {
            String a = lab.name("a");
            lab.vethPair(a, lab.name("va"), ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
            try (ServerSocket listener = ProbeEngineLabTest.listenOnHost(lab.name("b"))) {
                long[] bytes = NetworkNamespace.callIn(a, () -> ProbeEngineLabTest.leastBytesPerProbeOfEach(lab.name("va"), 24,
                        List.of(new ProbeTarget.IcmpEcho(ip(HOST), ip(ROUTER)), new ProbeTarget.Tcp(ip(HOST), OPEN_PORT, ip(ROUTER)))));
                System.out.println("bytes per probe through the rings: ICMP echo " + bytes[0] + ", TCP " + bytes[1]);
                assertEquals(0, bytes[0], "bytes allocated per ICMP echo probe");
                assertEquals(0, bytes[1], "bytes allocated per TCP probe");
            }
        }
    }

    /**
     * Frames a hostile host might send the router: a SYN-ACK to a probe port acknowledging a sequence number no
     * probe sent, an echo reply with the engine's identifier and no probe's payload, an echo reply whose IPv4
     * header claims more bytes than came, and a SYN-ACK with a wrong checksum.
     */
    static List<byte[]> forgedAnswers(long hostMac, long routerMac, int identifier) {
        int host = Ipv4.parse(HOST);
        int router = Ipv4.parse(ROUTER);
        byte[] synAck = frame(hostMac, routerMac, 40);
        MemorySegment s = MemorySegment.ofArray(synAck);
        ipv4(s, Ipv4Flyweight.PROTOCOL_TCP, 40, host, router);
        TcpFlyweight tcp = new TcpFlyweight().wrap(s, 34, 20).sourcePort(OPEN_PORT)
                .destinationPort(RingProbes.FIRST_PROBE_PORT).sequenceNumber(7).acknowledgmentNumber(12_345)
                .dataOffset(20).flags(TcpFlyweight.SYN | TcpFlyweight.ACK).window(1_000);
        tcp.checksum(tcp.computeChecksum(host, router, 20));
        byte[] badChecksum = synAck.clone();
        badChecksum[34 + 17] ^= 0x55;

        byte[] echo = frame(hostMac, routerMac, 20 + EchoMessage.BYTES);
        MemorySegment e = MemorySegment.ofArray(echo);
        ipv4(e, Ipv4Flyweight.PROTOCOL_ICMP, 20 + EchoMessage.BYTES, host, router);
        IcmpFlyweight icmp = new IcmpFlyweight().wrap(e, 34, EchoMessage.BYTES).type(IcmpFlyweight.TYPE_ECHO_REPLY)
                .code(0).identifier(identifier).sequenceNumber(9);
        e.set(NetworkOrder.INT, 42, EchoMessage.MAGIC_RING);
        e.set(NetworkOrder.INT, 46, 0);
        e.set(NetworkOrder.INT, 50, 999);
        icmp.checksum(icmp.computeChecksum(EchoMessage.BYTES));
        byte[] truncated = echo.clone();
        MemorySegment t = MemorySegment.ofArray(truncated);
        new Ipv4Flyweight().wrap(t, 14, 20).totalLength(200).headerChecksum(0).writeHeaderChecksum();
        return List.of(synAck, echo, truncated, badChecksum);
    }

    private static byte[] frame(long source, long destination, int ipBytes) {
        byte[] frame = new byte[Math.max(60, 14 + ipBytes)];
        new EthernetFlyweight().wrap(MemorySegment.ofArray(frame), 0, 14).destinationMac(destination).sourceMac(source)
                .outerEtherType(EthernetFlyweight.ETHER_TYPE_IPV4);
        return frame;
    }

    private static void ipv4(MemorySegment frame, int protocol, int totalLength, int source, int destination) {
        new Ipv4Flyweight().wrap(frame, 14, totalLength).version(4).headerLength(20).totalLength(totalLength).ttl(64)
                .protocol(protocol).sourceAddress(source).destinationAddress(destination).writeHeaderChecksum();
    }

    /** Runs an nft script in {@code namespace}; returns its output. */
    static String nft(String namespace, String script) throws Exception {
        Process nft = new ProcessBuilder("ip", "netns", "exec", namespace, "nft", "-f", "-").redirectErrorStream(true).start();
        try (var in = nft.getOutputStream()) {
            in.write(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String output = new String(nft.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(nft.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "nft did not finish");
        assertEquals(0, nft.exitValue(), "nft: " + output);
        return output;
    }

    /** Sends each frame, Ethernet header included, on {@code interfaceName} through a raw packet socket. */
    static void sendFrames(String interfaceName, List<byte[]> frames) {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            int fd = libc.orThrow(libc.socket(KernelConstants.AF_PACKET,
                    KernelConstants.SOCK_RAW | KernelConstants.SOCK_CLOEXEC, 0), "socket(AF_PACKET)");
            try {
                MemorySegment address = arena.allocate(SockaddrLl.LAYOUT);
                address.set(ValueLayout.JAVA_SHORT, SockaddrLl.FAMILY_OFFSET, (short) KernelConstants.AF_PACKET);
                address.set(ValueLayout.JAVA_INT, SockaddrLl.IFINDEX_OFFSET, NetworkInterfaces.index(interfaceName));
                address.set(ValueLayout.JAVA_BYTE, SockaddrLl.HALEN_OFFSET, (byte) 6);
                for (byte[] frame : frames) {
                    MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, frame);
                    long sent = libc.sendto(fd, buffer, frame.length, 0, address, SockaddrLl.SIZE);
                    assertEquals(frame.length, sent, "sendto: errno " + libc.errno());
                }
            } finally {
                libc.close(fd);
            }
        }
    }
}
