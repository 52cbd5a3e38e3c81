package dev.baton.sync;

import dev.baton.codec.NetworkOrder;

import dev.baton.peer.MessageType;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.SyncBatchFlyweight;
import dev.baton.peer.SyncEndFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synchronization manager (SM 220) end to end: a real active table, a simulated channel, a real standby table. */
class SyncProtocolTest {

    private static final int CLIENT_BASE = 0xC6336400; // 198.51.100.0
    private static final int VIP = 0xCB00710A;          // 203.0.113.10
    private static final int VIP_PORT = 443;
    private static final int SERVICE = 7;
    private static final int PORTS_PER_ADDRESS = 50_000;

    private static SyncSettings settings(int window) {
        return new SyncSettings(window, 58, 50, 20, 256, 100);
    }

    private static int clientAddress(int i) {
        return CLIENT_BASE + i / PORTS_PER_ADDRESS;
    }

    private static int clientPort(int i) {
        return 1024 + i % PORTS_PER_ADDRESS;
    }

    private static void insert(SyncHarness h, int i, long lastSeenMs) {
        int state = i % 5 == 0 ? TcpState.SYN_RECEIVED : TcpState.ESTABLISHED;
        long slot = h.activeTable.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT,
                SERVICE, 1 + i % 8, state, lastSeenMs);
        assertTrue(slot >= 0);
    }

    private static void populate(SyncHarness h, int entries, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < entries; i++) {
            insert(h, i, h.nowMs - random.nextInt(30_000));
        }
    }

    /** A random insert (of key {@code next}), FIN (state change) or removal on the active table. */
    private static int randomChange(SyncHarness h, Random random, int next) {
        int kind = random.nextInt(3);
        if (kind == 0 || next == 0) {
            insert(h, next, h.nowMs);
            return next + 1;
        }
        int i = random.nextInt(next);
        long slot = h.activeTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT);
        if (slot < 0) {
            return next;
        }
        if (kind == 1) {
            h.activeTable.touch(slot, TcpState.FLAG_FIN | TcpState.FLAG_ACK, h.nowMs);
        } else {
            h.activeTable.remove(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT);
        }
        return next;
    }

    /** A pair whose standby verified a dump of {@code entries} connections and streams updates. */
    private static SyncHarness synchronizedPair(int entries, long seed) {
        SyncHarness h = new SyncHarness(settings(8), 4_096, seed);
        populate(h, entries, seed + 1);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(10, 200) > 0);
        return h;
    }

    /** Connections {@code first..first+count-1} opened on the active, each sent in a batch of its own, not yet delivered. */
    private static List<SyncHarness.Message> oneBatchPerConnection(SyncHarness h, int first, int count) {
        List<SyncHarness.Message> batches = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            insert(h, i, h.nowMs);
            h.sender.flush(h.nowMs);
            batches.addAll(h.toStandby);
            h.toStandby.clear();
        }
        return batches;
    }

    private static void deliverToStandby(SyncHarness h, SyncHarness.Message m) {
        h.receiver.receive(m.type(), MemorySegment.ofArray(m.payload()), 0, m.payload().length, h.nowMs);
    }

    @Test
    void fullDumpOfTenThousandEntriesUnderAWindowOfEightGivesEqualDigestsAndReportsSynchronized() {
        SyncHarness h = new SyncHarness(settings(8), 16_384, 1);
        populate(h, 10_000, 2);

        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.receiver.syncing());
        h.step(1); // the request reaches the active
        assertEquals(8, h.countQueued(h.toStandby, MessageType.SYNC_BATCH), "no more than the window in flight");
        assertTrue(h.sender.dumping());

        int steps = h.stepUntilConverged(1, 1_000);
        assertTrue(steps > 0, "converged");
        assertEquals(List.of("synchronized"), h.events);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(10_000, h.standbyTable.size());
        assertEquals(10_000, h.sender.syncRecordsSent());
        assertEquals((10_000 + 57) / 58, h.sender.syncBatchesSent());
        assertEquals(0, h.sender.batchesResent());
        assertEquals(1, h.sender.dumps());
        assertEquals(10_000, h.receiver.recordsApplied());
        assertEquals(0, h.receiver.gaps());

        // Ages, not times, crossed the wire: each standby entry was last seen as long ago as on the active,
        // give or take the few stepped milliseconds between send and apply.
        for (int i = 0; i < 10_000; i += 97) {
            long active = h.activeTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT);
            long standby = h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT);
            long skewMs = h.standbyTable.lastSeenMs(standby) - h.activeTable.lastSeenMs(active);
            assertTrue(skewMs >= 0 && skewMs <= 5, "skew " + skewMs);
            assertEquals(h.activeTable.state(active), h.standbyTable.state(standby));
            assertEquals(h.activeTable.serverId(active), h.standbyTable.serverId(standby));
        }
    }

    @Test
    void aFullDumpCostsAboutTwentyFiveBytesPerEntryAndAnUpdateAboutThirty() {
        SyncHarness h = new SyncHarness(SyncSettings.defaults(), 16_384, 3);
        populate(h, 10_000, 4);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        // 173 datagrams of 32 (header) + 16 (batch) + 58 x 24 (records) + 16 (tag) bytes, the last one
        // shorter, plus one 80-byte SYNC_END: 251,152 bytes, 25.1 bytes per entry (24-byte record + 1.1 header share).
        double dumpBytesPerEntry = h.sender.bytesSent() / 10_000.0;
        assertEquals(251_152, h.sender.bytesSent());
        assertTrue(dumpBytesPerEntry > 24 && dumpBytesPerEntry < 25.2, "dump bytes per entry " + dumpBytesPerEntry);

        long before = h.sender.bytesSent();
        for (int i = 10_000; i < 10_500; i++) {
            insert(h, i, h.nowMs); // 500 inserts at once: ten full UPDATE_BATCHes
        }
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        // 10 x (32 + 16 + 50 x 28 + 16) = 14,640 bytes: 29.28 bytes per change (24-byte record, 4-byte kind, header share).
        double updateBytesPerEntry = (h.sender.bytesSent() - before) / 500.0;
        assertEquals(29.28, updateBytesPerEntry, 1e-9);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    @Test
    void changesAfterTheDumpAreBatchedEveryT4AndLeaveEqualDigests() {
        SyncHarness h = new SyncHarness(settings(8), 8_192, 5);
        populate(h, 1_000, 6);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);
        long batchesBefore = h.sender.updateBatchesSent();

        // One change per millisecond for 200 ms: inserts, state changes and removals through the real table.
        Random random = new Random(7);
        int next = 1_000;
        for (int ms = 0; ms < 200; ms++) {
            next = randomChange(h, random, next);
            h.step(1);
        }
        assertTrue(h.stepUntilConverged(1, 500) > 0);
        long batches = h.sender.updateBatchesSent() - batchesBefore;
        // t4 = 20 ms: about one batch per interval, never one per change.
        assertTrue(batches >= 9 && batches <= 12, "update batches " + batches);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(h.activeTable.size(), h.standbyTable.size());
        assertEquals(0, h.receiver.gaps());
        assertEquals(0, h.receiver.duplicates());
    }

    /**
     * A new connection is lost with the active until the standby has it: a batch that holds one goes out the
     * next millisecond, not t4 later; state changes and removals still wait for t4 (one batch, not one each).
     */
    @Test
    void aNewConnectionIsSentTheNextMillisecondOtherChangesWaitForT4() {
        SyncSettings prompt = new SyncSettings(8, 58, 50, 20, 256, 100, 1);
        SyncHarness h = new SyncHarness(prompt, 4_096, 31);
        populate(h, 100, 32);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);
        h.step(20);

        insert(h, 100, h.nowMs);
        h.step(1);
        assertEquals(1, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "the new connection, within a millisecond");
        h.step(1);
        assertTrue(h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(100), clientPort(100), VIP, VIP_PORT) >= 0,
                "on the standby two milliseconds after the SYN");

        long slot = h.activeTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(5), clientPort(5), VIP, VIP_PORT);
        h.activeTable.touch(slot, TcpState.FLAG_FIN | TcpState.FLAG_ACK, h.nowMs);
        h.activeTable.remove(ConnectionTable.PROTOCOL_TCP, clientAddress(6), clientPort(6), VIP, VIP_PORT);
        h.step(19);
        assertEquals(0, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "a state change and a removal wait for t4");
        h.step(1);
        assertEquals(1, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "both in one batch after t4");

        for (int i = 101; i < 141; i++) { // forty new connections within one millisecond: one batch, not forty
            insert(h, i, h.nowMs);
        }
        h.step(1);
        assertEquals(1, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "one batch for the millisecond's connections");
        assertTrue(h.stepUntilConverged(1, 100) > 0);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    /** A hand-over at shutdown sends the queued changes at once and waits for their acknowledgement. */
    @Test
    void aFlushSendsTheQueuedChangesAtOnceAndTellsWhenTheyAreAcknowledged() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 21);
        populate(h, 100, 22);
        assertEquals(0, h.sender.flush(h.nowMs), "before a standby asked there is nothing to flush");
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);

        for (int i = 100; i < 110; i++) {
            insert(h, i, h.nowMs);
        }
        assertEquals(0, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "a partial batch waits for t4");
        long through = h.sender.flush(h.nowMs);
        assertEquals(1, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "flushed at once");
        assertFalse(h.sender.acknowledgedThrough(through));
        h.step(1); // delivered and applied; the acknowledgement is on its way
        h.step(1);
        assertTrue(h.sender.acknowledgedThrough(through), "acknowledged within a round trip, not t4");
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(through, h.sender.flush(h.nowMs), "nothing new queued: the same watermark");
    }

    /**
     * A flush while the dump is in flight covers the changes made during it: they follow the dump's
     * acknowledgement, and the watermark is reached only once the standby acknowledged them too.
     */
    @Test
    void aFlushDuringTheDumpIsAcknowledgedOnlyWithTheChangesMadeDuringIt() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 29);
        populate(h, 100, 30);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        h.step(1); // the request reaches the active: the dump starts
        assertTrue(h.sender.replicating() && !h.sender.streaming(), "dumping");
        for (int i = 100; i < 105; i++) {
            insert(h, i, h.nowMs);
        }
        long through = h.sender.flush(h.nowMs);
        assertEquals(5, through, "the five inserts made during the dump");
        assertFalse(h.sender.acknowledgedThrough(through));
        for (int step = 0; step < 100 && !h.sender.acknowledgedThrough(through); step++) {
            h.step(1);
        }
        assertTrue(h.sender.acknowledgedThrough(through));
        assertEquals(105, h.standbyTable.size(), "the standby holds the changes made during its dump");
    }

    @Test
    void aFullUpdateBatchIsSentAtOnceWithoutWaitingForT4() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 8);
        populate(h, 100, 9);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);

        for (int i = 100; i < 220; i++) {
            insert(h, i, h.nowMs);
        }
        assertEquals(2, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "two full batches, the rest waits for t4");
        h.step(19);
        assertEquals(0, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH));
        h.step(1);
        assertEquals(1, h.countQueued(h.toStandby, MessageType.UPDATE_BATCH), "the partial batch after t4");
        assertTrue(h.stepUntilConverged(1, 100) > 0);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    @Test
    void changesMadeDuringTheDumpFollowItAndTheTablesConverge() {
        SyncHarness h = new SyncHarness(settings(4), 16_384, 10);
        populate(h, 5_000, 11);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        Random random = new Random(12);
        int next = 5_000;
        for (int step = 0; step < 30; step++) {
            for (int c = 0; c < 5; c++) {
                next = randomChange(h, random, next);
            }
            h.step(1);
        }
        assertFalse(h.receiver.synchronizedWithActive(), "the dump is still running");
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        // Changes made before the request reached the active are in the snapshot; the rest followed as updates.
        assertTrue(h.sender.updateRecordsSent() > 100, "updates " + h.sender.updateRecordsSent());
        assertEquals(0, h.sender.forcedResyncs());
    }

    @Test
    void aLossyChannelDroppingTenPercentBothWaysIsRepairedByNacksAndResends() {
        SyncHarness h = new SyncHarness(settings(8), 16_384, 13);
        populate(h, 3_000, 14);
        h.dropRate = 0.10;
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        Random random = new Random(15);
        int next = 3_000;
        for (int step = 0; step < 1_500; step++) {
            if (step % 2 == 0) {
                next = randomChange(h, random, next);
            }
            h.step(2);
        }
        int steps = h.stepUntilConverged(2, 2_000);
        assertTrue(steps > 0, "converged within 2,000 steps after the changes stopped");
        System.out.printf("lossy: converged %d steps after the changes stopped; dropped %d, gaps %d, resent %d, duplicates %d, dumps %d%n",
                steps, h.dropped, h.receiver.gaps(), h.sender.batchesResent(), h.receiver.duplicates(), h.sender.dumps());
        assertTrue(h.dropped > 0);
        assertTrue(h.receiver.gaps() > 0, "gaps detected");
        assertTrue(h.sender.batchesResent() > 0, "batches resent");
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(h.activeTable.size(), h.standbyTable.size());
        assertTrue(h.events.contains("synchronized"));
    }

    @Test
    void reorderedAndDuplicatedDeliveryIsAppliedInSequenceOrder() {
        SyncHarness h = new SyncHarness(settings(16), 16_384, 16);
        populate(h, 2_000, 17);
        h.reorder = true;
        h.duplicate = true;
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);

        // 300 changes at once: six full update batches delivered in one shuffled step.
        Random random = new Random(18);
        int next = 2_000;
        for (int c = 0; c < 300; c++) {
            next = randomChange(h, random, next);
        }
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        assertTrue(h.receiver.gaps() > 0, "out-of-order batches seen as gaps");
        assertTrue(h.receiver.duplicates() > 0, "duplicates ignored");
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(h.activeTable.size(), h.standbyTable.size());
    }

    /** Flips a bit of the digest in the first SYNC_END the standby receives; the flag says when it happened. */
    private static boolean[] corruptTheFirstSyncEndDigest(SyncHarness h) {
        boolean[] corrupted = {false};
        h.tamperToStandby = message -> {
            if (message.type() == MessageType.SYNC_END && !corrupted[0]) {
                corrupted[0] = true;
                MemorySegment payload = MemorySegment.ofArray(message.payload());
                payload.set(NetworkOrder.LONG, SyncEndFlyweight.TABLE_DIGEST_OFFSET,
                        payload.get(NetworkOrder.LONG, SyncEndFlyweight.TABLE_DIGEST_OFFSET) ^ 1);
                return true;
            }
            return false;
        };
        return corrupted;
    }

    @Test
    void aMismatchedDigestInSyncEndMakesTheStandbyResynchronize() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 19);
        populate(h, 1_000, 20);
        boolean[] corrupted = corruptTheFirstSyncEndDigest(h);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        assertTrue(corrupted[0]);
        assertEquals(List.of("resync:" + SyncRequestFlyweight.REASON_DIGEST_MISMATCH, "synchronized"), h.events);
        assertEquals(1, h.receiver.digestMismatches());
        assertEquals(1, h.receiver.resyncs());
        assertEquals(2, h.sender.dumps());
        assertEquals(2, h.receiver.sessionId());
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    @Test
    void aGapOlderThanTheRetainedBatchesForcesAFullResync() {
        SyncSettings small = new SyncSettings(8, 58, 10, 20, 4, 100);
        SyncHarness h = new SyncHarness(small, 4_096, 21);
        populate(h, 500, 22);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 500) > 0);

        h.standbyUnreachable = true;
        for (int i = 500; i < 560; i++) {
            insert(h, i, h.nowMs); // six batches of ten, unacknowledged, while only four are kept
        }
        h.step(1);
        h.standbyUnreachable = false;
        assertEquals(1, h.sender.forcedResyncs());
        assertTrue(h.stepUntilConverged(1, 1_000) > 0);
        assertTrue(h.events.contains("resync:" + SyncRequestFlyweight.REASON_GAP), h.events.toString());
        assertEquals("synchronized", h.events.getLast());
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(560, h.standbyTable.size());
    }

    @Test
    void aLostRequestIsRepeatedAndAStaleStandbyTableIsReplacedByTheDump() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 23);
        populate(h, 300, 24);
        // The standby holds an entry the active does not have: the dump must leave only the active's content.
        h.standbyTable.insert(ConnectionTable.PROTOCOL_TCP, 0xC0000201, 5555, VIP, VIP_PORT, SERVICE, 3,
                TcpState.ESTABLISHED, h.nowMs);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        h.toActive.clear(); // the request is lost
        h.step(50);
        assertEquals(0, h.sender.dumps());
        assertTrue(h.stepUntilConverged(60, 10) > 0, "the request is repeated after the retransmission timeout");
        assertEquals(1, h.sender.dumps());
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertNotEquals(-1, h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(0), clientPort(0), VIP, VIP_PORT));
        assertEquals(-1, h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, 0xC0000201, 5555, VIP, VIP_PORT));
    }

    /**
     * A synchronized standby that asks for a new dump (its stream was abandoned: it or the active stalled) keeps its
     * copy until the dump arrives. Its active may die, or stall and stop serving dumps, before that: the standby
     * then takes over with that copy, and the connections in it carry on. Emptied at the request, as before, the
     * table lost every connection (the failover lab: both routers stalled for a second, the active was killed
     * 1.1 s later, and all 200 connections met an empty table on the new active).
     */
    @Test
    void aStandbyKeepsItsCopyUntilTheNewDumpArrives() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 25);
        populate(h, 300, 26);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(10, 200) > 0);
        long synchronizedDigest = h.standbyTable.digest();

        h.receiver.startSync(SyncRequestFlyweight.REASON_GAP, h.nowMs);
        assertFalse(h.receiver.synchronizedWithActive());
        h.toActive.clear(); // the request is lost: no dump comes yet
        h.step(10);
        assertEquals(300, h.standbyTable.size(), "the copy stays while no dump arrives");
        assertEquals(synchronizedDigest, h.standbyTable.digest());

        // The active moved on meanwhile; the dump, when it comes, replaces the copy with exactly the active's table.
        h.activeTable.remove(ConnectionTable.PROTOCOL_TCP, clientAddress(0), clientPort(0), VIP, VIP_PORT);
        insert(h, 300, h.nowMs);
        assertTrue(h.stepUntilConverged(60, 20) > 0, "the request is repeated and the dump applied");
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertEquals(-1, h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(0), clientPort(0), VIP, VIP_PORT));
    }

    /** A dump whose digest did not match leaves its copy in place until the next dump arrives, then is replaced. */
    @Test
    void aMismatchedDumpStaysUntilTheNextOneArrives() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 27);
        populate(h, 200, 28);
        // One dump's end carries a wrong digest: the standby asks again, and that request is lost.
        corruptTheFirstSyncEndDigest(h);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        for (int i = 0; i < 200 && !h.events.contains("resync:" + SyncRequestFlyweight.REASON_DIGEST_MISMATCH); i++) {
            h.step(10);
        }
        assertTrue(h.events.contains("resync:" + SyncRequestFlyweight.REASON_DIGEST_MISMATCH), h.events.toString());
        h.toActive.clear();
        assertEquals(200, h.standbyTable.size(), "the mismatched copy stays while no dump arrives");
        assertTrue(h.stepUntilConverged(60, 40) > 0);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    /**
     * The standby took the VIP over; the old active drains and keeps streaming. Its stream is this table's tail:
     * the connections it opened are added, acknowledged as usual; what this table holds already is its own (the
     * new active forwards them now), so removals and changes of those are not applied; a dump never is, in its
     * session or a newer one (it would empty the new active's table).
     */
    @Test
    void aTakenOverTableTrailsTheOldActivesStreamAddingOnlyTheConnectionsItLacks() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 29);
        populate(h, 200, 30);
        List<SyncHarness.Message> dumpBatches = new ArrayList<>();
        h.tamperToStandby = message -> message.type() == MessageType.SYNC_BATCH && dumpBatches.add(message) && false;
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(10, 200) > 0);

        assertTrue(h.receiver.trail(), "a synchronized copy trails");
        assertEquals("trailing", h.receiver.syncStatus());
        // The new active forwards: a FIN on connection 1, and a connection of its own that the old active also
        // opened (its first packets went there) and scheduled elsewhere.
        long own = h.standbyTable.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(205), clientPort(205), VIP, VIP_PORT,
                SERVICE, 8, TcpState.ESTABLISHED, h.nowMs);
        assertTrue(own >= 0);
        long fin = h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(1), clientPort(1), VIP, VIP_PORT);
        h.standbyTable.touch(fin, TcpState.FLAG_FIN | TcpState.FLAG_ACK, h.nowMs);
        int finState = h.standbyTable.state(fin);
        long digestBefore = h.standbyTable.digest();
        // The old active drains: opens 200..204, and 205 onto server 1; removes 0.
        for (int i = 200; i < 205; i++) {
            insert(h, i, h.nowMs);
        }
        assertTrue(h.activeTable.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(205), clientPort(205), VIP, VIP_PORT,
                SERVICE, 1, TcpState.ESTABLISHED, h.nowMs) >= 0);
        h.activeTable.remove(ConnectionTable.PROTOCOL_TCP, clientAddress(0), clientPort(0), VIP, VIP_PORT);
        long through = h.sender.flush(h.nowMs);
        for (int i = 0; i < 20 && !h.sender.acknowledgedThrough(through); i++) {
            h.step(1);
        }
        assertTrue(h.sender.acknowledgedThrough(through), "the tail is acknowledged like any update");

        for (int i = 200; i < 205; i++) {
            assertTrue(h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT) >= 0,
                    "connection " + i + ", opened at the old active during its drain");
        }
        assertEquals(206, h.standbyTable.size(), "0 is not removed; 205 is not added twice");
        assertEquals(8, h.standbyTable.serverId(h.standbyTable.find(ConnectionTable.PROTOCOL_TCP, clientAddress(205),
                clientPort(205), VIP, VIP_PORT)), "the new active's own connection keeps its server");
        assertEquals(finState, h.standbyTable.state(fin), "the new active's own state is not rolled back");
        assertEquals(2, h.receiver.trailedRecordsSkipped(), "the removal of 0 and the copy of 205");
        assertTrue(digestBefore != h.standbyTable.digest());

        // A dump, of the verified session or of a newer one, is not applied.
        long digestAfter = h.standbyTable.digest();
        SyncHarness.Message old = dumpBatches.getFirst();
        byte[] newer = old.payload().clone();
        MemorySegment.ofArray(newer).set(NetworkOrder.INT, SyncBatchFlyweight.SESSION_ID_OFFSET,
                MemorySegment.ofArray(newer).get(NetworkOrder.INT, SyncBatchFlyweight.SESSION_ID_OFFSET) + 1);
        for (byte[] payload : List.of(old.payload(), newer)) {
            h.receiver.receive(MessageType.SYNC_BATCH, MemorySegment.ofArray(payload), 0, payload.length, h.nowMs);
        }
        assertEquals(206, h.standbyTable.size());
        assertEquals(digestAfter, h.standbyTable.digest());
        assertEquals("trailing", h.receiver.syncStatus());
        assertTrue(h.events.stream().noneMatch(e -> e.startsWith("resync")), h.events.toString());
    }

    /**
     * The active holds the changes it made during a dump until it hears the dump acknowledged. The standby verified
     * the dump, but its acknowledgement was lost, and then it took the VIP over: trailing, it acknowledges the
     * resent end again (without applying anything), so those changes still follow (the simulation found them
     * lost when the acknowledgement was ignored).
     */
    @Test
    void aTrailingReceiverAcknowledgesTheVerifiedDumpAgainSoTheChangesMadeDuringItFollow() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 39);
        populate(h, 200, 40);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        h.step(1); // the request reaches the active: the dump begins
        assertTrue(h.sender.dumping());
        for (int i = 200; i < 205; i++) {
            insert(h, i, h.nowMs); // during the dump: sent once it is acknowledged
        }
        for (int i = 0; i < 100 && !h.receiver.synchronizedWithActive(); i++) {
            h.step(1);
        }
        assertTrue(h.receiver.synchronizedWithActive());
        h.toActive.clear(); // the acknowledgement of the end is lost
        assertTrue(h.receiver.trail());
        for (int i = 0; i < 100 && h.standbyTable.size() < 205; i++) {
            h.step(5);
        }
        assertTrue(h.sender.streaming(), "the resent end was acknowledged again");
        assertEquals(205, h.standbyTable.size(), "the changes made during the dump reached the new active");
        assertEquals("trailing", h.receiver.syncStatus());
    }

    /** A copy that was never verified has no stream to trail: the receiver goes idle. */
    @Test
    void anUnsynchronizedCopyDoesNotTrail() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 31);
        populate(h, 50, 32);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertFalse(h.receiver.trail());
        assertEquals("idle", h.receiver.syncStatus());
        h.step(10);
        assertEquals(0, h.standbyTable.size(), "no dump is applied");
        assertTrue(h.toActive.stream().noneMatch(m -> m.type() == MessageType.SYNC_REQUEST), "nor asked for again");
    }

    /**
     * A NACK delayed or duplicated on the way arrives after the gap it names was repaired and acknowledged. It
     * asks for nothing: taken for a request of updates no longer kept, it forced a full dump (the simulation
     * found a standby that had just taken the VIP over lose the old active's last changes to it).
     */
    @Test
    void aNackThatArrivesAfterItsGapWasRepairedChangesNothing() {
        SyncHarness h = synchronizedPair(100, 33);
        long dumps = h.sender.dumps();

        insert(h, 100, h.nowMs);
        h.sender.flush(h.nowMs);
        h.toStandby.clear(); // the batch is lost
        insert(h, 101, h.nowMs);
        h.sender.flush(h.nowMs);
        h.step(1); // the second batch arrives: the standby NACKs the gap
        SyncHarness.Message nack = h.toActive.stream().filter(m -> m.type() == MessageType.NACK).findFirst().orElseThrow();
        assertTrue(h.stepUntilConverged(1, 500) > 0, "the gap is repaired");
        long staleBefore = h.sender.staleAcknowledgements();

        h.sender.receive(MessageType.NACK, MemorySegment.ofArray(nack.payload()), 0, nack.payload().length, h.nowMs);
        assertEquals(staleBefore + 1, h.sender.staleAcknowledgements());
        assertTrue(h.stepUntilConverged(1, 50) > 0);
        assertEquals(dumps, h.sender.dumps(), "no new dump");
        assertEquals(0, h.sender.forcedResyncs());
        assertTrue(h.events.stream().noneMatch(e -> e.startsWith("resync")), h.events.toString());
    }

    /**
     * Batches that arrive beyond a gap are kept and applied the moment the gap is filled, not dropped to be
     * resent after it: the first of five batches arrives last, and the standby holds all five at once.
     */
    @Test
    void updateBatchesBeyondAGapAreHeldAndAppliedOnceItIsFilled() {
        SyncHarness h = synchronizedPair(100, 35);
        List<SyncHarness.Message> batches = oneBatchPerConnection(h, 100, 5);
        assertEquals(5, batches.size());
        batches.subList(1, 5).forEach(m -> deliverToStandby(h, m));
        assertEquals(100, h.standbyTable.size(), "nothing applied beyond the gap");
        assertEquals(4, h.receiver.heldBatches());
        deliverToStandby(h, batches.getFirst());
        assertEquals(105, h.standbyTable.size(), "the gap filled, the held batches follow at once");
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
        assertTrue(h.stepUntilConverged(1, 50) > 0);
    }

    /** At most {@link SyncReceiver#HELD_UPDATE_BATCHES} are held, the nearest to the gap; the rest are resent. */
    @Test
    void theHeldBatchesAreBoundedAndTheNearestAreKept() {
        SyncHarness h = synchronizedPair(10, 37);
        int total = SyncReceiver.HELD_UPDATE_BATCHES + 10;
        List<SyncHarness.Message> batches = oneBatchPerConnection(h, 10, total);
        // Every batch but the first, farthest first: the nearest ones displace the farthest.
        batches.subList(1, total).reversed().forEach(m -> deliverToStandby(h, m));
        deliverToStandby(h, batches.getFirst());
        assertEquals(10 + 1 + SyncReceiver.HELD_UPDATE_BATCHES, h.standbyTable.size(),
                "the first batch and the nearest held ones are applied; the farther ones wait for the resend");
        h.toActive.clear(); // the NACKs and ACKs so far: the sender's timeout resends the rest
        assertTrue(h.stepUntilConverged(10, 100) > 0);
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    /**
     * A SYNC_REQUEST delayed or duplicated on the way arrives after the standby asked again and verified the newer
     * session's dump. Obeyed, it restarted the old session's dump, which the standby ignores while the sender
     * waits for its acknowledgement, holding back every change (the simulation found it two seconds long).
     */
    @Test
    void aRequestOlderThanTheSessionInProgressIsIgnored() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 41);
        populate(h, 100, 42);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        SyncHarness.Message oldRequest = h.toActive.getFirst();
        h.receiver.startSync(SyncRequestFlyweight.REASON_GAP, h.nowMs); // asked again: a newer session
        h.toActive.removeFirst(); // the first request is late
        assertTrue(h.stepUntilConverged(10, 200) > 0);
        long dumps = h.sender.dumps();

        h.sender.receive(oldRequest.type(), MemorySegment.ofArray(oldRequest.payload()), 0, oldRequest.payload().length, h.nowMs);
        assertEquals(1, h.sender.staleRequests());
        assertEquals(dumps, h.sender.dumps(), "no dump restarted in the old session");
        assertTrue(h.sender.streaming());
        insert(h, 100, h.nowMs);
        assertTrue(h.stepUntilConverged(1, 50) > 0, "changes keep flowing");
    }

    /**
     * A dump pushed unasked to a standby that did not follow it (it was active then, say); later the standby asks
     * in that very session. The dump goes on, and the changes made since its snapshot follow it: the standby ends
     * up with the active's table. (A router that stops being active in between does not keep such a stream for
     * its heir: what it applies as a standby is not queued on it.)
     */
    @Test
    void aRequestInTheSessionOfADumpPushedUnaskedContinuesItWithTheChangesSince() {
        SyncHarness h = new SyncHarness(settings(8), 4_096, 43);
        populate(h, 100, 44);
        h.sender.resumeAfter(0, h.nowMs); // session 1, pushed unasked
        assertTrue(h.sender.unasked());
        h.toStandby.clear(); // the standby does not follow it
        for (int i = 100; i < 110; i++) {
            insert(h, i, h.nowMs);
        }
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs); // session 1 too
        assertTrue(h.stepUntilConverged(10, 200) > 0);
        assertFalse(h.sender.unasked(), "acknowledged");
        assertEquals(1, h.sender.dumps());
        assertEquals(110, h.standbyTable.size());
        assertEquals(h.activeTable.digest(), h.standbyTable.digest());
    }

    /**
     * A hand-over waits at most half of t3 for its flush; the retransmission timeout is longer. While a flush
     * waits, what is lost is resent every {@link SyncSender#FLUSH_RESEND_MS}: here the flushed batch is lost
     * twice and still acknowledged within 30 ms (after the timeout alone, 100 ms here).
     */
    @Test
    void whileAFlushWaitsWhatIsLostIsResentWithinMilliseconds() {
        SyncHarness h = synchronizedPair(100, 45);
        insert(h, 100, h.nowMs);
        long through = h.sender.flush(h.nowMs);
        int lost = 0;
        for (int ms = 0; ms < 30 && !h.sender.acknowledgedThrough(through); ms++) {
            if (lost < 2 && h.toStandby.stream().anyMatch(m -> m.type() == MessageType.UPDATE_BATCH)) {
                h.toStandby.clear();
                lost++;
            }
            h.step(1);
        }
        assertEquals(2, lost);
        assertTrue(h.sender.acknowledgedThrough(through), "acknowledged within 30 ms despite two losses");
        long resent = h.sender.batchesResent();
        h.step(300);
        assertEquals(resent, h.sender.batchesResent(), "no resends once acknowledged");
    }

    @Test
    void messagesForAnotherServiceOrMalformedAreIgnored() {
        SyncHarness h = new SyncHarness(settings(8), 1_024, 25);
        byte[] payload = new byte[SyncRequestFlyweight.LENGTH];
        new SyncRequestFlyweight().wrap(MemorySegment.ofArray(payload), 0, payload.length).set(SERVICE + 1, 1, 1, 1_000);
        assertFalse(h.sender.receive(MessageType.SYNC_REQUEST, MemorySegment.ofArray(payload), 0, payload.length, h.nowMs));
        assertFalse(h.sender.receive(MessageType.SYNC_REQUEST, MemorySegment.ofArray(payload), 0, payload.length - 1, h.nowMs));
        assertFalse(h.receiver.receive(MessageType.SYNC_END, MemorySegment.ofArray(payload), 0, payload.length, h.nowMs));
        assertEquals(0, h.sender.dumps());
        assertTrue(h.toStandby.isEmpty());
        assertEquals(58, MessageType.SYNC_BATCH.maxRecords(), "58 records fill a datagram");
        assertTrue(MessageType.SYNC_BATCH.payloadLength(58) <= PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH);
    }

    /**
     * Router A is active for one VIP (partition 1) and standby for another (partition 0), whose entries it
     * learned from B: a dump of partition 1 to B leaves B's own partition 0 alone, digests compare per
     * partition, and a refresh moves the standby's last-seen time forward without changing the digest.
     */
    @Test
    void aPartitionIsReplicatedAloneAndRefreshesMoveTheStandbysLastSeen() {
        int[] partitionOfService = new int[9];
        partitionOfService[7] = 1; // SERVICE: this VIP's partition
        List<SyncHarness.Message> toB = new ArrayList<>();
        List<SyncHarness.Message> toA = new ArrayList<>();
        SyncSettings settings = settings(4);
        SyncSender sender = new SyncSender(70, 1, settings, (type, buffer, length) -> toB.add(SyncHarness.copy(type, buffer, length)));
        ConnectionTable a = new ConnectionTable(4_096, ConnectionTimeouts.defaults(), sender, 1).partitions(partitionOfService, 2);
        sender.bind(a);
        ConnectionTable b = new ConnectionTable(4_096, ConnectionTimeouts.defaults(), ConnectionListener.NONE, 2)
                .partitions(partitionOfService, 2);
        List<String> events = new ArrayList<>();
        SyncReceiver receiver = new SyncReceiver(70, 1, b, settings, (type, buffer, length) -> toA.add(SyncHarness.copy(type, buffer, length)),
                new SyncEvents() {
                    @Override
                    public void onSynchronized(int serviceId, long nowMs) {
                        events.add("synchronized");
                    }

                    @Override
                    public void onResynchronizationNeeded(int serviceId, int reason, long nowMs) {
                        events.add("resync");
                    }
                });
        long nowMs = 1_000_000;
        for (int i = 0; i < 500; i++) {
            a.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP, VIP_PORT, SERVICE, 1, TcpState.ESTABLISHED, nowMs);
            // partition 0 (service 8) on both: B's own entries, which A's dump must not touch
            a.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP + 1, VIP_PORT, 8, 2, TcpState.ESTABLISHED, nowMs);
        }
        for (int i = 0; i < 300; i++) {
            b.insert(ConnectionTable.PROTOCOL_TCP, clientAddress(i), clientPort(i), VIP + 2, VIP_PORT, 8, 3, TcpState.ESTABLISHED, nowMs);
        }
        long bOwnDigest = b.partitionDigest(0);

        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, nowMs);
        long[] clock = {nowMs};
        for (int round = 0; round < 100 && !events.contains("synchronized"); round++) {
            clock[0] += 5;
            deliver(toA, m -> sender.receive(m.type(), MemorySegment.ofArray(m.payload()), 0, m.payload().length, clock[0]));
            deliver(toB, m -> receiver.receive(m.type(), MemorySegment.ofArray(m.payload()), 0, m.payload().length, clock[0]));
            sender.poll(clock[0]);
            receiver.poll(clock[0]);
        }
        nowMs = clock[0];
        deliver(toA, m -> sender.receive(m.type(), MemorySegment.ofArray(m.payload()), 0, m.payload().length, clock[0]));
        assertTrue(sender.streaming(), "the standby acknowledged the dump");
        assertEquals(List.of("synchronized"), events);
        assertEquals(500, b.partitionSize(1));
        assertEquals(a.partitionDigest(1), b.partitionDigest(1));
        assertEquals(300, b.partitionSize(0), "the standby's other partition is left alone");
        assertEquals(bOwnDigest, b.partitionDigest(0));
        assertEquals(500, sender.syncRecordsSent(), "only the replicated partition is dumped");

        // 60 s later the active saw traffic on entry 3; its refresh scan reports it (and only partition 1 goes out).
        long later = nowMs + 60_000;
        long slot = a.find(ConnectionTable.PROTOCOL_TCP, clientAddress(3), clientPort(3), VIP, VIP_PORT);
        a.touch(slot, TcpState.FLAG_ACK, later);
        a.forEachRefreshed(Integer.MAX_VALUE, sender::onRefreshed);
        sender.poll(later + 100);
        deliver(toB, m -> receiver.receive(m.type(), MemorySegment.ofArray(m.payload()), 0, m.payload().length, later + 100));
        long standbySlot = b.find(ConnectionTable.PROTOCOL_TCP, clientAddress(3), clientPort(3), VIP, VIP_PORT);
        assertTrue(b.lastSeenMs(standbySlot) >= later, "the refresh carried the active's last-seen time: " + b.lastSeenMs(standbySlot));
        assertEquals(a.partitionDigest(1), b.partitionDigest(1));
    }

    private static void deliver(List<SyncHarness.Message> queue, java.util.function.Consumer<SyncHarness.Message> to) {
        List<SyncHarness.Message> batch = new ArrayList<>(queue);
        queue.clear();
        batch.forEach(to);
    }
}
