package dev.baton.peer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What every peer-protocol view shares: the wrapped range ({@code segment}, absolute {@code offset},
 * available {@code length}), {@link #wrap}, the within-segment check behind each {@code valid()}, and
 * big-endian reads and writes at offsets relative to the wrapped start. The wire format is big-endian
 * ("network byte order") and fields may sit at any byte, hence the unaligned layouts.
 *
 * <p>All methods are {@code final} and every subclass is {@code final}, so calls bind statically and
 * inline. Nothing here allocates. Accessors check nothing beyond what {@link MemorySegment} always checks:
 * callers check {@code valid()} first. Not thread-safe: one instance per thread.
 *
 * @param <T> the concrete flyweight, which {@link #wrap} returns
 */
public abstract sealed class PeerFlyweight<T extends PeerFlyweight<T>>
        permits PeerHeaderFlyweight, KeepAliveFlyweight, SyncRequestFlyweight, SyncBatchFlyweight, SyncEndFlyweight,
        UpdateBatchFlyweight, AckFlyweight, NackFlyweight, ServiceNoticeFlyweight, ConnectionRecordFlyweight {

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort BE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;

    PeerFlyweight() {
    }

    /** Points this view at {@code length} bytes from absolute {@code offset} in {@code segment}; checks nothing. */
    @SuppressWarnings("unchecked") // sound: the permitted subclasses are exactly the final X extends PeerFlyweight<X>
    public final T wrap(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        return (T) this;
    }

    /** Absolute offset of the view in the segment, as given to {@link #wrap}. */
    public final long offset() {
        return offset;
    }

    /** Bytes available to the view, as given to {@link #wrap}. */
    public final int length() {
        return length;
    }

    final MemorySegment segment() {
        return segment;
    }

    /** Whether the wrapped range lies inside the segment. Never throws. */
    final boolean wrappedRangeInside() {
        return offset >= 0 && length >= 0 && offset <= segment.byteSize() - length;
    }

    final int u8At(int fieldOffset) {
        return Byte.toUnsignedInt(segment.get(U8, offset + fieldOffset));
    }

    final void putU8At(int fieldOffset, int value) {
        segment.set(U8, offset + fieldOffset, (byte) value);
    }

    final int u16At(int fieldOffset) {
        return Short.toUnsignedInt(segment.get(BE_U16, offset + fieldOffset));
    }

    final void putU16At(int fieldOffset, int value) {
        segment.set(BE_U16, offset + fieldOffset, (short) value);
    }

    final int i32At(int fieldOffset) {
        return segment.get(BE_I32, offset + fieldOffset);
    }

    final void putI32At(int fieldOffset, int value) {
        segment.set(BE_I32, offset + fieldOffset, value);
    }

    final long u32At(int fieldOffset) {
        return Integer.toUnsignedLong(i32At(fieldOffset));
    }

    final long i64At(int fieldOffset) {
        return segment.get(BE_I64, offset + fieldOffset);
    }

    final void putI64At(int fieldOffset, long value) {
        segment.set(BE_I64, offset + fieldOffset, value);
    }
}
