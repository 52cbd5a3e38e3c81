package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpFlyweightTest {

    private final ArpFlyweight arp = new ArpFlyweight();

    private ArpFlyweight wrapCaptured(int index) {
        PcapRecord record = PcapFixtures.record(PcapFixtures.ARP, index);
        return arp.wrap(record.segment(), EthernetFlyweight.HEADER_LENGTH, record.data().length - EthernetFlyweight.HEADER_LENGTH);
    }

    @Test
    void readsCapturedRequest() {
        // tcpdump: Ethernet (len 6), IPv4 (len 4), Request who-has 203.0.113.1 tell 203.0.113.10, length 28
        wrapCaptured(0);
        assertTrue(arp.valid());
        assertEquals(ArpFlyweight.HARDWARE_TYPE_ETHERNET, arp.hardwareType());
        assertEquals(0x0800, arp.protocolType());
        assertEquals(6, arp.hardwareLength());
        assertEquals(4, arp.protocolLength());
        assertEquals(ArpFlyweight.OP_REQUEST, arp.operation());
        assertEquals(MacAddress.parse("02:00:00:00:01:0a"), arp.senderMac());
        assertEquals(Ipv4.parse("203.0.113.10"), arp.senderAddress());
        assertEquals(0L, arp.targetMac());
        assertEquals(Ipv4.parse("203.0.113.1"), arp.targetAddress());
        assertFalse(arp.isGratuitous());
    }

    @Test
    void readsCapturedReply() {
        // tcpdump: Reply 203.0.113.1 is-at 02:00:00:00:01:01, length 28 (to 02:00:00:00:01:0a)
        wrapCaptured(1);
        assertTrue(arp.valid());
        assertEquals(ArpFlyweight.OP_REPLY, arp.operation());
        assertEquals(MacAddress.parse("02:00:00:00:01:01"), arp.senderMac());
        assertEquals(Ipv4.parse("203.0.113.1"), arp.senderAddress());
        assertEquals(MacAddress.parse("02:00:00:00:01:0a"), arp.targetMac());
        assertEquals(Ipv4.parse("203.0.113.10"), arp.targetAddress());
    }

    @Test
    void settersRebuildTheCapturedReplyByteForByte() {
        byte[] captured = PcapFixtures.record(PcapFixtures.ARP, 1).data();
        byte[] expected = java.util.Arrays.copyOfRange(captured, 14, 14 + ArpFlyweight.LENGTH);
        MemorySegment built = MemorySegment.ofArray(new byte[ArpFlyweight.LENGTH]);

        arp.wrap(built, 0, ArpFlyweight.LENGTH)
                .initialiseEthernetIpv4()
                .operation(ArpFlyweight.OP_REPLY)
                .senderMac(MacAddress.parse("02:00:00:00:01:01"))
                .senderAddress(Ipv4.parse("203.0.113.1"))
                .targetMac(MacAddress.parse("02:00:00:00:01:0a"))
                .targetAddress(Ipv4.parse("203.0.113.10"));

        assertTrue(arp.valid());
        assertArrayEquals(expected, built.toArray(WireLayouts.U8));
    }

    @Test
    void gratuitousRequestHasSenderAndTargetAddressBothTheVip() {
        MemorySegment built = MemorySegment.ofArray(new byte[ArpFlyweight.LENGTH]);
        arp.wrap(built, 0, ArpFlyweight.LENGTH)
                .initialiseEthernetIpv4()
                .operation(ArpFlyweight.OP_REQUEST)
                .senderMac(0x020000000101L)
                .senderAddress(Ipv4.parse("192.0.2.10"))
                .targetMac(0L)
                .targetAddress(Ipv4.parse("192.0.2.10"));

        assertTrue(arp.isGratuitous());
        // RFC 826 layout written out by hand: hrd, pro, hln, pln, op, sha, spa, tha, tpa.
        assertArrayEquals(HexFormat.of().parseHex("0001" + "0800" + "06" + "04" + "0001"
                + "020000000101" + "c000020a" + "000000000000" + "c000020a"), built.toArray(WireLayouts.U8));
    }

    @ParameterizedTest(name = "byte {0} = 0x{1} makes it invalid ({2})")
    @CsvSource({
            "1, 06, hardware type 6 (IEEE 802) instead of 1",
            "0, 01, hardware type 0x0101",
            "2, 86, protocol type 0x8600 instead of 0x0800",
            "4, 08, hardware length 8",
            "5, 10, protocol length 16 (IPv6)",
    })
    void nonEthernetIpv4PacketsAreInvalid(int index, String hexByte, String why) {
        byte[] bytes = PcapFixtures.record(PcapFixtures.ARP, 0).data();
        bytes[14 + index] = (byte) Integer.parseInt(hexByte, 16);
        assertFalse(arp.wrap(MemorySegment.ofArray(bytes), 14, bytes.length - 14).valid(), why);
    }

    @Test
    void truncatedPacketIsInvalidRatherThanThrowing() {
        byte[] bytes = PcapFixtures.record(PcapFixtures.ARP, 0).data();
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertFalse(arp.wrap(segment, 14, ArpFlyweight.LENGTH - 1).valid());
        assertFalse(arp.wrap(segment, 20, ArpFlyweight.LENGTH).valid(), "runs past the segment");
        assertTrue(arp.wrap(segment, 14, ArpFlyweight.LENGTH).valid());
    }
}
