package dev.baton.table;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ConcurrentModificationException;

/**
 * The open-addressing core shared by {@link ConnectionTable} and {@link PersistenceTable}: one off-heap
 * {@link MemorySegment} of fixed-size slots, no object per entry.
 *
 * <ul>
 *   <li><b>Sizing.</b> The slot count is the smallest power of two holding the configured capacity at a load
 *       factor of at most 3/4 (so a probe sequence stays short); {@link #capacity()} entries at most are
 *       stored. With 24-byte slots that is at most 64 bytes per configured entry, whatever the capacity.</li>
 *   <li><b>Probing.</b> Linear probing from the entry's home slot ({@code hash & mask}); subclasses own the
 *       key and its comparison, the core owns everything that moves slots.</li>
 *   <li><b>Deletion.</b> Backward-shift deletion (Knuth, TAOCP vol. 3, §6.4, Algorithm R): the entries
 *       after the hole that may move into it do, so no tombstones pile up and every remaining entry stays
 *       reachable from its home slot. Consequence: a slot handle is valid only until the next removal.</li>
 *   <li><b>Occupancy.</b> Each slot has a control byte at {@code controlOffset}: bits 0..6 are non-zero
 *       exactly when the slot is in use (subclasses store a code there), bit 7 marks an entry refreshed since
 *       the last {@link #advanceRefreshCursor refresh scan}.</li>
 *   <li><b>Expiry.</b> {@link #expire} sweeps with a persistent cursor, a bounded number of slots per call.</li>
 *   <li><b>Capacity policy.</b> {@link #makeRoom} scans at most {@link #EVICTION_SCAN_SLOTS} slots from the
 *       new entry's home slot: the first expired entry found is removed; otherwise the entry with the lowest
 *       {@link #evictionRank} (subclasses decide who may be evicted); otherwise the insert is refused.</li>
 *   <li><b>Digest.</b> The sum of a 64-bit mix of every entry's replicated fields, maintained on every
 *       change: order-independent and O(1) to read, so two routers compare tables cheaply.</li>
 * </ul>
 *
 * <p>Single-threaded: only the owner thread may call any method (see the package comment).
 *
 * @param <V> the visitor that {@link #forEach} and {@link #forEachRefreshed} hand each entry's fields to
 */
abstract sealed class OpenAddressingTable<V> implements AutoCloseable permits ConnectionTable, PersistenceTable {

    /** How far the capacity policy looks from the new entry's home slot for something to evict. */
    static final int EVICTION_SCAN_SLOTS = 64;
    /** Every table's slots are at most this many; keeps slot indexes and sizes far from overflow. */
    static final long MAX_SLOTS = 1L << 30;
    /** The largest capacity a table accepts: three quarters of 2^30 slots (24 GiB of slots). */
    public static final int MAX_CAPACITY = (int) (MAX_SLOTS / 4 * 3);
    /** {@link #evictionRank} of an entry the capacity policy must not evict. */
    static final long NOT_EVICTABLE = Long.MAX_VALUE;

    static final int CONTROL_CODE_MASK = 0x7F;
    static final int CONTROL_REFRESHED = 0x80;

    private static final long CACHE_LINE_BYTES = 64;

    private final Arena arena;
    /** All slots; subclasses read and write their fields through it. */
    final MemorySegment slots;
    final int slotBytes;
    private final int controlOffset;
    /** Slot count minus one: the slot count is a power of two. */
    final long slotMask;
    private final int capacity;

    private int size;
    private long digest;
    /** Size and digest per partition ({@link #partitionOfEntry}); one partition unless a subclass maps more. */
    private int[] partitionSizes = new int[1];
    private long[] partitionDigests = new long[1];
    /** Bumped by every insert and removal: detects a visitor that modifies the table it visits. */
    private long structuralChanges;
    private long sweepCursor;
    private long refreshCursor;

    private final long[] removalsByReason = new long[RemovalReason.CODE_LIMIT];
    private long inserts;
    private long insertFailuresFull;
    private long evictionsExpired;
    private long evictions;

    OpenAddressingTable(int capacity, int slotBytes, int controlOffset) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_CAPACITY + ", was " + capacity);
        }
        if (slotBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("slot size must be a multiple of 8 bytes: " + slotBytes);
        }
        this.capacity = capacity;
        this.slotBytes = slotBytes;
        this.controlOffset = controlOffset;
        long slotCount = slotCountFor(capacity);
        this.slotMask = slotCount - 1;
        this.arena = Arena.ofShared();
        // Arena allocations are zeroed: every slot starts empty (control byte 0).
        this.slots = arena.allocate(slotCount * slotBytes, CACHE_LINE_BYTES);
    }

    /** The smallest power of two {@code >= capacity * 4 / 3}: load factor at most 3/4 when full. */
    static long slotCountFor(int capacity) {
        long minimum = ((long) capacity * 4 + 2) / 3;
        long slotCount = Long.highestOneBit(minimum);
        if (slotCount < minimum) {
            slotCount <<= 1;
        }
        return Math.max(2, slotCount);
    }

    // ---------------------------------------------------------------- what a subclass defines

    /** The home slot of the entry stored in {@code slot}: its key's hash masked by {@link #slotMask}. */
    abstract long homeSlotOfEntry(long slot);

    /** The order-independent digest contribution of the entry in {@code slot}. */
    abstract long entryDigest(long slot);

    /** Whether the entry in {@code slot} has been idle for longer than its timeout at {@code nowMs}. */
    abstract boolean isExpired(long slot, long nowMs);

    /**
     * The eviction order of the live, unexpired entry in {@code slot} at {@code nowMs}: the lowest rank goes
     * first; {@link #NOT_EVICTABLE} means never.
     */
    abstract long evictionRank(long slot, long nowMs);

    /** Announces the removal of the entry in {@code slot}, still intact, to the subclass's listener. */
    abstract void announceRemoval(long slot, int reason);

    /**
     * The partition of the entry in {@code slot}, 0..{@link #partitionCount()} - 1. A partition is a set of
     * entries replicated as one unit (every service of one VIP): its size and digest are kept apart, so a
     * router active for one VIP and standby for another compares each with its peer on its own.
     */
    int partitionOfEntry(long slot) {
        return 0;
    }

    /** Sets the number of partitions; only while the table is empty (the sums start from zero). */
    final void partitionCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("partition count must be at least 1: " + count);
        }
        if (size != 0) {
            throw new IllegalStateException("partitions can only be set on an empty table (" + size + " entries)");
        }
        partitionSizes = new int[count];
        partitionDigests = new long[count];
    }

    /**
     * Recomputes every partition's size and digest from the entries (after a reload changed which partition a
     * service belongs to, or the ids a digest covers): {@code count} partitions from now on. Owner thread.
     */
    final void repartition(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("partition count must be at least 1: " + count);
        }
        int[] sizes = new int[count];
        long[] digests = new long[count];
        long total = 0;
        for (long slot = 0; slot < slotCount(); slot++) {
            if (occupied(slot)) {
                long contribution = entryDigest(slot);
                int partition = partitionOfEntry(slot);
                sizes[partition]++;
                digests[partition] += contribution;
                total += contribution;
            }
        }
        partitionSizes = sizes;
        partitionDigests = digests;
        digest = total;
        structuralChanges++;
    }

    /** The number of partitions (1 unless set). */
    public final int partitionCount() {
        return partitionSizes.length;
    }

    /** Entries in partition {@code partition}. */
    public final int partitionSize(int partition) {
        return partitionSizes[partition];
    }

    /** The order-independent digest of partition {@code partition}: the sum of its entries' contributions. */
    public final long partitionDigest(int partition) {
        return partitionDigests[partition];
    }

    // ---------------------------------------------------------------- slot primitives

    final long offset(long slot) {
        return slot * slotBytes;
    }

    final int control(long slot) {
        return Byte.toUnsignedInt(slots.get(ValueLayout.JAVA_BYTE, offset(slot) + controlOffset));
    }

    final void control(long slot, int value) {
        slots.set(ValueLayout.JAVA_BYTE, offset(slot) + controlOffset, (byte) value);
    }

    final boolean occupied(long slot) {
        return (control(slot) & CONTROL_CODE_MASK) != 0;
    }

    final long nextSlot(long slot) {
        return (slot + 1) & slotMask;
    }

    /** Sets the refreshed mark: the entry will be reported by the next refresh scan. */
    final void markRefreshed(long slot) {
        control(slot, control(slot) | CONTROL_REFRESHED);
    }

    final void requireOccupied(long slot) {
        if (slot < 0 || slot > slotMask || !occupied(slot)) {
            throw new IllegalArgumentException("no entry in slot " + slot + " (stale handle?)");
        }
    }

    /**
     * Records an entry just written into {@code slot}, which was empty: size, digest, counters.
     * The subclass then announces it.
     */
    final void added(long slot) {
        size++;
        inserts++;
        structuralChanges++;
        long contribution = entryDigest(slot);
        digest += contribution;
        int partition = partitionOfEntry(slot);
        partitionSizes[partition]++;
        partitionDigests[partition] += contribution;
    }

    /** Brackets an in-place change of replicated fields: call before the change... */
    final void digestRemove(long slot) {
        long contribution = entryDigest(slot);
        digest -= contribution;
        partitionDigests[partitionOfEntry(slot)] -= contribution;
    }

    /** ...and after it. */
    final void digestAdd(long slot) {
        long contribution = entryDigest(slot);
        digest += contribution;
        partitionDigests[partitionOfEntry(slot)] += contribution;
    }

    /**
     * Removes the entry in {@code slot}: announces it, then closes the hole by backward shift. Entries after
     * the hole, up to the next empty slot, move back into it unless their home slot lies cyclically in
     * (hole, entry]; moving them would put them before their home, where a probe never looks.
     */
    final void removeAt(long slot, int reason) {
        announceRemoval(slot, reason);
        long contribution = entryDigest(slot);
        digest -= contribution;
        int partition = partitionOfEntry(slot);
        partitionSizes[partition]--;
        partitionDigests[partition] -= contribution;
        size--;
        structuralChanges++;
        removalsByReason[reason]++;
        long hole = slot;
        long next = slot;
        while (true) {
            next = nextSlot(next);
            if (!occupied(next)) {
                break;
            }
            long home = homeSlotOfEntry(next);
            boolean homeInRange = hole <= next
                    ? hole < home && home <= next
                    : hole < home || home <= next;
            if (!homeInRange) {
                copySlot(next, hole);
                hole = next;
            }
        }
        clearSlot(hole);
    }

    private void copySlot(long from, long to) {
        long fromOffset = offset(from);
        long toOffset = offset(to);
        for (int i = 0; i < slotBytes; i += Long.BYTES) {
            slots.set(ValueLayout.JAVA_LONG, toOffset + i, slots.get(ValueLayout.JAVA_LONG, fromOffset + i));
        }
    }

    private void clearSlot(long slot) {
        long slotOffset = offset(slot);
        for (int i = 0; i < slotBytes; i += Long.BYTES) {
            slots.set(ValueLayout.JAVA_LONG, slotOffset + i, 0L);
        }
    }

    // ---------------------------------------------------------------- policies

    /**
     * The capacity policy, called when the table holds {@link #capacity()} entries: scans
     * {@link #EVICTION_SCAN_SLOTS} slots from {@code homeSlot}; removes the first expired entry found, else the
     * entry of lowest {@link #evictionRank}; else counts a refused insert.
     *
     * @return whether an entry was removed (slot positions may have moved: probe again)
     */
    final boolean makeRoom(long homeSlot, long nowMs) {
        long victim = -1;
        long victimRank = NOT_EVICTABLE;
        long slot = homeSlot;
        long window = Math.min(EVICTION_SCAN_SLOTS, slotCount());
        for (long scanned = 0; scanned < window; scanned++, slot = nextSlot(slot)) {
            if (!occupied(slot)) {
                continue;
            }
            if (isExpired(slot, nowMs)) {
                removeAt(slot, RemovalReason.EXPIRED);
                evictionsExpired++;
                return true;
            }
            long rank = evictionRank(slot, nowMs);
            if (rank < victimRank) {
                victimRank = rank;
                victim = slot;
            }
        }
        if (victim >= 0) {
            removeAt(victim, RemovalReason.EVICTED);
            evictions++;
            return true;
        }
        insertFailuresFull++;
        return false;
    }

    /**
     * Removes entries idle for longer than their timeout, scanning at most {@code maxSlotsToScan} slots
     * (at most one full pass) from where the previous call stopped. Bounded work, so the owner can call it
     * every duty cycle; a full pass takes {@code slotCount() / maxSlotsToScan} calls. Lookups treat an
     * expired entry as absent meanwhile, so timeouts are exact however far the sweep has got.
     *
     * @return the number of entries removed
     */
    public final int expire(long nowMs, int maxSlotsToScan) {
        long budget = Math.min(Math.max(0, maxSlotsToScan), slotMask + 1);
        long cursor = sweepCursor;
        int removed = 0;
        for (long scanned = 0; scanned < budget; ) {
            if (occupied(cursor) && isExpired(cursor, nowMs)) {
                removeAt(cursor, RemovalReason.EXPIRED);
                removed++;
                // The backward shift may have moved a later entry into this slot: examine it again.
            } else {
                cursor = nextSlot(cursor);
                scanned++;
            }
        }
        sweepCursor = cursor;
        return removed;
    }

    /**
     * Moves the refresh cursor one slot on. If the slot it passed holds an entry marked refreshed, clears
     * the mark and returns that slot; otherwise returns -1. A full turn of the cursor reports every entry
     * refreshed since the previous turn passed it.
     */
    final long advanceRefreshCursor() {
        long slot = refreshCursor;
        refreshCursor = nextSlot(slot);
        int control = control(slot);
        if ((control & CONTROL_REFRESHED) != 0 && (control & CONTROL_CODE_MASK) != 0) {
            control(slot, control & ~CONTROL_REFRESHED);
            return slot;
        }
        return -1;
    }

    /** For a visiting loop: the structural change count before a callback. */
    final long structuralChanges() {
        return structuralChanges;
    }

    /** For a visiting loop: throws if a callback inserted or removed entries. */
    final void checkUnchangedSince(long structuralChangesBefore) {
        if (structuralChanges != structuralChangesBefore) {
            throw new ConcurrentModificationException("a visitor modified the table it visits");
        }
    }

    /** The slot count (a power of two), for visiting loops and sweep budgets. */
    public final long slotCount() {
        return slotMask + 1;
    }

    // ---------------------------------------------------------------- size, memory, counters

    /** Entries stored, expired ones not yet swept included. */
    public final int size() {
        return size;
    }

    /** The most entries stored at once: the configured capacity. */
    public final int capacity() {
        return capacity;
    }

    /** Off-heap bytes held: the slot memory. At most 64 bytes per configured entry. */
    public final long memoryBytes() {
        return slots.byteSize();
    }

    /**
     * The sum over all entries of a 64-bit mix of their replicated fields (not their times): equal
     * content gives an equal digest whatever the insertion order, slot layout or hash seed.
     */
    public final long digest() {
        return digest;
    }

    /** Entries added (inserted, learned, or re-added after a replacement). */
    public final long inserts() {
        return inserts;
    }

    /** Entries removed for {@code reason}, a {@link RemovalReason} code. */
    public final long removals(int reason) {
        if (!RemovalReason.isValid(reason)) {
            throw new IllegalArgumentException("unknown removal reason " + reason);
        }
        return removalsByReason[reason];
    }

    /** Inserts refused because the table was full and the capacity policy found nothing to evict. */
    public final long insertFailuresFull() {
        return insertFailuresFull;
    }

    /** Expired entries removed by the capacity policy (also counted in {@code removals(EXPIRED)}). */
    public final long evictionsExpired() {
        return evictionsExpired;
    }

    /** Unexpired entries evicted by the capacity policy (equal to {@code removals(EVICTED)}). */
    public final long evictions() {
        return evictions;
    }

    /** Frees the slot memory; the table must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): a bijection that spreads every input bit over all outputs. */
    static long mix64(long value) {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /**
     * Checks that {@code timeMs} fits the 48-bit signed field the tables store times in (about ±4,400 years
     * around the clock's epoch).
     */
    static void checkTimeMs(long timeMs) {
        if ((timeMs << 16) >> 16 != timeMs) {
            throw new IllegalArgumentException("time out of the 48-bit range: " + timeMs);
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** Hands the entry in {@code slot} to {@code visitor}, field by field. */
    abstract void visit(long slot, V visitor);

    /**
     * Visits every stored entry (expired ones not yet swept included), in slot order. The visitor must not
     * modify this table.
     *
     * @throws ConcurrentModificationException if the visitor inserted or removed entries
     */
    public final void forEach(V visitor) {
        long slotCount = slotCount();
        for (long slot = 0; slot < slotCount; slot++) {
            if (occupied(slot)) {
                long before = structuralChanges();
                visit(slot, visitor);
                checkUnchangedSince(before);
            }
        }
    }

    /**
     * Visits the stored entries from slot {@code fromSlot} on, in slot order, scanning at most
     * {@code maxSlotsToScan} slots and visiting at most {@code maxEntries}: a listing resumed step by step,
     * so its owner never spends more than a bounded time per step. Between two steps the
     * table may change: an entry added, removed, or moved back by a removal's shift meanwhile may be missed
     * or visited twice; an entry that stays in its slot is visited exactly once. The visitor must not
     * modify this table.
     *
     * @return the slot to resume from; {@link #slotCount()} once the last slot has been scanned
     */
    public final long forEachFrom(long fromSlot, int maxSlotsToScan, int maxEntries, V visitor) {
        long end = Math.min(slotCount(), Math.max(0, fromSlot) + Math.max(0, maxSlotsToScan));
        long slot = Math.max(0, fromSlot);
        for (int visited = 0; slot < end && visited < maxEntries; slot++) {
            if (occupied(slot)) {
                long before = structuralChanges();
                visit(slot, visitor);
                checkUnchangedSince(before);
                visited++;
            }
        }
        return slot;
    }

    /**
     * Moves the refresh cursor over at most {@code maxSlotsToScan} slots (one full turn at most) and visits
     * each entry touched since the cursor last passed it, clearing its mark. Run in bounded batches from the
     * owner's duty cycle, a full turn tells a standby which entries are still in use, with their last-seen
     * times, without an event per packet. The visitor must not modify this table.
     *
     * @return the number of entries visited
     */
    public final int forEachRefreshed(int maxSlotsToScan, V visitor) {
        long budget = Math.min(Math.max(0, maxSlotsToScan), slotCount());
        int visited = 0;
        for (long scanned = 0; scanned < budget; scanned++) {
            long slot = advanceRefreshCursor();
            if (slot >= 0) {
                long before = structuralChanges();
                visit(slot, visitor);
                checkUnchangedSince(before);
                visited++;
            }
        }
        return visited;
    }
}
