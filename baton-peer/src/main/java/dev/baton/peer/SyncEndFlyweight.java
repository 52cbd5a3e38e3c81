package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#SYNC_END}: the dump is complete. The standby checks it received every
 * batch and that its table now has the active's digest before it leaves SYNC-IN.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Session Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Last Batch Sequence                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Entry Count                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Table Digest (64 bits)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Configuration Digest (64 bits)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class SyncEndFlyweight extends Flyweight<SyncEndFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int SESSION_ID_OFFSET = 4;
    public static final int LAST_BATCH_SEQUENCE_OFFSET = 8;
    public static final int ENTRY_COUNT_OFFSET = 12;
    public static final int TABLE_DIGEST_OFFSET = 16;
    public static final int CONFIG_DIGEST_OFFSET = 24;
    public static final int LENGTH = 32;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.SYNC_END.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int sessionId() {
        return i32At(SESSION_ID_OFFSET);
    }

    public long lastBatchSequence() {
        return u32At(LAST_BATCH_SEQUENCE_OFFSET);
    }

    public long entryCount() {
        return u32At(ENTRY_COUNT_OFFSET);
    }

    public long tableDigest() {
        return i64At(TABLE_DIGEST_OFFSET);
    }

    public long configDigest() {
        return i64At(CONFIG_DIGEST_OFFSET);
    }

    public SyncEndFlyweight set(int serviceId, int sessionId, long lastBatchSequence, long entryCount,
                                long tableDigest, long configDigest) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putI32At(SESSION_ID_OFFSET, sessionId);
        putI32At(LAST_BATCH_SEQUENCE_OFFSET, (int) lastBatchSequence);
        putI32At(ENTRY_COUNT_OFFSET, (int) entryCount);
        putI64At(TABLE_DIGEST_OFFSET, tableDigest);
        putI64At(CONFIG_DIGEST_OFFSET, configDigest);
        return this;
    }
}
