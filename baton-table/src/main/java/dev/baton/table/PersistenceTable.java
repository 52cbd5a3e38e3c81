package dev.baton.table;

import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;

/**
 * Client-address persistence ("sticky" affinity): (service id, client address) &rarr; server id, so that
 * every new connection of a client to a service goes to the server its previous one went to, while the
 * affinity is in use. Each entry holds its last-used time and its timeout; the affinity lapses when idle
 * for longer than the timeout ({@code nowMs - lastUsedMs > timeoutMs}).
 *
 * <h2>Layout</h2>
 * One off-heap segment of 24-byte slots, no object per entry, on the same open-addressing core as the
 * {@link ConnectionTable} (at most 64 bytes per configured entry):
 * <pre>
 *   offset  size  field
 *        0     8  last-used ms
 *        8     4  client address
 *       12     2  service id
 *       14     2  server id
 *       16     4  timeout ms (1..2^31-1)
 *       20     1  control: 1 = in use (bits 0..6; 0 = empty slot), refreshed mark (bit 7)
 *       21     3  unused
 * </pre>
 * Slot handles are valid until the next call that may remove an entry, as in the connection table.
 *
 * <h2>Capacity policy</h2>
 * A put into a full table scans the 64 slots from the new entry's home slot: it removes the first expired
 * entry found (reason {@link RemovalReason#EXPIRED}); else evicts the least recently used entry found
 * (reason {@link RemovalReason#EVICTED}, counted in {@link #evictionsLeastRecentlyUsed()}): an affinity is a
 * preference, and the client that loses it is simply scheduled afresh; else refuses the put (-1, counted
 * in {@link #insertFailuresFull()}).
 *
 * <h2>Replication</h2>
 * As the connection table: a change stream ({@link PersistenceListener}), {@link #forEach}, an
 * order-independent {@link #digest()} of (service, client, server), {@link #putLearned}, {@link #remove} and
 * {@link #forEachRefreshed}.
 *
 * <p>Single-threaded: only the owner thread may call any method. Allocation-free after construction.
 */
public final class PersistenceTable extends OpenAddressingTable<PersistenceVisitor> {

    static final int SLOT_BYTES = 24;
    static final int LAST_USED_OFFSET = 0;
    static final int CLIENT_OFFSET = 8;
    static final int SERVICE_OFFSET = 12;
    static final int SERVER_OFFSET = 14;
    static final int TIMEOUT_OFFSET = 16;
    static final int CONTROL_OFFSET = 20;

    private static final int IN_USE = 1;
    private static final int ID_LIMIT = 1 << 16;

    private final PersistenceListener listener;
    private final long hashSeed;

    /** A table with no listener and a random hash seed. */
    public PersistenceTable(int capacity) {
        this(capacity, PersistenceListener.NONE);
    }

    /** A table with a random hash seed. */
    public PersistenceTable(int capacity, PersistenceListener listener) {
        this(capacity, listener, new SecureRandom().nextLong());
    }

    /** A table with a fixed hash seed: reproducible slot positions for tests and benchmarks. */
    public PersistenceTable(int capacity, PersistenceListener listener, long hashSeed) {
        super(capacity, SLOT_BYTES, CONTROL_OFFSET);
        if (listener == null) {
            throw new NullPointerException("listener (use PersistenceListener.NONE)");
        }
        this.listener = listener;
        this.hashSeed = hashSeed;
    }

    /**
     * The client's live affinity for the service at {@code nowMs}, or -1. An entry idle for longer than
     * {@code timeoutMs} (the service's current persistence timeout, so a changed timeout applies at once)
     * is absent and removed (reason {@link RemovalReason#EXPIRED}). Does not refresh the entry: call
     * {@link #touch} when the affinity is used.
     */
    public long find(int serviceId, int clientAddress, long nowMs, long timeoutMs) {
        long probe = probe(key(serviceId, clientAddress));
        if (probe < 0) {
            return -1;
        }
        if (nowMs - lastUsedMs(probe) > timeoutMs) {
            removeAt(probe, RemovalReason.EXPIRED);
            return -1;
        }
        return probe;
    }

    /** The entry for this key, expired or not, without side effects; -1 when absent. */
    public long find(int serviceId, int clientAddress) {
        long probe = probe(key(serviceId, clientAddress));
        return probe >= 0 ? probe : -1;
    }

    /** Marks the affinity in {@code slot} used at {@code nowMs}: it lives another timeout from now. */
    public void touch(long slot, long nowMs) {
        requireOccupied(slot);
        slots.set(ValueLayout.JAVA_LONG, offset(slot) + LAST_USED_OFFSET, nowMs);
        markRefreshed(slot);
    }

    /**
     * Sets the client's affinity for the service to {@code serverId}, used now, lapsing after
     * {@code timeoutMs} idle: inserts it, or overwrites the existing entry. Announced to the listener.
     *
     * @return the entry's slot, or -1 when the table is full and the capacity policy found no room
     */
    public long put(int serviceId, int clientAddress, int serverId, long timeoutMs, long nowMs) {
        return putLearned(serviceId, clientAddress, serverId, timeoutMs, nowMs, nowMs);
    }

    /**
     * Applies an affinity learned from a peer: as {@link #put}, with the peer's last-used time.
     *
     * @param lastUsedMs the entry's last-used time, already translated to this router's clock
     * @param nowMs      now, for the capacity policy's expiry checks
     */
    public long putLearned(int serviceId, int clientAddress, int serverId, long timeoutMs, long lastUsedMs, long nowMs) {
        if (serverId < 0 || serverId >= ID_LIMIT) {
            throw new IllegalArgumentException("server id must be 0..65535: " + serverId);
        }
        if (timeoutMs <= 0 || timeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout must be 1.." + Integer.MAX_VALUE + " ms: " + timeoutMs);
        }
        long key = key(serviceId, clientAddress);
        long probe = probe(key);
        long slot;
        if (probe >= 0) {
            slot = probe;
            digestRemove(slot);
            write(slot, key, serverId, timeoutMs, lastUsedMs);
            control(slot, (control(slot) & CONTROL_REFRESHED) | IN_USE);
            digestAdd(slot);
        } else {
            if (size() >= capacity()) {
                if (!makeRoom(homeSlot(key), nowMs)) {
                    return -1;
                }
                probe = probe(key);
            }
            slot = -probe - 1;
            write(slot, key, serverId, timeoutMs, lastUsedMs);
            control(slot, IN_USE);
            added(slot);
        }
        listener.onPut(serviceId, clientAddress, serverId, lastUsedMs, (int) timeoutMs);
        return slot;
    }

    /**
     * Removes the client's affinity for the service (operator command or learned removal), announcing it
     * with reason {@link RemovalReason#REMOVED}.
     *
     * @return whether there was one
     */
    public boolean remove(int serviceId, int clientAddress) {
        long slot = find(serviceId, clientAddress);
        if (slot < 0) {
            return false;
        }
        removeAt(slot, RemovalReason.REMOVED);
        return true;
    }

    @Override
    void visit(long slot, PersistenceVisitor visitor) {
        visitor.visit(serviceId(slot), clientAddress(slot), serverId(slot), lastUsedMs(slot), timeoutMs(slot));
    }

    /** One entry's contribution to {@link #digest()}; public so a peer can digest a dump the same way. */
    public static long entryDigest(int serviceId, int clientAddress, int serverId) {
        return mix64(mix64(((long) serviceId << 32) | Integer.toUnsignedLong(clientAddress)) + serverId);
    }

    public int serviceId(long slot) {
        return Short.toUnsignedInt(slots.get(ValueLayout.JAVA_SHORT, offset(slot) + SERVICE_OFFSET));
    }

    public int clientAddress(long slot) {
        return slots.get(ValueLayout.JAVA_INT, offset(slot) + CLIENT_OFFSET);
    }

    public int serverId(long slot) {
        return Short.toUnsignedInt(slots.get(ValueLayout.JAVA_SHORT, offset(slot) + SERVER_OFFSET));
    }

    public long lastUsedMs(long slot) {
        return slots.get(ValueLayout.JAVA_LONG, offset(slot) + LAST_USED_OFFSET);
    }

    /** The timeout stored by the last put: what the expiry sweep and the capacity policy apply. */
    public int timeoutMs(long slot) {
        return slots.get(ValueLayout.JAVA_INT, offset(slot) + TIMEOUT_OFFSET);
    }

    /** Unexpired entries evicted by the capacity policy (least recently used in the scanned window). */
    public long evictionsLeastRecentlyUsed() {
        return evictions();
    }

    // ---------------------------------------------------------------- core hooks

    @Override
    long homeSlotOfEntry(long slot) {
        return homeSlot(key(serviceId(slot), clientAddress(slot)));
    }

    @Override
    long entryDigest(long slot) {
        return entryDigest(serviceId(slot), clientAddress(slot), serverId(slot));
    }

    @Override
    boolean isExpired(long slot, long nowMs) {
        return nowMs - lastUsedMs(slot) > timeoutMs(slot);
    }

    @Override
    long evictionRank(long slot, long nowMs) {
        return lastUsedMs(slot);
    }

    @Override
    void announceRemoval(long slot, int reason) {
        listener.onRemove(serviceId(slot), clientAddress(slot), serverId(slot), reason);
    }

    // ---------------------------------------------------------------- encoding

    /** Linear probe; the slot holding {@code key}, or {@code -(empty slot) - 1}. */
    private long probe(long key) {
        long slot = homeSlot(key);
        while (true) {
            if (!occupied(slot)) {
                return -slot - 1;
            }
            long offset = offset(slot);
            if (slots.get(ValueLayout.JAVA_INT, offset + CLIENT_OFFSET) == (int) key
                    && Short.toUnsignedInt(slots.get(ValueLayout.JAVA_SHORT, offset + SERVICE_OFFSET)) == (int) (key >>> 32)) {
                return slot;
            }
            slot = nextSlot(slot);
        }
    }

    private long homeSlot(long key) {
        return mix64(key ^ hashSeed) & slotMask;
    }

    private void write(long slot, long key, int serverId, long timeoutMs, long lastUsedMs) {
        long offset = offset(slot);
        slots.set(ValueLayout.JAVA_LONG, offset + LAST_USED_OFFSET, lastUsedMs);
        slots.set(ValueLayout.JAVA_INT, offset + CLIENT_OFFSET, (int) key);
        slots.set(ValueLayout.JAVA_SHORT, offset + SERVICE_OFFSET, (short) (key >>> 32));
        slots.set(ValueLayout.JAVA_SHORT, offset + SERVER_OFFSET, (short) serverId);
        slots.set(ValueLayout.JAVA_INT, offset + TIMEOUT_OFFSET, (int) timeoutMs);
    }

    private static long key(int serviceId, int clientAddress) {
        if (serviceId < 0 || serviceId >= ID_LIMIT) {
            throw new IllegalArgumentException("service id must be 0..65535: " + serviceId);
        }
        return ((long) serviceId << 32) | Integer.toUnsignedLong(clientAddress);
    }
}
