package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#UPDATE_BATCH}: connection changes since the dump, sent by the active at
 * most every update interval (the patent's t4). Record {@code i} has update sequence
 * {@code firstUpdateSequence + i}; the stream's sequence is per service and per active incarnation, so the
 * standby detects a gap and NACKs it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Record Count          |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               First Update Sequence (64 bits)                 |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+  then Record Count times:
 * |     Kind      |                   Reserved                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           connection record (24 bytes, see                   |
 * |           ConnectionRecordFlyweight)                        ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UpdateBatchFlyweight extends Flyweight<UpdateBatchFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int FIRST_UPDATE_SEQUENCE_OFFSET = 8;
    public static final int FIXED_LENGTH = 16;
    public static final int KIND_OFFSET = 0;
    public static final int CONNECTION_OFFSET = 4;
    public static final int UPDATE_RECORD_LENGTH = CONNECTION_OFFSET + ConnectionRecordFlyweight.LENGTH;

    /** A new connection entry. */
    public static final int KIND_INSERT = 1;
    /** An existing entry's state (or server) changed. */
    public static final int KIND_STATE = 2;
    /** An entry was removed (closed or expired). */
    public static final int KIND_REMOVE = 3;
    /** An entry is still in use: its age is fresh (the active's refresh scan), nothing else changed. */
    public static final int KIND_REFRESH = 4;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.UPDATE_BATCH.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int recordCount() {
        return u16At(COUNT_OFFSET);
    }

    public long firstUpdateSequence() {
        return i64At(FIRST_UPDATE_SEQUENCE_OFFSET);
    }

    /** Writes the fixed part; the payload length is {@code UPDATE_BATCH.payloadLength(count)}. */
    public UpdateBatchFlyweight set(int serviceId, int recordCount, long firstUpdateSequence) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putU16At(COUNT_OFFSET, recordCount);
        putU16At(COUNT_OFFSET + 2, 0);
        putI64At(FIRST_UPDATE_SEQUENCE_OFFSET, firstUpdateSequence);
        return this;
    }

    private static int at(int index) {
        return FIXED_LENGTH + index * UPDATE_RECORD_LENGTH;
    }

    public int kind(int index) {
        return u8At(at(index) + KIND_OFFSET);
    }

    /** Writes record {@code index}'s kind (and zeroes its reserved bytes). */
    public UpdateBatchFlyweight kind(int index, int kind) {
        putI32At(at(index) + KIND_OFFSET, kind << 24);
        return this;
    }

    /** Points {@code into} at record {@code index}'s connection and returns it. */
    public ConnectionRecordFlyweight connection(int index, ConnectionRecordFlyweight into) {
        return into.wrap(wrappedSegment(), offset() + at(index) + CONNECTION_OFFSET, ConnectionRecordFlyweight.LENGTH);
    }
}
