package dev.baton.codec;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The value layouts every codec reads and writes with. Network headers are big-endian ("network byte
 * order", RFC 1700) and may start at any byte, so the layouts are the unaligned ones; the virtio-net
 * header is the one little-endian exception. Static finals, so the JIT folds them into plain loads.
 */
final class WireLayouts {

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort BE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfShort LE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private WireLayouts() {
    }

    /**
     * Whether {@code [offset, offset + length)} lies inside a segment of {@code segmentSize} bytes. Checked
     * by every flyweight's {@code valid()} so that accessors on a valid view can never throw.
     */
    static boolean withinSegment(long segmentSize, long offset, int length) {
        return offset >= 0 && length >= 0 && offset <= segmentSize - length;
    }
}
