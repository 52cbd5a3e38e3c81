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

class LibCTest {

    @Test
    void failedCallLeavesItsErrnoInTheCaptureState() {
        LibC libc = new LibC();
        assertEquals(-1, libc.close(-1));
        assertEquals(KernelConstants.EBADF, libc.errno());
        assertEquals(-1, libc.socket(0x7fff, KernelConstants.SOCK_DGRAM, 0));
        assertEquals(KernelConstants.EAFNOSUPPORT, libc.errno());
    }

    @Test
    void orThrowNamesTheCallTheErrnoAndItsText() {
        LibC libc = new LibC();
        NativeException failure = assertThrows(NativeException.class,
                () -> libc.orThrow(libc.setsockopt(-1, KernelConstants.SOL_PACKET, KernelConstants.PACKET_RX_RING,
                        MemorySegment.NULL, 0), "setsockopt(PACKET_RX_RING)"));
        assertEquals("setsockopt(PACKET_RX_RING) failed: EBADF (9): Bad file descriptor", failure.getMessage());
        assertEquals("setsockopt(PACKET_RX_RING)", failure.callName());
        assertEquals(KernelConstants.EBADF, failure.errno());
        assertEquals("EBADF", failure.errnoName());
    }

    @Test
    void successfulResultPassesThroughOrThrow() {
        LibC libc = new LibC();
        int fd = libc.orThrow(libc.socket(KernelConstants.AF_INET, KernelConstants.SOCK_DGRAM, 0), "socket");
        assertTrue(fd >= 0);
        assertEquals(0, libc.orThrow(libc.close(fd), "close"));
    }

    @Test
    void errnoNamesAndTextsComeFromTheCLibrary() {
        assertEquals("EINVAL", LibC.errnoName(KernelConstants.EINVAL));
        assertEquals("Invalid argument", LibC.errnoText(KernelConstants.EINVAL));
        assertEquals("ENOBUFS", LibC.errnoName(KernelConstants.ENOBUFS));
        assertEquals("errno 100000", LibC.errnoName(100_000));
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        int pageSize = LibC.pageSize();
        assertTrue(pageSize >= 4096 && Integer.bitCount(pageSize) == 1, "page size " + pageSize);
    }

    @Test
    void ifNameToIndexFindsLoopbackAndReportsUnknownNames() {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            assertTrue(libc.ifNameToIndex(arena.allocateFrom("lo")) > 0);
            assertEquals(0, libc.ifNameToIndex(arena.allocateFrom("no-such-if0")));
            assertEquals(KernelConstants.ENODEV, libc.errno());
        }
    }

    @Test
    void mmapFailureIsTheAllOnesAddress() {
        LibC libc = new LibC();
        MemorySegment failed = libc.mmap(MemorySegment.NULL, 4096,
                KernelConstants.PROT_READ, KernelConstants.MAP_SHARED, -1, 0);
        assertEquals(-1L, failed.address());
        assertEquals(KernelConstants.EBADF, libc.errno());
    }

    @Test
    void sendtoAndRecvfromCarryADatagramOverLoopbackAndNameItsSender() {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            int fd = libc.orThrow(libc.socket(KernelConstants.AF_INET,
                    KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_NONBLOCK | KernelConstants.SOCK_CLOEXEC, 0), "socket");
            try {
                MemorySegment address = arena.allocate(SockaddrIn.LAYOUT);
                address.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
                address.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, 0x7F00_0001);
                libc.orThrow(libc.bind(fd, address, SockaddrIn.SIZE), "bind(127.0.0.1:0)");
                MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
                length.set(ValueLayout.JAVA_INT, 0, SockaddrIn.SIZE);
                libc.orThrow(libc.getsockname(fd, address, length), "getsockname");
                int port = Short.toUnsignedInt(address.get(NetworkOrder.SHORT, SockaddrIn.PORT_OFFSET));
                assertTrue(port > 0);

                MemorySegment buffer = arena.allocate(64);
                MemorySegment from = arena.allocate(SockaddrIn.LAYOUT);
                length.set(ValueLayout.JAVA_INT, 0, SockaddrIn.SIZE);
                assertEquals(-1, libc.recvfrom(fd, buffer, 64, KernelConstants.MSG_DONTWAIT, from, length));
                assertEquals(KernelConstants.EAGAIN, libc.errno(), "nothing queued yet");

                buffer.setString(0, "probe");
                assertEquals(6, libc.sendto(fd, buffer, 6, KernelConstants.MSG_DONTWAIT, address, SockaddrIn.SIZE));
                buffer.fill((byte) 0);
                long received = -1;
                for (int attempt = 0; attempt < 1_000 && received < 0; attempt++) {
                    received = LibC.recvfromUncaptured(fd, buffer, 64, KernelConstants.MSG_DONTWAIT, from, length);
                }
                assertEquals(6, received);
                assertEquals("probe", buffer.getString(0));
                assertEquals(0x7F00_0001, from.get(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET));
                assertEquals(port, Short.toUnsignedInt(from.get(NetworkOrder.SHORT, SockaddrIn.PORT_OFFSET)));
            } finally {
                libc.close(fd);
            }
        }
    }
}
