package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#ACK}: every item of the stream up to and including the sequence has
 * arrived. It opens the sender's flow-control window for the dump.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Stream     |                   Reserved                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Acknowledged Sequence (64 bits)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Stream is {@link #STREAM_SYNC} (batch sequences of the dump) or {@link #STREAM_UPDATE} (update
 * sequences).
 */
public final class AckFlyweight extends Flyweight<AckFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int STREAM_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int LENGTH = 16;

    public static final int STREAM_SYNC = 1;
    public static final int STREAM_UPDATE = 2;

    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.ACK.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int stream() {
        return u8At(STREAM_OFFSET);
    }

    public long acknowledgedSequence() {
        return i64At(SEQUENCE_OFFSET);
    }

    public AckFlyweight set(int serviceId, int stream, long acknowledgedSequence) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putI32At(STREAM_OFFSET, stream << 24);
        putI64At(SEQUENCE_OFFSET, acknowledgedSequence);
        return this;
    }
}
