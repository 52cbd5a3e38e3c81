package dev.baton.peer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Composing and signing, and verifying and decoding, allocate nothing once warmed up: with a pair key per peer
 * picked by the sender id and a relayed message rejected.
 */
class HotPathAllocationTest {

    @Test
    void composeSignVerifyAndDecodeAllocateNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                        && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        PeerKey key = TestPeers.key(7);
        MessageComposer composer = TestPeers.composerA(key);
        MessageVerifier verifier = TestPeers.verifierB(key);
        MessageComposer composerC = TestPeers.composer(TestPeers.ROUTER_C, 3, key);
        PeerMessageBuffer buffer = new PeerMessageBuffer();
        KeepAliveFlyweight keepAlive = new KeepAliveFlyweight();
        UpdateBatchFlyweight updates = new UpdateBatchFlyweight();
        ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
        long[] checksum = {0};
        Runnable cycle = () -> {
            for (int i = 0; i < 2_000; i++) {
                int length;
                if ((i & 1) == 0) {
                    keepAlive.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, MessageType.KEEPALIVE.payloadLength(1))
                            .serviceCount(1).service(0, 101, 350, KeepAliveFlyweight.ROLE_PRIMARY, 0, 100, 0, i, i * 31L, 7, i);
                    length = composer.compose(buffer, TestPeers.ROUTER_B, MessageType.KEEPALIVE, 0, MessageType.KEEPALIVE.payloadLength(1));
                } else {
                    updates.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, MessageType.UPDATE_BATCH.payloadLength(4))
                            .set(101, 4, i);
                    for (int r = 0; r < 4; r++) {
                        updates.kind(r, UpdateBatchFlyweight.KIND_INSERT);
                        updates.connection(r, record).protocol(6).clientAddress(i + r).clientPort(r).vip(1).vipPort(80)
                                .serverId(r).serviceId(101).ageMs(0).state(1);
                    }
                    length = composer.compose(buffer, TestPeers.ROUTER_B, MessageType.UPDATE_BATCH, 0, MessageType.UPDATE_BATCH.payloadLength(4));
                }
                if (verifier.verify(buffer, length) != Verdict.ACCEPTED) {
                    throw new AssertionError("message " + i + " not accepted");
                }
                PeerHeaderFlyweight header = verifier.header();
                if (verifier.type() == MessageType.KEEPALIVE) {
                    keepAlive.wrap(buffer.segment(), header.payloadOffset(), header.payloadLength());
                    checksum[0] += keepAlive.tableDigest(0) + keepAlive.state(0);
                } else {
                    updates.wrap(buffer.segment(), header.payloadOffset(), header.payloadLength());
                    for (int r = 0; r < updates.recordCount(); r++) {
                        checksum[0] += updates.connection(r, record).clientAddress() + updates.kind(r);
                    }
                }
                // a message from C picks the other pair key; one for C relayed to B fails it, neither allocates
                keepAlive.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, MessageType.KEEPALIVE.payloadLength(1))
                        .serviceCount(1).service(0, 102, 340, KeepAliveFlyweight.ROLE_BACKUP, 0, 100, 0, i, i * 7L, 7, i);
                int fromC = composerC.compose(buffer, TestPeers.ROUTER_B, MessageType.KEEPALIVE, 0, MessageType.KEEPALIVE.payloadLength(1));
                if (verifier.verify(buffer, fromC) != Verdict.ACCEPTED) {
                    throw new AssertionError("message " + i + " from C not accepted");
                }
                int relayed = composer.compose(buffer, TestPeers.ROUTER_C, MessageType.KEEPALIVE, 0, MessageType.KEEPALIVE.payloadLength(1));
                if (verifier.verify(buffer, relayed) != Verdict.BAD_TAG) {
                    throw new AssertionError("message " + i + " for C accepted at B");
                }
                length = composer.compose(buffer, TestPeers.ROUTER_B, MessageType.KEEPALIVE, 0, MessageType.KEEPALIVE.payloadLength(1));
                // and a forged one is rejected, also without allocating
                buffer.bytes()[length - 1] ^= 1;
                if (verifier.verify(buffer, length) != Verdict.BAD_TAG) {
                    throw new AssertionError("forgery " + i + " not rejected");
                }
            }
        };
        for (int warmUp = 0; warmUp < 20; warmUp++) {
            cycle.run();
        }
        long least = Long.MAX_VALUE;
        for (int measured = 0; measured < 5; measured++) {
            long before = bean.getCurrentThreadAllocatedBytes();
            cycle.run();
            least = Math.min(least, bean.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, least, "bytes allocated by 2,000 messages composed, signed, verified and decoded");
        assertEquals(true, checksum[0] != 0);
    }
}
