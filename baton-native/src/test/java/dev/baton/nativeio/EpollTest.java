package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.KernelStructs.SockaddrIn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Epoll} on a UDP socket on loopback that sends to itself: readiness, the caller's word, modify, close. */
class EpollTest {

    static final int LOOPBACK = 0x7F00_0001;

    @Test
    void reportsAReadySocketWithItsWordUntilItIsDrainedAndNothingOnceItIsClosed() {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined(); Epoll epoll = Epoll.open(libc, 4)) {
            int socket = libc.orThrow(libc.socket(KernelConstants.AF_INET,
                    KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_NONBLOCK, 0), "socket");
            MemorySegment address = boundToLoopback(libc, arena, socket);
            long word = 0x8000_0000_1234_5678L; // all 64 bits come back, the sign bit included
            assertEquals(0, epoll.add(socket, KernelConstants.EPOLLIN, word));
            assertEquals(0, epoll.poll(0), "nothing to read yet");

            MemorySegment datagram = arena.allocate(8);
            assertEquals(8, libc.sendto(socket, datagram, 8, 0, address, SockaddrIn.SIZE));
            assertEquals(1, epoll.poll(1_000));
            assertEquals(KernelConstants.EPOLLIN, epoll.eventMask(0));
            assertEquals(word, epoll.eventData(0));
            assertEquals(1, epoll.poll(0), "level-triggered: reported again while unread");

            assertEquals(8, LibC.recvfromUncaptured(socket, datagram, 8, KernelConstants.MSG_DONTWAIT,
                    MemorySegment.NULL, MemorySegment.NULL));
            assertEquals(0, epoll.poll(0), "drained");

            assertEquals(0, epoll.modify(socket, KernelConstants.EPOLLOUT, 7));
            assertEquals(1, epoll.poll(0), "a UDP socket is always writable");
            assertEquals(KernelConstants.EPOLLOUT, epoll.eventMask(0));
            assertEquals(7, epoll.eventData(0));

            assertEquals(KernelConstants.EEXIST, epoll.add(socket, KernelConstants.EPOLLIN, 1), "registered twice");
            assertEquals(0, libc.close(socket));
            assertEquals(0, epoll.poll(0), "a closed descriptor leaves the set");
            assertEquals(KernelConstants.EBADF, epoll.modify(socket, KernelConstants.EPOLLIN, 1));
        }
    }

    @Test
    void reportsAtMostItsCapacityPerPollAndTheRestAtTheNext() {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined(); Epoll epoll = Epoll.open(libc, 2)) {
            int[] sockets = new int[3];
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = libc.orThrow(libc.socket(KernelConstants.AF_INET,
                        KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_NONBLOCK, 0), "socket");
                assertEquals(0, epoll.add(sockets[i], KernelConstants.EPOLLOUT, i));
            }
            assertEquals(2, epoll.poll(0));
            assertEquals(2, epoll.poll(0), "level-triggered: the ready ones again, not lost");
            for (int socket : sockets) {
                libc.close(socket);
            }
            assertEquals(0, epoll.poll(0));
        }
    }

    @Test
    void refusesACapacityOutOfRange() {
        LibC libc = new LibC();
        assertThrows(IllegalArgumentException.class, () -> Epoll.open(libc, 0));
        assertThrows(IllegalArgumentException.class, () -> Epoll.open(libc, 65_537));
    }

    /** Binds {@code socket} to 127.0.0.1 on a port the kernel picks and returns that address. */
    static MemorySegment boundToLoopback(LibC libc, Arena arena, int socket) {
        MemorySegment address = arena.allocate(SockaddrIn.LAYOUT);
        address.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
        address.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, LOOPBACK);
        libc.orThrow(libc.bind(socket, address, SockaddrIn.SIZE), "bind");
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, SockaddrIn.SIZE);
        libc.orThrow(libc.getsockname(socket, address, length), "getsockname");
        assertTrue(address.get(NetworkOrder.SHORT, SockaddrIn.PORT_OFFSET) != 0, "a port was chosen");
        return address;
    }
}
