package dev.baton.nativeio;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link UnixDatagramSocket} against real AF_UNIX datagram sockets: its own, and Python's (a second implementation of
 * the address encoding, so that a wrong abstract name cannot pass by being wrong the same way at both ends).
 */
class UnixDatagramSocketTest {

    private static String abstractName() {
        return "@baton-test-" + ProcessHandle.current().pid() + "-" + ThreadLocalRandom.current().nextInt(1 << 30);
    }

    @Test
    void aPathAddressIsTheFamilyThePathAndItsNul() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            sockaddr.fill((byte) 0x55);
            int length = UnixDatagramSocket.write("/run/systemd/notify", sockaddr);
            assertEquals(2 + 19 + 1, length);
            assertEquals(KernelConstants.AF_UNIX, sockaddr.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals("/run/systemd/notify", sockaddr.getString(2));
            assertEquals(0, sockaddr.get(ValueLayout.JAVA_BYTE, 2 + 19), "NUL-terminated");
            assertEquals(0, sockaddr.get(ValueLayout.JAVA_BYTE, 109), "the rest of sun_path cleared");
        }
    }

    @Test
    void anAbstractAddressIsANulThenTheNameWithoutTerminator() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            int length = UnixDatagramSocket.write("@sd", sockaddr);
            assertEquals(2 + 1 + 2, length, "the length ends the name: no trailing NUL counted");
            assertEquals(0, sockaddr.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals('s', sockaddr.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals('d', sockaddr.get(ValueLayout.JAVA_BYTE, 4));
        }
    }

    @Test
    void addressesThatAreNotOneAreRefusedWithTheReason() {
        assertEquals("empty", UnixDatagramSocket.problem(""));
        assertEquals("empty", UnixDatagramSocket.problem(null));
        assertTrue(UnixDatagramSocket.problem("run/notify").contains("neither an absolute path nor an abstract name"));
        assertTrue(UnixDatagramSocket.problem("vsock:2:1234").contains("neither"));
        assertTrue(UnixDatagramSocket.problem("@").contains("names no abstract socket"));
        assertTrue(UnixDatagramSocket.problem("/" + "a".repeat(107)).contains("108 bytes long; sun_path holds at most 107"));
        assertNull(UnixDatagramSocket.problem("/" + "a".repeat(106)), "107 bytes and the NUL fit");
        assertNull(UnixDatagramSocket.problem("@" + "a".repeat(107)), "an abstract name may take all 107 bytes after its NUL");
        assertTrue(UnixDatagramSocket.problem("/a\u0000b").contains("NUL byte"));
        assertTrue(UnixDatagramSocket.problem("x\n\u001b[31m").contains("\\x0a\\x1b"), "control characters shown escaped");
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class,
                    () -> UnixDatagramSocket.write("relative", arena.allocate(KernelStructs.SockaddrUn.LAYOUT)));
        }
    }

    @Test
    void aDatagramReachesASocketBoundToAPath(@TempDir Path directory) {
        String path = directory.resolve("notify").toString();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(path);
             UnixDatagramSocket sender = UnixDatagramSocket.open();
             Arena arena = Arena.ofConfined()) {
            MemorySegment to = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            int length = UnixDatagramSocket.write(path, to);
            assertEquals(0, sender.send("READY=1\nSTATUS=up".getBytes(StandardCharsets.UTF_8), to, length));
            assertEquals(0, sender.send(new byte[0], to, length), "an empty datagram is a datagram");
            assertArrayEquals("READY=1\nSTATUS=up".getBytes(StandardCharsets.UTF_8), receiver.receive(4096, 2_000));
            assertArrayEquals(new byte[0], receiver.receive(4096, 2_000));
            assertNull(receiver.receive(4096, 10), "nothing more");
        }
    }

    @Test
    void sendingToNobodyReturnsTheErrnoAndAFullQueueNeverBlocks(@TempDir Path directory) {
        String missing = directory.resolve("nobody-here").toString();
        String path = directory.resolve("never-read").toString();
        try (UnixDatagramSocket sender = UnixDatagramSocket.open();
             UnixDatagramSocket receiver = UnixDatagramSocket.bind(path);
             Arena arena = Arena.ofConfined()) {
            MemorySegment to = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            assertEquals(KernelConstants.ENOENT, sender.send(new byte[]{'x'}, to, UnixDatagramSocket.write(missing, to)));
            int length = UnixDatagramSocket.write(path, to);
            int refused = 0;
            long startNs = System.nanoTime();
            for (int i = 0; i < 5_000; i++) {
                if (sender.send("WATCHDOG=1".getBytes(StandardCharsets.UTF_8), to, length) == KernelConstants.EAGAIN) {
                    refused++;
                }
            }
            assertTrue(refused > 0, "the receiver's queue filled and the sender was told EAGAIN");
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "never blocked");
            assertNotNull(receiver.receive(64, 1_000));
        }
    }

    @Test
    void anAbstractNameIsTheNamePythonBindsToo() throws Exception {
        assumeTrue(python3(), "python3 is not installed (apt install python3)");
        String name = abstractName();
        // Python writes the abstract address its own way: a str starting with NUL.
        Process python = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind('\\0' + sys.argv[1])
                print('bound', flush=True)
                s.settimeout(10)
                print(s.recv(4096).hex(), flush=True)
                """, name.substring(1)).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
             UnixDatagramSocket sender = UnixDatagramSocket.open();
             Arena arena = Arena.ofConfined()) {
            assertEquals("bound", out.readLine());
            MemorySegment to = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            byte[] message = "READY=1\nSTATUS=router r1: forwarding 1 of 1 VIP(s)".getBytes(StandardCharsets.UTF_8);
            assertEquals(0, sender.send(message, to, UnixDatagramSocket.write(name, to)));
            assertEquals(HexFormat.of().formatHex(message), out.readLine());
        } finally {
            python.destroy();
            python.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPathPythonBindsIsReachedToo(@TempDir Path directory) throws Exception {
        assumeTrue(python3(), "python3 is not installed (apt install python3)");
        Path path = directory.resolve("py-notify");
        Process python = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                print('bound', flush=True)
                s.settimeout(10)
                print(s.recv(4096).hex(), flush=True)
                """, path.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
             UnixDatagramSocket sender = UnixDatagramSocket.open();
             Arena arena = Arena.ofConfined()) {
            assertEquals("bound", out.readLine());
            assertTrue(Files.exists(path));
            MemorySegment to = arena.allocate(KernelStructs.SockaddrUn.LAYOUT);
            byte[] message = "STOPPING=1".getBytes(StandardCharsets.UTF_8);
            assertEquals(0, sender.send(message, to, UnixDatagramSocket.write(path.toString(), to)));
            assertEquals(HexFormat.of().formatHex(message), out.readLine());
        } finally {
            python.destroy();
            python.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
