package dev.baton.probe;

import java.lang.foreign.MemorySegment;

import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.NetworkOrder;

/**
 * The ICMP echo request a probe sends (RFC 792) and the test a reply must pass, the same whether it goes through a
 * raw socket ({@link EchoProbes}) or a packet ring ({@link RingProbes}). The payload carries a magic word, the
 * target's slot and the probe's number, so a reply names the probe it answers: it counts only if its source is
 * the target's address, its identifier the engine's, its sequence number and payload the probe's, and its
 * checksum is right. Flyweights are the caller's; nothing allocates.
 */
final class EchoMessage {

    /**
     * The ICMP echo payload: a magic word, the target's slot, the probe's number (low 32 bits), padding. The magic
     * word says which way the probe went: the host guard drops the answers to ring probes at ingress by it
     * ({@link ProbeEngine#ringAnswerIngressRules()}), and must let the answers to raw-socket probes reach the
     * kernel's raw socket.
     */
    static final int MAGIC_SOCKET = 0x4254_4E50; // "BTNP"
    static final int MAGIC_RING = 0x4254_4E52; // "BTNR"
    static final int PAYLOAD_BYTES = 16;
    /** The echo message: ICMP header and payload. */
    static final int BYTES = IcmpFlyweight.HEADER_LENGTH + PAYLOAD_BYTES;

    private EchoMessage() {
    }

    /** Writes {@code target}'s next echo request at {@code offset} with {@code magic} (its sequence number is taken now). */
    static void write(IcmpFlyweight icmp, MemorySegment segment, long offset, int magic, int identifier,
                      TargetState target, int sequence) {
        target.sequence = sequence & 0xFFFF;
        icmp.wrap(segment, offset, BYTES)
                .type(IcmpFlyweight.TYPE_ECHO_REQUEST)
                .code(0)
                .checksum(0)
                .identifier(identifier)
                .sequenceNumber(target.sequence);
        long payload = offset + IcmpFlyweight.HEADER_LENGTH;
        segment.set(NetworkOrder.INT, payload, magic);
        segment.set(NetworkOrder.INT, payload + 4, target.slot);
        segment.set(NetworkOrder.INT, payload + 8, (int) target.probesStarted);
        segment.set(NetworkOrder.INT, payload + 12, 0);
        icmp.checksum(icmp.computeChecksum(BYTES));
    }

    /**
     * The slot of the target whose probe the IPv4 datagram {@code ipv4} (already wrapped on {@code segment}) answers if it is an echo
     * reply to {@code identifier} carrying a probe's payload with {@code magic}, or -1. The caller then checks the target: in flight,
     * this kind, {@link #answers}.
     */
    static int claimedSlot(MemorySegment segment, Ipv4Flyweight ipv4, IcmpFlyweight icmp, int magic, int identifier) {
        if (!ipv4.valid() || ipv4.protocol() != Ipv4Flyweight.PROTOCOL_ICMP || ipv4.isFragment()) {
            return -1;
        }
        int icmpLength = ipv4.payloadLength();
        icmp.wrap(segment, ipv4.payloadOffset(), icmpLength);
        if (icmpLength < BYTES || !icmp.valid() || icmp.type() != IcmpFlyweight.TYPE_ECHO_REPLY
                || icmp.code() != 0 || icmp.identifier() != identifier || !icmp.checksumValid(icmpLength)) {
            return -1;
        }
        long payload = ipv4.payloadOffset() + IcmpFlyweight.HEADER_LENGTH;
        if (segment.get(NetworkOrder.INT, payload) != magic) {
            return -1;
        }
        return segment.get(NetworkOrder.INT, payload + 4);
    }

    /** Whether the reply {@link #claimedSlot} accepted answers {@code target}'s probe in flight. */
    static boolean answers(MemorySegment segment, Ipv4Flyweight ipv4, IcmpFlyweight icmp, TargetState target) {
        long payload = ipv4.payloadOffset() + IcmpFlyweight.HEADER_LENGTH;
        return target.inFlight && target.sequence == icmp.sequenceNumber()
                && (int) target.probesStarted == segment.get(NetworkOrder.INT, payload + 8)
                && target.address4 == ipv4.sourceAddress();
    }
}
