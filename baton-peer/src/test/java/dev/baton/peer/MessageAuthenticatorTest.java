package dev.baton.peer;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocation-free HMAC-SHA256 is RFC 2104's, byte for byte. */
class MessageAuthenticatorTest {

    private static byte[] hmac(PeerKey key, byte[] message) {
        byte[] out = new byte[MessageAuthenticator.FULL_TAG_LENGTH];
        new MessageAuthenticator(key).hmac(message, 0, message.length, out, 0);
        return out;
    }

    /** RFC 4231 §4.7 and §4.8: the key (131 bytes of 0xaa) is longer than a block and is hashed first. */
    @Test
    void matchesRfc4231TestVectorsForKeysLongerThanABlock() {
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        assertArrayEquals(HexFormat.of().parseHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                hmac(PeerKey.of(key), "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(HexFormat.of().parseHex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
                hmac(PeerKey.of(key), ("This is a test using a larger than block-size key and a larger than block-size data."
                        + " The key needs to be hashed before being used by the HMAC algorithm.").getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void matchesJavaxCryptoMacForRandomKeysAndMessages() throws Exception {
        Random random = new Random(42);
        int[] keyLengths = {32, 33, 63, 64, 65, 200};
        for (int keyLength : keyLengths) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            Mac reference = Mac.getInstance("HmacSHA256");
            reference.init(new SecretKeySpec(key, "HmacSHA256"));
            MessageAuthenticator authenticator = new MessageAuthenticator(PeerKey.of(key));
            for (int length : new int[] {0, 1, 55, 56, 64, 1456}) {
                byte[] message = new byte[length + 3];
                random.nextBytes(message);
                byte[] ours = new byte[32 + 5];
                authenticator.hmac(message, 3, length, ours, 5);
                byte[] expected = reference.doFinal(Arrays.copyOfRange(message, 3, 3 + length));
                assertArrayEquals(expected, Arrays.copyOfRange(ours, 5, 37), "key " + keyLength + " message " + length);
            }
        }
    }

    @Test
    void signedMessageVerifiesAndAnyChangeOrOtherKeyFails() {
        byte[] message = new byte[100 + PeerHeaderFlyweight.TAG_LENGTH];
        new Random(1).nextBytes(message);
        MessageAuthenticator authenticator = new MessageAuthenticator(TestPeers.key(1));
        authenticator.sign(message, 0, 100);
        assertTrue(authenticator.verify(message, 0, 100));
        assertFalse(new MessageAuthenticator(TestPeers.key(2)).verify(message, 0, 100));
        for (int i = 0; i < message.length; i += 13) {
            byte[] altered = message.clone();
            altered[i] ^= 0x40;
            assertFalse(authenticator.verify(altered, 0, 100), "byte " + i);
        }
    }
}
