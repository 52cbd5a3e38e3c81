package dev.baton.codec;

import java.lang.foreign.MemorySegment;

import static dev.baton.codec.WireLayouts.LE_U16;
import static dev.baton.codec.WireLayouts.U8;

/**
 * What every header view shares — the packet codecs here and the peer messages of {@code baton-peer}: the wrapped range ({@code segment}, absolute
 * {@code offset}, available {@code length}), {@link #wrap}, the within-segment check behind each
 * {@code valid()}, and reads and writes of fixed-width fields at an offset relative to the wrapped start.
 * Subclasses keep only what is particular to their header: its offsets and constants, field names and
 * validity rules.
 *
 * <p>Why it is shaped this way, for the per-packet path: every subclass is {@code final} (a rule for
 * subclasses: {@code final class X extends Flyweight<X>}), and all methods here are {@code final}, so a call on a concrete flyweight binds
 * statically and inlines — there is no virtual dispatch to go megamorphic. The self type {@code T} lets
 * {@link #wrap} return the concrete view with no covariant override per class; the cast is erased, and the
 * caller's check against its exact type folds away. Nothing here allocates.
 *
 * <p>Accessors do no bounds checks beyond the ones {@link MemorySegment} always makes; callers check
 * {@code valid()} first. Not thread-safe: one instance per thread.
 *
 * @param <T> the concrete flyweight, which {@link #wrap} returns
 */
public abstract class Flyweight<T extends Flyweight<T>> {

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;

    protected Flyweight() {
    }

    /**
     * Points this view at the {@code length} available bytes starting at absolute {@code offset} in
     * {@code segment}. Checks nothing: call {@code valid()} before reading.
     *
     * @return this
     */
    @SuppressWarnings("unchecked") // sound: every subclass is a final X extends Flyweight<X>
    public final T wrap(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        return (T) this;
    }

    /** Absolute offset of the wrapped header in the segment, as given to {@link #wrap}. */
    public final long offset() {
        return offset;
    }

    /** Bytes available to the view, as given to {@link #wrap}. */
    public final int length() {
        return length;
    }

    /** The wrapped segment ({@link MemorySegment#NULL} before the first {@link #wrap}). */
    protected final MemorySegment wrappedSegment() {
        return segment;
    }

    /**
     * Whether the wrapped range lies inside the segment and holds at least {@code minimumLength} bytes: the
     * check every {@code valid()} starts with, so that accessors on a valid view cannot throw. Never throws.
     */
    protected final boolean wrappedRangeHolds(int minimumLength) {
        return WireLayouts.withinSegment(segment.byteSize(), offset, length) && length >= minimumLength;
    }

    /** Absolute offset in the segment of the byte {@code fieldOffset} bytes into the wrapped header. */
    protected final long absoluteOffset(int fieldOffset) {
        return offset + fieldOffset;
    }

    /** The unsigned 8-bit field at {@code fieldOffset}. */
    protected final int u8At(int fieldOffset) {
        return Byte.toUnsignedInt(segment.get(U8, offset + fieldOffset));
    }

    /** Writes the low 8 bits of {@code value} at {@code fieldOffset}. */
    protected final void putU8At(int fieldOffset, int value) {
        segment.set(U8, offset + fieldOffset, (byte) value);
    }

    /** Which bytes a NUL-padded text field may hold: {@code b} at {@code position} (0 the first). */
    @FunctionalInterface
    protected interface TextByte {
        boolean allowed(int position, int b);
    }

    /**
     * The length of the NUL-padded text in the {@code fieldLength} bytes at {@code fieldOffset} (names in peer
     * messages), or -1 when it is not one: empty, a byte {@code allowed} refuses, or a non-NUL byte after the first NUL.
     * Never throws on a valid view; allocates nothing.
     */
    protected final int paddedTextLength(int fieldOffset, int fieldLength, TextByte allowed) {
        int length = 0;
        while (length < fieldLength && u8At(fieldOffset + length) != 0) {
            if (!allowed.allowed(length, u8At(fieldOffset + length))) {
                return -1;
            }
            length++;
        }
        for (int i = length; i < fieldLength; i++) {
            if (u8At(fieldOffset + i) != 0) {
                return -1;
            }
        }
        return length == 0 ? -1 : length;
    }

    /** The high 4 bits of the byte at {@code fieldOffset} (IPv4 version, TCP data offset). */
    protected final int highNibbleAt(int fieldOffset) {
        return u8At(fieldOffset) >>> 4;
    }

    /** Writes the low 4 bits of {@code value} into the high nibble at {@code fieldOffset}, keeping the low one. */
    protected final void putHighNibbleAt(int fieldOffset, int value) {
        putU8At(fieldOffset, ((value & 0x0F) << 4) | (u8At(fieldOffset) & 0x0F));
    }

    /** The low 4 bits of the byte at {@code fieldOffset} (IPv4 IHL). */
    protected final int lowNibbleAt(int fieldOffset) {
        return u8At(fieldOffset) & 0x0F;
    }

    /** Writes the low 4 bits of {@code value} into the low nibble at {@code fieldOffset}, keeping the high one. */
    protected final void putLowNibbleAt(int fieldOffset, int value) {
        putU8At(fieldOffset, (u8At(fieldOffset) & 0xF0) | (value & 0x0F));
    }

    /** The unsigned big-endian 16-bit field at {@code fieldOffset}. */
    protected final int u16At(int fieldOffset) {
        return Short.toUnsignedInt(segment.get(NetworkOrder.SHORT, offset + fieldOffset));
    }

    /** Writes the low 16 bits of {@code value} big-endian at {@code fieldOffset}. */
    protected final void putU16At(int fieldOffset, int value) {
        segment.set(NetworkOrder.SHORT, offset + fieldOffset, (short) value);
    }

    /** The big-endian 32-bit field at {@code fieldOffset}, as a raw {@code int} (addresses, sequence numbers). */
    protected final int i32At(int fieldOffset) {
        return segment.get(NetworkOrder.INT, offset + fieldOffset);
    }

    /** Writes {@code value} big-endian at {@code fieldOffset}. */
    protected final void putI32At(int fieldOffset, int value) {
        segment.set(NetworkOrder.INT, offset + fieldOffset, value);
    }

    /** The big-endian 32-bit field at {@code fieldOffset}, unsigned. */
    protected final long u32At(int fieldOffset) {
        return Integer.toUnsignedLong(segment.get(NetworkOrder.INT, offset + fieldOffset));
    }

    /** The big-endian 64-bit field at {@code fieldOffset}. */
    protected final long i64At(int fieldOffset) {
        return segment.get(NetworkOrder.LONG, offset + fieldOffset);
    }

    /** Writes {@code value} big-endian as the 8 bytes at {@code fieldOffset}. */
    protected final void putI64At(int fieldOffset, long value) {
        segment.set(NetworkOrder.LONG, offset + fieldOffset, value);
    }

    /** The unsigned little-endian 16-bit field at {@code fieldOffset} (the virtio-net header only). */
    protected final int u16LittleEndianAt(int fieldOffset) {
        return Short.toUnsignedInt(segment.get(LE_U16, offset + fieldOffset));
    }

    /** Writes the low 16 bits of {@code value} little-endian at {@code fieldOffset}. */
    protected final void putU16LittleEndianAt(int fieldOffset, int value) {
        segment.set(LE_U16, offset + fieldOffset, (short) value);
    }

    /**
     * The Internet checksum (RFC 1071) of the first {@code coveredLength} bytes of the wrapped header and
     * what follows it, computed as if the 16-bit checksum field at {@code checksumFieldOffset} were zero:
     * the value to store there.
     */
    protected final int checksumSkippingField(int coveredLength, int checksumFieldOffset) {
        return InternetChecksum.fold(
                InternetChecksum.partialSkippingField(segment, offset, coveredLength, checksumFieldOffset, 0));
    }

    /** Whether the checksum over the first {@code coveredLength} bytes, checksum field included, verifies (is 0). */
    protected final boolean checksumVerifies(int coveredLength) {
        return InternetChecksum.checksum(segment, offset, coveredLength) == 0;
    }

    /** The 48-bit MAC address at {@code fieldOffset}, as {@link MacAddress} represents it. */
    protected final long macAt(int fieldOffset) {
        return MacAddress.read(segment, offset + fieldOffset);
    }

    /** Writes the MAC address in the low 48 bits of {@code mac} at {@code fieldOffset}. */
    protected final void putMacAt(int fieldOffset, long mac) {
        MacAddress.write(segment, offset + fieldOffset, mac);
    }
}
