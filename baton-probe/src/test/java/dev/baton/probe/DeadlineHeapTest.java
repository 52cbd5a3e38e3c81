package dev.baton.probe;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's timetable against a plain reference, over random sets, moves and removals (seeded). */
class DeadlineHeapTest {

    @Test
    void alwaysYieldsTheEarliestDeadlineOfWhatIsInIt() {
        Random random = new Random(20261206);
        int capacity = 300;
        DeadlineHeap heap = new DeadlineHeap(capacity);
        long[] reference = new long[capacity];
        boolean[] present = new boolean[capacity];
        for (int step = 0; step < 200_000; step++) {
            int slot = random.nextInt(capacity);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    long key = random.nextInt(10_000);
                    heap.set(slot, key);
                    reference[slot] = key;
                    present[slot] = true;
                }
                case 2 -> {
                    heap.remove(slot);
                    present[slot] = false;
                }
                default -> {
                    if (heap.size() > 0) {
                        int min = heap.minSlot();
                        heap.remove(min);
                        present[min] = false;
                    }
                }
            }
            long expected = Long.MAX_VALUE;
            int count = 0;
            for (int s = 0; s < capacity; s++) {
                if (present[s]) {
                    expected = Math.min(expected, reference[s]);
                    count++;
                }
                assertEquals(present[s], heap.contains(s));
            }
            assertEquals(count, heap.size());
            assertEquals(expected, heap.minKey(), "step " + step);
            if (count > 0) {
                assertEquals(expected, reference[heap.minSlot()]);
            }
        }
    }

    @Test
    void removingWhatIsNotThereChangesNothing() {
        DeadlineHeap heap = new DeadlineHeap(4);
        heap.remove(2);
        assertEquals(0, heap.size());
        heap.set(1, 50);
        heap.set(3, 20);
        heap.set(1, 10); // moved earlier
        assertEquals(1, heap.minSlot());
        heap.set(1, 90); // moved later
        assertEquals(3, heap.minSlot());
        heap.remove(3);
        assertTrue(heap.contains(1));
        assertFalse(heap.contains(3));
        assertEquals(90, heap.minKey());
    }
}
