package dev.baton.codec.pcap;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One captured frame of a classic pcap file: when it was captured, the bytes captured, and how long the
 * frame really was ({@code originalLength} exceeds {@code data.length} when the capture cut it short at
 * the snap length). Equality compares the bytes, not the array identity.
 *
 * @param timestampNs    capture time in nanoseconds since the Unix epoch (microsecond files: a multiple of 1000)
 * @param data           the captured bytes, starting with the link-layer (Ethernet) header
 * @param originalLength the frame's length on the wire, in bytes
 */
public record PcapRecord(long timestampNs, byte[] data, int originalLength) {

    public PcapRecord {
        Objects.requireNonNull(data, "data");
        if (timestampNs < 0) {
            throw new IllegalArgumentException("timestampNs must not be negative: " + timestampNs);
        }
        if (originalLength < 0) {
            throw new IllegalArgumentException("originalLength must not be negative: " + originalLength);
        }
    }

    /** A record of a frame captured whole. */
    public static PcapRecord of(long timestampNs, byte[] data) {
        return new PcapRecord(timestampNs, data, data.length);
    }

    /** A heap segment over {@link #data()} (not a copy: writes through it change this record's bytes). */
    public MemorySegment segment() {
        return MemorySegment.ofArray(data);
    }

    /** Whether the capture holds fewer bytes than the frame had. */
    public boolean truncated() {
        return data.length < originalLength;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PcapRecord that
                && timestampNs == that.timestampNs
                && originalLength == that.originalLength
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(timestampNs) + originalLength) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "PcapRecord[timestampNs=" + timestampNs + ", originalLength=" + originalLength
                + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
