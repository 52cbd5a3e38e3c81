package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpFlyweightTest {

    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight innerIp = new Ipv4Flyweight();
    private final UdpFlyweight innerUdp = new UdpFlyweight();

    private MemorySegment wrapCaptured(String fixture, int index) {
        PcapRecord record = PcapFixtures.record(fixture, index);
        MemorySegment frame = record.segment();
        ip.wrap(frame, L3, record.data().length - L3);
        assertTrue(ip.valid());
        icmp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        return frame;
    }

    @ParameterizedTest(name = "frame {0}: type {1}")
    @CsvSource({
            // tcpdump: ICMP echo request, id 7286, seq 1, length 64 (bytes 0800 6055 1c76 0001)
            "0, 8, 6055",
            // tcpdump: ICMP echo reply, id 7286, seq 1, length 64 (bytes 0000 6855 1c76 0001)
            "1, 0, 6855",
    })
    void readsCapturedEchoRequestAndReply(int frame, int type, String checksumHex) {
        wrapCaptured(PcapFixtures.ICMP_ECHO, frame);
        assertTrue(icmp.valid());
        assertEquals(type, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(Integer.parseInt(checksumHex, 16), icmp.checksum());
        assertEquals(7286, icmp.identifier());
        assertEquals(1, icmp.sequenceNumber());
        assertFalse(icmp.isError());
        assertTrue(icmp.checksumValid(64));
        assertEquals(icmp.checksum(), icmp.computeChecksum(64));
    }

    @Test
    void portUnreachableQuotesTheOffendingUdpDatagram() {
        // tcpdump: ICMP 203.0.113.130 udp port 4001 unreachable, length 47, quoting
        //   (tos 0x0, ttl 63, id 61822, offset 0, flags [DF], proto UDP (17), length 39)
        //   203.0.113.10.46761 > 203.0.113.130.4001: [udp sum ok] UDP, length 11
        MemorySegment frame = wrapCaptured(PcapFixtures.ICMP_PORT_UNREACHABLE, 1);
        assertTrue(icmp.valid());
        assertEquals(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, icmp.type());
        assertEquals(IcmpFlyweight.CODE_PORT_UNREACHABLE, icmp.code());
        assertEquals(0x75AF, icmp.checksum());
        assertTrue(icmp.isError());
        assertFalse(icmp.isFragmentationNeeded());
        assertTrue(icmp.checksumValid(47));
        assertEquals(L3 + 20 + 8, icmp.innerOffset());
        assertEquals(39, icmp.innerLength());

        innerIp.wrap(frame, icmp.innerOffset(), icmp.innerLength());
        assertTrue(innerIp.valid(), "the whole 39-byte datagram is quoted");
        assertEquals(63, innerIp.ttl());
        assertEquals(61822, innerIp.identification());
        assertEquals(Ipv4Flyweight.PROTOCOL_UDP, innerIp.protocol());
        assertEquals(Ipv4.parse("203.0.113.10"), innerIp.sourceAddress());
        assertEquals(Ipv4.parse("203.0.113.130"), innerIp.destinationAddress());
        assertTrue(innerIp.headerChecksumValid());

        innerUdp.wrap(frame, innerIp.payloadOffset(), innerIp.payloadLength());
        assertTrue(innerUdp.valid());
        assertEquals(46761, innerUdp.sourcePort());
        assertEquals(4001, innerUdp.destinationPort());
        assertEquals(19, innerUdp.datagramLength());
        assertTrue(innerUdp.checksumValid(innerIp.sourceAddress(), innerIp.destinationAddress()));
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() {
        // tcpdump: 203.0.113.1 > 203.0.113.10: ICMP 203.0.113.130 unreachable - need to frag (mtu 1280), length 556
        //          bytes 0304 0ec9 0000 0500, then the quoted 1428-byte echo request, cut at 576 bytes of IP
        MemorySegment frame = wrapCaptured(PcapFixtures.ICMP_FRAG_NEEDED, 1);
        assertEquals(576, ip.totalLength());
        assertEquals(Ipv4.parse("203.0.113.1"), ip.sourceAddress());
        assertTrue(icmp.valid());
        assertEquals(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, icmp.type());
        assertEquals(IcmpFlyweight.CODE_FRAGMENTATION_NEEDED, icmp.code());
        assertTrue(icmp.isFragmentationNeeded());
        assertTrue(icmp.isError());
        assertEquals(1280, icmp.nextHopMtu());
        assertEquals(0x0EC9, icmp.checksum());
        assertTrue(icmp.checksumValid(556));
        assertEquals(0x0EC9, icmp.computeChecksum(556));

        innerIp.wrap(frame, icmp.innerOffset(), icmp.innerLength());
        assertTrue(innerIp.validHeader());
        assertEquals(1428, innerIp.totalLength());
        assertEquals(Ipv4.parse("203.0.113.130"), innerIp.destinationAddress());
        icmp.wrap(frame, innerIp.payloadOffset(), 8);
        assertEquals(IcmpFlyweight.TYPE_ECHO_REQUEST, icmp.type(), "the quoted datagram is the echo request");
        assertEquals(7441, icmp.identifier());
    }

    @ParameterizedTest(name = "type {0} is an error: {1}")
    @CsvSource({
            "0, false", "3, true", "4, true", "5, true", "8, false", "9, false", "10, false",
            "11, true", "12, true", "13, false", "14, false", "255, false",
    })
    void errorTypesAreThoseThatQuoteADatagram(int type, boolean error) {
        MemorySegment segment = MemorySegment.ofArray(new byte[8]);
        assertEquals(error, icmp.wrap(segment, 0, 8).type(type).isError());
    }

    @Test
    void truncatedMessageIsInvalidRatherThanThrowing() {
        MemorySegment segment = MemorySegment.ofArray(new byte[8]);
        assertFalse(icmp.wrap(segment, 0, 7).valid());
        assertFalse(icmp.wrap(segment, 1, 8).valid());
        assertTrue(icmp.wrap(segment, 0, 8).valid());
        assertFalse(new IcmpFlyweight().valid());
    }

    @Test
    void settersWriteTheFragmentationNeededHeader() {
        MemorySegment built = MemorySegment.ofArray(new byte[8]);
        icmp.wrap(built, 0, 8)
                .type(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE)
                .code(IcmpFlyweight.CODE_FRAGMENTATION_NEEDED)
                .identifier(0)
                .nextHopMtu(1280)
                .checksum(0x0EC9);
        assertEquals("03040ec900000500", java.util.HexFormat.of().formatHex(built.toArray(WireLayouts.U8)));
    }
}
