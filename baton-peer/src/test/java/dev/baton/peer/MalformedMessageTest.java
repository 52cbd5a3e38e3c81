package dev.baton.peer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed, truncated, forged and mutated datagrams are rejected with the right reason, without an
 * exception and without touching the sender's replay window.
 */
class MalformedMessageTest {

    private static final PeerKey KEY = TestPeers.key(7);

    /** A fresh, valid, signed sample of {@code type} from router A (sequence 1). */
    private static byte[] valid(MessageType type) {
        PeerMessageBuffer buffer = new PeerMessageBuffer();
        int length = TestPeers.compose(TestPeers.composerA(KEY), buffer, type);
        return TestPeers.copy(buffer, length);
    }

    /** The same payload re-signed after {@code edit}, so only the edited rule can reject it. */
    private static byte[] resigned(MessageType type, java.util.function.Consumer<byte[]> edit, int length) {
        byte[] datagram = Arrays.copyOf(valid(type), length);
        edit.accept(datagram);
        if (length >= PeerHeaderFlyweight.MIN_MESSAGE_LENGTH) {
            // under the (A, B) pair key the sample was signed with
            new MessageAuthenticator(KEY.pairKey(TestPeers.ROUTER_A, TestPeers.ROUTER_B))
                    .sign(datagram, 0, length - PeerHeaderFlyweight.TAG_LENGTH);
        }
        return datagram;
    }

    private static byte[] with(byte[] datagram, int index, int value) {
        byte[] copy = datagram.clone();
        copy[index] = (byte) value;
        return copy;
    }

    record Case(String description, UnaryOperator<byte[]> mutation, Verdict expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> malformed() {
        int keepAliveLength = valid(MessageType.KEEPALIVE).length;
        return Stream.of(
                new Case("empty datagram", d -> new byte[0], Verdict.BAD_LENGTH),
                new Case("header only, no tag", d -> Arrays.copyOf(d, PeerHeaderFlyweight.HEADER_LENGTH), Verdict.BAD_LENGTH),
                new Case("one byte short of header and tag", d -> Arrays.copyOf(d, PeerHeaderFlyweight.MIN_MESSAGE_LENGTH - 1), Verdict.BAD_LENGTH),
                new Case("truncated by one byte", d -> Arrays.copyOf(d, d.length - 1), Verdict.BAD_LENGTH),
                new Case("one trailing byte", d -> Arrays.copyOf(d, d.length + 1), Verdict.BAD_LENGTH),
                new Case("longer than the maximum datagram", d -> Arrays.copyOf(d, PeerHeaderFlyweight.MAX_MESSAGE_LENGTH + 1), Verdict.BAD_LENGTH),
                new Case("payload length larger than the datagram", d -> with(d, PeerHeaderFlyweight.PAYLOAD_LENGTH_OFFSET, 0x7F), Verdict.BAD_LENGTH),
                new Case("first magic byte wrong", d -> with(d, 0, 0xBB), Verdict.BAD_MAGIC),
                new Case("second magic byte wrong", d -> with(d, 1, 0x71), Verdict.BAD_MAGIC),
                new Case("version 0", d -> with(d, PeerHeaderFlyweight.VERSION_OFFSET, 0), Verdict.BAD_VERSION),
                new Case("version 1 (no destination, one key for all)", d -> with(d, PeerHeaderFlyweight.VERSION_OFFSET, 1), Verdict.BAD_VERSION),
                new Case("version 2 (keep-alives without a term)", d -> with(d, PeerHeaderFlyweight.VERSION_OFFSET, 2), Verdict.BAD_VERSION),
                new Case("version 4", d -> with(d, PeerHeaderFlyweight.VERSION_OFFSET, 4), Verdict.BAD_VERSION),
                new Case("type 0", d -> with(d, PeerHeaderFlyweight.TYPE_OFFSET, 0), Verdict.BAD_TYPE),
                new Case("type 200", d -> with(d, PeerHeaderFlyweight.TYPE_OFFSET, 200), Verdict.BAD_TYPE),
                new Case("keep-alive count one more than its records, re-signed",
                        d -> resigned(MessageType.KEEPALIVE, b -> b[PeerHeaderFlyweight.PAYLOAD_OFFSET + 1] = 3, keepAliveLength), Verdict.BAD_PAYLOAD),
                new Case("keep-alive labelled as an ACK, re-signed",
                        d -> resigned(MessageType.KEEPALIVE, b -> b[PeerHeaderFlyweight.TYPE_OFFSET] = 6, keepAliveLength), Verdict.BAD_PAYLOAD),
                new Case("sender is not a configured peer, re-signed",
                        d -> resigned(MessageType.KEEPALIVE, b -> b[PeerHeaderFlyweight.SENDER_ROUTER_ID_OFFSET] = 0x7E, keepAliveLength), Verdict.UNKNOWN_SENDER),
                new Case("sequence number altered", d -> with(d, PeerHeaderFlyweight.SEQUENCE_OFFSET + 7, 2), Verdict.BAD_TAG),
                new Case("incarnation altered", d -> with(d, PeerHeaderFlyweight.INCARNATION_OFFSET, 0x55), Verdict.BAD_TAG),
                new Case("flags altered", d -> with(d, PeerHeaderFlyweight.FLAGS_OFFSET, 1), Verdict.BAD_TAG),
                new Case("destination altered", d -> with(d, PeerHeaderFlyweight.DESTINATION_ROUTER_ID_OFFSET + 3, 3), Verdict.BAD_TAG),
                new Case("destination another router, re-signed with the pair key",
                        d -> resigned(MessageType.KEEPALIVE, b -> b[PeerHeaderFlyweight.DESTINATION_ROUTER_ID_OFFSET] = 0x0C, keepAliveLength),
                        Verdict.WRONG_DESTINATION),
                new Case("payload byte altered", d -> with(d, PeerHeaderFlyweight.PAYLOAD_OFFSET + 8, 0x99), Verdict.BAD_TAG),
                new Case("tag byte altered", d -> with(d, d.length - 1, d[d.length - 1] ^ 1), Verdict.BAD_TAG),
                new Case("sequence 0, re-signed",
                        d -> resigned(MessageType.KEEPALIVE, b -> b[PeerHeaderFlyweight.SEQUENCE_OFFSET + 7] = 0, keepAliveLength), Verdict.TOO_OLD));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedDatagramIsRejectedWithItsReasonAndChangesNothing(Case test) {
        MessageVerifier verifier = TestPeers.verifierB(KEY);
        PeerMessageBuffer buffer = new PeerMessageBuffer();
        byte[] datagram = test.mutation().apply(valid(MessageType.KEEPALIVE));
        TestPeers.load(buffer, datagram);

        assertEquals(test.expected(), verifier.verify(buffer, datagram.length));
        assertEquals(1, verifier.counters().count(test.expected()));
        assertEquals(null, verifier.type());
        assertTrue(!verifier.window(TestPeers.ROUTER_A).seenAny(), "a rejected message must not touch the window");
        // and the genuine message is still accepted afterwards
        byte[] genuine = valid(MessageType.KEEPALIVE);
        TestPeers.load(buffer, genuine);
        assertEquals(Verdict.ACCEPTED, verifier.verify(buffer, genuine.length));
    }

    @Test
    void messageSignedWithAnotherKeyIsBadTag() {
        PeerMessageBuffer buffer = new PeerMessageBuffer();
        int length = TestPeers.compose(TestPeers.composerA(TestPeers.key(8)), buffer, MessageType.KEEPALIVE);
        MessageVerifier verifier = TestPeers.verifierB(KEY);
        assertEquals(Verdict.BAD_TAG, verifier.verify(buffer, length));
        assertTrue(!verifier.window(TestPeers.ROUTER_A).seenAny());
    }

    @Test
    void thousandsOfRandomMutationsAreRejectedWithoutExceptionOrStateChange() {
        Random random = new Random(0xBA70);
        MessageType[] types = MessageType.values();
        MessageVerifier verifier = TestPeers.verifierB(KEY);
        PeerMessageBuffer buffer = new PeerMessageBuffer();
        // Accept every original once: afterwards an unchanged copy is a replay, so nothing may be ACCEPTED.
        byte[][] originals = new byte[types.length][];
        for (int i = 0; i < types.length; i++) {
            MessageComposer composer = TestPeers.composerA(KEY);
            for (int skip = 0; skip < i; skip++) {
                TestPeers.compose(composer, buffer, types[i]); // distinct sequence per type: 1 .. 11
            }
            originals[i] = TestPeers.copy(buffer, TestPeers.compose(composer, buffer, types[i]));
            TestPeers.load(buffer, originals[i]);
            assertEquals(Verdict.ACCEPTED, verifier.verify(buffer, originals[i].length), types[i].name());
        }
        long highestBefore = verifier.window(TestPeers.ROUTER_A).highestSequence();
        int[] byVerdict = new int[Verdict.values().length];
        for (int round = 0; round < 5_000; round++) {
            byte[] datagram = originals[random.nextInt(originals.length)].clone();
            switch (random.nextInt(4)) {
                case 0 -> { // flip 1 to 4 random bits
                    for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                        datagram[random.nextInt(datagram.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> datagram = Arrays.copyOf(datagram, random.nextInt(datagram.length)); // truncate
                case 2 -> datagram[random.nextInt(datagram.length)] = (byte) random.nextInt(256); // overwrite a byte
                default -> { // random garbage, sometimes behind a valid magic and version
                    datagram = new byte[random.nextInt(PeerHeaderFlyweight.MAX_MESSAGE_LENGTH + 1)];
                    random.nextBytes(datagram);
                    if (random.nextBoolean() && datagram.length >= 4) {
                        datagram[0] = (byte) 0xBA;
                        datagram[1] = 0x70;
                        datagram[2] = (byte) PeerHeaderFlyweight.VERSION;
                        datagram[3] = (byte) (1 + random.nextInt(11));
                    }
                }
            }
            TestPeers.load(buffer, datagram);
            Verdict verdict = verifier.verify(buffer, datagram.length);
            assertNotEquals(Verdict.ACCEPTED, verdict, "round " + round);
            byVerdict[verdict.ordinal()]++;
        }
        assertEquals(highestBefore, verifier.window(TestPeers.ROUTER_A).highestSequence());
        assertTrue(byVerdict[Verdict.BAD_TAG.ordinal()] > 0 && byVerdict[Verdict.BAD_LENGTH.ordinal()] > 0
                && byVerdict[Verdict.BAD_MAGIC.ordinal()] > 0, "the mutations reach the structural and the tag checks");
        // every original is still recognised as a replay, and the next genuine message is accepted
        for (byte[] original : originals) {
            TestPeers.load(buffer, original);
            assertEquals(Verdict.REPLAYED, verifier.verify(buffer, original.length));
        }
        MessageComposer composer = TestPeers.composerA(KEY);
        for (int i = 0; i < types.length; i++) {
            TestPeers.compose(composer, buffer, MessageType.ACK);
        }
        assertEquals(Verdict.ACCEPTED, verifier.verify(buffer, TestPeers.compose(composer, buffer, MessageType.ACK)));
    }
}
