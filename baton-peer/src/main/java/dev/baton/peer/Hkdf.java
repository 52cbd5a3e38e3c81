package dev.baton.peer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): extract a pseudorandom key from input keying material and a salt (§2.2),
 * then expand it to the length asked for, bound to an info string (§2.3). Baton uses it once at start to derive
 * the per-pair keys from the shared secret ({@link PeerKey#pairKey}); it allocates, which is
 * why it never runs per message. Checked against RFC 5869 Appendix A.
 */
public final class Hkdf {

    /** SHA-256's output length, RFC 5869's HashLen. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869 §2.3: L &lt;= 255 * HashLen. */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

    private Hkdf() {
    }

    /** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zero bytes. */
    public static byte[] extract(byte[] salt, byte[] inputKeyingMaterial) {
        Mac mac = hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt);
        return mac.doFinal(inputKeyingMaterial);
    }

    /** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = the first {@code length} bytes of T(1) | T(2) | … */
    public static byte[] expand(byte[] pseudorandomKey, byte[] info, int length) {
        if (length < 0 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output is 0 to " + MAX_OUTPUT_LENGTH + " bytes, asked "
                    + length);
        }
        Mac mac = hmac(pseudorandomKey);
        byte[] output = new byte[length];
        byte[] block = new byte[0];
        for (int i = 1, done = 0; done < length; i++) {
            mac.update(block);
            mac.update(info);
            mac.update((byte) i);
            block = mac.doFinal();
            int take = Math.min(HASH_LENGTH, length - done);
            System.arraycopy(block, 0, output, done, take);
            done += take;
        }
        Arrays.fill(block, (byte) 0);
        return output;
    }

    /** Extract then expand. */
    public static byte[] derive(byte[] salt, byte[] inputKeyingMaterial, byte[] info, int length) {
        byte[] pseudorandomKey = extract(salt, inputKeyingMaterial);
        try {
            return expand(pseudorandomKey, info, length);
        } finally {
            Arrays.fill(pseudorandomKey, (byte) 0);
        }
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
        }
    }
}
