package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfirmRingTest {

    @Test
    void theOldestIsDueFirstAndOnlyOnceItsTimeHasCome() {
        ConfirmRing ring = new ConfirmRing(4);
        assertTrue(ring.offer(7, 1_000));
        assertTrue(ring.offer(8, 1_000));
        assertTrue(ring.offer(9, 1_500));

        assertFalse(ring.headDue(999));
        assertTrue(ring.headDue(1_000));
        assertEquals(7, ring.head());
        ring.pop();
        assertEquals(8, ring.head());
        ring.pop();
        assertFalse(ring.headDue(1_499), "the next one is due later");
        assertEquals(1_500, ring.headDueNs());
        assertTrue(ring.headDue(1_500));
        ring.pop();
        assertTrue(ring.isEmpty());
        assertFalse(ring.headDue(Long.MAX_VALUE));
    }

    @Test
    void aFullRingRefusesUntilItsHeadIsConfirmedAndWrapsAround() {
        ConfirmRing ring = new ConfirmRing(3);
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.offer(i, 100 + i));
        }
        assertEquals(0, ring.free());
        assertFalse(ring.offer(3, 103), "full: nothing remembered");
        assertEquals(3, ring.size());

        for (long connection = 3; connection < 20; connection++) {
            assertEquals(connection - 3, ring.head());
            ring.pop();
            assertTrue(ring.offer(connection, 100 + connection));
        }
        assertEquals(17, ring.head());
        assertEquals(117, ring.headDueNs());
    }

    @Test
    void dueTimesMayNotGoBackward() {
        ConfirmRing ring = new ConfirmRing(4);
        ring.offer(1, 500);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.offer(2, 499));
        assertEquals("due times must not decrease: 499 after 500", e.getMessage());
    }

    @Test
    void timesNearTheEndOfTheLongRangeStillCompareByDifference() {
        // System.nanoTime() may be anywhere, negative included: due is "now - due >= 0", never "now >= due".
        ConfirmRing ring = new ConfirmRing(2);
        long due = Long.MAX_VALUE - 10;
        ring.offer(1, due);
        assertFalse(ring.headDue(due - 1));
        assertTrue(ring.headDue(due + 20), "after the wrap");
    }

    @Test
    void anEmptyRingHasNoHead() {
        ConfirmRing ring = new ConfirmRing(1);
        assertThrows(IllegalStateException.class, ring::head);
        assertThrows(IllegalStateException.class, ring::pop);
        assertThrows(IllegalStateException.class, ring::headDueNs);
        assertThrows(IllegalArgumentException.class, () -> new ConfirmRing(0));
    }
}
