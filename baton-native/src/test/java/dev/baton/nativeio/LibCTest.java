package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
}
