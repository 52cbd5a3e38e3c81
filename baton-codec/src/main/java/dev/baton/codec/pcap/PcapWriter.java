package dev.baton.codec.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes classic libpcap files (format in {@link PcapReader}), little-endian as tcpdump writes them on
 * x86_64, link type Ethernet, version 2.4. Golden-packet tests use it to dump a failing case for
 * {@code tcpdump -r}. Allocates freely: never on the forwarding path. Not thread-safe.
 */
public final class PcapWriter implements Closeable, Flushable {

    /** tcpdump's default snap length (MAXIMUM_SNAPLEN). */
    public static final int DEFAULT_SNAP_LENGTH = 262_144;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MICROSECOND = 1_000L;
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final OutputStream out;
    private final boolean nanosecondResolution;
    private final int snapLength;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(PcapReader.RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    /** Starts an Ethernet capture with the default snap length; writes the global header. */
    public PcapWriter(OutputStream out, boolean nanosecondResolution) throws IOException {
        this(out, nanosecondResolution, PcapReader.LINK_TYPE_ETHERNET, DEFAULT_SNAP_LENGTH);
    }

    /**
     * Starts a capture; writes the global header.
     *
     * @param nanosecondResolution magic a1b23c4d and nanosecond timestamps, else microseconds (a1b2c3d4)
     * @param snapLength           records longer than this are cut to it (original length kept)
     */
    public PcapWriter(OutputStream out, boolean nanosecondResolution, int linkType, int snapLength) throws IOException {
        if (snapLength <= 0) {
            throw new IllegalArgumentException("snapLength must be positive: " + snapLength);
        }
        this.out = out;
        this.nanosecondResolution = nanosecondResolution;
        this.snapLength = snapLength;
        ByteBuffer header = ByteBuffer.allocate(PcapReader.GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(nanosecondResolution ? PcapReader.MAGIC_NANOSECONDS : PcapReader.MAGIC_MICROSECONDS)
                .putShort((short) VERSION_MAJOR)
                .putShort((short) VERSION_MINOR)
                .putInt(0)  // reserved (was thiszone)
                .putInt(0)  // reserved (was sigfigs)
                .putInt(snapLength)
                .putInt(linkType);
        out.write(header.array());
    }

    /** Writes {@code records} to a new file at {@code path} (replacing any). */
    public static void write(Path path, List<PcapRecord> records, boolean nanosecondResolution) throws IOException {
        try (PcapWriter writer = new PcapWriter(new BufferedOutputStream(Files.newOutputStream(path)), nanosecondResolution)) {
            for (PcapRecord record : records) {
                writer.write(record);
            }
        }
    }

    /** Appends one record; a microsecond file drops the sub-microsecond part of the timestamp. */
    public void write(PcapRecord record) throws IOException {
        writeRecord(record.timestampNs(), record.data(), record.originalLength());
    }

    /** Appends the frame of {@code length} bytes at {@code offset} in {@code segment}, captured whole. */
    public void write(long timestampNs, MemorySegment segment, long offset, int length) throws IOException {
        byte[] data = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, data, 0, length);
        writeRecord(timestampNs, data, length);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void writeRecord(long timestampNs, byte[] data, int originalLength) throws IOException {
        if (timestampNs < 0) {
            throw new IllegalArgumentException("timestampNs must not be negative: " + timestampNs);
        }
        long seconds = timestampNs / NANOS_PER_SECOND;
        if (seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("timestamp beyond the 32-bit seconds of the pcap format: " + timestampNs);
        }
        long nanos = timestampNs % NANOS_PER_SECOND;
        int capturedLength = Math.min(data.length, snapLength);
        recordHeader.clear();
        recordHeader.putInt((int) seconds)
                .putInt((int) (nanosecondResolution ? nanos : nanos / NANOS_PER_MICROSECOND))
                .putInt(capturedLength)
                .putInt(Math.max(originalLength, capturedLength));
        out.write(recordHeader.array());
        out.write(data, 0, capturedLength);
    }
}
