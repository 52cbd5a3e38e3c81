package dev.baton.peer;

import dev.baton.codec.NetworkOrder;

import java.lang.foreign.MemorySegment;

/**
 * The peer message types, each with its explicit wire code (never {@code ordinal()}) and the shape of its
 * payload: a fixed part, then, for batches, {@code count} records of a fixed size, the count being the
 * unsigned 16-bit field at {@link #countOffset()} of the fixed part. Layouts are drawn in
 * {@code docs/protocol.md} and in each payload flyweight's Javadoc.
 */
public enum MessageType {
    /** Heartbeat with every service's monitor state (the patent's keep-alive manager, KAM). */
    KEEPALIVE(1, KeepAliveFlyweight.FIXED_LENGTH, KeepAliveFlyweight.SERVICE_RECORD_LENGTH, KeepAliveFlyweight.COUNT_OFFSET),
    /** A standby asks the active for a full dump (entering sub-state SYNC-IN). */
    SYNC_REQUEST(2, SyncRequestFlyweight.LENGTH, 0, -1),
    /** A bounded batch of the full dump (the active in SYNC-OUT). */
    SYNC_BATCH(3, SyncBatchFlyweight.FIXED_LENGTH, ConnectionRecordFlyweight.LENGTH, SyncBatchFlyweight.COUNT_OFFSET),
    /** End of the dump, with the digests the standby checks its copy against. */
    SYNC_END(4, SyncEndFlyweight.LENGTH, 0, -1),
    /** Connection changes (insert, state change, remove) since the dump, with a per-stream sequence. */
    UPDATE_BATCH(5, UpdateBatchFlyweight.FIXED_LENGTH, UpdateBatchFlyweight.UPDATE_RECORD_LENGTH, UpdateBatchFlyweight.COUNT_OFFSET),
    /** Cumulative acknowledgement of a sync or update stream (flow control). */
    ACK(6, AckFlyweight.LENGTH, 0, -1),
    /** A gap in a sync or update stream: the receiver asks for it again (or resyncs). */
    NACK(7, NackFlyweight.LENGTH, 0, -1),
    /** A standby in PREEMPT asks the active for the VIP (action 331, after 345, 346 or 347). */
    SWITCHOVER_QUERY(8, ServiceNoticeFlyweight.LENGTH, 0, -1),
    /** The active hands the VIP to the standby that asked, and goes standby (355). */
    SWITCHOVER_ACCEPT(9, ServiceNoticeFlyweight.LENGTH, 0, -1),
    /** The active gives a service up at once (e.g. an interface lost carrier), so a standby takes over. */
    GAVE_UP(10, ServiceNoticeFlyweight.LENGTH, 0, -1),
    /** The active, asked by an operator to switch over (347), asks a synchronized standby to preempt. */
    TAKEOVER_REQUEST(11, ServiceNoticeFlyweight.LENGTH, 0, -1),
    /**
     * A router that abandoned its preemption answers the accept that still came: the VIP it was handed has no
     * active; the router that handed it over, still draining, takes it back.
     */
    SWITCHOVER_DECLINE(12, ServiceNoticeFlyweight.LENGTH, 0, -1),
    /**
     * A chunk of the sender's current reachability information (the reach-ability manager, RM 230, FIG. 4): its
     * reachability set and which elements it reaches now, so the active RM can order the routers.
     */
    REACHABILITY_REPORT(13, ReachabilityReportFlyweight.FIXED_LENGTH, ReachabilityReportFlyweight.RECORD_LENGTH,
            ReachabilityReportFlyweight.COUNT_OFFSET),
    /**
     * An operator's run-time settings of servers (drain, weight) as last-writer-wins registers, so that every
     * router holds them and a takeover keeps them (the configuration tables the SM 220 keeps identical).
     */
    SERVER_SETTINGS(14, ServerSettingsFlyweight.FIXED_LENGTH, ServerSettingsFlyweight.RECORD_LENGTH,
            ServerSettingsFlyweight.COUNT_OFFSET);

    private static final MessageType[] BY_CODE = new MessageType[16];

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final int fixedLength;
    private final int recordLength;
    private final int countOffset;

    MessageType(int code, int fixedLength, int recordLength, int countOffset) {
        this.code = code;
        this.fixedLength = fixedLength;
        this.recordLength = recordLength;
        this.countOffset = countOffset;
    }

    /** The type's code on the wire (the header's Type byte). */
    public int code() {
        return code;
    }

    /** Length of the payload's fixed part in bytes (the whole payload when {@link #recordLength()} is 0). */
    public int fixedLength() {
        return fixedLength;
    }

    /** Length of each repeated record in bytes, 0 when the payload has none. */
    public int recordLength() {
        return recordLength;
    }

    /** Offset in the fixed part of the unsigned 16-bit record count, -1 when the payload has no records. */
    public int countOffset() {
        return countOffset;
    }

    /** The most records one message of this type carries within {@link PeerHeaderFlyweight#MAX_PAYLOAD_LENGTH}. */
    public int maxRecords() {
        return recordLength == 0 ? 0 : (PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH - fixedLength) / recordLength;
    }

    /** Payload length for {@code records} records. */
    public int payloadLength(int records) {
        return fixedLength + records * recordLength;
    }

    /**
     * The Service Id that the sync and notice payloads start with (a sync stream id for the sync types, a VIP
     * index for the notices; KEEPALIVE, REACHABILITY_REPORT and SERVER_SETTINGS have none; {@code docs/protocol.md}): read before
     * the message is routed to the flyweight that owns it. The caller has checked that at least 4 payload bytes are there.
     */
    public static int leadingServiceId(MemorySegment segment, long payloadOffset) {
        return segment.get(NetworkOrder.INT, payloadOffset);
    }

    /** The type with wire code {@code code}, or {@code null} when no type has it. Allocates nothing. */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * Whether {@code payloadLength} bytes at absolute {@code payloadOffset} have this type's shape: exactly the
     * fixed part, or the fixed part plus {@code count} whole records. The caller has checked the range lies
     * inside the segment. Never throws.
     */
    boolean payloadShapeValid(MemorySegment segment, long payloadOffset, int payloadLength) {
        if (recordLength == 0) {
            return payloadLength == fixedLength;
        }
        if (payloadLength < fixedLength) {
            return false;
        }
        int count = Short.toUnsignedInt(segment.get(NetworkOrder.SHORT, payloadOffset + countOffset));
        return payloadLength == fixedLength + count * recordLength;
    }
}
