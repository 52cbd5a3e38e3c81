package dev.baton.nativeio;

import dev.baton.codec.NetworkOrder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.baton.nativeio.ClassicBpf.BPF_ABS;
import static dev.baton.nativeio.ClassicBpf.BPF_ALU;
import static dev.baton.nativeio.ClassicBpf.BPF_AND;
import static dev.baton.nativeio.ClassicBpf.BPF_B;
import static dev.baton.nativeio.ClassicBpf.BPF_H;
import static dev.baton.nativeio.ClassicBpf.BPF_IND;
import static dev.baton.nativeio.ClassicBpf.BPF_JEQ;
import static dev.baton.nativeio.ClassicBpf.BPF_JSET;
import static dev.baton.nativeio.ClassicBpf.BPF_K;
import static dev.baton.nativeio.ClassicBpf.BPF_LD;
import static dev.baton.nativeio.ClassicBpf.BPF_LSH;
import static dev.baton.nativeio.ClassicBpf.BPF_MISC;
import static dev.baton.nativeio.ClassicBpf.BPF_MOD;
import static dev.baton.nativeio.ClassicBpf.BPF_MUL;
import static dev.baton.nativeio.ClassicBpf.BPF_RET;
import static dev.baton.nativeio.ClassicBpf.BPF_RSH;
import static dev.baton.nativeio.ClassicBpf.BPF_TAX;
import static dev.baton.nativeio.ClassicBpf.BPF_W;
import static dev.baton.nativeio.ClassicBpf.BPF_X;
import static dev.baton.nativeio.ClassicBpf.BPF_XOR;
import static dev.baton.nativeio.ClassicBpf.SKF_AD_OFF;
import static dev.baton.nativeio.ClassicBpf.SKF_AD_PROTOCOL;
import static dev.baton.nativeio.ClassicBpf.SKF_NET_OFF;

/**
 * Shards traffic over forwarding workers by <b>client address</b>, in Java and, identically, in the
 * kernel as a {@code PACKET_FANOUT_CBPF} program.
 *
 * <p>Multi-worker forwarding splits the connection table by client: every worker owns its shard
 * without locks, and a client's connections (and its persistence, if a service has it) stay with one
 * worker. The kernel must therefore deliver each frame to the socket of the worker that owns the
 * client, and the Java side must agree exactly, which is why both are defined here together.
 *
 * <p>The client address of a frame:
 * <ul>
 *   <li>IPv4 ICMP error (type 3, 4, 5, 11, 12): the <em>destination</em> of the embedded original
 *       header, at IP header + 8 + 16. The error travels toward the client from somewhere else
 *       (RFC 792; the original datagram is the client's), so its source is not the client.</li>
 *   <li>A non-first IPv4 fragment: the IPv4 source (its bytes after the IP header are payload, not
 *       an ICMP header).</li>
 *   <li>Other IPv4: the IPv4 source address.</li>
 *   <li>Anything else (ARP, IPv6, ...), and IPv4 packets too short for the fields read: 0, which
 *       maps to worker 0. The kernel behaves the same because a classic BPF load outside the packet
 *       ends the program with return value 0.</li>
 * </ul>
 *
 * <p>In a fanout program the packet data may start at the network header (receive path) or at the
 * MAC header (frames this host sends), so every load is relative to {@link ClassicBpf#SKF_NET_OFF}
 * and the EtherType comes from the {@code SKF_AD_PROTOCOL} ancillary load. The kernel checks those
 * loads against the skb's linear data; Baton's frames keep their headers there.
 *
 * <p>The fanout group's sockets must join in worker order: the kernel indexes its member array by
 * join order and takes the program's result modulo the member count (net/packet/af_packet.c,
 * fanout_demux_bpf).
 */
public final class ClientShardFanout {
    private ClientShardFanout() {
    }

    /** The multiplier of the mix (a well-mixing odd 32-bit constant). */
    public static final int MIX_MULTIPLIER = 0x45d9f3b;


    private static final int IPPROTO_ICMP = 1;
    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;
    private static final int ICMP_HEADER_LENGTH = 8;
    private static final int IPV4_SOURCE_OFFSET = 12;
    private static final int IPV4_DESTINATION_OFFSET = 16;

    /**
     * The worker owning {@code clientAddress}: a cheap integer mix, then the unsigned remainder.
     * Address 0 (no client) maps to worker 0.
     */
    public static int shardOf(int clientAddress, int workers) {
        int h = clientAddress ^ (clientAddress >>> 16);
        h *= MIX_MULTIPLIER;
        h ^= h >>> 16;
        return Integer.remainderUnsigned(h, workers);
    }

    /**
     * The worker for a frame, as the kernel program computes it: {@code shardOf(clientAddress(...))}.
     *
     * @param etherType     the frame's EtherType (after any VLAN tag)
     * @param packet        memory holding the packet
     * @param networkOffset where the network header starts in {@code packet}
     * @param networkLength bytes from the network header to the end of the frame
     * @param workers       the number of workers (fanout group members)
     */
    public static int workerOf(int etherType, MemorySegment packet, long networkOffset, long networkLength,
                               int workers) {
        return shardOf(clientAddress(etherType, packet, networkOffset, networkLength), workers);
    }

    /**
     * The client address of a frame (see the class comment), or 0 when it has none. Reads fields in
     * the same order as {@link #program(int)} so a truncated packet gives the same answer as the
     * kernel's aborted program.
     */
    public static int clientAddress(int etherType, MemorySegment packet, long networkOffset, long networkLength) {
        if (etherType != KernelConstants.ETH_P_IP) {
            return 0;
        }
        if (networkLength < 1) {
            return 0;
        }
        int headerLength = (packet.get(ValueLayout.JAVA_BYTE, networkOffset) & 0x0f) << 2;
        if (networkLength < 8) {
            return 0;
        }
        int fragment = packet.get(NetworkOrder.SHORT, networkOffset + 6) & 0xffff;
        if ((fragment & FRAGMENT_OFFSET_MASK) == 0) {
            if (networkLength < 10) {
                return 0;
            }
            int protocol = packet.get(ValueLayout.JAVA_BYTE, networkOffset + 9) & 0xff;
            if (protocol == IPPROTO_ICMP) {
                if (networkLength < headerLength + 1L) {
                    return 0;
                }
                int icmpType = packet.get(ValueLayout.JAVA_BYTE, networkOffset + headerLength) & 0xff;
                if (isIcmpError(icmpType)) {
                    long embeddedDestination = headerLength + ICMP_HEADER_LENGTH + IPV4_DESTINATION_OFFSET;
                    if (networkLength < embeddedDestination + 4) {
                        return 0;
                    }
                    return packet.get(NetworkOrder.INT, networkOffset + embeddedDestination);
                }
            }
        }
        if (networkLength < IPV4_SOURCE_OFFSET + 4) {
            return 0;
        }
        return packet.get(NetworkOrder.INT, networkOffset + IPV4_SOURCE_OFFSET);
    }

    /** ICMP types that carry the header of the datagram that caused them (RFC 792, RFC 1812 §4.3.2.3). */
    public static boolean isIcmpError(int icmpType) {
        return icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12;
    }

    /**
     * The {@code PACKET_FANOUT_CBPF} program returning {@link #workerOf} for {@code workers} workers.
     *
     * <pre>
     *   A = ethertype (ancillary)          ; not IPv4 -> return 0
     *   X = 4 * (ip[0] &amp; 0xf)             ; IPv4 header length
     *   ip[6:2] &amp; 0x1fff != 0 -> source    ; non-first fragment
     *   ip[9] != ICMP -> source
     *   ip[X] in {3,4,5,11,12} -> A = ip[X + 24:4] (embedded destination) else source: A = ip[12:4]
     *   A ^= A &gt;&gt; 16; A *= 0x45d9f3b; A ^= A &gt;&gt; 16; return A % workers
     * </pre>
     */
    public static ClassicBpfProgram program(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1: " + workers);
        }
        return ClassicBpfProgram.assembler()
                .op(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL)
                .jump(BPF_JEQ, KernelConstants.ETH_P_IP, null, "noClient")
                .op(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF)
                .op(BPF_ALU | BPF_AND | BPF_K, 0x0f)
                .op(BPF_ALU | BPF_LSH | BPF_K, 2)
                .op(BPF_MISC | BPF_TAX, 0)
                .op(BPF_LD | BPF_H | BPF_ABS, SKF_NET_OFF + 6)
                .jump(BPF_JSET, FRAGMENT_OFFSET_MASK, "source", null)
                .op(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 9)
                .jump(BPF_JEQ, IPPROTO_ICMP, null, "source")
                .op(BPF_LD | BPF_B | BPF_IND, SKF_NET_OFF)
                .jump(BPF_JEQ, 3, "embedded", null)
                .jump(BPF_JEQ, 4, "embedded", null)
                .jump(BPF_JEQ, 5, "embedded", null)
                .jump(BPF_JEQ, 11, "embedded", null)
                .jump(BPF_JEQ, 12, "embedded", "source")
                .label("embedded")
                .op(BPF_LD | BPF_W | BPF_IND, SKF_NET_OFF + ICMP_HEADER_LENGTH + IPV4_DESTINATION_OFFSET)
                .jumpAlways("mix")
                .label("source")
                .op(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + IPV4_SOURCE_OFFSET)
                .label("mix")
                .op(BPF_MISC | BPF_TAX, 0)
                .op(BPF_ALU | BPF_RSH | BPF_K, 16)
                .op(BPF_ALU | BPF_XOR | BPF_X, 0)
                .op(BPF_ALU | BPF_MUL | BPF_K, MIX_MULTIPLIER)
                .op(BPF_MISC | BPF_TAX, 0)
                .op(BPF_ALU | BPF_RSH | BPF_K, 16)
                .op(BPF_ALU | BPF_XOR | BPF_X, 0)
                .op(BPF_ALU | BPF_MOD | BPF_K, workers)
                .op(BPF_RET | ClassicBpf.BPF_A, 0)
                .label("noClient")
                .op(BPF_RET | BPF_K, 0)
                .build();
    }
}
