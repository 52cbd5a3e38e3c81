package dev.baton.probe;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.TcpFlyweight;
import dev.baton.nativeio.ClassicBpf;
import dev.baton.nativeio.ClassicBpfProgram;

/**
 * The classic BPF program on a {@link ProbeLink}'s packet socket: of every frame on the interface (forwarded VIP
 * traffic included) the kernel copies into the probe ring only what may answer a probe, and only its first
 * {@value #SNAP_BYTES} bytes. Accepted, when addressed to one of the link's own addresses: ARP replies; unfragmented
 * IPv4 ICMP echo replies carrying the engine's identifier; unfragmented IPv4 TCP segments to one of the probe
 * ports. Everything else (a VIP's traffic on a probe port among them, or frames for other hosts on a promiscuous
 * interface) costs the kernel a few instructions and the probe thread nothing. User space checks every accepted frame again in full
 * ({@link RingProbes}): the filter is for cost, not for trust.
 */
final class ProbeReplyFilter {

    /** Bytes of an accepted frame copied: Ethernet, an IPv4 header with options, and ICMP echo or a TCP header. */
    static final int SNAP_BYTES = 160;

    /** Loads relative to the network header (the kernel's SKF_NET_OFF): the same whatever the link header. */
    private static final int NET = ClassicBpf.SKF_NET_OFF;
    private static final int LD_W_ABS = ClassicBpf.BPF_LD | ClassicBpf.BPF_W | ClassicBpf.BPF_ABS;
    private static final int LD_H_ABS = ClassicBpf.BPF_LD | ClassicBpf.BPF_H | ClassicBpf.BPF_ABS;
    private static final int LD_B_ABS = ClassicBpf.BPF_LD | ClassicBpf.BPF_B | ClassicBpf.BPF_ABS;
    private static final int LD_H_IND = ClassicBpf.BPF_LD | ClassicBpf.BPF_H | ClassicBpf.BPF_IND;
    private static final int LD_B_IND = ClassicBpf.BPF_LD | ClassicBpf.BPF_B | ClassicBpf.BPF_IND;
    private static final int AND = ClassicBpf.BPF_ALU | ClassicBpf.BPF_AND | ClassicBpf.BPF_K;
    private static final int LSH = ClassicBpf.BPF_ALU | ClassicBpf.BPF_LSH | ClassicBpf.BPF_K;
    private static final int TAX = ClassicBpf.BPF_MISC | ClassicBpf.BPF_TAX;
    private static final int RET = ClassicBpf.BPF_RET | ClassicBpf.BPF_K;

    private ProbeReplyFilter() {
    }

    /** The most local addresses a link's filter checks (one jump each; a router's interface has one). */
    static final int MAX_LOCAL_ADDRESSES = 64;

    /**
     * @param icmpIdentifier the engine's echo identifier
     * @param firstPort      the first probe port
     * @param ports          how many probe ports follow it
     * @param localAddresses the link's own IPv4 addresses, the probes' sources: 1..{@value #MAX_LOCAL_ADDRESSES}
     */
    static ClassicBpfProgram program(int icmpIdentifier, int firstPort, int ports, int[] localAddresses) {
        if (localAddresses.length < 1 || localAddresses.length > MAX_LOCAL_ADDRESSES) {
            throw new IllegalArgumentException("a probe link has 1.." + MAX_LOCAL_ADDRESSES + " addresses: "
                    + localAddresses.length);
        }
        ClassicBpfProgram.Assembler program = ClassicBpfProgram.assembler()
                .op(LD_H_ABS, ClassicBpf.SKF_AD_OFF + ClassicBpf.SKF_AD_PROTOCOL) // the EtherType
                .jump(ClassicBpf.BPF_JEQ, EthernetFlyweight.ETHER_TYPE_ARP, "arp", null)
                .jump(ClassicBpf.BPF_JEQ, EthernetFlyweight.ETHER_TYPE_IPV4, null, "drop")
                .op(LD_W_ABS, NET + Ipv4Flyweight.DESTINATION_ADDRESS_OFFSET);
        oneOf(program, localAddresses, "ipv4 to us");
        program.label("ipv4 to us")
                // A fragment (more to come, or an offset) never answers a probe: the answers are a few dozen bytes.
                .op(LD_H_ABS, NET + Ipv4Flyweight.FLAGS_AND_FRAGMENT_OFFSET_OFFSET)
                .jump(ClassicBpf.BPF_JSET, 0x3FFF, "drop", null)
                // X = the IPv4 header's length (IHL x 4).
                .op(LD_B_ABS, NET + Ipv4Flyweight.VERSION_AND_HEADER_LENGTH_OFFSET)
                .op(AND, 0x0F)
                .op(LSH, 2)
                .op(TAX, 0)
                .op(LD_B_ABS, NET + Ipv4Flyweight.PROTOCOL_OFFSET)
                .jump(ClassicBpf.BPF_JEQ, Ipv4Flyweight.PROTOCOL_TCP, "tcp", null)
                .jump(ClassicBpf.BPF_JEQ, Ipv4Flyweight.PROTOCOL_ICMP, null, "drop")
                .op(LD_B_IND, NET + IcmpFlyweight.TYPE_OFFSET)
                .jump(ClassicBpf.BPF_JEQ, IcmpFlyweight.TYPE_ECHO_REPLY, null, "drop")
                .op(LD_H_IND, NET + IcmpFlyweight.IDENTIFIER_OFFSET)
                .jump(ClassicBpf.BPF_JEQ, icmpIdentifier, "accept", "drop")
                .label("tcp")
                .op(LD_H_IND, NET + TcpFlyweight.DESTINATION_PORT_OFFSET)
                .jump(ClassicBpf.BPF_JGE, firstPort, null, "drop")
                .jump(ClassicBpf.BPF_JGE, firstPort + ports, "drop", "accept")
                .label("arp")
                .op(LD_H_ABS, NET + ArpFlyweight.OPERATION_OFFSET)
                .jump(ClassicBpf.BPF_JEQ, ArpFlyweight.OP_REPLY, null, "drop")
                .op(LD_W_ABS, NET + ArpFlyweight.TARGET_ADDRESS_OFFSET);
        oneOf(program, localAddresses, "accept");
        return program
                .label("accept")
                .op(RET, SNAP_BYTES)
                .label("drop")
                .op(RET, 0)
                .build();
    }

    /** Jumps to {@code match} when A is one of {@code addresses}, to "drop" otherwise. */
    private static void oneOf(ClassicBpfProgram.Assembler program, int[] addresses, String match) {
        for (int i = 0; i < addresses.length; i++) {
            program.jump(ClassicBpf.BPF_JEQ, addresses[i], match, i == addresses.length - 1 ? "drop" : null);
        }
    }
}
