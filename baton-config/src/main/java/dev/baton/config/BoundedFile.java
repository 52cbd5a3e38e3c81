package dev.baton.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reads a file named by an operator or by the configuration (the configuration itself, the peer key file)
 * with bounds, so a wrong path cannot hang or exhaust the process: only a regular file
 * is opened (a FIFO would block the open until a writer comes, a device such as {@code /dev/zero} never
 * ends, a directory is no text), and at most {@code maxBytes} are read: the size is checked before reading
 * and again while reading, since the file may grow in between. One bounded buffer; nothing is allocated in
 * proportion to what the file claims.
 */
public final class BoundedFile {

    /** The largest configuration file Baton reads: a real one is a few kilobytes. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    private BoundedFile() {
    }

    /** The file is not one Baton reads: its message says why, without the file name (the caller adds it). */
    public static final class RefusedException extends IOException {
        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * The bytes of regular file {@code file}, at most {@code maxBytes}.
     *
     * @throws RefusedException       when it is not a regular file or is larger than {@code maxBytes}
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws IOException            when it cannot be read
     */
    public static byte[] read(Path file, int maxBytes) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new RefusedException("is " + kind(file, attributes) + ", not a regular file");
        }
        if (attributes.size() > maxBytes) {
            throw new RefusedException(tooLarge(attributes.size() + " bytes", maxBytes));
        }
        try (InputStream in = Files.newInputStream(file)) {
            // Between the check and the open the path may have been replaced: check what was opened, by reading
            // at most one byte past the limit.
            byte[] buffer = new byte[(int) Math.min(maxBytes + 1L, Math.max(attributes.size() + 1, 4096))];
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    if (length > maxBytes) {
                        throw new RefusedException(tooLarge("more than " + maxBytes + " bytes (it grew while read)", maxBytes));
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes + 1L, 2L * buffer.length));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    return Arrays.copyOf(buffer, length);
                }
                length += n;
            }
        }
    }

    /**
     * {@link #read} decoded as strict UTF-8.
     *
     * @throws java.nio.charset.CharacterCodingException when the bytes are not UTF-8
     */
    public static String readUtf8(Path file, int maxBytes) throws IOException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(read(file, maxBytes))).toString();
    }

    private static String tooLarge(String size, int maxBytes) {
        return "is too large: " + size + ", at most " + maxBytes + " bytes are read";
    }

    private static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        try {
            // st_mode's type bits (inode(7)): S_IFIFO 010000, S_IFCHR 020000, S_IFBLK 060000, S_IFSOCK 0140000.
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            return switch (mode & 0170000) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }
}
