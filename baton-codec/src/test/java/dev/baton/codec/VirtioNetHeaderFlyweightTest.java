package dev.baton.codec;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtioNetHeaderFlyweightTest {

    private final VirtioNetHeaderFlyweight header = new VirtioNetHeaderFlyweight();

    @Test
    void fieldOffsetsAndSizeMatchStructVirtioNetHdr() {
        // include/uapi/linux/virtio_net.h: __u8 flags; __u8 gso_type; __virtio16 hdr_len, gso_size,
        // csum_start, csum_offset;  -> offsets 0, 1, 2, 4, 6, 8 and sizeof 10.
        assertEquals(0, VirtioNetHeaderFlyweight.FLAGS_OFFSET);
        assertEquals(1, VirtioNetHeaderFlyweight.GSO_TYPE_OFFSET);
        assertEquals(2, VirtioNetHeaderFlyweight.HEADER_LENGTH_OFFSET);
        assertEquals(4, VirtioNetHeaderFlyweight.GSO_SIZE_OFFSET);
        assertEquals(6, VirtioNetHeaderFlyweight.CHECKSUM_START_OFFSET);
        assertEquals(8, VirtioNetHeaderFlyweight.CHECKSUM_OFFSET_OFFSET);
        assertEquals(10, VirtioNetHeaderFlyweight.LENGTH);
    }

    @Test
    void constantsMatchTheKernelHeader() {
        assertEquals(1, VirtioNetHeaderFlyweight.F_NEEDS_CSUM);
        assertEquals(2, VirtioNetHeaderFlyweight.F_DATA_VALID);
        assertEquals(0, VirtioNetHeaderFlyweight.GSO_NONE);
        assertEquals(1, VirtioNetHeaderFlyweight.GSO_TCPV4);
        assertEquals(3, VirtioNetHeaderFlyweight.GSO_UDP);
        assertEquals(4, VirtioNetHeaderFlyweight.GSO_TCPV6);
        assertEquals(0x80, VirtioNetHeaderFlyweight.GSO_ECN);
    }

    @Test
    void settersWriteEachFieldLittleEndianAtItsOffset() {
        MemorySegment segment = MemorySegment.ofArray(new byte[12]);
        header.wrap(segment, 1, 10)
                .flags(VirtioNetHeaderFlyweight.F_NEEDS_CSUM)
                .gsoType(VirtioNetHeaderFlyweight.GSO_TCPV4 | VirtioNetHeaderFlyweight.GSO_ECN)
                .headerLength(0x0042)
                .gsoSize(0x05A8)
                .checksumStart(0x0022)
                .checksumOffset(0x0010);
        assertEquals("00" + "01" + "81" + "4200" + "a805" + "2200" + "1000" + "00",
                HexFormat.of().formatHex(segment.toArray(WireLayouts.U8)));
    }

    @Test
    void readsAKernelStyleHeaderForAPartialTcpSegment() {
        // What the kernel hands over for an Ethernet/IPv4/TCP CHECKSUM_PARTIAL frame without GSO:
        // flags NEEDS_CSUM, gso NONE, hdr_len 0, gso_size 0, csum_start 34, csum_offset 16.
        MemorySegment segment = MemorySegment.ofArray(HexFormat.of().parseHex("0100" + "0000" + "0000" + "2200" + "1000"));
        header.wrap(segment, 0, 10);
        assertTrue(header.valid());
        assertTrue(header.needsChecksum());
        assertFalse(header.isGso());
        assertEquals(0, header.gsoType());
        assertEquals(34, header.checksumStart());
        assertEquals(16, header.checksumOffset());
        assertEquals(0, header.headerLength());
        assertEquals(0, header.gsoSize());
    }

    @Test
    void gsoDetectionIgnoresTheEcnBit() {
        MemorySegment segment = MemorySegment.ofArray(new byte[10]);
        header.wrap(segment, 0, 10).gsoType(VirtioNetHeaderFlyweight.GSO_ECN);
        assertFalse(header.isGso());
        header.gsoType(VirtioNetHeaderFlyweight.GSO_TCPV4 | VirtioNetHeaderFlyweight.GSO_ECN);
        assertTrue(header.isGso());
        header.gsoType(VirtioNetHeaderFlyweight.GSO_UDP);
        assertTrue(header.isGso());
    }

    @Test
    void clearZeroesExactlyTheTenHeaderBytes() {
        byte[] bytes = new byte[12];
        java.util.Arrays.fill(bytes, (byte) 0x5A);
        header.wrap(MemorySegment.ofArray(bytes), 1, 10).clear();
        assertEquals("5a" + "00".repeat(10) + "5a", HexFormat.of().formatHex(bytes));
    }

    @Test
    void truncatedHeaderIsInvalid() {
        MemorySegment segment = MemorySegment.ofArray(new byte[10]);
        assertFalse(header.wrap(segment, 0, 9).valid());
        assertFalse(header.wrap(segment, 1, 10).valid());
        assertTrue(header.wrap(segment, 0, 10).valid());
    }
}
