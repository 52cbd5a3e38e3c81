package dev.baton.nativeio;

import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Sending through and collecting from packet socket rings in lab tests, with bounded waits. */
final class RingTestIo {
    private RingTestIo() {
    }

    /** Marks the frames a test sends, so frames the kernel sends on its own are told apart. */
    static final byte[] MAGIC = "BATONLAB".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A received frame, copied out of the ring. */
    record Received(byte[] frame, int snapLength, int wireLength, int status, int vlanTci, byte[] vnetHeader) {
        /** The test sequence number after {@link #MAGIC} in the frame, or -1 if it carries none. */
        int sequence() {
            int at = indexOf(frame, MAGIC);
            return at < 0 || at + MAGIC.length + 4 > frame.length ? -1
                    : ByteBuffer.wrap(frame, at + MAGIC.length, 4).getInt();
        }
    }

    /** Copies every visited frame; test-only, so it may allocate. */
    static final class Collector implements RxVisitor {
        final List<Received> frames = new ArrayList<>();

        @Override
        public void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, int status,
                            int vlanTci, long vnetHeaderOffset) {
            byte[] frame = ring.asSlice(macOffset, snapLength).toArray(ValueLayout.JAVA_BYTE);
            byte[] vnet = vnetHeaderOffset < 0 ? null
                    : ring.asSlice(vnetHeaderOffset, VirtioNetHeaderFlyweight.LENGTH).toArray(ValueLayout.JAVA_BYTE);
            frames.add(new Received(frame, snapLength, wireLength, status, vlanTci, vnet));
        }

        List<Received> marked() {
            return frames.stream().filter(r -> r.sequence() >= 0).toList();
        }
    }

    /** Payload carrying {@link #MAGIC}, {@code sequence}, then filler up to {@code length} bytes. */
    static byte[] markedPayload(int sequence, int length) {
        ByteBuffer payload = ByteBuffer.allocate(Math.max(length, MAGIC.length + 4));
        payload.put(MAGIC).putInt(sequence);
        while (payload.hasRemaining()) {
            payload.put((byte) (sequence + payload.position()));
        }
        return payload.array();
    }

    /**
     * Writes {@code bytes} (preceded by {@code vnetHeader} when not null) into the next TX slot and
     * commits it, flushing and retrying while the ring is full, for at most 5 s.
     */
    static void send(PacketSocket socket, byte[] vnetHeader, byte[] bytes) {
        int headerLength = vnetHeader == null ? 0 : vnetHeader.length;
        int length = headerLength + bytes.length;
        long deadlineNs = System.nanoTime() + 5_000_000_000L;
        long offset;
        while ((offset = socket.txClaim(length)) < 0) {
            assertTrue(length <= socket.txFrameCapacityBytes(), "frame larger than a slot: " + length);
            socket.txFlush();
            if (System.nanoTime() > deadlineNs) {
                fail("no free TX slot within 5 s");
            }
            Thread.onSpinWait();
        }
        MemorySegment ring = socket.txRing();
        if (vnetHeader != null) {
            MemorySegment.copy(vnetHeader, 0, ring, ValueLayout.JAVA_BYTE, offset, headerLength);
        }
        MemorySegment.copy(bytes, 0, ring, ValueLayout.JAVA_BYTE, offset + headerLength, bytes.length);
        socket.txCommit(length);
    }

    /**
     * Flushes until nothing committed waits for a kick (the kernel may stop early when the socket's
     * send buffer is full), for at most 5 s.
     */
    static void flushAll(PacketSocket socket) {
        long deadlineNs = System.nanoTime() + 5_000_000_000L;
        socket.txFlush();
        while (socket.txFlushPending()) {
            if (System.nanoTime() > deadlineNs) {
                fail("TX ring not drained within 5 s: " + socket.statistics());
            }
            Thread.onSpinWait();
            socket.txFlush();
        }
    }

    /**
     * Receives into {@code collector} until {@code done} holds or {@code timeoutMs} passes (polling the
     * socket, so the wait is bounded and sleeps in the kernel, not in the test).
     */
    static void receiveUntil(PacketSocket socket, Collector collector, Predicate<Collector> done, long timeoutMs) {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!done.test(collector) && System.nanoTime() < deadlineNs) {
            if (socket.awaitFrames(20)) {
                socket.receive(collector, 64);
            }
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
