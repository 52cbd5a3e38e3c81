package dev.baton.peer;

import dev.baton.codec.Flyweight;

/**
 * Payload of a {@link MessageType#REACHABILITY_REPORT}: one chunk of the sender's current reachability
 * information (US 6,148,410 FIG. 4: its reachability set and which elements it reaches now), elements
 * {@code First Index} to {@code First Index + Count - 1} of {@code Element Count}. A report larger than one
 * datagram is sent as several chunks of the same {@code Generation}; the sender takes a new generation whenever
 * its set or an element's state changes, and the receiver uses a generation only once it holds every chunk.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Generation                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Element Count         |          First Index          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Count             |           Reserved            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+  then Count times:
 * |                                                               |
 * +                    Name (24 bytes, ASCII,                     +
 * |                       NUL-padded)                             |
 * ~                                                               ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Weight             |     Flags     |    Health     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Name: 1 to {@value #NAME_LENGTH} of {@code A-Z a-z 0-9 . _ : -}, then NUL bytes to the end of the field.
 * Weight 1..{@value #MAX_WEIGHT}. Flags bit 0 {@link #FLAG_REQUIRED}; other bits zero on send, ignored on
 * receipt. Health: {@link #HEALTH_UNKNOWN}, {@link #HEALTH_UP}, {@link #HEALTH_DOWN}. A chunk with any field out of
 * these ranges, an Element Count above {@value #MAX_ELEMENTS} or records past it is invalid as a whole.
 */
public final class ReachabilityReportFlyweight extends Flyweight<ReachabilityReportFlyweight> {

    public static final int GENERATION_OFFSET = 0;
    public static final int ELEMENT_COUNT_OFFSET = 4;
    public static final int FIRST_INDEX_OFFSET = 6;
    public static final int COUNT_OFFSET = 8;
    public static final int FIXED_LENGTH = 12;
    public static final int NAME_OFFSET = 0;
    public static final int NAME_LENGTH = 24;
    public static final int WEIGHT_OFFSET = 24;
    public static final int FLAGS_OFFSET = 26;
    public static final int HEALTH_OFFSET = 27;
    public static final int RECORD_LENGTH = 28;

    /** The most elements in one router's set (and so in one report). */
    public static final int MAX_ELEMENTS = 1024;
    public static final int MAX_WEIGHT = 1000;
    /** Flags bit 0: a router that does not reach this element is worse under the {@code required} function. */
    public static final int FLAG_REQUIRED = 1;
    public static final int HEALTH_UNKNOWN = 0;
    public static final int HEALTH_UP = 1;
    public static final int HEALTH_DOWN = 2;

    /** Whether the wrapped payload has the shape, and every field of every record is in range (see the class Javadoc). */
    public boolean valid() {
        if (!wrappedRangeHolds(0) || !MessageType.REACHABILITY_REPORT.payloadShapeValid(wrappedSegment(), offset(), length())) {
            return false;
        }
        int total = elementCount();
        int count = recordCount();
        if (total > MAX_ELEMENTS || firstIndex() + count > total) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            int weight = weight(i);
            if (weight < 1 || weight > MAX_WEIGHT || health(i) > HEALTH_DOWN || nameLength(i) < 0) {
                return false;
            }
        }
        return true;
    }

    public long generation() {
        return u32At(GENERATION_OFFSET);
    }

    public int elementCount() {
        return u16At(ELEMENT_COUNT_OFFSET);
    }

    public int firstIndex() {
        return u16At(FIRST_INDEX_OFFSET);
    }

    public int recordCount() {
        return u16At(COUNT_OFFSET);
    }

    public ReachabilityReportFlyweight set(long generation, int elementCount, int firstIndex, int recordCount) {
        putI32At(GENERATION_OFFSET, (int) generation);
        putU16At(ELEMENT_COUNT_OFFSET, elementCount);
        putU16At(FIRST_INDEX_OFFSET, firstIndex);
        putU16At(COUNT_OFFSET, recordCount);
        putU16At(COUNT_OFFSET + 2, 0);
        return this;
    }

    private static int at(int index) {
        return FIXED_LENGTH + index * RECORD_LENGTH;
    }

    /**
     * The length of record {@code index}'s name, or -1 when the field is not a valid name (empty, a byte outside
     * the allowed set, or a non-NUL byte after the first NUL).
     */
    public int nameLength(int index) {
        return paddedTextLength(at(index) + NAME_OFFSET, NAME_LENGTH, NAME_BYTE);
    }

    private static final TextByte NAME_BYTE = (position, b) -> nameByte(b);

    /** Byte {@code i} of record {@code index}'s name (0 past its end). */
    public int nameByte(int index, int i) {
        return u8At(at(index) + NAME_OFFSET + i);
    }

    /** Whether {@code b} may appear in an element name. */
    public static boolean nameByte(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == ':'
                || b == '-';
    }

    public int weight(int index) {
        return u16At(at(index) + WEIGHT_OFFSET);
    }

    public boolean required(int index) {
        return (u8At(at(index) + FLAGS_OFFSET) & FLAG_REQUIRED) != 0;
    }

    public int health(int index) {
        return u8At(at(index) + HEALTH_OFFSET);
    }

    /**
     * Writes record {@code index}. The caller has checked the name (1..{@value #NAME_LENGTH} bytes, each
     * {@link #nameByte(int)}) and the weight.
     */
    public ReachabilityReportFlyweight record(int index, byte[] name, int weight, boolean required, int health) {
        int base = at(index);
        for (int i = 0; i < NAME_LENGTH; i++) {
            putU8At(base + NAME_OFFSET + i, i < name.length ? name[i] : 0);
        }
        putU16At(base + WEIGHT_OFFSET, weight);
        putU8At(base + FLAGS_OFFSET, required ? FLAG_REQUIRED : 0);
        putU8At(base + HEALTH_OFFSET, health);
        return this;
    }
}
