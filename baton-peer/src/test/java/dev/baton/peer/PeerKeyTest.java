package dev.baton.peer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key file: base64 or hex, at least 32 bytes, private to its owner; errors say which file and how to fix it. */
class PeerKeyTest {

    @TempDir
    Path directory;

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private Path write(String name, String content, String permissions) throws Exception {
        Path file = directory.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private static void assumePosix() {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "the key file's permission rules need a POSIX file system");
    }

    private static void sameKey(byte[] expected, PeerKey key) {
        byte[] message = new byte[40];
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        new MessageAuthenticator(key).hmac(message, 0, 40, a, 0);
        new MessageAuthenticator(PeerKey.of(expected)).hmac(message, 0, 40, b, 0);
        assertEquals(HexFormat.of().formatHex(b), HexFormat.of().formatHex(a));
    }

    @Test
    void base64KeyFileWithTrailingNewlineLoads() throws Exception {
        assumePosix();
        byte[] bytes = random(32);
        PeerKey key = PeerKey.load(write("peer.key", Base64.getEncoder().encodeToString(bytes) + "\n", "rw-------"));
        assertEquals(32, key.length());
        sameKey(bytes, key);
        assertEquals("PeerKey[32 bytes]", key.toString(), "never shows the key");
    }

    @Test
    void hexKeyFileLoads() throws Exception {
        assumePosix();
        byte[] bytes = random(48);
        PeerKey key = PeerKey.load(write("peer.hex", "  " + HexFormat.of().formatHex(bytes) + "\n", "r--------"));
        assertEquals(48, key.length());
        sameKey(bytes, key);
    }

    @Test
    void keyFileReadableByGroupOrOthersIsRefusedWithTheFix() throws Exception {
        assumePosix();
        String content = Base64.getEncoder().encodeToString(random(32));
        for (String permissions : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw-----w-"}) {
            Path file = write("open-" + permissions.replace('-', '_') + ".key", content, permissions);
            PeerKeyException error = assertThrows(PeerKeyException.class, () -> PeerKey.load(file));
            assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
            assertTrue(error.getMessage().contains("chmod 600 " + file), error.getMessage());
        }
    }

    @Test
    void shortKeyIsRefusedWithHowToCreateOne() throws Exception {
        assumePosix();
        Path file = write("short.key", Base64.getEncoder().encodeToString(random(31)), "rw-------");
        PeerKeyException error = assertThrows(PeerKeyException.class, () -> PeerKey.load(file));
        assertTrue(error.getMessage().contains("31 bytes"), error.getMessage());
        assertTrue(error.getMessage().contains("head -c 32 /dev/urandom | base64 > " + file), error.getMessage());
    }

    @Test
    void missingEmptyGarbageAndHugeFilesAreRefused() throws Exception {
        assumePosix();
        Path missing = directory.resolve("absent.key");
        assertTrue(assertThrows(PeerKeyException.class, () -> PeerKey.load(missing)).getMessage().contains(missing.toString()));
        Path empty = write("empty.key", "", "rw-------");
        assertTrue(assertThrows(PeerKeyException.class, () -> PeerKey.load(empty)).getMessage().contains("0 bytes"));
        Path garbage = write("garbage.key", "not a key! %%%", "rw-------");
        assertTrue(assertThrows(PeerKeyException.class, () -> PeerKey.load(garbage)).getMessage().contains("neither base64 nor hex"));
        Path huge = write("huge.key", "A".repeat(PeerKey.MAX_FILE_BYTES + 1), "rw-------");
        assertTrue(assertThrows(PeerKeyException.class, () -> PeerKey.load(huge)).getMessage().contains("larger than"));
    }

    @Test
    void rawKeyShorterThan32BytesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PeerKey.of(new byte[31]));
    }
}
