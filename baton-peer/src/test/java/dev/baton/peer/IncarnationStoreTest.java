package dev.baton.peer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk incarnation counter: it only grows across restarts, whatever the wall clock does. */
class IncarnationStoreTest {

    @TempDir
    Path directory;

    @Test
    void firstStartIsOneAndEveryStartIsOneMore() throws Exception {
        assertEquals(1, IncarnationStore.next(directory));
        assertEquals(2, IncarnationStore.next(directory));
        assertEquals(3, IncarnationStore.next(directory));
        assertEquals("3\n", Files.readString(directory.resolve(IncarnationStore.FILE_NAME)));
        assertFalse(Files.exists(directory.resolve(IncarnationStore.FILE_NAME + ".new")), "renamed into place");
    }

    @Test
    void missingDirectoryIsCreated() throws Exception {
        Path nested = directory.resolve("var/lib/baton");
        assertEquals(1, IncarnationStore.next(nested));
    }

    @Test
    void corruptOrHugeStateFileIsRefusedWithTheFileNamedNotReset() throws Exception {
        Path file = directory.resolve(IncarnationStore.FILE_NAME);
        for (String content : new String[] {"", "abc\n", "-4\n", "0\n", "99999999999999999999999\n",
                "1".repeat(IncarnationStore.MAX_FILE_BYTES + 1)}) {
            Files.writeString(file, content);
            IncarnationStore.IncarnationStoreException error = assertThrows(
                    IncarnationStore.IncarnationStoreException.class, () -> IncarnationStore.next(directory));
            assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        }
    }

    /** Root writes anywhere, so the unwritable case can only be shown as another user. */
    @Test
    void unwritableDirectoryIsAClearError() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root may write to a read-only directory; this case needs a non-root run");
        Path readOnly = Files.createDirectory(directory.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-x------"));
        IncarnationStore.IncarnationStoreException error = assertThrows(
                IncarnationStore.IncarnationStoreException.class, () -> IncarnationStore.next(readOnly));
        assertTrue(error.getMessage().contains(readOnly.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("state-directory"), error.getMessage());
    }

    @Test
    void aDirectoryPathThatIsAFileIsAClearError() throws Exception {
        Path file = Files.writeString(directory.resolve("plain"), "x");
        IncarnationStore.IncarnationStoreException error = assertThrows(
                IncarnationStore.IncarnationStoreException.class, () -> IncarnationStore.next(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("state-directory"), error.getMessage());
    }
}
