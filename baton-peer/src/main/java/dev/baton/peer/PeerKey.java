package dev.baton.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
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
 *
 * <p>The mode bits alone do not make a key private. The file must also be owned by the
 * process's user (so nobody else can chmod it open or replace its content), and its directory must be owned
 * by root or that user and not writable by group or others (else anyone could rename another file into its
 * place). A key must also be random: all-same bytes, a short repeated pattern, a counting sequence or a text
 * of few distinct byte values is refused as low entropy, since HMAC is only as strong as its key.
 */
public final class PeerKey {

    /** Fewest key bytes accepted: SHA-256's output length (RFC 2104 §3). */
    public static final int MIN_KEY_BYTES = 32;
    /** Largest key file read, in bytes: a key file is a line, not a document. */
    public static final int MAX_FILE_BYTES = 4_096;

    /** Fewest distinct byte values in a key; 32 random bytes show about 30 (a few are below 16 in 10^12). */
    static final int MIN_DISTINCT_BYTES = 16;

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_WRITE = EnumSet.of(
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] keyBytes;

    private PeerKey(byte[] keyBytes) {
        this.keyBytes = keyBytes;
    }

    /** The command that creates a good key file at {@code file}, for error messages and docs. */
    public static String howToCreate(Path file) {
        return "create a good one with: umask 077; head -c 32 /dev/urandom | base64 > " + file + "; chmod 600 "
                + file;
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
                PosixFileAttributes attributes = posix.readAttributes();
                Set<PosixFilePermission> open = EnumSet.copyOf(GROUP_OR_OTHERS);
                open.retainAll(attributes.permissions());
                if (!open.isEmpty()) {
                    throw new PeerKeyException("peer key file " + file + " is accessible by group or others "
                            + open + "; restrict it with: chmod 600 " + file);
                }
                checkOwnerAndDirectory(file, attributes.owner());
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
            String weakness = weakness(key);
            if (weakness != null) {
                throw new PeerKeyException("peer key file " + file + " holds a low entropy key (" + weakness
                        + "), not random bytes; " + howToCreate(file));
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

    /**
     * The file must belong to the process's user, and its directory (the real one, after symbolic links)
     * to root or that user without group/other write permission.
     */
    private static void checkOwnerAndDirectory(Path file, UserPrincipal fileOwner) throws IOException {
        UserPrincipal self = file.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!fileOwner.equals(self)) {
            throw new PeerKeyException("peer key file " + file + " is owned by " + fileOwner.getName()
                    + ", not by " + self.getName() + " who runs baton; fix it with: chown " + self.getName()
                    + " " + file + "; chmod 600 " + file);
        }
        Path directory = file.toRealPath().getParent();
        if (directory == null) {
            return;
        }
        PosixFileAttributes dir = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal root = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
        if (!dir.owner().equals(self) && !dir.owner().equals(root)) {
            throw new PeerKeyException("peer key file " + file + ": its directory " + directory + " is owned by "
                    + dir.owner().getName() + ", who could replace the key; keep it in a directory owned by root,"
                    + " e.g. /etc/baton (chown root " + directory + ")");
        }
        Set<PosixFilePermission> writable = EnumSet.copyOf(GROUP_OR_OTHERS_WRITE);
        writable.retainAll(dir.permissions());
        if (!writable.isEmpty()) {
            throw new PeerKeyException("peer key file " + file + ": its directory " + directory
                    + " is writable by group or others " + writable + ", who could replace the key; fix it with: "
                    + "chmod go-w " + directory);
        }
    }

    /**
     * Why {@code key} is obviously not random, or null. Catches what people type instead of generating:
     * a short pattern repeated (all-same bytes is period 1), a counting sequence, and a text of few distinct
     * byte values (a hex digit string decoded as base64, a word typed over and over). A random key passes
     * with overwhelming probability; a passing key is not proven random.
     */
    static String weakness(byte[] key) {
        for (int period = 1; period <= key.length / 2; period++) {
            if (hasPeriod(key, period)) {
                return period == 1 ? "all bytes the same" : "a pattern of " + period + " bytes repeated";
            }
        }
        boolean counting = key.length > 2;
        int step = (key[1] - key[0]) & 0xFF;
        for (int i = 2; i < key.length && counting; i++) {
            counting = ((key[i] - key[i - 1]) & 0xFF) == step;
        }
        if (counting) {
            return "a counting sequence";
        }
        boolean[] seen = new boolean[256];
        int distinct = 0;
        for (byte b : key) {
            if (!seen[b & 0xFF]) {
                seen[b & 0xFF] = true;
                distinct++;
            }
        }
        return distinct < MIN_DISTINCT_BYTES ? "only " + distinct + " distinct byte values" : null;
    }

    private static boolean hasPeriod(byte[] key, int period) {
        for (int i = period; i < key.length; i++) {
            if (key[i] != key[i - period]) {
                return false;
            }
        }
        return true;
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

    /** RFC 5869 salt of the pair keys: fixed and public, it only separates Baton's use of the secret (§3.1). */
    static final byte[] PAIR_KEY_SALT = "dev.baton.peer pair-key salt".getBytes(StandardCharsets.US_ASCII);
    /** Protocol label at the head of a pair key's HKDF info; "v1" changes if the derivation ever does. */
    static final byte[] PAIR_KEY_LABEL = "baton peer pair v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * The key of the pair of routers {@code a} and {@code b}, derived from this shared secret
     * with HKDF-SHA256 (RFC 5869): info is {@link #PAIR_KEY_LABEL} then the two router numbers as unsigned
     * 32-bit big-endian, lower first, so both routers of the pair derive the same key. A router that holds only
     * pair keys cannot authenticate as a third router or to one; but any holder of the shared secret (every
     * router given the key file) can derive every pair key: the secret stays the root of trust. Derive once at
     * start (it allocates).
     *
     * @throws IllegalArgumentException when {@code a == b}
     */
    public PeerKey pairKey(int a, int b) {
        if (a == b) {
            throw new IllegalArgumentException("a router has no pair key with itself (" + Integer.toUnsignedString(a)
                    + ")");
        }
        int low = Integer.compareUnsigned(a, b) < 0 ? a : b;
        int high = low == a ? b : a;
        byte[] info = java.util.Arrays.copyOf(PAIR_KEY_LABEL, PAIR_KEY_LABEL.length + 8);
        java.nio.ByteBuffer.wrap(info, PAIR_KEY_LABEL.length, 8).putInt(low).putInt(high);
        return new PeerKey(Hkdf.derive(PAIR_KEY_SALT, keyBytes, info, Hkdf.HASH_LENGTH));
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
