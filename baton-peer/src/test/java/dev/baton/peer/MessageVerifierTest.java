package dev.baton.peer;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;

/** The receive entry point end to end: replays, late arrivals, restarts, several senders, counters. */
class MessageVerifierTest {

    private static final PeerKey KEY = TestPeers.key(7);

    private final PeerMessageBuffer buffer = new PeerMessageBuffer();
    private final MessageVerifier verifier = TestPeers.verifierB(KEY);

    private byte[] next(MessageComposer composer) {
        return TestPeers.copy(buffer, TestPeers.compose(composer, buffer, MessageType.KEEPALIVE));
    }

    private Verdict deliver(byte[] datagram) {
        TestPeers.load(buffer, datagram);
        return verifier.verify(buffer, datagram.length);
    }

    @Test
    void replayedDatagramIsRejectedAndCounted() {
        byte[] first = next(TestPeers.composerA(KEY));
        assertEquals(Verdict.ACCEPTED, deliver(first));
        assertEquals(Verdict.REPLAYED, deliver(first));
        assertEquals(Verdict.REPLAYED, deliver(first));
        assertEquals(1, verifier.counters().count(Verdict.ACCEPTED));
        assertEquals(2, verifier.counters().count(Verdict.REPLAYED));
        assertEquals(2, verifier.counters().rejected());
    }

    @Test
    void reorderedDatagramsWithinTheWindowAreEachAcceptedOnceAndOlderOnesAreTooOld() {
        MessageComposer composer = TestPeers.composerA(KEY);
        byte[][] sent = new byte[ReplayWindow.WINDOW_SIZE + 10][];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = next(composer);
        }
        assertEquals(Verdict.ACCEPTED, deliver(sent[sent.length - 1])); // sequence 1034 arrives first
        for (int i = sent.length - 2; i >= 10; i--) {
            assertEquals(Verdict.ACCEPTED, deliver(sent[i]), "sequence " + (i + 1));
        }
        assertEquals(Verdict.TOO_OLD, deliver(sent[9]));  // sequence 10: left of the 1024-wide window
        assertEquals(Verdict.REPLAYED, deliver(sent[10]));
    }

    @Test
    void restartedPeerIsAcceptedAndItsPreviousIncarnationRejected() {
        MessageComposer beforeRestart = TestPeers.composerA(KEY);
        byte[] old1 = next(beforeRestart);
        byte[] old2 = next(beforeRestart);
        assertEquals(Verdict.ACCEPTED, deliver(old1));

        long newIncarnation = TestPeers.INCARNATION_A + 1;
        MessageComposer afterRestart = TestPeers.composer(TestPeers.ROUTER_A, newIncarnation, KEY);
        byte[] new1 = next(afterRestart);
        assertEquals(Verdict.ACCEPTED, deliver(new1), "sequence 1 again, but a new incarnation");
        assertEquals(newIncarnation, verifier.window(TestPeers.ROUTER_A).incarnation());
        assertEquals(Verdict.STALE_INCARNATION, deliver(old2), "captured before the restart, replayed after");
        assertEquals(Verdict.REPLAYED, deliver(new1));
        assertEquals(Verdict.ACCEPTED, deliver(next(afterRestart)));
    }

    @Test
    void eachSenderHasItsOwnWindowAndStrangersAndSelfAreUnknown() {
        MessageComposer fromA = TestPeers.composerA(KEY);
        MessageComposer fromC = TestPeers.composer(TestPeers.ROUTER_C, 9, KEY);
        MessageComposer fromSelf = TestPeers.composer(TestPeers.ROUTER_B, 9, KEY);
        assertEquals(Verdict.ACCEPTED, deliver(next(fromA)));
        assertEquals(Verdict.ACCEPTED, deliver(next(fromC)), "C's sequence 1 is not A's");
        assertEquals(TestPeers.ROUTER_C, verifier.header().senderRouterId());
        assertEquals(1, verifier.senderIndex());
        byte[] reflected = TestPeers.copy(buffer, TestPeers.compose(fromSelf, buffer, MessageType.KEEPALIVE, TestPeers.ROUTER_A));
        assertEquals(Verdict.UNKNOWN_SENDER, deliver(reflected), "a reflected copy of our own message");
        assertEquals(1, verifier.window(TestPeers.ROUTER_A).highestSequence());
        assertEquals(1, verifier.window(TestPeers.ROUTER_C).highestSequence());
        assertEquals(null, verifier.window(TestPeers.ROUTER_B));
    }

    @Test
    void verdictCodesAreStable() {
        Verdict[] inOrder = {Verdict.ACCEPTED, Verdict.BAD_MAGIC, Verdict.BAD_VERSION, Verdict.BAD_LENGTH,
                Verdict.BAD_TYPE, Verdict.BAD_PAYLOAD, Verdict.UNKNOWN_SENDER, Verdict.BAD_TAG,
                Verdict.STALE_INCARNATION, Verdict.REPLAYED, Verdict.TOO_OLD, Verdict.WRONG_DESTINATION};
        for (int code = 0; code < inOrder.length; code++) {
            assertEquals(code, inOrder[code].code());
            assertEquals(inOrder[code], Verdict.fromCode(code));
        }
        assertEquals(inOrder.length, Verdict.values().length);
    }
}
