package dev.baton.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;

import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.NetworkNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine in a namespace pair of its own: {@code <prefix>a} (the router, 198.51.100.1 on {@code <prefix>va})
 * and {@code <prefix>b} (the probed host, 198.51.100.2 on {@code <prefix>vb}), joined by a veth pair. Nothing
 * holds 198.51.100.77: probes to it go unanswered. The engine runs on a thread inside {@code a} with a stepped
 * clock; real time passes only while a socket must answer (bounded). Namespaces are removed even when a test fails.
 */
@Tag("lab")
class ProbeEngineLabTest {

    static final String ROUTER = "198.51.100.1";
    static final String HOST = "198.51.100.2";
    static final String BLACKHOLE = "198.51.100.77";
    /** No route leads there from the router's namespace (it has only its veth's subnet). */
    static final String UNROUTABLE = "203.0.113.9";
    static final int OPEN_PORT = 8_080;
    static final int CLOSED_PORT = 8_081;

    @BeforeEach
    void requireLab() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    /** A TCP listener on the host's {@link #OPEN_PORT} in namespace {@code b}, which never accepts. */
    static ServerSocket listenOnHost(String b) throws Exception {
        return NetworkNamespace.callIn(b, () -> {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(ip(HOST), OPEN_PORT), 50);
            return socket;
        });
    }

    static ProbeSpec spec(String name, ProbeTarget target) {
        return new ProbeSpec(name, target, 1_000, 500, 2, 2);
    }

    @Test
    void echoArpAndTcpProbesSeeTheHostGoAndComeBackAndTheBlackholeTimesOut() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pb", "a", "b")) {
            String a = lab.name("a");
            String b = lab.name("b");
            String va = lab.name("va");
            String vb = lab.name("vb");
            lab.vethPair(a, va, ROUTER + "/24", b, vb, HOST + "/24");
            long hostMac = NetworkNamespace.callIn(b, () -> NetworkInterfaces.macAddress(vb));
            try (ServerSocket listener = listenOnHost(b)) {
                NetworkNamespace.callIn(a, () -> {
                    run(lab, b, vb, hostMac);
                    return null;
                });
            }
        }
    }

    private static void run(NamespaceLab lab, String b, String vb, long hostMac) throws Exception {
        InetAddress router = ip(ROUTER);
        ProbeEngine engine = new ProbeEngine("probes", 16);
        try {
            int echo = engine.add(spec("echo", new ProbeTarget.IcmpEcho(ip(HOST), router)), 0);
            int arp = engine.add(spec("arp", new ProbeTarget.Arp(ip(HOST), lab.name("va"), router)), 0);
            int open = engine.add(spec("open", new ProbeTarget.Tcp(ip(HOST), OPEN_PORT, router)), 0);
            int closed = engine.add(spec("closed", new ProbeTarget.Tcp(ip(HOST), CLOSED_PORT, router)), 0);
            int tcpHole = engine.add(spec("tcp hole", new ProbeTarget.Tcp(ip(BLACKHOLE), 80, router)), 0);
            int echoHole = engine.add(spec("echo hole", new ProbeTarget.IcmpEcho(ip(BLACKHOLE), router)), 0);
            int arpHole = engine.add(spec("arp hole", new ProbeTarget.Arp(ip(BLACKHOLE), lab.name("va"), router)), 0);
            // Failures the kernel reports at once, not through the handshake: no route, a source not this host's.
            int unroutable = engine.add(spec("unroutable", new ProbeTarget.Tcp(ip(UNROUTABLE), 80, router)), 0);
            int foreignSource = engine.add(spec("foreign source", new ProbeTarget.Tcp(ip(HOST), OPEN_PORT, ip(BLACKHOLE))), 0);
            EngineStepper step = new EngineStepper(engine, 0);
            step.silent.addAll(Set.of(tcpHole, echoHole, arpHole));

            step.at(0);
            step.runTo(2_000, 50);
            String macText = NetworkInterfaces.formatMac(hostMac);
            assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
            assertEquals("echo reply", engine.cause(echo));
            assertEquals(Health.UP, engine.health(arp), engine.cause(arp));
            assertEquals("ARP reply from " + macText, engine.cause(arp));
            assertEquals(Health.UP, engine.health(open), engine.cause(open));
            assertEquals("connected", engine.cause(open));
            assertEquals(Health.DOWN, engine.health(closed));
            assertEquals("connection refused", engine.cause(closed));
            assertEquals(Health.DOWN, engine.health(unroutable));
            assertEquals("cannot connect: ENETUNREACH (Network is unreachable)", engine.cause(unroutable));
            assertEquals(Health.DOWN, engine.health(foreignSource));
            assertEquals("cannot bind to the source address: EADDRNOTAVAIL (Cannot assign requested address)",
                    engine.cause(foreignSource));
            for (int hole : List.of(tcpHole, echoHole, arpHole)) {
                assertEquals(Health.DOWN, engine.health(hole), engine.spec(hole).name());
                assertEquals("timed out after 500 ms", engine.cause(hole), engine.spec(hole).name());
            }

            // Hostile ARP frames from the host (short; wrong hardware type, protocol type, lengths) are counted and
            // dropped, and a request (not a reply) is ignored: the ARP target stays up on its next answer.
            long malformedBefore = engine.arpMalformed();
            long ignoredBefore = engine.arpIgnored();
            NetworkNamespace.callIn(b, () -> {
                sendArpPayloads(vb, hostileArpPayloads());
                return null;
            });
            step.spinFor(50);
            assertEquals(malformedBefore + 5, engine.arpMalformed(), "malformed frames counted");
            assertTrue(engine.arpIgnored() > ignoredBefore, "the request is ignored");
            step.runTo(3_000, 50);
            assertEquals(Health.UP, engine.health(arp), engine.cause(arp));

            // The host loses its address: echo and ARP go unanswered and the targets fall after two failures. The
            // stepper stops waiting for the host's answers (and, from here on, the closed port's RST): unanswered
            // probes end by the stepped clock's timeout.
            step.silent.addAll(Set.of(echo, arp, open, closed));
            NamespaceLab.run("ip", "-n", b, "addr", "del", HOST + "/24", "dev", vb);
            step.runTo(6_000, 50);
            assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
            assertEquals(Health.DOWN, engine.health(arp), engine.cause(arp));
            assertTrue(step.changes.contains(echo + " down @" + engine.changedAtMs(echo) + " timed out after 500 ms"),
                    step.changes.toString());

            // It comes back: up after two answers in a row.
            // The first probes after the address returns may still be lost while the router's neighbour entry for the
            // host, FAILED by now, is resolved again: the stepper waits at most 300 ms for an answer at each step.
            NamespaceLab.run("ip", "-n", b, "addr", "add", HOST + "/24", "dev", vb);
            step.silent.removeAll(Set.of(echo, arp, open));
            step.realWaitLimitMs = 300;
            step.runTo(9_000, 50);
            assertEquals(Health.UP, engine.health(echo), engine.cause(echo));
            assertEquals(Health.UP, engine.health(arp), engine.cause(arp));

            // Its link goes down: down again, whatever the last failure says.
            step.silent.addAll(Set.of(echo, arp, open));
            lab.setLinkUp(b, vb, false);
            step.runTo(12_000, 50);
            assertEquals(Health.DOWN, engine.health(echo), engine.cause(echo));
            assertEquals(Health.DOWN, engine.health(arp), engine.cause(arp));
            assertEquals(Health.DOWN, engine.health(open), engine.cause(open));
            System.out.println("link down: echo '" + engine.cause(echo) + "', arp '" + engine.cause(arp) + "', tcp '"
                    + engine.cause(open) + "'");
            System.out.println("changes: " + step.changes);
            System.out.println("ignored ICMP " + engine.icmpIgnored() + ", ignored ARP " + engine.arpIgnored()
                    + ", malformed ARP " + engine.arpMalformed());
        } finally {
            engine.onClose();
        }
    }

    /** ARP payloads a hostile neighbour might send: five malformed, then one well-formed request. */
    static List<byte[]> hostileArpPayloads() throws Exception {
        byte[] valid = new byte[28];
        java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(valid);
        new dev.baton.codec.ArpFlyweight().wrap(segment, 0, 28).initialiseEthernetIpv4()
                .operation(dev.baton.codec.ArpFlyweight.OP_REQUEST).senderMac(0x02_00_00_00_00_01L)
                .senderAddress(dev.baton.codec.Ipv4.parse(HOST)).targetAddress(dev.baton.codec.Ipv4.parse(ROUTER));
        byte[] reply = valid.clone();
        reply[7] = 2;
        byte[] wrongHardware = reply.clone();
        wrongHardware[1] = 6; // IEEE 802
        byte[] wrongProtocol = reply.clone();
        wrongProtocol[2] = (byte) 0x86; // 0x86dd
        wrongProtocol[3] = (byte) 0xdd;
        byte[] wrongHardwareLength = reply.clone();
        wrongHardwareLength[4] = 8;
        byte[] wrongProtocolLength = reply.clone();
        wrongProtocolLength[5] = 16;
        byte[] tooShort = java.util.Arrays.copyOf(reply, 20);
        return List.of(tooShort, wrongHardware, wrongProtocol, wrongHardwareLength, wrongProtocolLength, valid);
    }

    /** Broadcasts each payload as an ARP frame on {@code interfaceName} through a datagram packet socket. */
    static void sendArpPayloads(String interfaceName, List<byte[]> payloads) {
        dev.baton.nativeio.LibC libc = new dev.baton.nativeio.LibC();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int fd = libc.orThrow(libc.socket(dev.baton.nativeio.KernelConstants.AF_PACKET,
                    dev.baton.nativeio.KernelConstants.SOCK_DGRAM | dev.baton.nativeio.KernelConstants.SOCK_CLOEXEC, 0),
                    "socket(AF_PACKET)");
            try {
                var address = arena.allocate(dev.baton.nativeio.KernelStructs.SockaddrLl.LAYOUT);
                address.set(java.lang.foreign.ValueLayout.JAVA_SHORT, dev.baton.nativeio.KernelStructs.SockaddrLl.FAMILY_OFFSET,
                        (short) dev.baton.nativeio.KernelConstants.AF_PACKET);
                address.set(dev.baton.codec.NetworkOrder.SHORT, dev.baton.nativeio.KernelStructs.SockaddrLl.PROTOCOL_OFFSET,
                        (short) dev.baton.nativeio.KernelConstants.ETH_P_ARP);
                address.set(java.lang.foreign.ValueLayout.JAVA_INT, dev.baton.nativeio.KernelStructs.SockaddrLl.IFINDEX_OFFSET,
                        NetworkInterfaces.index(interfaceName));
                address.set(java.lang.foreign.ValueLayout.JAVA_BYTE, dev.baton.nativeio.KernelStructs.SockaddrLl.HALEN_OFFSET,
                        (byte) 6);
                for (int i = 0; i < 6; i++) {
                    address.set(java.lang.foreign.ValueLayout.JAVA_BYTE, dev.baton.nativeio.KernelStructs.SockaddrLl.ADDR_OFFSET + i,
                            (byte) 0xFF);
                }
                for (byte[] payload : payloads) {
                    var buffer = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, payload);
                    long sent = libc.sendto(fd, buffer, payload.length, 0, address,
                            dev.baton.nativeio.KernelStructs.SockaddrLl.SIZE);
                    assertEquals(payload.length, sent, "sendto: errno " + libc.errno());
                }
            } finally {
                libc.close(fd);
            }
        }
    }

    /**
     * For each target, in an engine of its own (given {@code link} with the prefix length {@code prefixLength}
     * unless null), the least bytes the calling thread allocated per probe once warm; each target must be up.
     */
    static long[] leastBytesPerProbeOfEach(String link, int prefixLength, List<ProbeTarget> targets) {
        long[] perProbe = new long[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            ProbeEngine engine = new ProbeEngine("probes", 1);
            try {
                if (link != null) {
                    engine.addLink(link, targets.get(i).source(), prefixLength);
                }
                int id = engine.add(new ProbeSpec("host", targets.get(i), 100, 50, 1, 1), 0);
                perProbe[i] = ProbeAllocationTest.leastBytesPerProbe(engine, id, 100, 4_000, 10, 500);
                assertEquals(Health.UP, engine.health(id), engine.cause(id));
            } finally {
                engine.onClose();
            }
        }
        return perProbe;
    }

    @Test
    void echoAndArpProbesAllocateNothingOnceWarm() throws Exception {
        try (NamespaceLab lab = NamespaceLab.create("pb", "a", "b")) {
            String a = lab.name("a");
            lab.vethPair(a, lab.name("va"), ROUTER + "/24", lab.name("b"), lab.name("vb"), HOST + "/24");
            long[] bytes = NetworkNamespace.callIn(a, () -> leastBytesPerProbeOfEach(null, 0, List.of(
                    new ProbeTarget.IcmpEcho(ip(HOST), ip(ROUTER)), new ProbeTarget.Arp(ip(HOST), lab.name("va"), ip(ROUTER)))));
            System.out.println("bytes per probe: ICMP echo " + bytes[0] + ", ARP " + bytes[1]);
            assertEquals(0, bytes[0], "bytes allocated per ICMP echo probe");
            assertEquals(0, bytes[1], "bytes allocated per ARP probe");
        }
    }
}
