package dev.baton.nativeio;

import dev.baton.codec.Ipv4;
import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.baton.nativeio.RingTestIo.Collector;
import dev.baton.nativeio.RingTestIo.Received;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PacketSocket} against the real kernel: two namespaces joined by a veth pair, a TX ring
 * socket on one end and an RX ring socket on the other, each opened inside its namespace through
 * {@link NetworkNamespace#callIn}. The ring tests run once per {@link TpacketVersion}, with both
 * sockets on that version, so V2 RX slots and the V2 TX slot header are both exercised.
 */
@Tag("lab")
class PacketSocketLabTest {
    private static final int SOURCE = Ipv4.parse(VethPairLab.ADDRESS_A);
    private static final int DESTINATION = Ipv4.parse(VethPairLab.ADDRESS_B);
    /** Discard port: nothing listens, and the namespace's replies are filtered out by the magic. */
    private static final int DISCARD_PORT = 9;

    @BeforeEach
    void requireLab() {
        VethPairLab.assumeLabAvailable();
    }

    private static PacketSocket openIn(String namespace, String interfaceName, PacketSocketOptions options)
            throws Exception {
        return NetworkNamespace.callIn(namespace, () -> PacketSocket.open(interfaceName, options));
    }

    private static PacketSocketOptions receiverOptions() {
        return receiverOptions(TpacketVersion.V3);
    }

    /**
     * V3: 8 x 64 KiB blocks. V2: 16 x 64 KiB blocks cut into 512 slots of 2 KiB, as a slot holds one
     * frame whatever its size and the tests queue up to 300 frames before reading.
     */
    private static PacketSocketOptions receiverOptions(TpacketVersion version) {
        return PacketSocketOptions.builder().ringVersion(version).rxBlockSizeBytes(64 * 1024)
                .rxBlockCount(version == TpacketVersion.V2 ? 16 : 8)
                .rxFrameSizeBytes(2048).rxBlockTimeoutMs(2).txFrameCount(0).ignoreOutgoing(true).build();
    }

    private static PacketSocketOptions senderOptions(TpacketVersion version) {
        return PacketSocketOptions.builder().ringVersion(version).rxBlockCount(0).txFrameSizeBytes(2048)
                .txFrameCount(64).build();
    }

    /**
     * A V2 or V3 receiver for GSO super-frames: V3 blocks of 256 KiB, or V2 blocks of one
     * {@link PacketSocketOptions#RX_V2_GSO_FRAME_SIZE_BYTES} slot each.
     */
    private static PacketSocketOptions.Builder gsoReceiver(TpacketVersion version, int megabytesOfRing) {
        PacketSocketOptions.Builder builder = PacketSocketOptions.builder().ringVersion(version).rxBlockTimeoutMs(2)
                .txFrameCount(0).vnetHeader(true).ignoreOutgoing(true);
        if (version == TpacketVersion.V2) {
            int slot = PacketSocketOptions.RX_V2_GSO_FRAME_SIZE_BYTES;
            return builder.rxBlockSizeBytes(slot).rxFrameSizeBytes(slot).rxBlockCount((megabytesOfRing << 20) / slot);
        }
        return builder.rxBlockSizeBytes(256 * 1024).rxBlockCount(megabytesOfRing * 4);
    }

    private static int txDataOffset(TpacketVersion version) {
        return version == TpacketVersion.V2 ? 32 : 48;
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void framesFromTheTxRingArriveIntactOnThePeerRxRing(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, receiverOptions(version));
             PacketSocket sender = openIn(lab.namespaceA, lab.interfaceA, senderOptions(version))) {
            assertEquals(2048 - txDataOffset(version), sender.txFrameCapacityBytes());
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            int frameCount = 300;
            List<byte[]> sent = new ArrayList<>();
            for (int sequence = 0; sequence < frameCount; sequence++) {
                int payloadLength = 18 + (sequence * 37) % (1472 - 18 + 1);
                byte[] frame = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                        SOURCE, DESTINATION, 40000, DISCARD_PORT, RingTestIo.markedPayload(sequence, payloadLength)));
                sent.add(frame);
                RingTestIo.send(sender, null, frame);
                if (sequence % 16 == 15) {
                    sender.txFlush();
                }
            }
            RingTestIo.flushAll(sender);

            Collector collector = new Collector();
            RingTestIo.receiveUntil(receiver, collector, c -> c.marked().size() >= frameCount, 5_000);

            List<Received> received = collector.marked();
            assertEquals(frameCount, received.size(), "frames received");
            for (int sequence = 0; sequence < frameCount; sequence++) {
                Received frame = received.get(sequence);
                assertEquals(sequence, frame.sequence(), "order");
                assertArrayEquals(sent.get(sequence), frame.frame(), "content of frame " + sequence);
                assertEquals(sent.get(sequence).length, frame.snapLength());
                assertEquals(sent.get(sequence).length, frame.wireLength());
                assertEquals(-1, frame.vlanTci());
                assertNull(frame.vnetHeader());
            }
            PacketStatistics receiverStatistics = receiver.statistics();
            assertTrue(receiverStatistics.packets() >= frameCount, receiverStatistics.toString());
            assertEquals(0, receiverStatistics.drops(), receiverStatistics.toString());
            PacketStatistics senderStatistics = sender.statistics();
            assertEquals(frameCount, senderStatistics.txFramesCommitted());
            assertTrue(senderStatistics.txKicks() >= frameCount / 16, senderStatistics.toString());
            assertEquals(0, senderStatistics.txMalformedFrames());
            assertEquals(0, senderStatistics.packets(), "a transmit-only socket receives nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void virtioHeaderOnRxShowsGsoSuperFramesOfAKernelTcpStream(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, gsoReceiver(version, 4).build())) {
            Collector collector = streamTcpThrough(lab, receiver, 8L << 20);

            List<Received> tcp = collector.frames.stream().filter(PacketSocketLabTest::isTcpToPort5001).toList();
            assertFalse(tcp.isEmpty(), "the RX ring saw the TCP stream");
            for (Received frame : tcp) {
                assertNotNull(frame.vnetHeader(), "every frame carries a virtio header");
            }
            List<Received> superFrames = tcp.stream()
                    .filter(f -> (vnetGsoType(f) & ~VirtioNetHeaderFlyweight.GSO_ECN) == VirtioNetHeaderFlyweight.GSO_TCPV4).toList();
            assertFalse(superFrames.isEmpty(), "GSO TCPv4 super-frames among " + tcp.size() + " TCP frames");
            for (Received frame : superFrames) {
                assertTrue(frame.wireLength() > 1514, "a super-frame exceeds the MTU: " + frame.wireLength());
                assertEquals(frame.wireLength(), frame.snapLength(), "the whole super-frame is in the ring");
                int gsoSize = vnet16(frame, 4);
                assertTrue(gsoSize > 0 && gsoSize <= 1460, "gso_size is the MSS: " + gsoSize);
                assertTrue(vnet16(frame, 2) >= 14 + 20 + 20, "hdr_len covers the headers");
                assertEquals(VirtioNetHeaderFlyweight.F_NEEDS_CSUM, frame.vnetHeader()[0] & VirtioNetHeaderFlyweight.F_NEEDS_CSUM);
                assertEquals(14 + 20, vnet16(frame, 6), "csum_start: the TCP header");
                assertEquals(16, vnet16(frame, 8), "csum_offset: the TCP checksum field");
            }
            Received handshake = tcp.getFirst();
            assertEquals(VirtioNetHeaderFlyweight.GSO_NONE, vnetGsoType(handshake), "the SYN is a plain frame");
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void virtioHeaderOnTxIsCountedInTpLenAndCarriesOffloadsThrough(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, gsoReceiver(version, 1).build());
             PacketSocket sender = openIn(lab.namespaceA, lab.interfaceA, PacketSocketOptions.builder()
                     .ringVersion(version).rxBlockCount(0).txFrameSizeBytes(65536 + 4096).txFrameCount(4)
                     .vnetHeader(true).build())) {
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            assertEquals(65536 + 4096 - txDataOffset(version), sender.txFrameCapacityBytes());

            // A plain frame behind a "no offload" header: received with exactly its own length, which
            // holds only if tp_len counted the 10 header bytes.
            byte[] plain = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                    SOURCE, DESTINATION, 40000, DISCARD_PORT, RingTestIo.markedPayload(1, 100)));
            byte[] none = new byte[VirtioNetHeaderFlyweight.LENGTH];
            RingTestIo.send(sender, none, plain);

            // A TCP super-frame of three MSS-sized segments with a partial checksum.
            int mss = 1448;
            byte[] payload = new byte[3 * mss];
            ByteBuffer.wrap(payload).put(RingTestIo.markedPayload(2, 64));
            for (int i = 64; i < payload.length; i++) {
                payload[i] = (byte) (i * 7);
            }
            byte[] superFrame = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP,
                    tcpSegment(SOURCE, DESTINATION, 40001, 5002, 1_000_000, payload));
            byte[] gsoHeader = new byte[VirtioNetHeaderFlyweight.LENGTH];
            java.lang.foreign.MemorySegment header = java.lang.foreign.MemorySegment.ofArray(gsoHeader);
            new VirtioNetHeaderFlyweight().wrap(header, 0, VirtioNetHeaderFlyweight.LENGTH)
                    .flags(VirtioNetHeaderFlyweight.F_NEEDS_CSUM).gsoType(VirtioNetHeaderFlyweight.GSO_TCPV4)
                    .headerLength(14 + 20 + 20).gsoSize(mss).checksumStart(14 + 20).checksumOffset(16);
            RingTestIo.send(sender, gsoHeader, superFrame);
            RingTestIo.flushAll(sender);

            Collector collector = new Collector();
            RingTestIo.receiveUntil(receiver, collector,
                    c -> tcpPayload(c.frames, 5002).length >= payload.length && !c.marked().isEmpty(), 5_000);

            Received plainReceived = collector.marked().stream().filter(r -> r.sequence() == 1).findFirst().orElseThrow();
            assertArrayEquals(plain, plainReceived.frame());
            assertEquals(plain.length, plainReceived.wireLength());
            assertEquals(VirtioNetHeaderFlyweight.GSO_NONE, vnetGsoType(plainReceived));

            // The kernel may pass the super-frame on whole or segment it in software first (packet
            // socket GSO is marked "dodgy"); either way the bytes arrive intact with the offload state.
            List<Received> segments = collector.frames.stream().filter(r -> isTcpToPort(r, 5002)).toList();
            assertArrayEquals(payload, tcpPayload(collector.frames, 5002));
            for (Received segment : segments) {
                int gsoType = vnetGsoType(segment);
                if (gsoType == VirtioNetHeaderFlyweight.GSO_TCPV4) {
                    assertEquals(mss, vnet16(segment, 4));
                    assertEquals(superFrame.length, segment.wireLength());
                } else {
                    assertEquals(VirtioNetHeaderFlyweight.GSO_NONE, gsoType);
                    assertTrue(segment.wireLength() <= 14 + 20 + 20 + mss);
                }
            }
            assertEquals(0, sender.statistics().txMalformedFrames());
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void malformedFramesAreCountedAndTheFramesBehindThemStillLeaveInOrder(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, receiverOptions(version));
             // Both rings on the sender: the TX ring sits after the RX ring in the one mapping.
             PacketSocket sender = openIn(lab.namespaceA, lab.interfaceA, senderOptions(version).toBuilder()
                     .rxBlockSizeBytes(64 * 1024).rxBlockCount(2).build())) {
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            assertEquals(2 * 64 * 1024, sender.rxRing().byteSize());
            assertEquals(64 * 2048, sender.txRing().byteSize());
            int sequence = 0;
            List<byte[]> good = new ArrayList<>();
            // good, too short for an Ethernet header (EINVAL), good, longer than MTU + 18 (EMSGSIZE), good
            for (int kind : new int[] {0, 1, 0, 2, 0, 0}) {
                byte[] frame = switch (kind) {
                    case 0 -> Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                            SOURCE, DESTINATION, 40000, DISCARD_PORT, RingTestIo.markedPayload(sequence++, 64)));
                    case 1 -> new byte[5];
                    default -> Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, new byte[1600]);
                };
                if (kind == 0) {
                    good.add(frame);
                }
                RingTestIo.send(sender, null, frame);
            }
            RingTestIo.flushAll(sender);
            assertEquals(2, sender.statistics().txMalformedFrames());

            // The ring keeps moving: a few more rounds of it.
            for (int i = 0; i < 3 * sender.txFrameCount(); i++) {
                byte[] frame = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                        SOURCE, DESTINATION, 40000, DISCARD_PORT, RingTestIo.markedPayload(sequence++, 64)));
                good.add(frame);
                RingTestIo.send(sender, null, frame);
                sender.txFlush();
            }
            RingTestIo.flushAll(sender);

            Collector collector = new Collector();
            RingTestIo.receiveUntil(receiver, collector, c -> c.marked().size() >= good.size(), 5_000);
            List<Received> received = collector.marked();
            assertEquals(good.size(), received.size());
            for (int i = 0; i < good.size(); i++) {
                assertArrayEquals(good.get(i), received.get(i).frame(), "frame " + i + " in order");
            }
            assertEquals(2, sender.statistics().txMalformedFrames());
            assertEquals(good.size() + 2, sender.statistics().txFramesCommitted());
        }
    }

    @Test
    void fullRxRingCountsDropsAndFreezesAndLosesNothingItCounted() throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, PacketSocketOptions.builder()
                     .rxBlockSizeBytes(4096).rxBlockCount(2).rxBlockTimeoutMs(1).txFrameCount(0)
                     .ignoreOutgoing(true).build());
             PacketSocket sender = openIn(lab.namespaceA, lab.interfaceA, PacketSocketOptions.builder()
                     .rxBlockCount(0).txFrameSizeBytes(2048).txFrameCount(128).build())) {
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            int frameCount = 100;
            for (int sequence = 0; sequence < frameCount; sequence++) {
                RingTestIo.send(sender, null, Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP,
                        Ipv4TestPackets.udp(SOURCE, DESTINATION, 40000, DISCARD_PORT,
                                RingTestIo.markedPayload(sequence, 1000))));
            }
            RingTestIo.flushAll(sender);

            // Nothing is read until the kernel has seen every frame: 8 KiB of ring for ~100 KiB.
            long deadlineNs = System.nanoTime() + 5_000_000_000L;
            PacketStatistics statistics = receiver.statistics();
            while (statistics.packets() < frameCount && System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
                statistics = receiver.statistics();
            }
            assertTrue(statistics.packets() >= frameCount, statistics.toString());
            assertTrue(statistics.drops() > 0, "a full ring drops: " + statistics);
            assertTrue(statistics.freezes() > 0, "a full ring freezes the queue: " + statistics);

            Collector collector = new Collector();
            PacketStatistics counted = statistics;
            RingTestIo.receiveUntil(receiver, collector,
                    c -> c.frames.size() + counted.drops() == counted.packets(), 3_000);
            PacketStatistics finalStatistics = receiver.statistics();
            assertEquals(finalStatistics.packets(), collector.frames.size() + finalStatistics.drops(),
                    "every frame counted was either delivered or dropped: " + finalStatistics);
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void awaitFramesTimesOutOnAnIdleRingAndTxClaimRejectsOversizedFrames(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket socket = openIn(lab.namespaceB, lab.interfaceB, PacketSocketOptions.builder()
                     .ringVersion(version).rxBlockSizeBytes(4096).rxBlockCount(2).rxFrameSizeBytes(2048)
                     .rxBlockTimeoutMs(1).txFrameCount(8).ignoreOutgoing(true).build())) {
            assertFalse(socket.awaitFrames(30), "nothing arrives on an idle veth");
            assertEquals(0, socket.receive(new Collector(), 4));
            assertEquals(-1, socket.txClaim(socket.txFrameCapacityBytes() + 1));
            assertTrue(socket.txClaim(socket.txFrameCapacityBytes()) >= 0);
            assertEquals(NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.index(lab.interfaceB)),
                    socket.interfaceIndex());
        }
    }

    @Test
    void v2SlotTooSmallForASuperFrameTruncatesItAndReportsTheFullLength() throws Exception {
        // 2 KiB slots with a virtio header: the frame starts 76 bytes into the slot
        // (TPACKET_ALIGN(52 + 16) + 10 - 14, tpacket_rcv), so 1,972 bytes of any frame fit.
        int slotBytes = 2048;
        int macOffsetInSlot = 80 + VirtioNetHeaderFlyweight.LENGTH - KernelConstants.ETH_HLEN;
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = openIn(lab.namespaceB, lab.interfaceB, gsoReceiver(TpacketVersion.V2, 1)
                     .rxBlockSizeBytes(64 * 1024).rxBlockCount(64).rxFrameSizeBytes(slotBytes).build())) {
            Collector collector = streamTcpThrough(lab, receiver, 4L << 20);
            List<Received> superFrames = collector.frames.stream().filter(f -> isTcpToPort5001(f)
                    && (vnetGsoType(f) & ~VirtioNetHeaderFlyweight.GSO_ECN) == VirtioNetHeaderFlyweight.GSO_TCPV4).toList();
            // A GSO frame can hold as little as two segments; only those larger than a slot are truncated.
            for (Received frame : superFrames) {
                if (frame.wireLength() <= slotBytes - macOffsetInSlot) {
                    assertEquals(frame.wireLength(), frame.snapLength(), "a GSO frame that fits arrives whole");
                }
            }
            superFrames = superFrames.stream().filter(f -> f.wireLength() > slotBytes).toList();
            assertFalse(superFrames.isEmpty(), "GSO super-frames larger than a slot among " + collector.frames.size() + " frames");
            for (Received frame : superFrames) {
                assertTrue(frame.wireLength() > slotBytes, "tp_len is the whole super-frame: " + frame.wireLength());
                assertEquals(slotBytes - macOffsetInSlot, frame.snapLength(), "tp_snaplen is what fit in the slot");
                assertEquals(frame.snapLength(), frame.frame().length);
                // Nothing in the status says "truncated" (TP_STATUS_COPY only marks a copy queued via
                // PACKET_COPY_THRESH): snapLength < wireLength is the only sign. The virtio header is
                // still written whole, and the partial checksum is still pending.
                assertEquals(0, frame.status() & KernelConstants.TP_STATUS_COPY, "status " + frame.status());
                assertEquals(KernelConstants.TP_STATUS_CSUMNOTREADY,
                        frame.status() & KernelConstants.TP_STATUS_CSUMNOTREADY, "status " + frame.status());
            }
        }
    }

    @Test
    void v2HandsASingleFrameOverAtOnceWhileV3HoldsItUntilTheBlockRetires() throws Exception {
        // The same one frame into a V2 and a V3 ring on the same interface, the V3 block with a 1 s
        // retire timer: V2 shows it as soon as it is written, V3 only when the block retires.
        PacketSocketOptions.Builder slowRetire = receiverOptions(TpacketVersion.V3).toBuilder().rxBlockTimeoutMs(1_000);
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket v2 = openIn(lab.namespaceB, lab.interfaceB,
                     slowRetire.ringVersion(TpacketVersion.V2).build());
             PacketSocket v3 = openIn(lab.namespaceB, lab.interfaceB,
                     slowRetire.ringVersion(TpacketVersion.V3).build());
             PacketSocket sender = openIn(lab.namespaceA, lab.interfaceA, senderOptions(TpacketVersion.V2))) {
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            byte[] frame = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                    SOURCE, DESTINATION, 40000, DISCARD_PORT, RingTestIo.markedPayload(7, 64)));
            RingTestIo.send(sender, null, frame);
            RingTestIo.flushAll(sender);

            Collector fromV2 = new Collector();
            RingTestIo.receiveUntil(v2, fromV2, c -> !c.marked().isEmpty(), 900);
            Collector fromV3 = new Collector();
            // Bounded by poll: returns as soon as the block retires, which must not happen yet.
            if (v3.awaitFrames(50)) {
                v3.receive(fromV3, 1);
            }
            assertEquals(1, fromV2.marked().size(), "V2 delivered the frame before V3's block retired");
            assertArrayEquals(frame, fromV2.marked().getFirst().frame());
            assertTrue(fromV3.marked().isEmpty(), "V3 still holds the frame in an open block");

            RingTestIo.receiveUntil(v3, fromV3, c -> !c.marked().isEmpty(), 3_000);
            assertEquals(1, fromV3.marked().size(), "V3 delivered it once the block retired");
        }
    }

    @Test
    void openingOnAMissingInterfaceNamesTheCall() throws Exception {
        try (VethPairLab lab = VethPairLab.create()) {
            NativeException failure = org.junit.jupiter.api.Assertions.assertThrows(NativeException.class,
                    () -> openIn(lab.namespaceA, lab.interfaceB, receiverOptions()));
            assertEquals("if_nametoindex(" + lab.interfaceB + ")", failure.callName());
            assertEquals(KernelConstants.ENODEV, failure.errno());
        }
    }

    /**
     * Streams {@code streamBytes} over kernel TCP from A to port 5001 on B, with TSO/GSO on A's veth
     * end, while {@code receiver} on B collects what it sees; bounded by 20 s.
     */
    private static Collector streamTcpThrough(VethPairLab lab, PacketSocket receiver, long streamBytes)
            throws Exception {
        VethPairLab.run("ip", "netns", "exec", lab.namespaceA, "ethtool", "-K", lab.interfaceA, "tso", "on",
                "gso", "on", "tx", "on", "sg", "on");
        ServerSocket server = NetworkNamespace.callIn(lab.namespaceB,
                () -> new ServerSocket(5001, 1, InetAddress.getByName(VethPairLab.ADDRESS_B)));
        Socket client = NetworkNamespace.callIn(lab.namespaceA, () -> {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(VethPairLab.ADDRESS_B, 5001), 5_000);
            return socket;
        });
        Socket accepted = server.accept();
        AtomicLong drained = new AtomicLong();
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (OutputStream out = client.getOutputStream()) {
                byte[] chunk = new byte[64 * 1024];
                for (long written = 0; written < streamBytes; written += chunk.length) {
                    out.write(chunk);
                }
            } catch (Throwable t) {
                streamFailure.set(t);
            }
        });
        Thread reader = Thread.ofPlatform().start(() -> {
            try (InputStream in = accepted.getInputStream()) {
                byte[] buffer = new byte[256 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    drained.addAndGet(n);
                }
            } catch (Throwable t) {
                streamFailure.set(t);
            }
        });
        Collector collector = new Collector();
        try {
            RingTestIo.receiveUntil(receiver, collector, c -> !reader.isAlive() && c.frames.size() > 0, 20_000);
        } finally {
            client.close();
            accepted.close();
            server.close();
            writer.join(5_000);
            reader.join(5_000);
        }
        assertNull(streamFailure.get());
        assertEquals(streamBytes, drained.get(), "bytes through the TCP stream");
        return collector;
    }

    // --- frame helpers ---

    private static byte[] tcpSegment(int source, int destination, int sourcePort, int destinationPort, int sequence,
                                     byte[] payload) {
        ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
        tcp.putShort((short) sourcePort).putShort((short) destinationPort).putInt(sequence).putInt(1)
                .put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                .put(payload);
        byte[] segment = tcp.array();
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, the rest is left to offload.
        ByteBuffer pseudo = ByteBuffer.allocate(12).putInt(source).putInt(destination).putShort((short) 6)
                .putShort((short) segment.length);
        int partial = ~Ipv4TestPackets.checksum(pseudo.array(), 0, 12, 0) & 0xffff;
        segment[16] = (byte) (partial >>> 8);
        segment[17] = (byte) partial;
        return Ipv4TestPackets.ipv4(5, 0x4000, Ipv4TestPackets.TCP, source, destination, segment);
    }

    private static boolean isTcpToPort5001(Received frame) {
        return isTcpToPort(frame, 5001);
    }

    private static boolean isTcpToPort(Received frame, int port) {
        byte[] f = frame.frame();
        return f.length >= 14 + 20 + 20 && f[12] == 0x08 && f[13] == 0x00 && f[14 + 9] == Ipv4TestPackets.TCP
                && ((f[14 + 20 + 2] & 0xff) << 8 | (f[14 + 20 + 3] & 0xff)) == port;
    }

    /** The TCP payload of the frames to {@code port}, in arrival order. */
    private static byte[] tcpPayload(List<Received> frames, int port) {
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        for (Received frame : frames) {
            if (isTcpToPort(frame, port)) {
                byte[] f = frame.frame();
                int ipTotal = (f[16] & 0xff) << 8 | (f[17] & 0xff);
                int tcpHeader = ((f[14 + 20 + 12] & 0xff) >>> 4) * 4;
                int start = 14 + 20 + tcpHeader;
                int end = Math.min(f.length, 14 + ipTotal);
                out.put(f, start, end - start);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static int vnetGsoType(Received frame) {
        return frame.vnetHeader()[1] & 0xff;
    }

    private static int vnet16(Received frame, int offset) {
        return Short.toUnsignedInt(ByteBuffer.wrap(frame.vnetHeader(), offset, 2)
                .order(java.nio.ByteOrder.nativeOrder()).getShort());
    }
}
