package dev.baton.nativeio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PacketSocketOptionsTest {

    @Test
    void defaultsDescribeBothRings() {
        PacketSocketOptions options = PacketSocketOptions.builder().build();
        assertEquals(16, options.rxBlockCount());
        assertEquals(512, options.txFrameCount());
        assertEquals(2048 - 48, options.txFrameCapacityBytes());
        assertEquals(TpacketVersion.V3, options.ringVersion(), "V3 stays the default");
        assertEquals(options, options.toBuilder().build());
    }

    @Test
    void v2MovesTxDataToTheSmallerHeaderAndSurvivesToBuilder() {
        PacketSocketOptions v2 = PacketSocketOptions.builder().ringVersion(TpacketVersion.V2)
                .rxBlockSizeBytes(2 * PacketSocketOptions.RX_V2_GSO_FRAME_SIZE_BYTES)
                .rxFrameSizeBytes(PacketSocketOptions.RX_V2_GSO_FRAME_SIZE_BYTES).build();
        assertEquals(2048 - 32, v2.txFrameCapacityBytes());
        assertEquals(v2, v2.toBuilder().build());
        assertEquals(69632, PacketSocketOptions.RX_V2_GSO_FRAME_SIZE_BYTES);
    }

    @Test
    void v2RxSlotsMustBeAlignedAndTileTheBlock() {
        PacketSocketOptions.Builder v2 = PacketSocketOptions.builder().ringVersion(TpacketVersion.V2)
                .rxBlockSizeBytes(256 * 1024);
        assertEquals(2048, v2.build().rxFrameSizeBytes(), "2 KiB slots by default");
        assertThrows(IllegalArgumentException.class, () -> v2.rxFrameSizeBytes(2040).build(), "not 16-aligned");
        assertThrows(IllegalArgumentException.class, () -> v2.rxFrameSizeBytes(48).build(), "below the header");
        assertThrows(IllegalArgumentException.class, () -> v2.rxFrameSizeBytes(69632).build(), "does not tile 256 KiB");
        assertThrows(IllegalArgumentException.class, () -> v2.rxFrameSizeBytes(512 * 1024).build(), "exceeds the block");
        assertThrows(IllegalArgumentException.class, () -> v2.ringVersion(null).build());
        // A transmit-only V2 socket has no RX slots to check; V3 ignores the slot size.
        assertEquals(0, v2.ringVersion(TpacketVersion.V2).rxBlockCount(0).rxFrameSizeBytes(0).build().rxBlockCount());
        assertEquals(3000, PacketSocketOptions.builder().rxFrameSizeBytes(3000).build().rxFrameSizeBytes());
    }

    @Test
    void invalidGeometryIsRejectedBeforeAnythingOpens() {
        assertThrows(IllegalArgumentException.class,
                () -> PacketSocketOptions.builder().rxBlockCount(0).txFrameCount(0).build());
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().rxBlockSizeBytes(3000).build());
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().txFrameSizeBytes(2050).build());
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().txFrameSizeBytes(48).build());
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().rxBlockTimeoutMs(-1).build());
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().rxBlockCount(0)
                .fanout(PacketFanout.hash(7)).build());
        ClassicBpfProgram acceptAll = ClassicBpfProgram.assembler().op(ClassicBpf.BPF_RET | ClassicBpf.BPF_K, 0xFFFF).build();
        assertThrows(IllegalArgumentException.class, () -> PacketSocketOptions.builder().rxBlockCount(0)
                .receiveFilter(acceptAll).build(), "a filter on a transmit-only socket");
        assertEquals(acceptAll, PacketSocketOptions.builder().receiveFilter(acceptAll).build().toBuilder().build()
                .receiveFilter(), "kept by toBuilder");
    }

    @Test
    void txSlotsLargerThanAPageGetABlockEachAndSmallerOnesShareAPage() {
        PacketSocket.TxGeometry small = PacketSocket.TxGeometry.of(
                PacketSocketOptions.builder().txFrameSizeBytes(1024).txFrameCount(10).build(), 4096);
        assertEquals(new PacketSocket.TxGeometry(4096, 3, 1024, 12), small);
        PacketSocket.TxGeometry large = PacketSocket.TxGeometry.of(
                PacketSocketOptions.builder().txFrameSizeBytes(65536 + 4096).txFrameCount(8).vnetHeader(true).build(),
                4096);
        assertEquals(new PacketSocket.TxGeometry(69632, 8, 69632, 8), large);
        PacketSocket.TxGeometry padded = PacketSocket.TxGeometry.of(
                PacketSocketOptions.builder().txFrameSizeBytes(65664).txFrameCount(4).vnetHeader(true).build(), 4096);
        assertEquals(new PacketSocket.TxGeometry(69632, 4, 69632, 4), padded, "rounded up to whole pages");
        assertThrows(IllegalArgumentException.class, () -> PacketSocket.TxGeometry.of(
                PacketSocketOptions.builder().txFrameSizeBytes(3072).build(), 4096));
    }

    @Test
    void fanoutOptionValuePacksModeFlagsAndGroup() {
        assertEquals((KernelConstants.PACKET_FANOUT_HASH | KernelConstants.PACKET_FANOUT_FLAG_DEFRAG) << 16 | 0x1234,
                PacketFanout.hash(0x1234).optionValue());
        assertEquals(KernelConstants.PACKET_FANOUT_CBPF << 16 | 9,
                PacketFanout.classicBpf(9, ClientShardFanout.program(2)).optionValue());
        assertThrows(IllegalArgumentException.class,
                () -> new PacketFanout(1, FanoutMode.CLASSIC_BPF, false, false, null));
        assertThrows(IllegalArgumentException.class, () -> PacketFanout.hash(70_000));
    }
}
