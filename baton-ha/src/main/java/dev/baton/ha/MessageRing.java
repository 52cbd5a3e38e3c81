package dev.baton.ha;

import dev.baton.peer.MessageType;
import dev.baton.peer.PeerHeaderFlyweight;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer, single-consumer queue of peer message payloads between the HA agent's thread and one
 * worker's thread (one ring each way per worker). Slots are preallocated, one message payload each, so
 * passing a message allocates nothing; the producer publishes with a release store of the tail and the
 * consumer frees slots with a release store of the head (the Lamport queue, as Aeron's one-to-one ring).
 *
 * <p>A full ring drops the message and counts it: synchronization is reliable end to end (sequence
 * numbers, NACK, retransmission timeout), so a dropped batch is repaired like one lost on the wire.
 */
public final class MessageRing {

    /** The largest payload a slot holds: a whole peer message's payload. */
    public static final int MAX_PAYLOAD_LENGTH = PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH;

    /** Receives messages drained from the ring; the payload is valid only during the call. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(int peerIndex, MessageType type, MemorySegment segment, long payloadOffset, int payloadLength);
    }

    private final int mask;
    private final MemorySegment payloads;
    private final int[] lengths;
    private final int[] types;
    private final int[] peers;
    /** Next slot the consumer reads; written by the consumer only. */
    private final AtomicLong head = new AtomicLong();
    /** Next slot the producer writes; written by the producer only. */
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Written by the consumer only; read by any thread (status). */
    private final AtomicLong handlerFailures = new AtomicLong();

    /** @param slots a power of two */
    public MessageRing(int slots) {
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two >= 2: " + slots);
        }
        this.mask = slots - 1;
        this.payloads = MemorySegment.ofArray(new byte[slots * MAX_PAYLOAD_LENGTH]);
        this.lengths = new int[slots];
        this.types = new int[slots];
        this.peers = new int[slots];
    }

    /**
     * Producer only: copies the payload into the next slot and publishes it.
     *
     * @return false (and counted in {@link #dropped()}) when the ring is full
     */
    public boolean offer(int peerIndex, MessageType type, MemorySegment source, long payloadOffset, int payloadLength) {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload length " + payloadLength + " outside 0.." + MAX_PAYLOAD_LENGTH);
        }
        long t = tail.getPlain();
        if (t - head.getAcquire() > mask) {
            dropped.setRelease(dropped.getPlain() + 1);
            return false;
        }
        int slot = (int) (t & mask);
        MemorySegment.copy(source, payloadOffset, payloads, (long) slot * MAX_PAYLOAD_LENGTH, payloadLength);
        lengths[slot] = payloadLength;
        types[slot] = type.code();
        peers[slot] = peerIndex;
        tail.setRelease(t + 1);
        return true;
    }

    /**
     * Consumer only: hands at most {@code limit} messages to {@code handler}, oldest first.
     *
     * @return how many were handed over
     */
    public int drain(Handler handler, int limit) {
        long h = head.getPlain();
        long available = tail.getAcquire() - h;
        int count = (int) Math.min(available, limit);
        for (int i = 0; i < count; i++) {
            int slot = (int) ((h + i) & mask);
            try {
                handler.onMessage(peers[slot], MessageType.fromCode(types[slot]), payloads,
                        (long) slot * MAX_PAYLOAD_LENGTH, lengths[slot]);
            } catch (RuntimeException e) {
                // A message whose handling fails is consumed and counted, never handed
                // over again; before, the head stayed put and the same message failed every duty cycle,
                // ahead of packet receive. The payload slot is not reused until the head moves below.
                handlerFailures.setRelease(handlerFailures.getPlain() + 1);
            } finally {
                head.setRelease(h + i + 1);
            }
        }
        return count;
    }

    /** Messages waiting. Either thread; a snapshot. */
    public int size() {
        return (int) (tail.getAcquire() - head.getAcquire());
    }

    /** Messages whose handler threw (consumed, not redelivered). Either thread. */
    public long handlerFailures() {
        return handlerFailures.getAcquire();
    }

    /** Messages dropped because the ring was full. Either thread. */
    public long dropped() {
        return dropped.getAcquire();
    }
}
