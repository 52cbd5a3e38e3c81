package dev.baton.peer;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** HKDF-SHA256 against RFC 5869 Appendix A (test cases 1 to 3), and the per-pair keys derived with it. */
class HkdfTest {

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] range(int from, int toExclusive) {
        byte[] bytes = new byte[toExclusive - from];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }

    private static void rfcCase(byte[] ikm, byte[] salt, byte[] info, int length, String prk, String okm) {
        byte[] extracted = Hkdf.extract(salt, ikm);
        assertEquals(prk, HexFormat.of().formatHex(extracted));
        assertEquals(okm, HexFormat.of().formatHex(Hkdf.expand(extracted, info, length)));
        assertEquals(okm, HexFormat.of().formatHex(Hkdf.derive(salt, ikm, info, length)));
    }

    @Test
    void rfc5869TestCase1BasicSha256() {
        rfcCase(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), range(0x00, 0x0d), range(0xf0, 0xfa), 42,
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void rfc5869TestCase2LongerInputsAndOutputs() {
        rfcCase(range(0x00, 0x50), range(0x60, 0xb0), range(0xb0, 0x100), 82,
                "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }

    @Test
    void rfc5869TestCase3ZeroLengthSaltAndInfo() {
        rfcCase(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), new byte[0], new byte[0], 42,
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void outputLongerThan255BlocksIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(new byte[32], new byte[0], 255 * 32 + 1));
    }

    private static byte[] tagUnder(PeerKey key) {
        byte[] tag = new byte[32];
        new MessageAuthenticator(key).hmac(new byte[40], 0, 40, tag, 0);
        return tag;
    }

    @Test
    void pairKeyIsTheSameInBothDirectionsAndDiffersPerPair() {
        PeerKey secret = TestPeers.key(1);
        assertArrayEquals(tagUnder(secret.pairKey(1, 2)), tagUnder(secret.pairKey(2, 1)),
                "both routers of a pair derive the same key, whoever is lower");
        assertNotEquals(HexFormat.of().formatHex(tagUnder(secret.pairKey(1, 2))),
                HexFormat.of().formatHex(tagUnder(secret.pairKey(1, 3))), "the key of (1,2) cannot speak to 3");
        assertNotEquals(HexFormat.of().formatHex(tagUnder(secret.pairKey(1, 3))),
                HexFormat.of().formatHex(tagUnder(secret.pairKey(2, 3))), "the key of (1,3) cannot speak for 2");
        assertNotEquals(HexFormat.of().formatHex(tagUnder(secret)),
                HexFormat.of().formatHex(tagUnder(secret.pairKey(1, 2))), "a pair key is not the shared secret");
        assertEquals(32, secret.pairKey(1, 2).length());
    }

    @Test
    void pairKeyOrdersRouterNumbersAsUnsigned() {
        PeerKey secret = TestPeers.key(1);
        assertArrayEquals(tagUnder(secret.pairKey(0xFFFF_FFFF, 1)), tagUnder(secret.pairKey(1, 0xFFFF_FFFF)));
    }

    /** Pins the derivation (salt, info layout, label), so both ends of a mixed-version pair agree or fail visibly. */
    @Test
    void pairKeyDerivationIsPinned() {
        byte[] secret = range(0x00, 0x20);
        byte[] info = hex("6261746f6e2070656572207061697220763100000001" + "00000002");
        assertArrayEquals(tagUnder(PeerKey.of(Hkdf.derive(PeerKey.PAIR_KEY_SALT, secret, info, 32))),
                tagUnder(PeerKey.of(secret).pairKey(2, 1)));
        assertEquals("baton peer pair v1", new String(PeerKey.PAIR_KEY_LABEL, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("dev.baton.peer pair-key salt", new String(PeerKey.PAIR_KEY_SALT, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void aRouterHasNoPairKeyWithItself() {
        assertThrows(IllegalArgumentException.class, () -> TestPeers.key(1).pairKey(7, 7));
    }
}
