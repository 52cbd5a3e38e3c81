package dev.baton.probe;

import java.lang.foreign.MemorySegment;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.TcpFlyweight;
import dev.baton.nativeio.ClassicBpfInterpreter;
import dev.baton.nativeio.ClassicBpfProgram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the probe rings' filter lets through, run by an interpreter with the kernel's classic BPF semantics: the
 * answers a probe may get, and not the frames around them (the VIP traffic of a busy link, fragments, other
 * identifiers and ports). The lab test ({@link RingProbesLabTest}) shows the kernel accepts the program and acts the
 * same.
 */
class ProbeReplyFilterTest {

    static final int IDENTIFIER = 0x1234;
    static final int ROUTER = 0xC633_6401; // 198.51.100.1
    static final int SECOND = 0xC000_0201; // 192.0.2.1
    static final int ELSEWHERE = 0xC000_020A; // 192.0.2.10, a VIP
    static final ClassicBpfProgram PROGRAM = ProbeReplyFilter.program(IDENTIFIER, RingProbes.FIRST_PROBE_PORT,
            RingProbes.PROBE_PORTS, new int[] {ROUTER, SECOND});

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // what,                          kind,  detail, header words (IHL), fragment bits, accepted
            "ARP reply,                        arp,   2,      5, 0,      true",
            "ARP reply to the second address,  arp-second, 2, 5, 0,      true",
            "ARP reply to another host,        arp-elsewhere, 2, 5, 0,   false",
            "ARP request,                      arp,   1,      5, 0,      false",
            "TCP to a probe port of another host (a VIP), tcp-elsewhere, 61000, 5, 0, false",
            "TCP to a probe port of the second address, tcp-second, 61000, 5, 0, true",
            "echo reply to another host,       icmp-elsewhere, 4660, 5, 0, false",
            "echo reply with our identifier,   icmp,  4660,   5, 0,      true",
            "echo reply with options,          icmp,  4660,   7, 0,      true",
            "echo reply of another identifier, icmp,  4661,   5, 0,      false",
            "echo request,                     echo-request, 4660, 5, 0, false",
            "TCP to the first probe port,      tcp,   61000,  5, 0,      true",
            "TCP to the last probe port,       tcp,   65095,  5, 0,      true",
            "TCP to a probe port with options, tcp,   61001,  15, 0,     true",
            "TCP below the probe ports,        tcp,   60999,  5, 0,      false",
            "TCP above the probe ports,        tcp,   65096,  5, 0,      false",
            "TCP to the VIP's port 80,         tcp,   80,     5, 0,      false",
            "first fragment (more to come),    tcp,   61000,  5, 8192,   false",
            "later fragment,                   tcp,   61000,  5, 185,    false",
            "UDP,                              udp,   61000,  5, 0,      false",
            "IPv6,                             ipv6,  0,      5, 0,      false",
    })
    void acceptsOnlyWhatMayAnswerAProbe(String what, String kind, int detail, int headerWords, int fragmentBits,
                                        boolean accepted) {
        int destination = kind.endsWith("-elsewhere") ? ELSEWHERE : kind.endsWith("-second") ? SECOND : ROUTER;
        kind = kind.replace("-elsewhere", "").replace("-second", "");
        int etherType = switch (kind) {
            case "arp" -> EthernetFlyweight.ETHER_TYPE_ARP;
            case "ipv6" -> EthernetFlyweight.ETHER_TYPE_IPV6;
            default -> EthernetFlyweight.ETHER_TYPE_IPV4;
        };
        byte[] network = new byte[headerWords * 4 + 40];
        MemorySegment s = MemorySegment.ofArray(network);
        if (kind.equals("arp")) {
            new ArpFlyweight().wrap(s, 0, ArpFlyweight.LENGTH).initialiseEthernetIpv4().operation(detail)
                    .targetAddress(destination);
        } else if (!kind.equals("ipv6")) {
            int protocol = switch (kind) {
                case "tcp" -> Ipv4Flyweight.PROTOCOL_TCP;
                case "udp" -> Ipv4Flyweight.PROTOCOL_UDP;
                default -> Ipv4Flyweight.PROTOCOL_ICMP;
            };
            Ipv4Flyweight ip = new Ipv4Flyweight().wrap(s, 0, network.length).version(4).headerLength(headerWords * 4)
                    .totalLength(network.length).protocol(protocol).destinationAddress(destination);
            s.set(dev.baton.codec.NetworkOrder.SHORT, Ipv4Flyweight.FLAGS_AND_FRAGMENT_OFFSET_OFFSET, (short) fragmentBits);
            long transport = ip.headerLength();
            if (protocol == Ipv4Flyweight.PROTOCOL_ICMP) {
                new IcmpFlyweight().wrap(s, transport, 8).type(kind.equals("icmp") ? IcmpFlyweight.TYPE_ECHO_REPLY
                        : IcmpFlyweight.TYPE_ECHO_REQUEST).identifier(detail);
            } else {
                new TcpFlyweight().wrap(s, transport, 20).sourcePort(80).destinationPort(detail);
            }
        }
        int verdict = ClassicBpfInterpreter.run(PROGRAM, etherType, network);
        assertEquals(accepted ? ProbeReplyFilter.SNAP_BYTES : 0, verdict, what);
    }
}
