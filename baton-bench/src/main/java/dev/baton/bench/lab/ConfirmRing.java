package dev.baton.bench.lab;

/**
 * The SYN-rate generator's memory of connections whose handshake ACK went out and whose confirming segment is still
 * due: a bounded first-in first-out ring of (connection, due time), two arrays allocated once. ACKs go out in time
 * order and every one is due the same delay later, so due times never decrease and the head is always the next due:
 * no heap, no search. When it is full the generator opens no new connection until the head has been confirmed (it is
 * what bounds the generator's memory, as a real client's state bounds it).
 *
 * <p>Time is the caller's ({@code nowNs} on every call), so tests step it. One owner thread.
 */
final class ConfirmRing {

    private final long[] connections;
    private final long[] dueNs;
    private int head;
    private int size;
    private long lastDueNs;
    private boolean offered;

    /** @param capacity the most connections awaiting their confirmation at once */
    ConfirmRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        connections = new long[capacity];
        dueNs = new long[capacity];
    }

    int capacity() {
        return connections.length;
    }

    int size() {
        return size;
    }

    /** Room left. */
    int free() {
        return connections.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Remembers {@code connection}, due at {@code dueAtNs}.
     *
     * @return false when the ring is full (nothing remembered)
     * @throws IllegalArgumentException for a due time before the last one offered (the ring would no longer be in
     *                                  due order)
     */
    boolean offer(long connection, long dueAtNs) {
        if (offered && dueAtNs - lastDueNs < 0) {
            throw new IllegalArgumentException("due times must not decrease: " + dueAtNs + " after " + lastDueNs);
        }
        if (size == connections.length) {
            return false;
        }
        int tail = index(head + size);
        connections[tail] = connection;
        dueNs[tail] = dueAtNs;
        size++;
        lastDueNs = dueAtNs;
        offered = true;
        return true;
    }

    /** Whether the oldest connection is due at {@code nowNs}. */
    boolean headDue(long nowNs) {
        return size > 0 && nowNs - dueNs[head] >= 0;
    }

    /**
     * The oldest connection.
     *
     * @throws IllegalStateException when the ring is empty
     */
    long head() {
        if (size == 0) {
            throw new IllegalStateException("no connection awaits its confirmation");
        }
        return connections[head];
    }

    /** When the oldest connection is due; {@link #head()}'s rule for an empty ring. */
    long headDueNs() {
        if (size == 0) {
            throw new IllegalStateException("no connection awaits its confirmation");
        }
        return dueNs[head];
    }

    /**
     * Forgets the oldest connection (its confirmation went out).
     *
     * @throws IllegalStateException when the ring is empty
     */
    void pop() {
        if (size == 0) {
            throw new IllegalStateException("no connection awaits its confirmation");
        }
        head = index(head + 1);
        size--;
    }

    private int index(int position) {
        return position >= connections.length ? position - connections.length : position;
    }
}
