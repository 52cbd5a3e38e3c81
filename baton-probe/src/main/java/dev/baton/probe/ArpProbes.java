package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.MacAddress;
import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.SockaddrLl;
import dev.baton.nativeio.LibC;

/**
 * A {@link ProbeEngine}'s ARP probes (RFC 826): a who-has request broadcast through the packet socket of the target's
 * interface ({@link ArpSocket}), one per interface, shared by its targets. A reply counts if its sender protocol
 * address is a target in flight on that interface; the packets the socket sends itself (the engine's requests and
 * the kernel's) and other packets are counted as ignored, malformed ones apart. Engine thread only.
 */
final class ArpProbes extends DatagramProbes<ArpSocket> {

    private final ArpFlyweight arp = new ArpFlyweight();
    private long ignored;
    private long malformed;

    /** @param eventWord the bits the engine's dispatch reads in the event words of the packet sockets */
    ArpProbes(ProbeEngine engine, LibC libc, Epoll epoll, ErrnoCauses causes, Arena arena, long eventWord) {
        super(engine, libc, epoll, causes, arena, SockaddrLl.SIZE, true, eventWord);
    }

    @Override
    ArpSocket socketOf(TargetState target) {
        return target.arpSocket;
    }

    @Override
    boolean serves(ArpSocket socket, TargetState target) {
        return socket.interfaceName().equals(interfaceName(target));
    }

    @Override
    ArpSocket open(TargetState target) {
        return ArpSocket.open(interfaceName(target), libc);
    }

    private static String interfaceName(TargetState target) {
        return ((ProbeTarget.Arp) target.spec.target()).interfaceName();
    }

    @Override
    int writeProbe(TargetState target, ArpSocket socket) {
        arp.wrap(sendBuffer, 0, ArpFlyweight.LENGTH)
                .message(ArpFlyweight.OP_REQUEST, socket.interfaceMac(), target.source4, 0, target.address4);
        socket.broadcastAddress(peerAddress);
        return ArpFlyweight.LENGTH;
    }

    @Override
    void onDatagram(ArpSocket socket, int length, long nowMs) {
        if (peerAddress.get(ValueLayout.JAVA_BYTE, SockaddrLl.PKTTYPE_OFFSET) == KernelConstants.PACKET_OUTGOING) {
            ignored++; // our own request, or the kernel's
            return;
        }
        arp.wrap(receiveBuffer, 0, length);
        if (!arp.valid()) {
            malformed++;
            return;
        }
        TargetState target = arp.operation() == ArpFlyweight.OP_REPLY ? targetFor(socket, arp.senderAddress()) : null;
        if (target == null) {
            ignored++;
            return;
        }
        long mac = arp.senderMac();
        if (mac != target.lastMac || target.lastMacCause == null) {
            target.lastMac = mac;
            target.lastMacCause = "ARP reply from " + MacAddress.format(mac);
        }
        engine.finishSuccess(target, nowMs, target.lastMacCause);
    }

    /** The ARP target in flight on {@code socket} asking for {@code address}, or null. */
    private TargetState targetFor(ArpSocket socket, int address) {
        for (int slot = 0; slot <= engine.highestSlot(); slot++) {
            TargetState target = engine.targetOrNull(slot);
            if (target != null && target.inFlight && target.arpSocket == socket && target.address4 == address) {
                return target;
            }
        }
        return null;
    }

    /** Packets read that answered no probe in flight (requests, our own, replies nobody asked for). */
    long ignored() {
        return ignored;
    }

    /** Packets dropped as malformed: short, or not Ethernet/IPv4 types and lengths. */
    long malformed() {
        return malformed;
    }
}
