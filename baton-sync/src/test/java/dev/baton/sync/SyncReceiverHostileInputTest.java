package dev.baton.sync;

import dev.baton.peer.ConnectionRecordFlyweight;
import dev.baton.peer.MessageType;
import dev.baton.peer.SyncBatchFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.UpdateBatchFlyweight;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An authenticated peer sending garbage records or carried numbers never makes the
 * standby's receiver throw, allocate in proportion to a number, or leave its table inconsistent.
 */
class SyncReceiverHostileInputTest {

    private static final int SERVICE = 7;
    private final List<SyncHarness.Message> sent = new ArrayList<>();
    private final ConnectionTable table = new ConnectionTable(1024, ConnectionTimeouts.defaults(), ConnectionListener.NONE, 1);
    private final SyncReceiver receiver = new SyncReceiver(SERVICE, table, SyncSettings.defaults(),
            (type, buffer, length) -> sent.add(SyncHarness.copy(type, buffer, length)), SyncEvents.NONE);

    private static byte[] syncBatch(int session, long sequence, int[][] records) {
        int length = MessageType.SYNC_BATCH.payloadLength(records.length);
        byte[] payload = new byte[length];
        SyncBatchFlyweight batch = new SyncBatchFlyweight();
        batch.wrap(MemorySegment.ofArray(payload), 0, length).set(SERVICE, session, sequence, records.length);
        ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
        for (int i = 0; i < records.length; i++) {
            int[] r = records[i]; // protocol, state, service, server, client port
            batch.record(i, record).protocol(r[0]).state(r[1]).serviceId(r[2]).serverId(r[3])
                    .clientAddress(0xC0000201).clientPort(r[4]).vip(0xCB007101).vipPort(80).ageMs(0);
        }
        return payload;
    }

    private boolean deliver(MessageType type, byte[] payload) {
        return receiver.receive(type, MemorySegment.ofArray(payload), 0, payload.length, 1_000);
    }

    @Test
    void aDumpRecordWithAnUnknownProtocolOrStateIsCountedAndDroppedAloneInsteadOfThrowing() {
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, 1_000);
        byte[] batch = syncBatch(1, 1, new int[][] {
                {6, TcpState.ESTABLISHED, SERVICE, 0, 1000},
                {99, TcpState.ESTABLISHED, SERVICE, 0, 1001},
                {6, 9, SERVICE, 0, 1002},
                {17, TcpState.ESTABLISHED, SERVICE, 0, 1003},
                {6, TcpState.ESTABLISHED, -5, 0, 1004},
                {17, TcpState.UDP, SERVICE, 3, 1005}});
        assertTrue(deliver(MessageType.SYNC_BATCH, batch));
        assertEquals(2, table.size(), "the two valid records are applied");
        assertEquals(2, receiver.recordsApplied());
        assertEquals(1, receiver.invalidRecords(SyncReceiver.INVALID_PROTOCOL));
        assertEquals(2, receiver.invalidRecords(SyncReceiver.INVALID_STATE));
        assertEquals(1, receiver.invalidRecords(SyncReceiver.INVALID_SERVICE));
        assertEquals(4, receiver.invalidRecords());
    }

    @Test
    void aRecordOfAServiceOrServerTheHostDoesNotHaveIsRefused() {
        receiver.recordCheck(new SyncReceiver.RecordCheck() {
            @Override
            public boolean serviceKnown(int serviceId) {
                return serviceId == SERVICE;
            }

            @Override
            public boolean serverOf(int serviceId, int serverId) {
                return serverId == 4 || serverId == 5;
            }
        });
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, 1_000);
        assertTrue(deliver(MessageType.SYNC_BATCH, syncBatch(1, 1, new int[][] {
                {6, TcpState.ESTABLISHED, SERVICE, 4, 1000},
                {6, TcpState.ESTABLISHED, SERVICE, 6, 1001},
                {6, TcpState.ESTABLISHED, SERVICE + 1, 4, 1002}})));
        assertEquals(1, table.size());
        assertEquals(1, receiver.invalidRecords(SyncReceiver.INVALID_SERVER));
        assertEquals(1, receiver.invalidRecords(SyncReceiver.INVALID_SERVICE));
    }

    @Test
    void anUpdateRecordWithAnUnknownStateIsCountedAndTheStreamGoesOn() {
        SyncHarness h = new SyncHarness(SyncSettings.defaults(), 256, 3);
        h.receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, h.nowMs);
        assertTrue(h.stepUntilConverged(10, 100) > 0);
        h.tamperToStandby = message -> {
            if (message.type() != MessageType.UPDATE_BATCH) {
                return false;
            }
            UpdateBatchFlyweight update = new UpdateBatchFlyweight();
            update.wrap(MemorySegment.ofArray(message.payload()), 0, message.payload().length);
            update.connection(0, new ConnectionRecordFlyweight()).state(200);
            return true;
        };
        h.activeTable.insert(6, 0xC0000201, 40000, 0xCB007101, 80, 7, 1, TcpState.SYN_RECEIVED, h.nowMs);
        h.activeTable.insert(6, 0xC0000202, 40000, 0xCB007101, 80, 7, 1, TcpState.SYN_RECEIVED, h.nowMs);
        for (int i = 0; i < 20; i++) {
            h.step(60);
        }
        assertEquals(1, h.receiver.invalidRecords(SyncReceiver.INVALID_STATE));
        assertEquals(1, h.standbyTable.size(), "the valid record of the batch is applied");
        assertEquals(0, h.sender.unacknowledgedUpdates(), "the batch is acknowledged, not redelivered forever");
    }

    @Test
    void aDumpBatchSequenceFarBeyondTheWindowIsDroppedWithoutAllocationOrAHugeNack() {
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, 1_000);
        sent.clear();
        long before = usedHeap();
        assertTrue(deliver(MessageType.SYNC_BATCH, syncBatch(1, Integer.MAX_VALUE,
                new int[][] {{6, TcpState.ESTABLISHED, SERVICE, 0, 1000}})));
        assertTrue(usedHeap() - before < 16 << 20, "no allocation proportional to the sequence");
        assertEquals(1, receiver.outOfWindow());
        assertEquals(0, table.size(), "nothing applied from a batch outside the window");
        assertTrue(sent.stream().noneMatch(m -> m.type() == MessageType.NACK), "no NACK of two billion batches");
        // The largest sequence still inside the window is kept.
        assertTrue(deliver(MessageType.SYNC_BATCH, syncBatch(1, SyncReceiver.SYNC_REORDER_LIMIT,
                new int[][] {{6, TcpState.ESTABLISHED, SERVICE, 0, 1000}})));
        assertEquals(1, table.size());
        assertEquals(1, receiver.outOfWindow());
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Property: random payloads of every inbound type (random record fields, sequences, sessions, counts)
     * never make the receiver throw, and every record it sees is applied, refused as invalid or refused by
     * the table.
     */
    @Test
    void randomMessagesNeverEscapeAnExceptionAndEveryRecordIsAccountedFor() {
        Random random = new Random(0x7_0005);
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, 1_000);
        MessageType[] types = {MessageType.SYNC_BATCH, MessageType.SYNC_END, MessageType.UPDATE_BATCH,
                MessageType.ACK, MessageType.NACK, MessageType.SYNC_REQUEST};
        long records = 0;
        for (int i = 0; i < 20_000; i++) {
            MessageType type = types[random.nextInt(types.length)];
            long now = 1_000 + i;
            if (type == MessageType.SYNC_BATCH && random.nextBoolean()) {
                int n = 1 + random.nextInt(MessageType.SYNC_BATCH.maxRecords());
                int[][] r = new int[n][];
                for (int k = 0; k < n; k++) {
                    r[k] = new int[] {random.nextBoolean() ? 6 : random.nextInt(256), random.nextInt(8),
                            random.nextInt(4) == 0 ? random.nextInt() : SERVICE, random.nextInt(65536), random.nextInt(65536)};
                }
                long sequence = random.nextBoolean() ? 1 + random.nextInt(64) : random.nextLong();
                byte[] payload = syncBatch(receiver.sessionId(), sequence, r);
                long appliedBefore = receiver.recordsApplied() + receiver.invalidRecords() + receiver.applyFailures();
                receiver.receive(type, MemorySegment.ofArray(payload), 0, payload.length, now);
                long accounted = receiver.recordsApplied() + receiver.invalidRecords() + receiver.applyFailures() - appliedBefore;
                assertTrue(accounted == 0 || accounted == n, "all or none of a batch's records are looked at");
                records += accounted;
            } else {
                byte[] payload = new byte[random.nextInt(1500)];
                random.nextBytes(payload);
                receiver.receive(type, MemorySegment.ofArray(payload), 0, payload.length, now);
            }
            receiver.poll(now);
        }
        assertTrue(records > 0);
        assertEquals(table.size() <= 1024, true);
    }
}
