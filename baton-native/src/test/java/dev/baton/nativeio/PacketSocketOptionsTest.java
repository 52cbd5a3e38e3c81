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
        assertEquals(options, options.toBuilder().build());
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
