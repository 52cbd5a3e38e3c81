package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#NACK}: items {@code firstMissing} to {@code lastMissing} (inclusive) of
 * the stream did not arrive; send them again, or, when they are no longer held, start a new dump.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Stream     |                   Reserved                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                First Missing Sequence (64 bits)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Last Missing Sequence (64 bits)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class NackFlyweight extends Flyweight<NackFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int STREAM_OFFSET = 4;
    public static final int FIRST_MISSING_OFFSET = 8;
    public static final int LAST_MISSING_OFFSET = 16;
    public static final int LENGTH = 24;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.NACK.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    /** {@link AckFlyweight#STREAM_SYNC} or {@link AckFlyweight#STREAM_UPDATE}. */
    public int stream() {
        return u8At(STREAM_OFFSET);
    }

    public long firstMissingSequence() {
        return i64At(FIRST_MISSING_OFFSET);
    }

    public long lastMissingSequence() {
        return i64At(LAST_MISSING_OFFSET);
    }

    public NackFlyweight set(int serviceId, int stream, long firstMissingSequence, long lastMissingSequence) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putI32At(STREAM_OFFSET, stream << 24);
        putI64At(FIRST_MISSING_OFFSET, firstMissingSequence);
        putI64At(LAST_MISSING_OFFSET, lastMissingSequence);
        return this;
    }
}
