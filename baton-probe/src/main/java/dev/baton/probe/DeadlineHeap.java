package dev.baton.probe;

import java.util.Arrays;

/**
 * The probe engine's timetable: each target's next deadline (its next start, or its timeout while a probe is in
 * flight) in a binary min-heap over primitive arrays, indexed by target slot so that a target can be removed or
 * moved in O(log n). The engine handles only the targets whose deadline has come, instead of visiting every
 * target whenever any deadline comes (with 2,000 staggered targets a deadline comes every half millisecond).
 * Allocation-free after construction; engine thread only.
 */
final class DeadlineHeap {

    private final int[] slots;
    private final long[] keys;
    /** Per slot: its index in {@link #slots}, or -1 when it is not in the heap. */
    private final int[] position;
    private int size;

    DeadlineHeap(int capacity) {
        slots = new int[capacity];
        keys = new long[capacity];
        position = new int[capacity];
        Arrays.fill(position, -1);
    }

    int size() {
        return size;
    }

    boolean contains(int slot) {
        return position[slot] >= 0;
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when empty. */
    long minKey() {
        return size == 0 ? Long.MAX_VALUE : keys[0];
    }

    /** The slot with the earliest deadline; the heap must not be empty. */
    int minSlot() {
        return slots[0];
    }

    /** Puts {@code slot} in the heap with {@code key}, or moves it there if it is in already. */
    void set(int slot, long key) {
        int at = position[slot];
        if (at < 0) {
            at = size++;
            slots[at] = slot;
            position[slot] = at;
            keys[at] = key;
            up(at);
            return;
        }
        long old = keys[at];
        keys[at] = key;
        if (key < old) {
            up(at);
        } else {
            down(at);
        }
    }

    /** Takes {@code slot} out of the heap; nothing when it is not in. */
    void remove(int slot) {
        int at = position[slot];
        if (at < 0) {
            return;
        }
        position[slot] = -1;
        size--;
        if (at == size) {
            return;
        }
        slots[at] = slots[size];
        keys[at] = keys[size];
        position[slots[at]] = at;
        up(at);
        down(position[slots[at]]);
    }

    private void up(int at) {
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (keys[parent] <= keys[at]) {
                return;
            }
            swap(at, parent);
            at = parent;
        }
    }

    private void down(int at) {
        while (true) {
            int left = 2 * at + 1;
            if (left >= size) {
                return;
            }
            int smallest = left + 1 < size && keys[left + 1] < keys[left] ? left + 1 : left;
            if (keys[at] <= keys[smallest]) {
                return;
            }
            swap(at, smallest);
            at = smallest;
        }
    }

    private void swap(int i, int j) {
        int slot = slots[i];
        long key = keys[i];
        slots[i] = slots[j];
        keys[i] = keys[j];
        slots[j] = slot;
        keys[j] = key;
        position[slots[i]] = i;
        position[slots[j]] = j;
    }
}
