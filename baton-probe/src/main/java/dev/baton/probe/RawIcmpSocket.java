package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.baton.codec.Ipv4;
import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.SockaddrIn;
import dev.baton.nativeio.LibC;

/**
 * A raw ICMP socket (raw(7), icmp(7)) bound to one source address, shared by every echo probe sent from it.
 *
 * <p>Why raw and not a Linux "ping socket" ({@code SOCK_DGRAM, IPPROTO_ICMP}): a ping socket is allowed only to
 * the groups in {@code net.ipv4.ping_group_range}, which is "1 0" (nobody, root included) in every fresh network
 * namespace, checked on kernel 6.18; the router would need a sysctl set in its namespace before it could probe.
 * A raw socket needs CAP_NET_RAW, which the router has anyway for its packet sockets. The price: a raw socket sees
 * every ICMP message addressed to its bound address, so the engine matches replies itself (source address,
 * identifier, sequence, and the target's slot and probe number echoed in the payload) and counts what it ignores.
 * An {@code ICMP_FILTER} keeps every type but echo reply out of the socket's queue.
 *
 * <p>Bound to the source address, the socket sends from it and receives only datagrams addressed to it. Owned by
 * the engine's thread.
 */
final class RawIcmpSocket extends SharedSocket {

    private final int sourceAddress;

    private RawIcmpSocket(LibC libc, int sourceAddress, int fd, String openFailure) {
        super(libc, fd, openFailure);
        this.sourceAddress = sourceAddress;
    }

    /**
     * Opens the socket in the calling thread's network namespace. Never throws for a system call's failure: the
     * socket then stays unusable and {@link #openFailure()} says why, so every probe from it fails with that cause.
     */
    static RawIcmpSocket open(int sourceAddress, LibC libc) {
        int fd = libc.socket(KernelConstants.AF_INET,
                KernelConstants.SOCK_RAW | KernelConstants.SOCK_NONBLOCK | KernelConstants.SOCK_CLOEXEC,
                KernelConstants.IPPROTO_ICMP);
        if (fd < 0) {
            return new RawIcmpSocket(libc, sourceAddress, -1, "cannot open a raw ICMP socket (needs CAP_NET_RAW): "
                    + libc.failure("socket").getMessage());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(ValueLayout.JAVA_INT);
            // icmp(7): a set bit filters its type out; only echo replies (type 0) reach the socket.
            filter.set(ValueLayout.JAVA_INT, 0, ~1);
            if (libc.setsockopt(fd, KernelConstants.SOL_RAW, KernelConstants.ICMP_FILTER, filter, Integer.BYTES) < 0) {
                String why = libc.failure("setsockopt(ICMP_FILTER)").getMessage();
                libc.close(fd);
                return new RawIcmpSocket(libc, sourceAddress, -1, "cannot filter the raw ICMP socket: " + why);
            }
            MemorySegment address = arena.allocate(SockaddrIn.LAYOUT);
            address.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
            address.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, sourceAddress);
            if (libc.bind(fd, address, SockaddrIn.SIZE) < 0) {
                String why = libc.failure("bind").getMessage();
                libc.close(fd);
                return new RawIcmpSocket(libc, sourceAddress, -1, "cannot bind the ICMP socket to "
                        + Ipv4.format(sourceAddress) + ": " + why);
            }
        }
        return new RawIcmpSocket(libc, sourceAddress, fd, null);
    }

    int sourceAddress() {
        return sourceAddress;
    }






}
