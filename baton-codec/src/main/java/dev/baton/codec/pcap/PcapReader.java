package dev.baton.codec.pcap;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic libpcap files (pcap-savefile(5); draft-ietf-opsawg-pcap): a 24-byte global header, then
 * records of a 16-byte header and the captured bytes. Both byte orders (magic {@code a1b2c3d4} written
 * big- or little-endian) and both resolutions (microseconds, and nanoseconds with magic {@code a1b23c4d})
 * are accepted; pcapng is not. For test fixtures and tools: allocates freely, never on the forwarding path.
 *
 * <pre>
 * global header:  magic u32 | version major u16 | version minor u16 | reserved u32 | reserved u32
 *                 | snap length u32 | link type u32                                    (24 bytes)
 * record header:  seconds u32 | microseconds or nanoseconds u32 | captured length u32
 *                 | original length u32                                                (16 bytes)
 * </pre>
 */
public final class PcapReader implements Closeable {

    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    /** LINKTYPE_ETHERNET: records start with an Ethernet header. */
    public static final int LINK_TYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    /** Larger captured lengths mean a corrupt file, not a frame (libpcap caps at 256 KiB; allow far more). */
    public static final int MAX_CAPTURED_LENGTH = 64 * 1024 * 1024;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MICROSECOND = 1_000L;

    private final InputStream in;
    private final ByteOrder byteOrder;
    private final boolean nanosecondResolution;
    private final int versionMajor;
    private final int versionMinor;
    private final int snapLength;
    private final int linkType;

    /**
     * Reads and checks the global header.
     *
     * @throws IOException if the stream is not a classic pcap file or ends inside the header
     */
    public PcapReader(InputStream in) throws IOException {
        this.in = in;
        ByteBuffer header = ByteBuffer.wrap(readExactly(GLOBAL_HEADER_LENGTH, "global header"));
        int magic = header.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == MAGIC_MICROSECONDS || magic == MAGIC_NANOSECONDS) {
            byteOrder = ByteOrder.BIG_ENDIAN;
        } else if (Integer.reverseBytes(magic) == MAGIC_MICROSECONDS || Integer.reverseBytes(magic) == MAGIC_NANOSECONDS) {
            byteOrder = ByteOrder.LITTLE_ENDIAN;
            magic = Integer.reverseBytes(magic);
        } else {
            throw new IOException(String.format("not a classic pcap file: magic 0x%08x (pcapng is not supported)", magic));
        }
        nanosecondResolution = magic == MAGIC_NANOSECONDS;
        header.order(byteOrder);
        versionMajor = Short.toUnsignedInt(header.getShort(4));
        versionMinor = Short.toUnsignedInt(header.getShort(6));
        snapLength = header.getInt(16);
        // The upper bits of the link-type word carry FCS information (pcap-linktype(7)); the type is the low 16.
        linkType = header.getInt(20) & 0xFFFF;
    }

    /** Reads every record of the file at {@code path}. */
    public static List<PcapRecord> readAll(Path path) throws IOException {
        try (PcapReader reader = new PcapReader(new BufferedInputStream(Files.newInputStream(path)))) {
            return reader.readAll();
        }
    }

    /** Reads every record of a pcap stream, for instance a class-path resource; does not close it. */
    public static List<PcapRecord> readAll(InputStream in) throws IOException {
        return new PcapReader(in).readAll();
    }

    /** The byte order the file was written in. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Whether timestamps carry nanoseconds (magic a1b23c4d) rather than microseconds. */
    public boolean nanosecondResolution() {
        return nanosecondResolution;
    }

    public int versionMajor() {
        return versionMajor;
    }

    public int versionMinor() {
        return versionMinor;
    }

    /** Largest number of bytes the capture kept of each frame. */
    public int snapLength() {
        return snapLength;
    }

    /** The link type ({@link #LINK_TYPE_ETHERNET} for the files Baton uses). */
    public int linkType() {
        return linkType;
    }

    /**
     * The next record, or {@code null} at the end of the file.
     *
     * @throws EOFException if the file ends inside a record
     * @throws IOException  if a record header is corrupt
     */
    public PcapRecord next() throws IOException {
        byte[] headerBytes = in.readNBytes(RECORD_HEADER_LENGTH);
        if (headerBytes.length == 0) {
            return null;
        }
        if (headerBytes.length < RECORD_HEADER_LENGTH) {
            throw new EOFException("pcap file ends inside a record header");
        }
        ByteBuffer header = ByteBuffer.wrap(headerBytes).order(byteOrder);
        long seconds = Integer.toUnsignedLong(header.getInt(0));
        long fraction = Integer.toUnsignedLong(header.getInt(4));
        long capturedLength = Integer.toUnsignedLong(header.getInt(8));
        long originalLength = Integer.toUnsignedLong(header.getInt(12));
        if (capturedLength > MAX_CAPTURED_LENGTH || originalLength > Integer.MAX_VALUE) {
            throw new IOException("corrupt pcap record header: captured length " + capturedLength
                    + ", original length " + originalLength);
        }
        long timestampNs = seconds * NANOS_PER_SECOND
                + (nanosecondResolution ? fraction : fraction * NANOS_PER_MICROSECOND);
        byte[] data = readExactly((int) capturedLength, "record data");
        return new PcapRecord(timestampNs, data, (int) originalLength);
    }

    /** Reads the remaining records. */
    public List<PcapRecord> readAll() throws IOException {
        List<PcapRecord> records = new ArrayList<>();
        for (PcapRecord record = next(); record != null; record = next()) {
            records.add(record);
        }
        return records;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private byte[] readExactly(int length, String what) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("pcap file ends inside the " + what + " (" + bytes.length + " of " + length + " bytes)");
        }
        return bytes;
    }
}
