package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#SYNC_BATCH}: one bounded batch of the full dump (sub-state SYNC-OUT).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Session Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Batch Sequence                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Record Count          |           Reserved            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |     Record Count connection records (24 bytes each, see      |
 * |     ConnectionRecordFlyweight)                              ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Batch sequences count from 1 within a session, so the standby detects a lost batch and NACKs it.
 */
public final class SyncBatchFlyweight extends Flyweight<SyncBatchFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int SESSION_ID_OFFSET = 4;
    public static final int BATCH_SEQUENCE_OFFSET = 8;
    public static final int COUNT_OFFSET = 12;
    public static final int FIXED_LENGTH = 16;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.SYNC_BATCH.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int sessionId() {
        return i32At(SESSION_ID_OFFSET);
    }

    public long batchSequence() {
        return u32At(BATCH_SEQUENCE_OFFSET);
    }

    public int recordCount() {
        return u16At(COUNT_OFFSET);
    }

    /** Writes the fixed part (reserved bytes zeroed); the payload length is {@code SYNC_BATCH.payloadLength(count)}. */
    public SyncBatchFlyweight set(int serviceId, int sessionId, long batchSequence, int recordCount) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putI32At(SESSION_ID_OFFSET, sessionId);
        putI32At(BATCH_SEQUENCE_OFFSET, (int) batchSequence);
        putU16At(COUNT_OFFSET, recordCount);
        putU16At(COUNT_OFFSET + 2, 0);
        return this;
    }

    /** Points {@code into} at record {@code index} (0 to count - 1) and returns it. */
    public ConnectionRecordFlyweight record(int index, ConnectionRecordFlyweight into) {
        return into.wrap(wrappedSegment(), offset() + FIXED_LENGTH + (long) index * ConnectionRecordFlyweight.LENGTH,
                ConnectionRecordFlyweight.LENGTH);
    }
}
