package dev.baton.sync;

import dev.baton.peer.MessageType;
import dev.baton.peer.UpdateBatchFlyweight;

import java.lang.foreign.MemorySegment;

/**
 * Update batches that arrived beyond a gap in a standby's stream, kept until the sender's resend fills the gap
 * ({@link SyncReceiver}). Without them the receiver dropped every batch after a gap, and repair cost a window per
 * round trip and a retransmission timeout per lost NACK: the simulation found a standby 1.5 s behind under 4 %
 * loss with jitter. Bounded: at most {@link #CAPACITY} batches, the nearest to the gap (the farthest are sent
 * again anyway), in one buffer allocated at the first gap; a receiver that never sees one has none. Each slot
 * holds a batch's payload, its first sequence (the low 32 bits; the session is the receiver's) and its length.
 * Single-threaded: the receiver's worker.
 */
final class HeldUpdateBatches {

    /** The most batches held. */
    static final int CAPACITY = 16;
    private static final int SLOT_BYTES = MessageType.UPDATE_BATCH.payloadLength(MessageType.UPDATE_BATCH.maxRecords());

    private MemorySegment payloads;
    /** Per slot: the held batch's first sequence (low 32 bits), or -1 when the slot is free. */
    private final long[] first = new long[CAPACITY];
    private final int[] length = new int[CAPACITY];
    private long held;

    HeldUpdateBatches() {
        clear();
    }

    /** Frees every slot: a new session begins. */
    void clear() {
        java.util.Arrays.fill(first, -1);
    }

    /**
     * Keeps a batch that starts at {@code low}: in a free slot, or in place of the held batch farthest from the gap
     * if this one is nearer. A batch already held is not copied twice.
     */
    void hold(long low, MemorySegment segment, long payloadOffset, int payloadLength) {
        if (payloads == null) {
            payloads = MemorySegment.ofArray(new byte[CAPACITY * SLOT_BYTES]);
        }
        int free = -1;
        int farthest = -1;
        for (int i = 0; i < CAPACITY; i++) {
            if (first[i] == low) {
                return;
            }
            if (first[i] < 0) {
                free = free < 0 ? i : free;
            } else if (farthest < 0 || first[i] > first[farthest]) {
                farthest = i;
            }
        }
        int slot = free >= 0 ? free : first[farthest] > low ? farthest : -1;
        if (slot < 0) {
            return; // every slot holds a batch nearer to the gap
        }
        MemorySegment.copy(segment, payloadOffset, payloads, (long) slot * SLOT_BYTES, payloadLength);
        first[slot] = low;
        length[slot] = payloadLength;
        held++;
    }

    /**
     * Wraps {@code batch} on a held batch the stream has reached (its first sequence at most {@code next}) and
     * frees its slot; the batch may hold nothing new any more.
     *
     * @return false when no held batch is reached
     */
    boolean takeReached(long next, UpdateBatchFlyweight batch) {
        for (int i = 0; i < CAPACITY; i++) {
            if (first[i] >= 0 && first[i] <= next) {
                first[i] = -1;
                batch.wrap(payloads, (long) i * SLOT_BYTES, length[i]);
                return true;
            }
        }
        return false;
    }

    /** Batches held so far (a counter). */
    long count() {
        return held;
    }
}
