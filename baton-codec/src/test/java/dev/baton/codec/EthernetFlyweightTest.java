package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EthernetFlyweightTest {

    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    @Test
    void readsCapturedBroadcastArpRequestFrame() {
        // tcpdump: 02:00:00:00:01:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42
        MemorySegment frame = PcapFixtures.record(PcapFixtures.ARP, 0).segment();
        ethernet.wrap(frame, 0, (int) frame.byteSize());

        assertTrue(ethernet.valid());
        assertEquals(MacAddress.BROADCAST, ethernet.destinationMac());
        assertEquals(0x02_00_00_00_01_0AL, ethernet.sourceMac());
        assertEquals(EthernetFlyweight.ETHER_TYPE_ARP, ethernet.etherType());
        assertEquals(EthernetFlyweight.ETHER_TYPE_ARP, ethernet.outerEtherType());
        assertFalse(ethernet.vlanTagged());
        assertEquals(0, ethernet.vlanId());
        assertEquals(EthernetFlyweight.HEADER_LENGTH, ethernet.headerLength());
        assertEquals(14, ethernet.payloadOffset());
        assertEquals(28, ethernet.payloadLength());
    }

    @Test
    void readsCapturedUnicastIpv4Frame() {
        // tcpdump: 02:00:00:00:01:01 > 02:00:00:00:01:0a, ethertype IPv4 (0x0800), length 74 (the SYN-ACK)
        MemorySegment frame = PcapFixtures.record(PcapFixtures.TCP_HTTP, 1).segment();
        ethernet.wrap(frame, 0, (int) frame.byteSize());

        assertTrue(ethernet.valid());
        assertEquals(MacAddress.parse("02:00:00:00:01:0a"), ethernet.destinationMac());
        assertEquals(MacAddress.parse("02:00:00:00:01:01"), ethernet.sourceMac());
        assertEquals(EthernetFlyweight.ETHER_TYPE_IPV4, ethernet.etherType());
        assertEquals(74, ethernet.length());
    }

    @Test
    void decodesHandBuilt8021qTaggedFrameAtNonZeroOffset() {
        byte[] bytes = HexFormat.of().parseHex(
                "eeeeee"                         // 3 bytes of something else before the frame
                        + "020000000201" + "02000000010a"
                        + "8100" + "a064"        // TPID, TCI: PCP 5, DEI 0, VID 100
                        + "0800"                 // inner EtherType IPv4
                        + "4500");               // start of the L3 header
        MemorySegment segment = MemorySegment.ofArray(bytes);
        ethernet.wrap(segment, 3, bytes.length - 3);

        assertTrue(ethernet.valid());
        assertTrue(ethernet.vlanTagged());
        assertEquals(EthernetFlyweight.ETHER_TYPE_VLAN, ethernet.outerEtherType());
        assertEquals(EthernetFlyweight.ETHER_TYPE_IPV4, ethernet.etherType());
        assertEquals(0xA064, ethernet.vlanTci());
        assertEquals(100, ethernet.vlanId());
        assertEquals(5, ethernet.vlanPriority());
        assertEquals(EthernetFlyweight.VLAN_HEADER_LENGTH, ethernet.headerLength());
        assertEquals(3 + 18, ethernet.payloadOffset(), "payloadOffset is absolute in the segment");
        assertEquals(0x02_00_00_00_02_01L, ethernet.destinationMac());
        assertEquals(0x02_00_00_00_01_0AL, ethernet.sourceMac());
        assertEquals(0x45, bytes[(int) ethernet.payloadOffset()]);
    }

    @Test
    void settingEtherTypeOfTaggedFrameWritesTheInnerTypeAndKeepsTheTag() {
        MemorySegment segment = MemorySegment.ofArray(new byte[18]);
        ethernet.wrap(segment, 0, 18)
                .outerEtherType(EthernetFlyweight.ETHER_TYPE_VLAN)
                .vlanTci(42)
                .etherType(EthernetFlyweight.ETHER_TYPE_ARP);

        assertEquals(EthernetFlyweight.ETHER_TYPE_VLAN, ethernet.outerEtherType());
        assertEquals(EthernetFlyweight.ETHER_TYPE_ARP, ethernet.etherType());
        assertEquals(42, ethernet.vlanId());
        assertArrayEquals(HexFormat.of().parseHex("8100002a0806"), segment.asSlice(12, 6).toArray(WireLayouts.U8));
    }

    @Test
    void settersWriteTheFieldsInNetworkOrderAndReadBack() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(20);
            ethernet.wrap(segment, 2, 14)
                    .destinationMac(0x001122334455L)
                    .sourceMac(0x66778899AABBL)
                    .etherType(EthernetFlyweight.ETHER_TYPE_IPV4);

            assertEquals(0x001122334455L, ethernet.destinationMac());
            assertEquals(0x66778899AABBL, ethernet.sourceMac());
            assertEquals(EthernetFlyweight.ETHER_TYPE_IPV4, ethernet.etherType());
            assertArrayEquals(HexFormat.of().parseHex("0000" + "001122334455" + "66778899aabb" + "0800" + "00000000"),
                    segment.toArray(WireLayouts.U8));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 6, 12, 13})
    void framesShorterThanTheHeaderAreInvalid(int length) {
        MemorySegment frame = PcapFixtures.record(PcapFixtures.TCP_HTTP, 0).segment();
        assertFalse(ethernet.wrap(frame, 0, length).valid());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {14, 15, 17})
    void taggedFrameTooShortForItsTagIsInvalid(int length) {
        MemorySegment segment = MemorySegment.ofArray(new byte[18]);
        ethernet.wrap(segment, 0, 18).outerEtherType(EthernetFlyweight.ETHER_TYPE_VLAN);
        assertFalse(ethernet.wrap(segment, 0, length).valid());
        assertTrue(ethernet.wrap(segment, 0, 18).valid());
    }

    @Test
    void rangeOutsideTheSegmentIsInvalidRatherThanThrowing() {
        MemorySegment segment = MemorySegment.ofArray(new byte[20]);
        assertFalse(ethernet.wrap(segment, 10, 14).valid(), "runs past the end");
        assertFalse(ethernet.wrap(segment, -1, 14).valid(), "negative offset");
        assertFalse(ethernet.wrap(segment, 0, -14).valid(), "negative length");
        assertFalse(new EthernetFlyweight().valid(), "never wrapped");
    }
}
