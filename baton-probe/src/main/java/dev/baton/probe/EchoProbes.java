package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.SockaddrIn;
import dev.baton.nativeio.LibC;

/**
 * A {@link ProbeEngine}'s ICMP echo probes (RFC 792) through the raw ICMP socket of their source address
 * ({@link RawIcmpSocket}), one per source, shared by its targets. A raw socket sees every echo reply addressed to
 * its source, so a reply counts only if it matches a probe in flight: its source address is the target's, its
 * identifier the engine's, its sequence number the probe's, and its payload echoes the target's slot and the
 * probe's number; everything else is counted as ignored. Engine thread only.
 */
final class EchoProbes extends DatagramProbes<RawIcmpSocket> {

    /** The ICMP echo payload: a magic word, the target's slot, the probe's number (low 32 bits), padding. */
    static final int ECHO_MAGIC = 0x4254_4E50; // "BTNP"
    static final int ECHO_PAYLOAD_BYTES = 16;
    static final int ECHO_MESSAGE_BYTES = IcmpFlyweight.HEADER_LENGTH + ECHO_PAYLOAD_BYTES;

    private static final String ECHO_REPLY = "echo reply";

    private final int identifier;
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private int nextSequence;
    private long ignored;

    /**
     * @param identifier the identifier of the engine's echo requests, 0..65535
     * @param eventWord  the bits the engine's dispatch reads in the event words of the raw sockets
     */
    EchoProbes(ProbeEngine engine, LibC libc, Epoll epoll, ErrnoCauses causes, Arena arena, int identifier,
               long eventWord) {
        super(engine, libc, epoll, causes, arena, SockaddrIn.SIZE, false, eventWord);
        this.identifier = identifier;
    }

    @Override
    RawIcmpSocket socketOf(TargetState target) {
        return target.icmpSocket;
    }

    @Override
    boolean serves(RawIcmpSocket socket, TargetState target) {
        return socket.sourceAddress() == target.source4;
    }

    @Override
    RawIcmpSocket open(TargetState target) {
        return RawIcmpSocket.open(target.source4, libc);
    }

    @Override
    int writeProbe(TargetState target, RawIcmpSocket socket) {
        target.sequence = nextSequence++ & 0xFFFF;
        icmp.wrap(sendBuffer, 0, ECHO_MESSAGE_BYTES)
                .type(IcmpFlyweight.TYPE_ECHO_REQUEST)
                .code(0)
                .checksum(0)
                .identifier(identifier)
                .sequenceNumber(target.sequence);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH, ECHO_MAGIC);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 4, target.slot);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 8, (int) target.probesStarted);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 12, 0);
        icmp.checksum(icmp.computeChecksum(ECHO_MESSAGE_BYTES));
        peerAddress.fill((byte) 0);
        peerAddress.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
        peerAddress.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, target.address4);
        return ECHO_MESSAGE_BYTES;
    }

    @Override
    void onDatagram(RawIcmpSocket socket, int length, long nowMs) {
        TargetState target = matchEchoReply(length);
        if (target == null) {
            ignored++;
        } else {
            engine.finishSuccess(target, nowMs, ECHO_REPLY);
        }
    }

    /** The target whose probe this datagram (IPv4 header and ICMP message) answers, or null. */
    private TargetState matchEchoReply(int length) {
        ipv4.wrap(receiveBuffer, 0, length);
        if (!ipv4.valid() || ipv4.protocol() != Ipv4Flyweight.PROTOCOL_ICMP || ipv4.isFragment()) {
            return null;
        }
        int icmpLength = ipv4.payloadLength();
        icmp.wrap(receiveBuffer, ipv4.payloadOffset(), icmpLength);
        if (icmpLength < ECHO_MESSAGE_BYTES || !icmp.valid() || icmp.type() != IcmpFlyweight.TYPE_ECHO_REPLY
                || icmp.code() != 0 || icmp.identifier() != identifier || !icmp.checksumValid(icmpLength)) {
            return null;
        }
        long payload = ipv4.payloadOffset() + IcmpFlyweight.HEADER_LENGTH;
        if (receiveBuffer.get(NetworkOrder.INT, payload) != ECHO_MAGIC) {
            return null;
        }
        TargetState target = engine.targetOrNull(receiveBuffer.get(NetworkOrder.INT, payload + 4));
        if (target == null || !target.inFlight || target.icmpSocket == null
                || target.sequence != icmp.sequenceNumber()
                || (int) target.probesStarted != receiveBuffer.get(NetworkOrder.INT, payload + 8)
                || target.address4 != ipv4.sourceAddress()) {
            return null;
        }
        return target;
    }

    /** Datagrams read that answered no probe in flight. */
    long ignored() {
        return ignored;
    }
}
