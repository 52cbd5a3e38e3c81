package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternetChecksumTest {

    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;
    private static final int L4 = L3 + Ipv4Flyweight.MIN_HEADER_LENGTH;

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();

    @Test
    void rfc1071WorkedExample() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement), checksum 220d.
        MemorySegment data = MemorySegment.ofArray(HexFormat.of().parseHex("0001f203f4f5f6f7"));
        assertEquals(0xDDF2, InternetChecksum.sum16(InternetChecksum.sum(data, 0, 8)));
        assertEquals(0x220D, InternetChecksum.checksum(data, 0, 8));

        MemorySegment withChecksum = MemorySegment.ofArray(HexFormat.of().parseHex("0001f203f4f5f6f7220d"));
        assertEquals(0, InternetChecksum.checksum(withChecksum, 0, 10), "data plus its checksum verifies");
    }

    @Test
    void eightBytesAtATimeMatchesAWordByWordReferenceForEveryLengthAndAlignment() {
        SplittableRandom random = new SplittableRandom(1071);
        byte[] bytes = new byte[200];
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < bytes.length; i++) {
                // Mostly 0xff bytes in some rounds, to drive the carries as hard as possible.
                bytes[i] = (byte) (round % 2 == 0 ? random.nextInt(256) : 0xFF - random.nextInt(2));
            }
            MemorySegment segment = MemorySegment.ofArray(bytes);
            for (int offset = 0; offset < 9; offset++) {
                for (int length = 0; length <= 150; length++) {
                    assertEquals(referenceChecksum(bytes, offset, length), InternetChecksum.checksum(segment, offset, length),
                            "offset " + offset + " length " + length);
                }
            }
        }
    }

    @Test
    void sumsOfEvenLengthPiecesCombine() {
        byte[] bytes = PcapFixtures.record(PcapFixtures.TCP_HTTP, 5).data();
        MemorySegment segment = MemorySegment.ofArray(bytes);
        int whole = InternetChecksum.checksum(segment, 0, bytes.length);
        for (int split = 0; split <= bytes.length; split += 2) {
            long first = InternetChecksum.sum(segment, 0, split);
            long both = InternetChecksum.partial(segment, split, bytes.length - split, first);
            assertEquals(whole, InternetChecksum.fold(both), "split at " + split);
        }
    }

    @Test
    void foldHandlesCarriesOutOfEveryBit() {
        assertEquals(0xFFFF, InternetChecksum.fold(0));
        assertEquals(0, InternetChecksum.fold(0xFFFF));
        assertEquals(0xFFFF, InternetChecksum.sum16(0xFFFF_FFFFL), "0xffff + 0xffff folds back to 0xffff");
        assertEquals(0xFFFF, InternetChecksum.sum16(-1L), "2^64 - 1 is a multiple of 0xffff: negative zero");
        assertEquals(0x0001, InternetChecksum.sum16(0x1_0000L));
        long huge = InternetChecksum.partial(MemorySegment.ofArray(new byte[] {(byte) 0xFF, (byte) 0xFF}), 0, 2, Long.MAX_VALUE);
        assertEquals(InternetChecksum.sum16(InternetChecksum.sum16(Long.MAX_VALUE) + 0xFFFFL), InternetChecksum.sum16(huge));
    }

    @Test
    void everyCapturedTcpAndUdpChecksumVerifiesWithThePseudoHeader() {
        int checked = 0;
        for (String fixture : List.of(PcapFixtures.TCP_HTTP, PcapFixtures.UDP, PcapFixtures.ICMP_PORT_UNREACHABLE)) {
            for (PcapRecord record : PcapFixtures.load(fixture)) {
                MemorySegment frame = record.segment();
                ip.wrap(frame, L3, record.data().length - L3);
                if (ip.protocol() == Ipv4Flyweight.PROTOCOL_ICMP) {
                    continue;
                }
                assertTrue(InternetChecksum.transportChecksumValid(frame, ip.payloadOffset(), ip.payloadLength(),
                        ip.sourceAddress(), ip.destinationAddress(), ip.protocol()), fixture);
                checked++;
            }
        }
        assertEquals(13 + 1 + 1, checked);
    }

    @Test
    void completesARealTcpFrameGivenTheKernelsPartialChecksum() {
        for (PcapRecord record : PcapFixtures.load(PcapFixtures.TCP_HTTP)) {
            byte[] original = record.data().clone();
            MemorySegment frame = record.segment();
            ip.wrap(frame, L3, record.data().length - L3);
            tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
            // What tcp_v4_send_check leaves for CHECKSUM_PARTIAL: the folded pseudo-header sum, not complemented;
            // the virtio-net header says csum_start 34 (Ethernet 14 + IPv4 20), csum_offset 16.
            tcp.checksum(InternetChecksum.sum16(InternetChecksum.pseudoHeaderSum(
                    ip.sourceAddress(), ip.destinationAddress(), Ipv4Flyweight.PROTOCOL_TCP, ip.payloadLength())));

            assertTrue(InternetChecksum.completePartialChecksum(frame, 0, original.length, L3, L4, TcpFlyweight.CHECKSUM_OFFSET));

            assertArrayEquals(original, record.data());
        }
    }

    /**
     * The frames of tcp-csum-partial.pcap were captured with tx checksum offload on: tcpdump reports each
     * checksum "incorrect -> X" (tcp-csum-partial.txt). The field holds the pseudo-header sum as the kernel
     * left it, and completing it must give tcpdump's X.
     */
    @ParameterizedTest(name = "frame {0}: {1} -> {2}")
    @CsvSource({
            " 0, 78bc, 37c6", " 1, 78bc, f447", " 2, 78b4, 2039", " 3, 790f, 7e28", " 4, 78b4, 1fdd",
            " 5, 796e, d0ba", " 6, 78b4, 1f22", " 7, 78c8, f5c3", " 8, 78b4, 1f0e", " 9, 78b4, 1f0d",
            "10, 78b4, 1f0c", "11, 78b4, 1f0c", "12, 78b4, 1f0b",
    })
    void completesFramesCapturedWithChecksumOffloadOn(int index, String partialHex, String correctHex) {
        PcapRecord record = PcapFixtures.record(PcapFixtures.TCP_CSUM_PARTIAL, index);
        MemorySegment frame = record.segment();
        ip.wrap(frame, L3, record.data().length - L3);
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertEquals(Integer.parseInt(partialHex, 16), tcp.checksum());
        assertEquals(tcp.checksum(), InternetChecksum.sum16(InternetChecksum.pseudoHeaderSum(
                ip.sourceAddress(), ip.destinationAddress(), Ipv4Flyweight.PROTOCOL_TCP, ip.payloadLength())),
                "the kernel left exactly the pseudo-header sum");
        assertFalse(tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()));

        assertTrue(InternetChecksum.completePartialChecksum(frame, 0, record.data().length, L3, L4, TcpFlyweight.CHECKSUM_OFFSET));

        assertEquals(Integer.parseInt(correctHex, 16), tcp.checksum());
        assertTrue(tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()));
    }

    @Test
    void completionOfAPaddedUdpFrameStopsAtTheIpTotalLength() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.UDP, 0); // 57 bytes, UDP checksum 0x7aea
        byte[] padded = Arrays.copyOf(record.data(), 64);
        Arrays.fill(padded, record.data().length, padded.length, (byte) 0xA5); // non-zero padding would change the sum
        MemorySegment frame = MemorySegment.ofArray(padded);
        ip.wrap(frame, L3, padded.length - L3);
        frame.set(NetworkOrder.SHORT, L4 + UdpFlyweight.CHECKSUM_OFFSET, (short) InternetChecksum.sum16(
                InternetChecksum.pseudoHeaderSum(ip.sourceAddress(), ip.destinationAddress(), Ipv4Flyweight.PROTOCOL_UDP, 23)));

        assertTrue(InternetChecksum.completePartialChecksum(frame, 0, padded.length, L3, L4, UdpFlyweight.CHECKSUM_OFFSET));

        assertEquals(0x7AEA, Short.toUnsignedInt(frame.get(NetworkOrder.SHORT, L4 + UdpFlyweight.CHECKSUM_OFFSET)));
    }

    @Test
    void completionAtAnOffsetInsideALargerBuffer() {
        byte[] captured = PcapFixtures.record(PcapFixtures.TCP_CSUM_PARTIAL, 3).data();
        byte[] buffer = new byte[captured.length + 100];
        System.arraycopy(captured, 0, buffer, 48, captured.length);
        MemorySegment segment = MemorySegment.ofArray(buffer);

        assertTrue(InternetChecksum.completePartialChecksum(segment, 48, captured.length, L3, L4, TcpFlyweight.CHECKSUM_OFFSET));

        assertEquals(0x7E28, Short.toUnsignedInt(segment.get(NetworkOrder.SHORT, 48 + L4 + TcpFlyweight.CHECKSUM_OFFSET)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "checksum start before the L3 header,      66, 14, 10, 16",
            "checksum field beyond the IP packet,      66, 14, 34, 60",
            "negative checksum offset,                 66, 14, 34, -2",
            "frame longer than the segment,            67, 14, 34, 16",
            "L3 offset beyond the frame,               66, 66, 34, 16",
    })
    void completionRefusesOffsetsThatDoNotFitAndWritesNothing(String why, int frameLength, int l3Offset,
                                                              int checksumStart, int checksumOffset) {
        byte[] bytes = PcapFixtures.record(PcapFixtures.TCP_CSUM_PARTIAL, 2).data(); // 66-byte ACK
        byte[] before = bytes.clone();
        assertFalse(InternetChecksum.completePartialChecksum(MemorySegment.ofArray(bytes), 0, frameLength,
                l3Offset, checksumStart, checksumOffset), why);
        assertArrayEquals(before, bytes, why);
    }

    @Test
    void incrementalUpdateOfATcpPortMatchesRecomputation() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.TCP_HTTP, 3);
        MemorySegment frame = record.segment();
        ip.wrap(frame, L3, record.data().length - L3);
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        int oldPort = tcp.destinationPort();
        tcp.destinationPort(8443);
        int adjusted = InternetChecksum.adjust(tcp.checksum(), oldPort, 8443);
        assertEquals(tcp.computeChecksum(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()), adjusted);
    }

    /** RFC 1071 §4.1, one 16-bit word at a time: the obviously-correct version to compare against. */
    private static int referenceChecksum(byte[] bytes, int offset, int length) {
        long sum = 0;
        int i = offset;
        for (; i + 1 < offset + length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        if (i < offset + length) {
            sum += (bytes[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
