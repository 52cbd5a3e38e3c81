package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The per-packet API (txClaim, txCommit, txFlush, receive, awaitFrames on a ready ring) allocates
 * nothing once compiled, on V2 and on V3 rings: measured with the thread's allocation counter around
 * a bounded burst.
 */
@Tag("lab")
class RingAllocationLabTest {

    /** Counts frames and bytes without allocating, as a forwarding loop's visitor would. */
    private static final class CountingVisitor implements RxVisitor {
        long frames;
        long bytes;

        @Override
        public void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, int status,
                            int vlanTci, long vnetHeaderOffset) {
            frames++;
            bytes += ring.get(ValueLayout.JAVA_BYTE, macOffset + snapLength - 1) & 0xff;
        }
    }

    @BeforeEach
    void requireLab() {
        VethPairLab.assumeLabAvailable();
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void ringPathsAllocateNothingPerFrameOnceWarm(TpacketVersion version) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        try (VethPairLab lab = VethPairLab.create();
             PacketSocket receiver = NetworkNamespace.callIn(lab.namespaceB, () -> PacketSocket.open(lab.interfaceB,
                     PacketSocketOptions.builder().ringVersion(version).rxBlockSizeBytes(64 * 1024).rxBlockCount(8)
                             .rxFrameSizeBytes(2048).rxBlockTimeoutMs(1)
                             .txFrameCount(0).ignoreOutgoing(true).build()));
             PacketSocket sender = NetworkNamespace.callIn(lab.namespaceA, () -> PacketSocket.open(lab.interfaceA,
                     PacketSocketOptions.builder().ringVersion(version).rxBlockCount(0).txFrameSizeBytes(2048)
                             .txFrameCount(256).build()));
             Arena arena = Arena.ofConfined()) {
            long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
            long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));
            byte[] bytes = Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP, Ipv4TestPackets.udp(
                    Ipv4.parse(VethPairLab.ADDRESS_A), Ipv4.parse(VethPairLab.ADDRESS_B), 40000, 9, new byte[18]));
            MemorySegment frame = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, 0, bytes.length);
            CountingVisitor visitor = new CountingVisitor();

            for (int round = 0; round < 20_000; round++) {
                burst(sender, receiver, frame, visitor);
            }
            // Until the JIT has compiled (and escape-analysed) the loop, interpreted or C1 code may
            // allocate; a per-frame allocation shows in every window (300 x 32 frames), a one-off
            // compilation transition in a few. So: the first clean window passes, within 20.
            long leastAllocated = Long.MAX_VALUE;
            for (int window = 0; window < 20 && leastAllocated >= 1024; window++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int round = 0; round < 300; round++) {
                    burst(sender, receiver, frame, visitor);
                }
                leastAllocated = Math.min(leastAllocated, threads.getCurrentThreadAllocatedBytes() - before);
            }

            assertTrue(visitor.frames > 0, "frames were received");
            assertTrue(leastAllocated < 1024, "300 bursts of 32 frames allocated at least " + leastAllocated + " bytes");
        }
    }

    /** Up to 32 frames out, one kick, whatever is ready in. */
    private static void burst(PacketSocket sender, PacketSocket receiver, MemorySegment frame, CountingVisitor visitor) {
        int length = (int) frame.byteSize();
        for (int i = 0; i < 32; i++) {
            long offset = sender.txClaim(length);
            if (offset < 0) {
                break;
            }
            MemorySegment.copy(frame, 0, sender.txRing(), offset, length);
            sender.txCommit(length);
        }
        sender.txFlush();
        if (receiver.awaitFrames(0)) {
            receiver.receive(visitor, 8);
        }
    }
}
