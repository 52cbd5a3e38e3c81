package dev.baton.sync;

import dev.baton.peer.AckFlyweight;
import dev.baton.peer.MessageType;
import dev.baton.peer.NackFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.table.TcpState;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standby table too small for the active's partition, and the sender's side of the bounds on carried numbers
 * (numbers carried in ACK and NACK bound what the sender does).
 */
class SyncCapacityAndBoundsTest {

    private static void fill(SyncHarness h, int entries) {
        for (int i = 0; i < entries; i++) {
            h.activeTable.insert(6, 0xC0000200 + i, 40000, 0xCB007101, 80, 7, 1, TcpState.ESTABLISHED, h.nowMs);
        }
    }

    @Test
    void aStandbyTooSmallForTheActivesTableIsRefusedBeforeTheDumpAndRetriesOnlyWithBackoff() {
        // The standby offers its table.capacity() (rounded by the table), 40 entries short of the active.
        SyncHarness h = new SyncHarness(SyncSettings.defaults(), 1024, 64, 5);
        int room = h.standbyTable.capacity();
        fill(h, room + 40);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        long requests = 0;
        long batches = 0;
        for (int i = 0; i < 1_000; i++) { // 10 s of stepped time
            requests += h.countQueued(h.toActive, MessageType.SYNC_REQUEST);
            batches += h.countQueued(h.toStandby, MessageType.SYNC_BATCH);
            h.step(10);
        }
        assertEquals("capacity-refused", h.receiver.syncStatus());
        assertEquals(0, batches, "the dump is refused before it starts");
        assertEquals(0, h.standbyTable.size());
        assertTrue(requests <= 5, "requests only with back-off (1 s, 2 s, 4 s ...), not every cycle: " + requests);
        assertTrue(h.receiver.capacityRefusals() >= 2 && h.receiver.capacityRefusals() <= 5);
        assertEquals(room + 40, h.receiver.refusedActiveEntries());
        assertEquals(room, h.receiver.offeredCapacity());
        assertEquals(h.receiver.capacityRefusals(), h.sender.capacityRefusals());
        assertEquals(room, h.sender.lastRefusedCapacity());
        assertEquals("capacity:" + (room + 40) + ">" + room, h.events.get(0));
        assertEquals(0, h.receiver.resyncs(), "no wipe-and-ask resync loop");

        // The active's table shrinks below the standby's room: the next retry synchronizes.
        for (int i = 0; i < 60; i++) {
            h.activeTable.remove(6, 0xC0000200 + i, 40000, 0xCB007101, 80);
        }
        assertTrue(h.stepUntilConverged(10, 7_000) > 0, "synchronized after the back-off");
        assertEquals("synchronized", h.receiver.syncStatus());
        assertEquals(room - 20, h.standbyTable.size());
    }

    @Test
    void repeatedDigestMismatchesBackOffInsteadOfLooping() {
        SyncHarness h = new SyncHarness(SyncSettings.defaults(), 256, 6);
        fill(h, 10);
        // Every dump record's state is corrupted: the receiver refuses them, so every dump mismatches.
        h.tamperToStandby = message -> {
            if (message.type() == MessageType.SYNC_BATCH) {
                new dev.baton.peer.SyncBatchFlyweight().wrap(MemorySegment.ofArray(message.payload()), 0, message.payload().length)
                        .record(0, new dev.baton.peer.ConnectionRecordFlyweight()).state(77);
            }
            return true;
        };
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        for (int i = 0; i < 1_000; i++) { // 10 s
            h.step(10);
        }
        assertTrue(h.receiver.invalidRecords(SyncReceiver.INVALID_STATE) >= 1);
        assertTrue(h.receiver.digestMismatches() >= 2 && h.receiver.digestMismatches() <= 6,
                "a mismatch per back-off, not per round trip: " + h.receiver.digestMismatches());
    }

    @Test
    void aNackForTwoBillionBatchesResendsAtMostOneWindowAndAnAckBeyondWhatWasSentIsIgnored() {
        SyncSettings settings = new SyncSettings(4, 1, 50, 50, 16, 200);
        SyncHarness h = new SyncHarness(settings, 256, 7);
        fill(h, 100);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        h.standbyUnreachable = true;
        h.step(1); // the request reaches the active: 4 batches (the window) go out and are dropped
        h.step(1);
        long sent = h.sender.syncBatchesSent();
        assertEquals(4, sent);

        long session = Integer.toUnsignedLong(h.sender.sessionId()) << 32;
        byte[] nack = new byte[NackFlyweight.LENGTH];
        new NackFlyweight().wrap(MemorySegment.ofArray(nack), 0, nack.length)
                .set(7, AckFlyweight.STREAM_SYNC, session | 1, session | 0xFFFF_FFFFL);
        h.sender.receive(MessageType.NACK, MemorySegment.ofArray(nack), 0, nack.length, h.nowMs);
        assertEquals(4, h.sender.batchesResent(), "only the sent, unacknowledged batches, at most one window");

        byte[] ack = new byte[AckFlyweight.LENGTH];
        new AckFlyweight().wrap(MemorySegment.ofArray(ack), 0, ack.length).set(7, AckFlyweight.STREAM_SYNC, session | 101);
        h.sender.receive(MessageType.ACK, MemorySegment.ofArray(ack), 0, ack.length, h.nowMs);
        assertEquals(1, h.sender.implausibleAcks());
        assertTrue(h.sender.dumping(), "an ACK of the unsent end marker does not end SYNC-OUT");
        assertEquals(sent + 4, h.sender.syncBatchesSent(), "and opens no window");
    }

    /**
     * Found by the HA simulation: the active started a new dump (session 2) while the standby, still synchronized
     * in session 1, acknowledged a batch resent from session 1 with "everything through the end". Taken for
     * session 2's, that ACK ended the new dump unseen: the standby waited for two lost batches forever.
     */
    @Test
    void anAcknowledgementOfAnEarlierSessionDoesNotAcknowledgeANewDump() {
        SyncSettings settings = new SyncSettings(4, 1, 50, 50, 16, 200);
        SyncHarness h = new SyncHarness(settings, 256, 9);
        fill(h, 20);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);
        int first = h.sender.sessionId();
        h.sender.resumeAfter(first, h.nowMs); // a new dump, session first + 1, that the standby has not seen yet
        assertTrue(h.sender.dumping());

        long sent = h.sender.syncBatchesSent(); // one window of the new dump
        byte[] ack = new byte[AckFlyweight.LENGTH];
        new AckFlyweight().wrap(MemorySegment.ofArray(ack), 0, ack.length)
                .set(7, AckFlyweight.STREAM_SYNC, Integer.toUnsignedLong(first) << 32 | 4);
        h.sender.receive(MessageType.ACK, MemorySegment.ofArray(ack), 0, ack.length, h.nowMs);
        assertEquals(1, h.sender.staleAcknowledgements());
        assertEquals(sent, h.sender.syncBatchesSent(), "the earlier session's acknowledgement opens no window of this dump");
        assertTrue(h.sender.dumping());
        assertTrue(h.stepUntilConverged(1, 500) > 0, "the standby takes the new session and verifies it");
        assertEquals(first + 1, h.receiver.sessionId());
    }
}
