package dev.baton.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A router's incarnation counter kept on disk: read, add one, write to a new file, fsync it,
 * rename it over the old one atomically and fsync the directory, all before the first message is sent. Unlike
 * an incarnation taken from the wall clock, it grows across every restart even when the clock goes back, so a
 * peer can always tell a newer run from a replay of an older one.
 *
 * <p>A state file that cannot be read as a positive number is an error, never a reset to 1: a reset would
 * make every message of the earlier runs look new again. The operator removes the file only together with
 * restarting every peer. Used once at start; it allocates and does I/O.
 */
public final class IncarnationStore {

    /** Name of the state file in the state directory. */
    public static final String FILE_NAME = "incarnation";
    /** Largest state file read: one decimal number and a newline. */
    public static final int MAX_FILE_BYTES = 32;

    private IncarnationStore() {
    }

    /** The state file is unreadable, corrupt or cannot be written; the message names the file and the fix. */
    public static final class IncarnationStoreException extends IOException {
        private static final long serialVersionUID = 1L;

        IncarnationStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Returns this run's incarnation, one more than the last one stored in {@code directory} (1 on the first
     * start), after it is durably stored.
     *
     * @throws IncarnationStoreException naming the file and what to do when it cannot be read or written
     */
    public static long next(Path directory) throws IncarnationStoreException {
        Path file = directory.resolve(FILE_NAME);
        long next = read(file) + 1;
        write(directory, file, next);
        return next;
    }

    private static long read(Path file) throws IncarnationStoreException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new IncarnationStoreException("cannot read the incarnation state file " + file + ": " + e
                    + "; check high-availability.state-directory", e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        long value = -1;
        if (bytes.length <= MAX_FILE_BYTES && !text.isEmpty() && text.length() <= 18
                && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = Long.parseLong(text);
        }
        if (value < 1) {
            throw new IncarnationStoreException("incarnation state file " + file + " does not hold a positive number"
                    + " (it holds e.g. \"42\\n\"); do not reset it while a peer runs: remove it only when every"
                    + " router of the group restarts", null);
        }
        return value;
    }

    private static void write(Path directory, Path file, long value) throws IncarnationStoreException {
        Path fresh = directory.resolve(FILE_NAME + ".new");
        try {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            try {
                Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true); // the rename itself is durable only once the directory is synced
            }
        } catch (IOException e) {
            throw new IncarnationStoreException("cannot store the incarnation in " + file + ": " + e
                    + "; high-availability.state-directory must be a directory root can write, e.g."
                    + " /var/lib/baton (mkdir -p /var/lib/baton; chmod 700 /var/lib/baton)", e);
        }
    }
}
