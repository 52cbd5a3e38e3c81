package dev.baton.sync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.codec.testing.AllocationBudget;
import dev.baton.peer.MessageType;
import dev.baton.peer.SyncBatchFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.UpdateBatchFlyweight;
import dev.baton.sync.SyncEvents;
import dev.baton.sync.SyncReceiver;
import dev.baton.sync.SyncSettings;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target, kept in the build: hostile dump and update batches (SYNC_BATCH,
 * SYNC_END, UPDATE_BATCH payloads, as the HA agent hands them over after authentication) through
 * {@link SyncReceiver#receive}, the standby's replication receiver, with a stepped clock.
 *
 * <p>The receiver starts a dump (session 1, as the seeds' real sender answered). The input is a sequence
 * of messages, each {@code [control u8][length u16][payload]}. Control bits 0-1: SYNC_BATCH, SYNC_END,
 * UPDATE_BATCH, or (3) the type coded in bits 4-7 (any other type: ignored); bit 2: the receiver starts a
 * new dump first; bit 3: the payload's leading service id is set to the receiver's, so mutations are not
 * wasted on other services; bits 4-7 ({@code s}, types 0-2): the clock advances {@code s * s * 20} ms
 * and the receiver polls (retransmissions).
 *
 * <p>Invariants: nothing throws; a message the receiver rejects (returns false) changes nothing (table,
 * counters, messages sent); an accepted one applies or refuses at most the records it carries (an update
 * batch that fills a gap, also those of the batches held beyond it); the table
 * stays within its capacity; one message allocates no more than a fixed bound, whatever sequence number or
 * count it carries.
 */
class SyncReceiverFuzzTest {

    static final int SERVICE = 7;
    static final int CAPACITY = 64;
    /** Applying a batch allocates nothing; anything sized by a sequence or count in a message exceeds this. */
    static final long MAX_ALLOCATED_BYTES_PER_MESSAGE = 1 << 20;

    private final AllocationBudget allocation = new AllocationBudget(MAX_ALLOCATED_BYTES_PER_MESSAGE);
    private final byte[] payload = new byte[65_536];
    private final SyncBatchFlyweight syncBatch = new SyncBatchFlyweight();
    private final UpdateBatchFlyweight updateBatch = new UpdateBatchFlyweight();
    private long sent;
    private long events;
    @FuzzTest(maxDuration = "10s")
    void receive(byte[] input) {
        allocation.run(() -> run(input));
    }

    private void run(byte[] input) {
        // The table's memory is off the heap, freed only by close.
        try (ConnectionTable table = new ConnectionTable(CAPACITY, ConnectionTimeouts.defaults(), ConnectionListener.NONE, 1)) {
            run(input, table);
        }
    }

    private void run(byte[] input, ConnectionTable table) {
        SyncReceiver receiver = new SyncReceiver(SERVICE, table, new SyncSettings(4, 8, 8, 20, 16, 200),
                (type, buffer, length) -> sent++,
                new SyncEvents() {
                    @Override
                    public void onSynchronized(int serviceId, long nowMs) {
                        events++;
                    }

                    @Override
                    public void onResynchronizationNeeded(int serviceId, int reason, long nowMs) {
                        events++;
                    }
                });
        long now = 10_000_000;
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, now);
        MemorySegment segment = MemorySegment.ofArray(payload);
        int at = 0;
        while (at + 3 <= input.length) {
            int control = input[at] & 0xFF;
            int length = Math.min(((input[at + 1] & 0xFF) << 8) | (input[at + 2] & 0xFF), input.length - at - 3);
            System.arraycopy(input, at + 3, payload, 0, length);
            at += 3 + length;
            if ((control & 8) != 0 && length >= 4) {
                payload[0] = 0;
                payload[1] = 0;
                payload[2] = 0;
                payload[3] = SERVICE;
            }
            if ((control & 4) != 0) {
                receiver.startSync(SyncRequestFlyweight.REASON_GAP, now);
            }
            MessageType type = switch (control & 3) {
                case 0 -> MessageType.SYNC_BATCH;
                case 1 -> MessageType.SYNC_END;
                case 2 -> MessageType.UPDATE_BATCH;
                default -> MessageType.fromCode(control >>> 4);
            };
            if ((control & 3) != 3 && control >>> 4 != 0) {
                int step = control >>> 4;
                now += step * step * 20L;
                receiver.poll(now);
            }
            if (type == null) {
                continue;
            }
            deliver(receiver, table, type, segment, length, now);
        }
    }

    private void deliver(SyncReceiver receiver, ConnectionTable table, MessageType type, MemorySegment segment,
                         int length, long now) {
        long[] before = state(receiver, table);
        long recordsBefore = receiver.recordsApplied() + receiver.applyFailures();
        int records = records(type, segment, length);
        long allocationMark = allocation.mark();
        boolean accepted = receiver.receive(type, segment, 0, length, now);
        allocation.check(allocationMark, type.name());
        assertTrue(table.size() <= CAPACITY, "table within its capacity");
        if (!accepted) {
            assertTrue(java.util.Arrays.equals(before, state(receiver, table)), "a rejected " + type + " changed state");
            return;
        }
        long handled = receiver.recordsApplied() + receiver.applyFailures() - recordsBefore;
        // An update batch that fills a gap also releases the batches held beyond it.
        long releasable = type == MessageType.UPDATE_BATCH ? (long) SyncReceiver.HELD_UPDATE_BATCHES * MessageType.UPDATE_BATCH.maxRecords() : 0;
        assertTrue(handled <= records + releasable, type + " with " + records + " records applied or refused " + handled);
    }

    /** Records the payload carries when its decoder accepts it, else 0. */
    private int records(MessageType type, MemorySegment segment, int length) {
        return switch (type) {
            case SYNC_BATCH -> syncBatch.wrap(segment, 0, length).valid() ? syncBatch.recordCount() : 0;
            case UPDATE_BATCH -> updateBatch.wrap(segment, 0, length).valid() ? updateBatch.recordCount() : 0;
            default -> 0;
        };
    }

    private long[] state(SyncReceiver receiver, ConnectionTable table) {
        return new long[] {table.size(), table.digest(), receiver.recordsApplied(), receiver.applyFailures(),
                receiver.duplicates(), receiver.gaps(), receiver.resyncs(), receiver.digestMismatches(),
                receiver.staleMessages(), receiver.sessionId(), sent, events};
    }

}
