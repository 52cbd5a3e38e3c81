package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#SYNC_REQUEST}: a standby asks the active for a full dump of a service's
 * connection table and configuration (sub-state SYNC-IN).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Session Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Reason             |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Standby Capacity                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Standby Capacity (unsigned) is how many entries of this stream's partition the requester's table can
 * hold (its {@code table.capacity} less the entries of its other partitions). An active whose partition
 * holds more refuses the dump before it starts: it sends only a SYNC_END with Last Batch
 * Sequence 0 and its Entry Count, so the standby reports the mismatch instead of wiping and asking forever.
 *
 * <p>The requester picks the session id; every batch, end and ack of the dump carries it, so that batches
 * of an abandoned dump are told apart from the current one.
 */
public final class SyncRequestFlyweight extends Flyweight<SyncRequestFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int SESSION_ID_OFFSET = 4;
    public static final int REASON_OFFSET = 8;
    public static final int CAPACITY_OFFSET = 12;
    public static final int LENGTH = 16;

    /** The standby has just appeared (or restarted). */
    public static final int REASON_NEW_STANDBY = 1;
    /** A gap in the update stream could not be repaired. */
    public static final int REASON_GAP = 2;
    /** The periodic digests differ: the tables drifted. */
    public static final int REASON_DIGEST_MISMATCH = 3;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.SYNC_REQUEST.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int sessionId() {
        return i32At(SESSION_ID_OFFSET);
    }

    public int reason() {
        return u16At(REASON_OFFSET);
    }

    /** Entries of the partition the requester can hold (unsigned 32 bits). */
    public long capacity() {
        return u32At(CAPACITY_OFFSET);
    }

    /** Writes the whole payload (reserved bytes zeroed); {@code capacity} is clamped to 0..2^32-1. */
    public SyncRequestFlyweight set(int serviceId, int sessionId, int reason, long capacity) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putI32At(SESSION_ID_OFFSET, sessionId);
        putU16At(REASON_OFFSET, reason);
        putU16At(REASON_OFFSET + 2, 0);
        putI32At(CAPACITY_OFFSET, (int) Math.max(0, Math.min(capacity, 0xFFFF_FFFFL)));
        return this;
    }
}
