package dev.baton.peer;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Three routers in one process: every message names its receiver under the tag and is signed
 * with the key of its (sender, receiver) pair. A message from A to B relayed to C is rejected at C; a router
 * that holds only the (A, C) pair key can write no message B accepts as A's, nor as its own claim to be B.
 */
class DestinationAndPairKeyTest {

    private static final PeerKey SECRET = TestPeers.key(7);
    private static final int A = TestPeers.ROUTER_A;
    private static final int B = TestPeers.ROUTER_B;
    private static final int C = TestPeers.ROUTER_C;

    private final PeerMessageBuffer buffer = new PeerMessageBuffer();
    private final MessageComposer composerA = TestPeers.composer(A, 11, SECRET);
    private final MessageComposer composerB = TestPeers.composer(B, 22, SECRET);
    private final MessageComposer composerC = TestPeers.composer(C, 33, SECRET);
    private final MessageVerifier atA = TestPeers.verifier(A, SECRET);
    private final MessageVerifier atB = TestPeers.verifier(B, SECRET);
    private final MessageVerifier atC = TestPeers.verifier(C, SECRET);

    private byte[] send(MessageComposer from, MessageType type, int to) {
        return TestPeers.copy(buffer, TestPeers.compose(from, buffer, type, to));
    }

    private Verdict deliver(MessageVerifier at, byte[] datagram) {
        TestPeers.load(buffer, datagram);
        return at.verify(buffer, datagram.length);
    }

    @Test
    void everyRouterAcceptsWhatIsAddressedToItFromEitherPeer() {
        for (MessageType type : MessageType.values()) {
            assertEquals(Verdict.ACCEPTED, deliver(atB, send(composerA, type, B)), "A to B " + type);
            assertEquals(B, atB.header().destinationRouterId());
            assertEquals(Verdict.ACCEPTED, deliver(atC, send(composerA, type, C)), "A to C " + type);
            assertEquals(Verdict.ACCEPTED, deliver(atA, send(composerB, type, A)), "B to A " + type);
            assertEquals(Verdict.ACCEPTED, deliver(atC, send(composerB, type, C)), "B to C " + type);
            assertEquals(Verdict.ACCEPTED, deliver(atA, send(composerC, type, A)), "C to A " + type);
            assertEquals(Verdict.ACCEPTED, deliver(atB, send(composerC, type, B)), "C to B " + type);
        }
        for (MessageVerifier verifier : new MessageVerifier[] {atA, atB, atC}) {
            assertEquals(0, verifier.counters().rejected());
        }
    }

    /** Version 1 had one key for all and no destination: C accepted A's GAVE_UP meant for B. */
    @Test
    void messageFromAToBRelayedToCIsRejectedAtCAndChangesNothingThere() {
        for (MessageType type : new MessageType[] {MessageType.KEEPALIVE, MessageType.GAVE_UP, MessageType.UPDATE_BATCH}) {
            byte[] toB = send(composerA, type, B);
            assertEquals(Verdict.BAD_TAG, deliver(atC, toB), "signed with the (A, B) key: C checks (A, C)");
            assertEquals(null, atC.type());
            assertFalse(atC.window(A).seenAny(), "the relayed message must not touch C's window for A");
            assertEquals(Verdict.ACCEPTED, deliver(atB, toB), "the same datagram is good at B");
        }
        assertEquals(3, atC.counters().count(Verdict.BAD_TAG));
    }

    /**
     * The destination binds even a message whose tag verifies at the wrong router: A's message for B, signed
     * with the (A, C) key (what a router that confuses its peers' addresses or ids would send), reaches C.
     */
    @Test
    void authenticMessageNamingAnotherRouterIsWrongDestinationAndChangesNothing() {
        int length = TestPeers.compose(composerA, buffer, MessageType.GAVE_UP, C);
        new PeerHeaderFlyweight().wrap(buffer.segment(), 0, length).destinationRouterId(B);
        new MessageAuthenticator(SECRET.pairKey(A, C)).sign(buffer.bytes(), 0, length - PeerHeaderFlyweight.TAG_LENGTH);
        byte[] misaddressed = TestPeers.copy(buffer, length);

        assertEquals(Verdict.WRONG_DESTINATION, deliver(atC, misaddressed));
        assertEquals(null, atC.type());
        assertEquals(-1, atC.senderIndex());
        assertFalse(atC.window(A).seenAny(), "checked before the replay window records anything");
        assertEquals(1, atC.counters().count(Verdict.WRONG_DESTINATION));
        assertEquals(1, atC.counters().rejected());
        assertEquals(Verdict.ACCEPTED, deliver(atC, send(composerA, MessageType.GAVE_UP, C)), "the next genuine one");
    }

    /** Unauthenticated, the destination decides nothing: an altered one is a bad tag, not a wrong destination. */
    @Test
    void destinationIsCoveredByTheTag() {
        byte[] toB = send(composerA, MessageType.KEEPALIVE, B);
        toB[PeerHeaderFlyweight.DESTINATION_ROUTER_ID_OFFSET + 3] ^= 1;
        assertEquals(Verdict.BAD_TAG, deliver(atB, toB));
        assertEquals(0, atB.counters().count(Verdict.WRONG_DESTINATION));
    }

    /** C, holding the (A, C) pair key, forges "A to B" and "B to A": neither verifies. */
    @Test
    void holderOfTheACPairKeyCannotPassForAAtBNorForB() {
        PeerKey pairAC = SECRET.pairKey(A, C);
        // C knows the (A, C) key but not the secret: it signs what it wants with the one key it has.
        for (int[] claim : new int[][] {{A, B}, {B, A}, {C, B}}) {
            int sender = claim[0];
            int destination = claim[1];
            int length = TestPeers.compose(composerA, buffer, MessageType.GAVE_UP, C);
            new PeerHeaderFlyweight().wrap(buffer.segment(), 0, length).senderRouterId(sender).destinationRouterId(destination)
                    .incarnation(Long.MAX_VALUE);
            new MessageAuthenticator(pairAC).sign(buffer.bytes(), 0, length - PeerHeaderFlyweight.TAG_LENGTH);
            MessageVerifier target = destination == B ? atB : atA;
            assertEquals(Verdict.BAD_TAG, target.verify(buffer, length), "forged " + sender + " to " + destination);
        }
        assertFalse(atB.window(A).seenAny());
        assertFalse(atB.window(C).seenAny());
        assertFalse(atA.window(B).seenAny());
    }

    @Test
    void pairKeysAreSymmetricAndDistinctPerPair() {
        byte[] ab = SECRET.pairKey(A, B).bytes();
        assertEquals(HexFormat.of().formatHex(ab), HexFormat.of().formatHex(SECRET.pairKey(B, A).bytes()));
        assertFalse(java.util.Arrays.equals(ab, SECRET.pairKey(A, C).bytes()));
        assertFalse(java.util.Arrays.equals(ab, SECRET.pairKey(B, C).bytes()));
        assertFalse(java.util.Arrays.equals(ab, SECRET.bytes()), "the secret itself signs nothing");
    }

    @Test
    void composingForARouterThatIsNoPeerIsACallerBug() {
        assertThrows(IllegalArgumentException.class, () -> TestPeers.compose(composerA, buffer, MessageType.KEEPALIVE, 0x7E));
        assertThrows(IllegalArgumentException.class, () -> new MessageVerifier(A, SECRET, new int[] {B, A}, new VerdictCounters()),
                "a router has no pair key with itself");
        assertThrows(IllegalArgumentException.class, () -> new MessageComposer(A, 1, SECRET, new int[] {B, B}));
    }
}
