package dev.baton.codec;

import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4FlyweightTest {

    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;

    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    private Ipv4Flyweight wrapCaptured(String fixture, int index) {
        PcapRecord record = PcapFixtures.record(fixture, index);
        return ip.wrap(record.segment(), L3, record.data().length - L3);
    }

    @Test
    void readsEveryFieldOfCapturedEchoRequest() {
        // tcpdump: (tos 0x0, ttl 64, id 35465, offset 0, flags [DF], proto ICMP (1), length 84)
        //          203.0.113.10 > 203.0.113.130; header bytes 4500 0054 8a89 4000 4001 3792 ...
        wrapCaptured(PcapFixtures.ICMP_ECHO, 0);
        assertTrue(ip.valid());
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLength());
        assertEquals(0, ip.typeOfService());
        assertEquals(84, ip.totalLength());
        assertEquals(35465, ip.identification());
        assertEquals(Ipv4Flyweight.FLAG_DONT_FRAGMENT, ip.flags());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(Ipv4Flyweight.PROTOCOL_ICMP, ip.protocol());
        assertEquals(0x3792, ip.headerChecksum());
        assertEquals(Ipv4.parse("203.0.113.10"), ip.sourceAddress());
        assertEquals(0xCB00710A, ip.sourceAddress());
        assertEquals(Ipv4.parse("203.0.113.130"), ip.destinationAddress());
        assertEquals(L3 + 20, ip.payloadOffset());
        assertEquals(64, ip.payloadLength());
        assertTrue(ip.headerChecksumValid());
        assertEquals(0x3792, ip.computeHeaderChecksum());
    }

    @Test
    void readsCapturedRoutedReplyAndPortUnreachable() {
        // tcpdump: (tos 0x0, ttl 63, id 23108, offset 0, flags [none], proto ICMP (1), length 84), cksum a8d7
        wrapCaptured(PcapFixtures.ICMP_ECHO, 1);
        assertTrue(ip.valid());
        assertEquals(63, ip.ttl());
        assertEquals(23108, ip.identification());
        assertEquals(0, ip.flags());
        assertEquals(0xA8D7, ip.headerChecksum());
        assertEquals(Ipv4.parse("203.0.113.130"), ip.sourceAddress());
        assertEquals(Ipv4.parse("203.0.113.10"), ip.destinationAddress());

        // tcpdump: (tos 0xc0, ttl 63, id 23336, offset 0, flags [none], proto ICMP (1), length 67)
        wrapCaptured(PcapFixtures.ICMP_PORT_UNREACHABLE, 1);
        assertTrue(ip.valid());
        assertEquals(0xC0, ip.typeOfService());
        assertEquals(67, ip.totalLength());
        assertEquals(23336, ip.identification());
        assertEquals(0xA744, ip.headerChecksum());
    }

    @Test
    void everyCapturedIpv4HeaderChecksumValidates() {
        int checked = 0;
        for (String fixture : new String[] {PcapFixtures.ICMP_ECHO, PcapFixtures.TCP_HTTP, PcapFixtures.TCP_CSUM_PARTIAL,
                PcapFixtures.UDP, PcapFixtures.ICMP_PORT_UNREACHABLE, PcapFixtures.ICMP_FRAG_NEEDED}) {
            for (PcapRecord record : PcapFixtures.load(fixture)) {
                ip.wrap(record.segment(), L3, record.data().length - L3);
                assertTrue(ip.valid(), fixture);
                assertTrue(ip.headerChecksumValid(), fixture);
                assertEquals(ip.headerChecksum(), ip.computeHeaderChecksum(), fixture);
                checked++;
            }
        }
        assertEquals(2 + 13 + 13 + 1 + 2 + 2, checked);
    }

    @Test
    void headerQuotedInFragmentationNeededIsAValidHeaderOfATruncatedDatagram() {
        // tcpdump: ICMP ... need to frag (mtu 1280), length 556, quoting
        //          (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1428)
        PcapRecord record = PcapFixtures.record(PcapFixtures.ICMP_FRAG_NEEDED, 1);
        int inner = L3 + 20 + IcmpFlyweight.HEADER_LENGTH;
        ip.wrap(record.segment(), inner, record.data().length - inner);

        assertTrue(ip.validHeader());
        assertFalse(ip.valid(), "only 548 of 1428 bytes are quoted");
        assertEquals(1428, ip.totalLength());
        assertEquals(548, ip.length());
        assertEquals(0, ip.identification());
        assertTrue(ip.dontFragment());
        assertEquals(Ipv4Flyweight.PROTOCOL_ICMP, ip.protocol());
        assertEquals(Ipv4.parse("203.0.113.10"), ip.sourceAddress());
        assertEquals(Ipv4.parse("203.0.113.130"), ip.destinationAddress());
        assertTrue(ip.headerChecksumValid());
    }

    @ParameterizedTest(name = "flags+offset word 0x{0}: fragment={1} first={2} nonFirst={3}")
    @CsvSource({
            // word, isFragment, isFirstFragment, isNonFirstFragment, DF, MF, offset (units)
            "4000, false, false, false, true,  false, 0",   // DF, whole datagram (the captured TCP)
            "0000, false, false, false, false, false, 0",   // whole datagram, fragmentation allowed
            "2000, true,  true,  false, false, true,  0",   // first fragment: MF, offset 0
            "20b9, true,  false, true,  false, true,  185", // middle fragment: MF, offset 185 x 8 = 1480
            "00b9, true,  false, true,  false, false, 185", // last fragment: no MF, offset 185
            "1fff, true,  false, true,  false, false, 8191",// largest offset
    })
    void fragmentFlagsFollowRfc791(String word, boolean fragment, boolean first, boolean nonFirst,
                                   boolean dontFragment, boolean moreFragments, int offsetUnits) {
        byte[] bytes = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).data();
        int value = Integer.parseInt(word, 16);
        bytes[L3 + 6] = (byte) (value >>> 8);
        bytes[L3 + 7] = (byte) value;
        ip.wrap(MemorySegment.ofArray(bytes), L3, bytes.length - L3);

        assertEquals(fragment, ip.isFragment());
        assertEquals(first, ip.isFirstFragment());
        assertEquals(nonFirst, ip.isNonFirstFragment());
        assertEquals(dontFragment, ip.dontFragment());
        assertEquals(moreFragments, ip.moreFragments());
        assertEquals(offsetUnits, ip.fragmentOffset());
        assertEquals(offsetUnits * 8, ip.fragmentOffsetBytes());
    }

    @ParameterizedTest(name = "first word {1}: {0}")
    @CsvSource({
            // the captured header starts 4500 0054 (version 4, IHL 5, TOS 0, total length 84)
            "version 6,                        65000054",
            "IHL 4 (a 16-byte header),         44000054",
            "IHL 0,                            40000054",
            "total length 19 below the header, 45000013",
            "total length 0,                   45000000",
    })
    void malformedHeadersAreInvalid(String why, String firstWordHex) {
        byte[] bytes = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).data();
        System.arraycopy(HexFormat.of().parseHex(firstWordHex), 0, bytes, L3, 4);
        ip.wrap(MemorySegment.ofArray(bytes), L3, bytes.length - L3);
        assertFalse(ip.validHeader(), why);
        assertFalse(ip.valid(), why);
    }

    @Test
    void headerWithOptionsLongerThanTheAvailableBytesIsInvalid() {
        byte[] bytes = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).data();
        bytes[L3] = 0x4F; // IHL 15: a 60-byte header
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertFalse(ip.wrap(segment, L3, 59).validHeader());
        assertTrue(ip.wrap(segment, L3, 60).validHeader());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 10, 19})
    void truncatedHeadersAreInvalidRatherThanThrowing(int length) {
        MemorySegment segment = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).segment();
        assertFalse(ip.wrap(segment, L3, length).validHeader());
    }

    @Test
    void datagramLongerThanTheAvailableBytesHasAValidHeaderButIsNotValid() {
        MemorySegment segment = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).segment();
        ip.wrap(segment, L3, 83); // total length says 84
        assertTrue(ip.validHeader());
        assertFalse(ip.valid());
        assertFalse(ip.wrap(segment, L3, 85).valid(), "runs past the segment");
        assertFalse(new Ipv4Flyweight().valid(), "never wrapped");
    }

    @Test
    void settersRebuildTheCapturedHeaderByteForByteIncludingItsChecksum() {
        byte[] captured = PcapFixtures.record(PcapFixtures.ICMP_ECHO, 0).data();
        byte[] expected = Arrays.copyOfRange(captured, L3, L3 + 20);
        MemorySegment built = MemorySegment.ofArray(new byte[20]);

        ip.wrap(built, 0, 20)
                .version(4)
                .headerLength(20)
                .typeOfService(0)
                .totalLength(84)
                .identification(35465)
                .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT)
                .fragmentOffset(0)
                .ttl(64)
                .protocol(Ipv4Flyweight.PROTOCOL_ICMP)
                .sourceAddress(Ipv4.parse("203.0.113.10"))
                .destinationAddress(Ipv4.parse("203.0.113.130"))
                .writeHeaderChecksum();

        assertArrayEquals(expected, built.toArray(WireLayouts.U8));
    }

    @Test
    void flagsAndFragmentOffsetSettersDoNotDisturbEachOther() {
        MemorySegment built = MemorySegment.ofArray(new byte[20]);
        ip.wrap(built, 0, 20).fragmentOffset(185).flags(Ipv4Flyweight.FLAG_MORE_FRAGMENTS);
        assertEquals(185, ip.fragmentOffset());
        assertEquals(Ipv4Flyweight.FLAG_MORE_FRAGMENTS, ip.flags());
        ip.fragmentOffset(3);
        assertEquals(Ipv4Flyweight.FLAG_MORE_FRAGMENTS, ip.flags());
        ip.version(4).headerLength(24);
        assertEquals(4, ip.version());
        assertEquals(24, ip.headerLength());
    }

    @Test
    void incrementalUpdateOfTtlAndAddressMatchesRecomputation() {
        wrapCaptured(PcapFixtures.ICMP_ECHO, 0);
        int oldWord = (ip.ttl() << 8) | ip.protocol();
        ip.ttl(ip.ttl() - 1);
        int newWord = (ip.ttl() << 8) | ip.protocol();
        int adjusted = InternetChecksum.adjust(ip.headerChecksum(), oldWord, newWord);
        assertEquals(ip.computeHeaderChecksum(), adjusted);

        ip.headerChecksum(adjusted);
        int oldDestination = ip.destinationAddress();
        ip.destinationAddress(Ipv4.parse("198.51.100.7"));
        int readjusted = InternetChecksum.adjust32(ip.headerChecksum(), oldDestination, ip.destinationAddress());
        assertEquals(ip.computeHeaderChecksum(), readjusted);
        ip.headerChecksum(readjusted);
        assertTrue(ip.headerChecksumValid());
    }
}
