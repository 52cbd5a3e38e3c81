package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#SERVER_SETTINGS}: an operator's run-time settings of servers ({@code baton ctl
 * drain}, {@code undrain}, {@code weight}), so that every router of the group holds them and a takeover keeps them.
 * The patent's synchronization manager keeps the standby's configuration tables identical to the active's (SM 220);
 * these settings are the part of those tables an operator changes while the routers run.
 *
 * <p>Each record is one server's settings as a last-writer-wins register: it replaces the receiver's when its
 * ({@code Version}, {@code Origin}, {@code Incarnation}) stamp is greater. A server is named by its service and its configured address,
 * never by an index, so that routers whose configurations list servers in another order still agree.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Count             |           Reserved            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+  then Count times:
 * |                                                               |
 * +                   Service (32 bytes, ASCII,                   +
 * |                        NUL-padded)                            |
 * ~                                                               ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Server Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Version                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Origin                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Weight             |     Flags     |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Incarnation (64 bits)                      |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Service: a service name, 1 to {@value #SERVICE_LENGTH} of {@code A-Z a-z 0-9 . _ -}, the first a letter or
 * digit, then NUL bytes to the end of the field. Server Address: the server's configured IPv4 address. Version:
 * 1.. (unsigned); Origin: the router number of the router where the operator gave the command, 1..; Incarnation:
 * that router's incarnation then, 1.. (unsigned; a restarted router's versions may repeat its earlier run's); Weight:
 * 0..{@value #MAX_WEIGHT}, or {@value #CONFIGURED_WEIGHT} for the configured weight. Flags bit 0
 * {@link #FLAG_DRAINED}; other bits zero on send, ignored on receipt. A message with any field out of these ranges is
 * invalid as a whole.
 */
public final class ServerSettingsFlyweight extends Flyweight<ServerSettingsFlyweight> {

    public static final int COUNT_OFFSET = 0;
    public static final int FIXED_LENGTH = 4;
    public static final int SERVICE_OFFSET = 0;
    public static final int SERVICE_LENGTH = 32;
    public static final int ADDRESS_OFFSET = 32;
    public static final int VERSION_OFFSET = 36;
    public static final int ORIGIN_OFFSET = 40;
    public static final int WEIGHT_OFFSET = 44;
    public static final int FLAGS_OFFSET = 46;
    public static final int INCARNATION_OFFSET = 48;
    public static final int RECORD_LENGTH = 56;

    public static final int MAX_WEIGHT = 1000;
    /** The Weight that means "the configured weight": no operator weight is in force. */
    public static final int CONFIGURED_WEIGHT = 0xFFFF;
    /** Flags bit 0: the server is drained (no new connections). */
    public static final int FLAG_DRAINED = 1;

    /** Whether the wrapped payload has the shape, and every field of every record is in range (see the class Javadoc). */
    public boolean valid() {
        if (!wrappedRangeHolds(0) || !MessageType.SERVER_SETTINGS.payloadShapeValid(wrappedSegment(), offset(), length())) {
            return false;
        }
        for (int i = 0; i < recordCount(); i++) {
            int weight = weight(i);
            if (serviceLength(i) < 0 || version(i) == 0 || origin(i) == 0 || incarnation(i) == 0
                    || (weight > MAX_WEIGHT && weight != CONFIGURED_WEIGHT)) {
                return false;
            }
        }
        return true;
    }

    public int recordCount() {
        return u16At(COUNT_OFFSET);
    }

    public ServerSettingsFlyweight count(int records) {
        putU16At(COUNT_OFFSET, records);
        putU16At(COUNT_OFFSET + 2, 0);
        return this;
    }

    private static int at(int index) {
        return FIXED_LENGTH + index * RECORD_LENGTH;
    }

    /**
     * The length of record {@code index}'s service name, or -1 when the field is not a valid name (empty, a first
     * byte that is not a letter or digit, a byte outside the allowed set, or a non-NUL byte after the first NUL).
     */
    public int serviceLength(int index) {
        return paddedTextLength(at(index) + SERVICE_OFFSET, SERVICE_LENGTH, SERVICE_BYTE);
    }

    /** A service name's bytes: a letter or digit first, then also {@code . _ -}. */
    private static final TextByte SERVICE_BYTE = (position, b) -> letterOrDigit(b) || position > 0 && (b == '.' || b == '_' || b == '-');

    private static boolean letterOrDigit(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9';
    }

    /** Byte {@code i} of record {@code index}'s service name (0 past its end). */
    public int serviceByte(int index, int i) {
        return u8At(at(index) + SERVICE_OFFSET + i);
    }

    public int address(int index) {
        return i32At(at(index) + ADDRESS_OFFSET);
    }

    public long version(int index) {
        return u32At(at(index) + VERSION_OFFSET);
    }

    public long origin(int index) {
        return u32At(at(index) + ORIGIN_OFFSET);
    }

    /** The origin's incarnation when it made the change (unsigned 64 bits). */
    public long incarnation(int index) {
        return i64At(at(index) + INCARNATION_OFFSET);
    }

    /** 0..{@value #MAX_WEIGHT}, or {@value #CONFIGURED_WEIGHT}. */
    public int weight(int index) {
        return u16At(at(index) + WEIGHT_OFFSET);
    }

    public boolean drained(int index) {
        return (u8At(at(index) + FLAGS_OFFSET) & FLAG_DRAINED) != 0;
    }

    /**
     * Writes record {@code index}. The caller has checked the name (a valid service name of at most
     * {@value #SERVICE_LENGTH} bytes), the version and origin (1..2^32-1), the incarnation (not 0) and the weight.
     */
    public ServerSettingsFlyweight record(int index, byte[] service, int address, long version, long origin, long incarnation,
                                          int weight, boolean drained) {
        int base = at(index);
        for (int i = 0; i < SERVICE_LENGTH; i++) {
            putU8At(base + SERVICE_OFFSET + i, i < service.length ? service[i] : 0);
        }
        putI32At(base + ADDRESS_OFFSET, address);
        putI32At(base + VERSION_OFFSET, (int) version);
        putI32At(base + ORIGIN_OFFSET, (int) origin);
        putU16At(base + WEIGHT_OFFSET, weight);
        putU8At(base + FLAGS_OFFSET, drained ? FLAG_DRAINED : 0);
        putU8At(base + FLAGS_OFFSET + 1, 0);
        putI64At(base + INCARNATION_OFFSET, incarnation);
        return this;
    }
}
