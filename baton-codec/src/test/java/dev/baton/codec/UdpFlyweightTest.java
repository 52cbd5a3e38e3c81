package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpFlyweightTest {

    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;
    private static final int L4 = L3 + Ipv4Flyweight.MIN_HEADER_LENGTH;

    private final UdpFlyweight udp = new UdpFlyweight();

    @Test
    void readsEveryFieldOfCapturedDatagram() {
        // tcpdump: 203.0.113.10.36188 > 203.0.113.130.4000: [udp sum ok] UDP, length 15
        //          UDP header bytes 8d5c 0fa0 0017 7aea, then "baton udp probe"
        PcapRecord record = PcapFixtures.record(PcapFixtures.UDP, 0);
        udp.wrap(record.segment(), L4, record.data().length - L4);

        assertTrue(udp.valid());
        assertTrue(udp.datagramComplete());
        assertEquals(36188, udp.sourcePort());
        assertEquals(4000, udp.destinationPort());
        assertEquals(8 + 15, udp.datagramLength());
        assertEquals(0x7AEA, udp.checksum());
        assertEquals(L4 + 8, udp.payloadOffset());
        assertEquals("baton udp probe", new String(record.data(), (int) udp.payloadOffset(), 15, StandardCharsets.US_ASCII));
        assertTrue(udp.checksumValid(Ipv4.parse("203.0.113.10"), Ipv4.parse("203.0.113.130")));
        assertEquals(0x7AEA, udp.computeChecksum(Ipv4.parse("203.0.113.10"), Ipv4.parse("203.0.113.130")));
    }

    @Test
    void checksumFailsForTheWrongPseudoHeaderOrACorruptedByte() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.UDP, 0);
        udp.wrap(record.segment(), L4, record.data().length - L4);
        assertFalse(udp.checksumValid(Ipv4.parse("203.0.113.10"), Ipv4.parse("203.0.113.131")));
        record.data()[L4 + 9] ^= 0x20;
        assertFalse(udp.checksumValid(Ipv4.parse("203.0.113.10"), Ipv4.parse("203.0.113.130")));
    }

    @Test
    void zeroChecksumMeansNoneAndIsAccepted() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.UDP, 0);
        udp.wrap(record.segment(), L4, record.data().length - L4).checksum(UdpFlyweight.NO_CHECKSUM);
        assertTrue(udp.checksumValid(Ipv4.parse("203.0.113.10"), Ipv4.parse("203.0.113.130")));
    }

    @Test
    void computedZeroIsSentAsAllOnesAndStillVerifies() {
        // Make the data sum cancel the rest: with a zero data word the checksum is C; putting C in that word
        // adds exactly ~sum, so the new sum is all ones and the computed checksum would be 0 (RFC 768).
        int source = Ipv4.parse("198.51.100.1");
        int destination = Ipv4.parse("198.51.100.2");
        MemorySegment datagram = MemorySegment.ofArray(new byte[10]);
        udp.wrap(datagram, 0, 10).sourcePort(5000).destinationPort(6000).datagramLength(10);
        int withZeroData = udp.computeChecksum(source, destination);
        datagram.set(NetworkOrder.SHORT, 8, (short) withZeroData);

        int checksum = udp.computeChecksum(source, destination);
        assertEquals(0xFFFF, checksum);
        udp.checksum(checksum);
        assertTrue(udp.checksumValid(source, destination));
    }

    @ParameterizedTest(name = "{0} bytes available")
    @ValueSource(ints = {0, 4, 7})
    void truncatedHeaderIsInvalid(int available) {
        MemorySegment frame = PcapFixtures.record(PcapFixtures.UDP, 0).segment();
        assertFalse(udp.wrap(frame, L4, available).valid());
    }

    @Test
    void lengthFieldBelowTheHeaderIsInvalidAndBeyondTheDataIsIncomplete() {
        PcapRecord record = PcapFixtures.record(PcapFixtures.UDP, 0);
        udp.wrap(record.segment(), L4, record.data().length - L4);
        udp.datagramLength(7);
        assertFalse(udp.valid());
        udp.datagramLength(24);
        assertTrue(udp.valid());
        assertFalse(udp.datagramComplete());
        assertFalse(udp.wrap(record.segment(), L4, record.data().length).valid(), "runs past the segment");
    }
}
