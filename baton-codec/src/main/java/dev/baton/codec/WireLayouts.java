package dev.baton.codec;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The value layouts the codecs read and write with besides {@link NetworkOrder}'s: single bytes, and the
 * virtio-net header's little-endian fields (the one exception to network byte order). Static finals, so the
 * JIT folds them into plain loads.
 */
final class WireLayouts {

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
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
