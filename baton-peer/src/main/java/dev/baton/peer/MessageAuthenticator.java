package dev.baton.peer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Signs and verifies peer messages with HMAC-SHA256 (RFC 2104, FIPS 198-1) under a {@link PeerKey} (a pair
 * key, {@link PeerKey#pairKey}, for messages: {@link #forPairs}),
 * truncated to {@link PeerHeaderFlyweight#TAG_LENGTH} bytes (RFC 4868 §2.3, as IPsec's
 * HMAC-SHA-256-128).
 *
 * <p>Why HMAC is computed here over {@link MessageDigest} rather than with {@code javax.crypto.Mac}:
 * {@code Mac.doFinal(byte[], int)} allocates the tag (48 bytes per message measured on JDK 25), while
 * {@link MessageDigest#digest(byte[], int, int)} writes into a caller's array, so signing and verifying
 * allocate nothing. The construction is RFC 2104's: {@code H((K ^ opad) || H((K ^ ipad) || m))}; the
 * tests check it byte for byte against {@code javax.crypto.Mac} and RFC 4231's test vectors. The tag is
 * compared in constant time ({@link MessageDigest#isEqual}), so timing leaks nothing about it.
 *
 * <p>Not thread-safe: one instance per thread (the sender and the receiver each own one).
 */
public final class MessageAuthenticator {

    /** SHA-256's block length (RFC 2104's B). */
    private static final int BLOCK_LENGTH = 64;
    /** SHA-256's output length (RFC 2104's L). */
    public static final int FULL_TAG_LENGTH = 32;

    private final MessageDigest digest;
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] fullTag = new byte[FULL_TAG_LENGTH];
    private final byte[] computedTag = new byte[PeerHeaderFlyweight.TAG_LENGTH];
    private final byte[] receivedTag = new byte[PeerHeaderFlyweight.TAG_LENGTH];

    public MessageAuthenticator(PeerKey key) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
        byte[] keyBytes = key.bytes();
        if (keyBytes.length > BLOCK_LENGTH) {
            keyBytes = digest.digest(keyBytes); // RFC 2104 §2: longer keys are hashed first
        }
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            byte k = i < keyBytes.length ? keyBytes[i] : 0;
            innerPad[i] = (byte) (k ^ 0x36);
            outerPad[i] = (byte) (k ^ 0x5c);
        }
        java.util.Arrays.fill(keyBytes, (byte) 0);
    }

    /**
     * One authenticator per peer, each under the key of the pair ({@code self}, that peer) derived from the
     * shared secret ({@link PeerKey#pairKey}), in the order of {@code peerRouterIds}. Built
     * once at start (HKDF allocates); signing and verifying with them allocate nothing.
     *
     * @throws IllegalArgumentException when a peer id is {@code self} or appears twice
     */
    static MessageAuthenticator[] forPairs(PeerKey secret, int self, int[] peerRouterIds) {
        MessageAuthenticator[] pairs = new MessageAuthenticator[peerRouterIds.length];
        for (int i = 0; i < peerRouterIds.length; i++) {
            for (int j = 0; j < i; j++) {
                if (peerRouterIds[j] == peerRouterIds[i]) {
                    throw new IllegalArgumentException("peer router id " + Integer.toUnsignedString(peerRouterIds[i])
                            + " given twice");
                }
            }
            pairs[i] = new MessageAuthenticator(secret.pairKey(self, peerRouterIds[i]));
        }
        return pairs;
    }

    /**
     * Computes the full 32-byte HMAC-SHA256 of {@code length} bytes of {@code message} from {@code offset}
     * into {@code out} at {@code outOffset}. Allocates nothing.
     */
    public void hmac(byte[] message, int offset, int length, byte[] out, int outOffset) {
        try {
            digest.reset();
            digest.update(innerPad, 0, BLOCK_LENGTH);
            digest.update(message, offset, length);
            digest.digest(out, outOffset, FULL_TAG_LENGTH);
            digest.update(outerPad, 0, BLOCK_LENGTH);
            digest.update(out, outOffset, FULL_TAG_LENGTH);
            digest.digest(out, outOffset, FULL_TAG_LENGTH);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 output did not fit 32 bytes", e);
        }
    }

    /**
     * Writes the truncated tag of the first {@code coveredLength} bytes of the message at {@code offset}
     * right after them, at {@code offset + coveredLength}. The array must hold the tag.
     */
    public void sign(byte[] message, int offset, int coveredLength) {
        hmac(message, offset, coveredLength, fullTag, 0);
        System.arraycopy(fullTag, 0, message, offset + coveredLength, PeerHeaderFlyweight.TAG_LENGTH);
    }

    /**
     * Whether the tag at {@code offset + coveredLength} is the truncated HMAC of the {@code coveredLength}
     * bytes before it. The caller has checked the array holds them. Constant time in the tag's content.
     */
    public boolean verify(byte[] message, int offset, int coveredLength) {
        hmac(message, offset, coveredLength, fullTag, 0);
        System.arraycopy(fullTag, 0, computedTag, 0, PeerHeaderFlyweight.TAG_LENGTH);
        System.arraycopy(message, offset + coveredLength, receivedTag, 0, PeerHeaderFlyweight.TAG_LENGTH);
        return MessageDigest.isEqual(computedTag, receivedTag);
    }
}
