package dev.baton.codec.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapReaderWriterTest {

    @Test
    void readsTcpdumpMicrosecondFile() throws IOException {
        // tcpdump -tt: 1795835258.153035 ARP, Request ...; 1795835258.153069 ARP, Reply ...; both length 42
        try (PcapReader reader = new PcapReader(PcapFixtures.class.getResourceAsStream("/pcap/" + PcapFixtures.ARP))) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, reader.byteOrder());
            assertFalse(reader.nanosecondResolution());
            assertEquals(2, reader.versionMajor());
            assertEquals(4, reader.versionMinor());
            assertEquals(262_144, reader.snapLength());
            assertEquals(PcapReader.LINK_TYPE_ETHERNET, reader.linkType());
            List<PcapRecord> records = reader.readAll();
            assertEquals(2, records.size());
            assertEquals(1_795_835_258_153_035_000L, records.get(0).timestampNs());
            assertEquals(1_795_835_258_153_069_000L, records.get(1).timestampNs());
            assertEquals(42, records.get(0).data().length);
            assertEquals(42, records.get(0).originalLength());
            assertFalse(records.get(0).truncated());
            assertNull(reader.next(), "end of file");
        }
    }

    @Test
    void readsTcpdumpNanosecondFile() {
        // tcpdump -tt --time-stamp-precision=nano: 1795835259.853645003 IP 203.0.113.10.36188 > 203.0.113.130.4000
        List<PcapRecord> records = PcapFixtures.load(PcapFixtures.UDP);
        assertEquals(1, records.size());
        assertEquals(1_795_835_259_853_645_003L, records.getFirst().timestampNs());
        assertEquals(57, records.getFirst().originalLength());
    }

    @Test
    void readsBigEndianFileBuiltByHand() throws IOException {
        byte[] file = HexFormat.of().parseHex(
                "a1b2c3d4" + "0002" + "0004" + "00000000" + "00000000" + "0000ffff" + "00000001"
                        + "00000002" + "00000003" + "00000004" + "0000003c" + "deadbeef");
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file))) {
            assertEquals(ByteOrder.BIG_ENDIAN, reader.byteOrder());
            assertEquals(0xFFFF, reader.snapLength());
            PcapRecord record = reader.next();
            assertEquals(2_000_003_000L, record.timestampNs());
            assertArrayEquals(HexFormat.of().parseHex("deadbeef"), record.data());
            assertEquals(60, record.originalLength());
            assertTrue(record.truncated());
            assertNull(reader.next());
        }
    }

    @Test
    void writerThenReaderRoundTripsAtNanosecondResolution() throws IOException {
        List<PcapRecord> records = List.of(
                PcapRecord.of(1_700_000_000_123_456_789L, HexFormat.of().parseHex("ffffffffffff0200000001010806")),
                new PcapRecord(1_700_000_001_000_000_001L, new byte[] {1, 2, 3}, 1500),
                PcapRecord.of(0L, new byte[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, true)) {
            for (PcapRecord record : records) {
                writer.write(record);
            }
        }
        assertEquals(records, PcapReader.readAll(new ByteArrayInputStream(out.toByteArray())));
        assertEquals("4d3cb2a1", HexFormat.of().formatHex(out.toByteArray(), 0, 4), "little-endian nanosecond magic");
    }

    @Test
    void microsecondFilesDropTheSubMicrosecondPart() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, false)) {
            writer.write(PcapRecord.of(1_700_000_000_123_456_789L, new byte[] {7}));
        }
        byte[] file = out.toByteArray();
        assertEquals("d4c3b2a1", HexFormat.of().formatHex(file, 0, 4));
        PcapRecord back = PcapReader.readAll(new ByteArrayInputStream(file)).getFirst();
        assertEquals(1_700_000_000_123_456_000L, back.timestampNs());
    }

    @Test
    void writesAFrameStraightFromASegmentAndAFileTcpdumpCanRead(@TempDir Path directory) throws IOException {
        List<PcapRecord> captured = PcapFixtures.load(PcapFixtures.TCP_HTTP);
        Path file = directory.resolve("copy.pcap");
        PcapWriter.write(file, captured, false);
        assertEquals(captured, PcapReader.readAll(file), "a microsecond capture survives a microsecond rewrite");

        byte[] buffer = new byte[100];
        Arrays.fill(buffer, (byte) 0x11);
        MemorySegment segment = MemorySegment.ofArray(buffer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, true)) {
            writer.write(5L, segment, 10, 60);
        }
        PcapRecord record = PcapReader.readAll(new ByteArrayInputStream(out.toByteArray())).getFirst();
        assertEquals(60, record.data().length);
        assertEquals(60, record.originalLength());
        assertEquals(5L, record.timestampNs());
    }

    @Test
    void writerCutsRecordsAtItsSnapLengthAndKeepsTheOriginalLength() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, false, PcapReader.LINK_TYPE_ETHERNET, 64)) {
            writer.write(PcapRecord.of(1_000L, new byte[100]));
        }
        PcapRecord record = PcapReader.readAll(new ByteArrayInputStream(out.toByteArray())).getFirst();
        assertEquals(64, record.data().length);
        assertEquals(100, record.originalLength());
        assertTrue(record.truncated());
    }

    @Test
    void rejectsFilesThatAreNotClassicPcap() {
        byte[] pcapng = HexFormat.of().parseHex("0a0d0d0a" + "00".repeat(20));
        IOException error = assertThrows(IOException.class, () -> new PcapReader(new ByteArrayInputStream(pcapng)));
        assertTrue(error.getMessage().contains("0x0a0d0d0a"), error.getMessage());
        assertThrows(EOFException.class, () -> new PcapReader(new ByteArrayInputStream(new byte[10])));
    }

    @Test
    void truncatedRecordIsReportedNotSilentlyDropped() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, false)) {
            writer.write(PcapRecord.of(1_000L, new byte[40]));
        }
        byte[] whole = out.toByteArray();
        assertThrows(EOFException.class, () -> PcapReader.readAll(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 1))));
        assertThrows(EOFException.class, () -> PcapReader.readAll(new ByteArrayInputStream(Arrays.copyOf(whole, 24 + 8))));
    }

    @Test
    void corruptCapturedLengthIsAnError() {
        byte[] file = HexFormat.of().parseHex(
                "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000"
                        + "00000000" + "00000000" + "ffffff7f" + "ffffff7f");
        assertThrows(IOException.class, () -> PcapReader.readAll(new ByteArrayInputStream(file)));
    }

    @Test
    void recordsCompareByContent() {
        PcapRecord a = PcapRecord.of(1L, new byte[] {1, 2});
        PcapRecord b = PcapRecord.of(1L, new byte[] {1, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(PcapRecord.of(1L, new byte[] {1, 3})));
        assertThrows(IllegalArgumentException.class, () -> PcapRecord.of(-1L, new byte[0]));
    }
}
