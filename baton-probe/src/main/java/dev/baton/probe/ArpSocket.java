package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.SockaddrLl;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.NativeException;
import dev.baton.nativeio.NetworkInterfaces;

/**
 * An AF_PACKET datagram socket (packet(7), {@code SOCK_DGRAM}: the kernel adds and strips the Ethernet header)
 * bound to one interface and to {@code ETH_P_ARP}, shared by every ARP probe on that interface. Plain
 * {@code sendto}/{@code recvfrom}, no rings: a probe engine sends one request per target per interval.
 *
 * <p>Created with protocol 0 and bound afterwards, so it captures nothing from other interfaces in between (the
 * order {@code PacketSocket} uses). Owned by the engine's thread.
 */
final class ArpSocket extends SharedSocket {

    private final String interfaceName;
    /** Of the interface as it was when the socket opened: an interface that comes later is found when it is opened again. */
    private int interfaceIndex;
    private long interfaceMac;

    private ArpSocket(LibC libc, String interfaceName, int interfaceIndex, long interfaceMac, int fd, String openFailure) {
        super(libc, fd, openFailure);
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.interfaceMac = interfaceMac;
    }

    /**
     * Opens the socket on {@code interfaceName} in the calling thread's network namespace. Never throws for a
     * system call's failure: {@link #openFailure()} then says why, and every probe on it fails with that cause.
     */
    static ArpSocket open(String interfaceName, LibC libc) {
        int index;
        long mac;
        try {
            index = NetworkInterfaces.index(interfaceName);
            mac = NetworkInterfaces.macAddress(interfaceName);
        } catch (NativeException | IllegalArgumentException e) {
            return new ArpSocket(libc, interfaceName, 0, 0, -1, "no interface " + interfaceName + ": " + e.getMessage());
        }
        int fd = libc.socket(KernelConstants.AF_PACKET,
                KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_NONBLOCK | KernelConstants.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return new ArpSocket(libc, interfaceName, index, mac, -1, "cannot open a packet socket (needs CAP_NET_RAW): "
                    + libc.failure("socket").getMessage());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrLl.LAYOUT);
            address.set(ValueLayout.JAVA_SHORT, SockaddrLl.FAMILY_OFFSET, (short) KernelConstants.AF_PACKET);
            address.set(NetworkOrder.SHORT, SockaddrLl.PROTOCOL_OFFSET, (short) KernelConstants.ETH_P_ARP);
            address.set(ValueLayout.JAVA_INT, SockaddrLl.IFINDEX_OFFSET, index);
            if (libc.bind(fd, address, SockaddrLl.SIZE) < 0) {
                String why = libc.failure("bind").getMessage();
                libc.close(fd);
                return new ArpSocket(libc, interfaceName, index, mac, -1, "cannot bind a packet socket to "
                        + interfaceName + ": " + why);
            }
        }
        return new ArpSocket(libc, interfaceName, index, mac, fd, null);
    }

    /** Writes the link-level destination of a broadcast ARP request on this interface into {@code address}. */
    void broadcastAddress(MemorySegment address) {
        address.fill((byte) 0);
        address.set(ValueLayout.JAVA_SHORT, SockaddrLl.FAMILY_OFFSET, (short) KernelConstants.AF_PACKET);
        address.set(NetworkOrder.SHORT, SockaddrLl.PROTOCOL_OFFSET, (short) KernelConstants.ETH_P_ARP);
        address.set(ValueLayout.JAVA_INT, SockaddrLl.IFINDEX_OFFSET, interfaceIndex);
        address.set(ValueLayout.JAVA_BYTE, SockaddrLl.HALEN_OFFSET, (byte) KernelConstants.ETH_ALEN);
        for (int i = 0; i < KernelConstants.ETH_ALEN; i++) {
            address.set(ValueLayout.JAVA_BYTE, SockaddrLl.ADDR_OFFSET + i, (byte) 0xFF);
        }
    }

    String interfaceName() {
        return interfaceName;
    }

    /** The interface's MAC address: the sender hardware address of the requests. */
    long interfaceMac() {
        return interfaceMac;
    }

    @Override
    void tookOver(SharedSocket fresh) {
        ArpSocket opened = (ArpSocket) fresh;
        interfaceIndex = opened.interfaceIndex;
        interfaceMac = opened.interfaceMac;
    }
}
