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
 * its source, so a reply counts only if it answers a probe in flight ({@link EchoMessage}); everything else is
 * counted as ignored. On-link targets of an interface the engine was given go through {@link RingProbes} instead.
 * Engine thread only.
 */
final class EchoProbes extends DatagramProbes<RawIcmpSocket> {

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
        EchoMessage.write(icmp, sendBuffer, 0, EchoMessage.MAGIC_SOCKET, identifier, target, nextSequence++);
        peerAddress.fill((byte) 0);
        peerAddress.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
        peerAddress.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, target.address4);
        return EchoMessage.BYTES;
    }

    @Override
    void onDatagram(RawIcmpSocket socket, int length, long nowMs) {
        ipv4.wrap(receiveBuffer, 0, length);
        TargetState target = engine.targetOrNull(EchoMessage.claimedSlot(receiveBuffer, ipv4, icmp, EchoMessage.MAGIC_SOCKET, identifier));
        if (target == null || target.icmpSocket == null || !EchoMessage.answers(receiveBuffer, ipv4, icmp, target)) {
            ignored++;
        } else {
            engine.finishSuccess(target, nowMs, ECHO_REPLY);
        }
    }

    /** Datagrams read that answered no probe in flight. */
    long ignored() {
        return ignored;
    }
}
