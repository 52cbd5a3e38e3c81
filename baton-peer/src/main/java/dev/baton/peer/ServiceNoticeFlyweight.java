package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload shared by {@link MessageType#SWITCHOVER_QUERY}, {@link MessageType#SWITCHOVER_ACCEPT},
 * {@link MessageType#GAVE_UP}, {@link MessageType#TAKEOVER_REQUEST} and {@link MessageType#SWITCHOVER_DECLINE}: which
 * service, and why.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Reason             |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Reason codes are listed in {@code docs/protocol.md}.
 */
public final class ServiceNoticeFlyweight extends Flyweight<ServiceNoticeFlyweight> {

    public static final int SERVICE_ID_OFFSET = 0;
    public static final int REASON_OFFSET = 4;
    public static final int LENGTH = 8;

    /** The operator asked for it ({@code baton ctl switchover}, transition 347). */
    public static final int REASON_OPERATOR = 1;
    /** The client-facing interface lost carrier or went down (the patent's failure 2(a)). */
    public static final int REASON_CLIENT_INTERFACE_DOWN = 2;
    /** The server-facing interface lost carrier or went down (failure 2(b)). */
    public static final int REASON_SERVER_INTERFACE_DOWN = 3;
    /** Automatic failback of a synchronized primary (transition 346). */
    public static final int REASON_FAILBACK = 4;
    /** The router is shutting down in an orderly way. */
    public static final int REASON_SHUTDOWN = 5;
    /**
     * TAKEOVER_REQUEST from the active reach-ability manager: the receiver reaches more than the active
     * (transition 345, FIG. 4 path 446).
     */
    public static final int REASON_REACHABILITY = 6;

    /** Valid for any of the four types, which share this layout. */
    public boolean valid() {
        return wrappedRangeHolds(0) && MessageType.GAVE_UP.payloadShapeValid(wrappedSegment(), offset(), length());
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public int reason() {
        return u16At(REASON_OFFSET);
    }

    public ServiceNoticeFlyweight set(int serviceId, int reason) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        putU16At(REASON_OFFSET, reason);
        putU16At(REASON_OFFSET + 2, 0);
        return this;
    }
}
