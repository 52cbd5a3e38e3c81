package dev.baton.ha;

import dev.baton.peer.MessageType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageRingTest {

    @Test
    void messagesComeOutInOrderWithTheirPeerTypeAndBytes() {
        MessageRing ring = new MessageRing(4);
        MemorySegment source = MemorySegment.ofArray(new byte[64]);
        for (int i = 0; i < 3; i++) {
            source.set(ValueLayout.JAVA_INT_UNALIGNED, 10, 1000 + i);
            assertTrue(ring.offer(i, i == 1 ? MessageType.ACK : MessageType.UPDATE_BATCH, source, 10, 4 + i));
        }
        List<String> seen = new ArrayList<>();
        assertEquals(2, ring.drain((peer, type, segment, offset, length) ->
                seen.add(peer + " " + type + " " + length + " " + segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset)), 2));
        assertEquals(1, ring.size());
        ring.drain((peer, type, segment, offset, length) ->
                seen.add(peer + " " + type + " " + length + " " + segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset)), 10);
        assertEquals(List.of("0 UPDATE_BATCH 4 1000", "1 ACK 5 1001", "2 UPDATE_BATCH 6 1002"), seen);
    }

    @Test
    void aFullRingDropsAndCountsInsteadOfBlocking() {
        MessageRing ring = new MessageRing(2);
        MemorySegment source = MemorySegment.ofArray(new byte[8]);
        assertTrue(ring.offer(0, MessageType.ACK, source, 0, 8));
        assertTrue(ring.offer(0, MessageType.ACK, source, 0, 8));
        assertFalse(ring.offer(0, MessageType.ACK, source, 0, 8));
        assertEquals(1, ring.dropped());
        ring.drain((peer, type, segment, offset, length) -> { }, 1);
        assertTrue(ring.offer(0, MessageType.ACK, source, 0, 8), "a drained slot is reused");
        assertThrows(IllegalArgumentException.class, () -> new MessageRing(3));
        assertThrows(IllegalArgumentException.class,
                () -> ring.offer(0, MessageType.ACK, MemorySegment.ofArray(new byte[4096]), 0, MessageRing.MAX_PAYLOAD_LENGTH + 1));
    }

    @Test
    void oneProducerAndOneConsumerThreadPassEveryMessageIntactAndInOrder() throws Exception {
        MessageRing ring = new MessageRing(16);
        int messages = 200_000;
        Thread producer = new Thread(() -> {
            MemorySegment source = MemorySegment.ofArray(new byte[16]);
            for (int i = 0; i < messages; i++) {
                source.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
                source.set(ValueLayout.JAVA_INT_UNALIGNED, 12, ~i);
                while (!ring.offer(i & 7, MessageType.UPDATE_BATCH, source, 0, 16)) {
                    Thread.onSpinWait();
                }
            }
        });
        producer.start();
        int[] next = {0};
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (next[0] < messages && System.nanoTime() < deadline) {
            ring.drain((peer, type, segment, offset, length) -> {
                int value = segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                assertEquals(next[0], value, "in order");
                assertEquals(~value, segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12), "whole payload published");
                assertEquals(value & 7, peer);
                next[0]++;
            }, 64);
        }
        producer.join(5_000);
        assertEquals(messages, next[0]);
    }

    /** A handler that throws must not get the same message back on every later drain. */
    @Test
    void aMessageWhoseHandlerThrowsIsConsumedAndCountedNotRedelivered() {
        MessageRing ring = new MessageRing(4);
        MemorySegment source = MemorySegment.ofArray(new byte[8]);
        for (int i = 0; i < 3; i++) {
            source.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
            assertTrue(ring.offer(0, MessageType.UPDATE_BATCH, source, 0, 8));
        }
        List<Integer> seen = new ArrayList<>();
        MessageRing.Handler handler = (peer, type, segment, offset, length) -> {
            int value = segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
            seen.add(value);
            if (value == 0) {
                throw new IllegalArgumentException("bad record");
            }
        };
        assertEquals(3, ring.drain(handler, 10), "the messages after the failing one are still handed over");
        assertEquals(0, ring.drain(handler, 10));
        assertEquals(List.of(0, 1, 2), seen);
        assertEquals(1, ring.handlerFailures());
        assertEquals(0, ring.size());
    }
}
