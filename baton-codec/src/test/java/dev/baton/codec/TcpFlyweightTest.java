package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpFlyweightTest {

    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;
    private static final int L4 = L3 + Ipv4Flyweight.MIN_HEADER_LENGTH;

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();

    /** Wraps ip and tcp over the captured frame the way the forwarding path does. */
    private void wrapCaptured(String fixture, int index) {
        PcapRecord record = PcapFixtures.record(fixture, index);
        MemorySegment frame = record.segment();
        ip.wrap(frame, L3, record.data().length - L3);
        assertTrue(ip.valid());
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
    }

    /** Every segment of the captured HTTP exchange, as {@code tcpdump -nn -vvv -S} printed it (tcp-http.txt). */
    @ParameterizedTest(name = "frame {0}: {1} > {2} [{3}]")
    @CsvSource({
            // frame, sport, dport, flags, seq,      ack,        win,   cksum, header bytes, payload bytes
            " 0, 47882, 8080, S,  1915479569, 0,          64240, a7fe, 40, 0",
            " 1, 8080, 47882, S., 1133751968, 1915479570, 65084, 98c8, 40, 0",
            " 2, 47882, 8080, .,  1915479570, 1133751969, 63,    c4b9, 32, 0",
            " 3, 47882, 8080, P., 1915479570, 1133751969, 63,    22a8, 32, 91",
            " 4, 8080, 47882, .,  1133751969, 1915479661, 64,    c45b, 32, 0",
            " 5, 8080, 47882, P., 1133751969, 1915479661, 64,    762f, 32, 186",
            " 6, 47882, 8080, .,  1915479661, 1133752155, 63,    c39c, 32, 0",
            " 7, 8080, 47882, P., 1133752155, 1915479661, 64,    9a3e, 32, 20",
            " 8, 47882, 8080, .,  1915479661, 1133752175, 63,    c388, 32, 0",
            " 9, 8080, 47882, F., 1133752175, 1915479661, 64,    c386, 32, 0",
            "10, 47882, 8080, F., 1915479661, 1133752175, 63,    c387, 32, 0",
            "11, 8080, 47882, .,  1133752176, 1915479662, 64,    c385, 32, 0",
            "12, 47882, 8080, .,  1915479662, 1133752176, 63,    c386, 32, 0",
    })
    void readsEveryFieldOfTheCapturedHttpExchange(int frame, int sourcePort, int destinationPort, String tcpdumpFlags,
                                                  long sequence, long acknowledgment, int window, String checksumHex,
                                                  int headerBytes, int payloadBytes) {
        wrapCaptured(PcapFixtures.TCP_HTTP, frame);

        assertTrue(tcp.valid());
        assertEquals(sourcePort, tcp.sourcePort());
        assertEquals(destinationPort, tcp.destinationPort());
        assertEquals(flagsFromTcpdump(tcpdumpFlags), tcp.flags());
        assertEquals(sequence, Integer.toUnsignedLong(tcp.sequenceNumber()));
        assertEquals(acknowledgment, Integer.toUnsignedLong(tcp.acknowledgmentNumber()));
        assertEquals(window, tcp.window());
        assertEquals(Integer.parseInt(checksumHex, 16), tcp.checksum());
        assertEquals(0, tcp.urgentPointer());
        assertEquals(headerBytes, tcp.dataOffset());
        assertEquals(L4 + headerBytes, tcp.payloadOffset());
        assertEquals(payloadBytes, ip.payloadLength() - tcp.dataOffset());

        // tcpdump said "(correct)" for each: the checksum verifies and recomputes to the same value.
        assertTrue(tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()));
        assertEquals(tcp.checksum(), tcp.computeChecksum(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()));
    }

    @Test
    void requestPayloadStartsAtPayloadOffset() {
        wrapCaptured(PcapFixtures.TCP_HTTP, 3);
        byte[] frame = PcapFixtures.record(PcapFixtures.TCP_HTTP, 3).data();
        String payload = new String(frame, (int) tcp.payloadOffset(), 14, java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("GET /hello.txt", payload);
    }

    @Test
    void corruptedByteMakesTheChecksumFail() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.TCP_HTTP, 3);
        record.data()[record.data().length - 1] ^= 0x01;
        MemorySegment frame = record.segment();
        ip.wrap(frame, L3, record.data().length - L3);
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertFalse(tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()));
    }

    @ParameterizedTest(name = "flags 0x{0}")
    @CsvSource({
            // flags, FIN,  SYN,   RST,   PSH,   ACK,   URG
            "01, true,  false, false, false, false, false",
            "02, false, true,  false, false, false, false",
            "04, false, false, true,  false, false, false",
            "08, false, false, false, true,  false, false",
            "10, false, false, false, false, true,  false",
            "20, false, false, false, false, false, true",
            "12, false, true,  false, false, true,  false",
            "c2, false, true,  false, false, false, false",   // SYN with ECE and CWR (ECN setup, RFC 3168)
            "3f, true,  true,  true,  true,  true,  true",
            "00, false, false, false, false, false, false",
    })
    void flagPredicatesReadTheirOwnBit(String flagsHex, boolean fin, boolean syn, boolean rst, boolean psh,
                                       boolean ack, boolean urg) {
        MemorySegment segment = MemorySegment.ofArray(new byte[20]);
        tcp.wrap(segment, 0, 20).flags(Integer.parseInt(flagsHex, 16));
        assertEquals(fin, tcp.isFin());
        assertEquals(syn, tcp.isSyn());
        assertEquals(rst, tcp.isRst());
        assertEquals(psh, tcp.isPsh());
        assertEquals(ack, tcp.isAck());
        assertEquals(urg, tcp.isUrg());
    }

    @ParameterizedTest(name = "data offset byte 0x{0} with {1} bytes available")
    @CsvSource({
            "40, 40",  // data offset 4 words: 16 bytes, shorter than the fixed header
            "00, 40",  // data offset 0
            "f0, 40",  // 60-byte header, 40 bytes available
            "a0, 39",  // 40-byte header, 39 bytes available
            "50, 19",  // fixed header itself truncated
    })
    void malformedOrTruncatedHeadersAreInvalid(String dataOffsetByteHex, int available) {
        byte[] bytes = PcapFixtures.record(PcapFixtures.TCP_HTTP, 0).data();
        bytes[L4 + TcpFlyweight.DATA_OFFSET_OFFSET] = (byte) Integer.parseInt(dataOffsetByteHex, 16);
        assertFalse(tcp.wrap(MemorySegment.ofArray(bytes), L4, available).valid());
    }

    @Test
    void rangeOutsideTheSegmentIsInvalidRatherThanThrowing() {
        MemorySegment frame = PcapFixtures.record(PcapFixtures.TCP_HTTP, 0).segment();
        assertFalse(tcp.wrap(frame, L4, 41).valid());
        assertTrue(tcp.wrap(frame, L4, 40).valid());
        assertFalse(new TcpFlyweight().valid());
    }

    @Test
    void settersRebuildTheCapturedSynFixedHeaderByteForByte() {
        byte[] captured = PcapFixtures.record(PcapFixtures.TCP_HTTP, 0).data();
        byte[] expected = Arrays.copyOfRange(captured, L4, L4 + 20);
        MemorySegment built = MemorySegment.ofArray(new byte[20]);

        tcp.wrap(built, 0, 20)
                .sourcePort(47882)
                .destinationPort(8080)
                .sequenceNumber((int) 1915479569L)
                .acknowledgmentNumber(0)
                .dataOffset(40)
                .flags(TcpFlyweight.SYN)
                .window(64240)
                .checksum(0xA7FE)
                .urgentPointer(0);

        assertArrayEquals(expected, built.toArray(WireLayouts.U8));
    }

    @Test
    void sequenceNumbersAboveTwoToThe31RoundTripAsRawBits() {
        // The second capture's SYN: seq 2246924076 (tcp-csum-partial.txt), above Integer.MAX_VALUE.
        wrapCaptured(PcapFixtures.TCP_CSUM_PARTIAL, 0);
        assertEquals(2246924076L, Integer.toUnsignedLong(tcp.sequenceNumber()));
        MemorySegment built = MemorySegment.ofArray(new byte[20]);
        tcp.wrap(built, 0, 20).sequenceNumber((int) 2246924076L);
        assertEquals(2246924076L, Integer.toUnsignedLong(tcp.sequenceNumber()));
    }

    private static int flagsFromTcpdump(String flags) {
        int value = 0;
        for (char c : flags.toCharArray()) {
            value |= switch (c) {
                case 'F' -> TcpFlyweight.FIN;
                case 'S' -> TcpFlyweight.SYN;
                case 'R' -> TcpFlyweight.RST;
                case 'P' -> TcpFlyweight.PSH;
                case '.' -> TcpFlyweight.ACK;
                case 'U' -> TcpFlyweight.URG;
                default -> throw new IllegalArgumentException("tcpdump flag " + c);
            };
        }
        return value;
    }
}
