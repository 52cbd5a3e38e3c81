package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Flyweight over one replicated connection-table entry, the 24-byte record of {@link SyncBatchFlyweight}
 * and {@link UpdateBatchFlyweight}. Addresses are IPv4, as raw big-endian {@code int}s.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Protocol    |     State     |          Client Port          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Client Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                              VIP                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           VIP Port            |           Server Id           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Service Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Age (ms)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Protocol is the IP protocol number (6 TCP, 17 UDP); State is the connection table's state code. The
 * age (time since the entry was last used) is sent rather than a timestamp, so the two routers' clocks
 * need not agree. The enclosing batch checks the record lies inside the payload.
 */
public final class ConnectionRecordFlyweight extends Flyweight<ConnectionRecordFlyweight> {

    public static final int PROTOCOL_OFFSET = 0;
    public static final int STATE_OFFSET = 1;
    public static final int CLIENT_PORT_OFFSET = 2;
    public static final int CLIENT_ADDRESS_OFFSET = 4;
    public static final int VIP_OFFSET = 8;
    public static final int VIP_PORT_OFFSET = 12;
    public static final int SERVER_ID_OFFSET = 14;
    public static final int SERVICE_ID_OFFSET = 16;
    public static final int AGE_MS_OFFSET = 20;
    public static final int LENGTH = 24;

    /** Whether a whole record is inside the segment. Never throws. */
    public boolean valid() {
        return wrappedRangeHolds(0) && length() >= LENGTH;
    }

    public int protocol() {
        return u8At(PROTOCOL_OFFSET);
    }

    public ConnectionRecordFlyweight protocol(int protocol) {
        putU8At(PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int state() {
        return u8At(STATE_OFFSET);
    }

    public ConnectionRecordFlyweight state(int state) {
        putU8At(STATE_OFFSET, state);
        return this;
    }

    public int clientPort() {
        return u16At(CLIENT_PORT_OFFSET);
    }

    public ConnectionRecordFlyweight clientPort(int port) {
        putU16At(CLIENT_PORT_OFFSET, port);
        return this;
    }

    public int clientAddress() {
        return i32At(CLIENT_ADDRESS_OFFSET);
    }

    public ConnectionRecordFlyweight clientAddress(int address) {
        putI32At(CLIENT_ADDRESS_OFFSET, address);
        return this;
    }

    public int vip() {
        return i32At(VIP_OFFSET);
    }

    public ConnectionRecordFlyweight vip(int vip) {
        putI32At(VIP_OFFSET, vip);
        return this;
    }

    public int vipPort() {
        return u16At(VIP_PORT_OFFSET);
    }

    public ConnectionRecordFlyweight vipPort(int port) {
        putU16At(VIP_PORT_OFFSET, port);
        return this;
    }

    public int serverId() {
        return u16At(SERVER_ID_OFFSET);
    }

    public ConnectionRecordFlyweight serverId(int serverId) {
        putU16At(SERVER_ID_OFFSET, serverId);
        return this;
    }

    public int serviceId() {
        return i32At(SERVICE_ID_OFFSET);
    }

    public ConnectionRecordFlyweight serviceId(int serviceId) {
        putI32At(SERVICE_ID_OFFSET, serviceId);
        return this;
    }

    /** Milliseconds since the entry was last used, unsigned (saturate at 2^32 - 1 on send). */
    public long ageMs() {
        return u32At(AGE_MS_OFFSET);
    }

    public ConnectionRecordFlyweight ageMs(long ageMs) {
        putI32At(AGE_MS_OFFSET, (int) Math.min(ageMs, 0xFFFF_FFFFL));
        return this;
    }
}
