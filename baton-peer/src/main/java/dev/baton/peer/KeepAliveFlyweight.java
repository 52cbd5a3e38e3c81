package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#KEEPALIVE}: a count, then one 40-byte record per service the sender
 * knows, so a single heartbeat per link carries every service's monitor state (FIG. 3).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Service Count         |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                 Echoed Incarnation (64 bits)                  +
 * |                                                               |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+  then Service Count times:
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       State (310..350)        |     Role      |  Sync State   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Priority            |             Flags             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Table Size                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Table Digest (64 bits)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Configuration Digest (64 bits)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Term (64 bits)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Flags (version 3): bit 0 {@link #FLAG_LINKS_DOWN}, a local link the service needs is down at the sender, so
 * that a synchronized standby there cannot take it over; other bits zero on send, ignored on receipt.
 *
 * <p>Term (version 3): how many times the service has been taken over, as the sender knows it. A router that
 * becomes active takes a term above every term it has heard, so a claim of ACTIVE with a lower term than the
 * receiver's own was made before the receiver's takeover: a claim its sender has since withdrawn, or will
 * withdraw as soon as it runs (a router thawed after a stall, a datagram delayed on a link). The receiver keeps
 * the service instead of yielding to it.
 *
 * <p>Echoed Incarnation (version 2): the newest incarnation the sender has authenticated from
 * the receiver, 0 if none. The receiver counts the sender's messages (liveness and state claims) only once one
 * of them echoes its current incarnation: a datagram captured before the receiver restarted echoes an older one,
 * so a replay of it is ignored.
 *
 * <p>State is the patent's numeral for the monitor state (310 IDLE, 320 LISTEN, 330 PREEMPT, 340 STANDBY,
 * 350 ACTIVE); Role and Sync State codes are in {@code docs/protocol.md}. Record accessors take the
 * record's index, 0 to {@link #serviceCount()} - 1.
 */
public final class KeepAliveFlyweight extends Flyweight<KeepAliveFlyweight> {

    public static final int COUNT_OFFSET = 0;
    public static final int ECHOED_INCARNATION_OFFSET = 4;
    public static final int FIXED_LENGTH = 12;
    public static final int SERVICE_RECORD_LENGTH = 40;
    public static final int SERVICE_ID_OFFSET = 0;
    public static final int STATE_OFFSET = 4;
    public static final int ROLE_OFFSET = 6;
    public static final int SYNC_STATE_OFFSET = 7;
    public static final int PRIORITY_OFFSET = 8;
    public static final int FLAGS_OFFSET = 10;
    public static final int TABLE_SIZE_OFFSET = 12;
    public static final int TABLE_DIGEST_OFFSET = 16;
    public static final int CONFIG_DIGEST_OFFSET = 24;
    public static final int TERM_OFFSET = 32;

    /** Flags bit 0: a local link the service needs is down at the sender. */
    public static final int FLAG_LINKS_DOWN = 1;
    public static final int ROLE_PRIMARY = 1;
    public static final int ROLE_BACKUP = 2;
    public static final int SYNC_NONE = 0;
    public static final int SYNC_IN = 1;
    public static final int SYNC_OUT = 2;
    /** A standby whose tables are verified equal to the active's: the only one allowed to preempt. */
    public static final int SYNC_DONE = 3;

    /** Whether the wrapped payload is inside the segment and holds exactly {@link #serviceCount()} records. */
    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.KEEPALIVE.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceCount() {
        return u16At(COUNT_OFFSET);
    }

    /** Sets the count (and zeroes the reserved field); the payload length is {@code KEEPALIVE.payloadLength(count)}. */
    public KeepAliveFlyweight serviceCount(int count) {
        putU16At(COUNT_OFFSET, count);
        putU16At(COUNT_OFFSET + 2, 0);
        return this;
    }

    /** The newest incarnation the sender has authenticated from the receiver, 0 if none; compare unsigned. */
    public long echoedIncarnation() {
        return i64At(ECHOED_INCARNATION_OFFSET);
    }

    public KeepAliveFlyweight echoedIncarnation(long incarnation) {
        putI64At(ECHOED_INCARNATION_OFFSET, incarnation);
        return this;
    }

    private static int at(int index, int field) {
        return FIXED_LENGTH + index * SERVICE_RECORD_LENGTH + field;
    }

    public int serviceId(int index) {
        return i32At(at(index, SERVICE_ID_OFFSET));
    }

    public int state(int index) {
        return u16At(at(index, STATE_OFFSET));
    }

    public int role(int index) {
        return u8At(at(index, ROLE_OFFSET));
    }

    public int syncState(int index) {
        return u8At(at(index, SYNC_STATE_OFFSET));
    }

    public int priority(int index) {
        return u16At(at(index, PRIORITY_OFFSET));
    }

    public int flags(int index) {
        return u16At(at(index, FLAGS_OFFSET));
    }

    public long tableSize(int index) {
        return u32At(at(index, TABLE_SIZE_OFFSET));
    }

    public long tableDigest(int index) {
        return i64At(at(index, TABLE_DIGEST_OFFSET));
    }

    public long configDigest(int index) {
        return i64At(at(index, CONFIG_DIGEST_OFFSET));
    }

    /** The number of takeovers of the service the sender knows of; compare unsigned. */
    public long term(int index) {
        return i64At(at(index, TERM_OFFSET));
    }

    /** Writes the whole record {@code index} (reserved bytes zeroed). */
    public KeepAliveFlyweight service(int index, int serviceId, int state, int role, int syncState, int priority,
                                      int flags, long tableSize, long tableDigest, long configDigest, long term) {
        putI32At(at(index, SERVICE_ID_OFFSET), serviceId);
        putU16At(at(index, STATE_OFFSET), state);
        putU8At(at(index, ROLE_OFFSET), role);
        putU8At(at(index, SYNC_STATE_OFFSET), syncState);
        putU16At(at(index, PRIORITY_OFFSET), priority);
        putU16At(at(index, FLAGS_OFFSET), flags);
        putI32At(at(index, TABLE_SIZE_OFFSET), (int) Math.min(tableSize, 0xFFFF_FFFFL));
        putI64At(at(index, TABLE_DIGEST_OFFSET), tableDigest);
        putI64At(at(index, CONFIG_DIGEST_OFFSET), configDigest);
        putI64At(at(index, TERM_OFFSET), term);
        return this;
    }
}
