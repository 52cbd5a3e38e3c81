package dev.baton.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The pre-shared key every router of a pair (or group) authenticates peer messages with. It is read from a
 * key file, never from the YAML configuration, so the configuration can be shared and versioned freely.
 *
 * <p>The file holds at least {@link #MIN_KEY_BYTES} random bytes, written as base64 (RFC 4648 §4) or as
 * hex; surrounding whitespace is ignored. A text made only of an even number of hex digits is read as hex,
 * anything else as base64. RFC 2104 §3: a key shorter than the hash output (32 bytes for SHA-256)
 * weakens HMAC, hence the minimum. The file must not be readable or writable by group or others.
 */
public final class PeerKey {

    /** Fewest key bytes accepted: SHA-256's output length (RFC 2104 §3). */
    public static final int MIN_KEY_BYTES = 32;
    /** Largest key file read, in bytes: a key file is a line, not a document. */
    public static final int MAX_FILE_BYTES = 4_096;

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] keyBytes;

    private PeerKey(byte[] keyBytes) {
        this.keyBytes = keyBytes;
    }

    /** The command that creates a good key file at {@code file}, for error messages and docs. */
    public static String howToCreate(Path file) {
        return "create one with: umask 077; head -c 32 /dev/urandom | base64 > " + file + "; chmod 600 " + file;
    }

    /**
     * Reads and checks the key file.
     *
     * @throws PeerKeyException naming the file and how to fix it when it is missing, accessible by group or
     *                          others, too large, not base64 or hex, or shorter than {@link #MIN_KEY_BYTES}
     */
    public static PeerKey load(Path file) throws PeerKeyException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new PeerKeyException("peer key file " + file + " does not exist or is not a regular file; "
                        + howToCreate(file));
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> open = EnumSet.copyOf(GROUP_OR_OTHERS);
                open.retainAll(posix.readAttributes().permissions());
                if (!open.isEmpty()) {
                    throw new PeerKeyException("peer key file " + file + " is accessible by group or others "
                            + open + "; restrict it with: chmod 600 " + file);
                }
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new PeerKeyException("peer key file " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes: not a key file; " + howToCreate(file));
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
            byte[] key = decode(text, file);
            if (key.length < MIN_KEY_BYTES) {
                throw new PeerKeyException("peer key file " + file + " holds " + key.length + " bytes, fewer than "
                        + MIN_KEY_BYTES + "; " + howToCreate(file));
            }
            return new PeerKey(key);
        } catch (PeerKeyException e) {
            throw e;
        } catch (IOException e) {
            throw new PeerKeyException("cannot read peer key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A key from raw bytes (tests, and callers that obtained the key elsewhere); copies them. */
    public static PeerKey of(byte[] keyBytes) {
        if (keyBytes.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a peer key needs at least " + MIN_KEY_BYTES + " bytes, got "
                    + keyBytes.length);
        }
        return new PeerKey(keyBytes.clone());
    }

    private static byte[] decode(String text, Path file) throws PeerKeyException {
        if (!text.isEmpty() && text.length() % 2 == 0 && text.chars().allMatch(PeerKey::isHexDigit)) {
            return HexFormat.of().parseHex(text);
        }
        try {
            // Strict RFC 4648 §4 alphabet; only line breaks and spaces (from wrapped output) are skipped.
            return Base64.getDecoder().decode(text.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new PeerKeyException("peer key file " + file + " is neither base64 nor hex (" + e.getMessage()
                    + "); " + howToCreate(file), e);
        }
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Length of the key in bytes. */
    public int length() {
        return keyBytes.length;
    }

    /** A copy of the key bytes (for {@link MessageAuthenticator} only). */
    byte[] bytes() {
        return keyBytes.clone();
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "PeerKey[" + keyBytes.length + " bytes]";
    }
}
