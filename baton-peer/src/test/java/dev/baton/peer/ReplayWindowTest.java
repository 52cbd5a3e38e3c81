package dev.baton.peer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The RFC 4303 §3.4.3 sliding window and the incarnation rule, as tables of (incarnation, sequence, verdict). */
class ReplayWindowTest {

    private static final long OLD = 100;
    private static final long NEW = 200;

    /** Feeds each row to check(), records it when accepted, and compares the verdict. */
    private static void run(ReplayWindow window, long[][] rows) {
        for (long[] row : rows) {
            Verdict expected = Verdict.fromCode((int) row[2]);
            Verdict actual = window.check(row[0], row[1]);
            assertEquals(expected, actual, "incarnation " + row[0] + " sequence " + row[1]);
            if (actual.accepted()) {
                window.record(row[0], row[1]);
            }
        }
    }

    private static final int ACCEPTED = Verdict.ACCEPTED.code();
    private static final int REPLAYED = Verdict.REPLAYED.code();
    private static final int TOO_OLD = Verdict.TOO_OLD.code();
    private static final int STALE = Verdict.STALE_INCARNATION.code();

    @Test
    void repeatedSequenceIsRejectedAndOutOfOrderWithinTheWindowIsAcceptedOnce() {
        run(new ReplayWindow(), new long[][] {
                {OLD, 1, ACCEPTED},
                {OLD, 1, REPLAYED},
                {OLD, 5, ACCEPTED},
                {OLD, 3, ACCEPTED},   // late, inside the window
                {OLD, 3, REPLAYED},
                {OLD, 2, ACCEPTED},
                {OLD, 4, ACCEPTED},
                {OLD, 5, REPLAYED},
                {OLD, 0, TOO_OLD},    // never sent
        });
    }

    @Test
    void windowSlidesAndSequencesLeftOfItAreTooOld() {
        ReplayWindow window = new ReplayWindow();
        int size = ReplayWindow.WINDOW_SIZE;
        run(window, new long[][] {
                {OLD, 10, ACCEPTED},
                {OLD, 10 + size - 1, ACCEPTED}, // 10 is still the left edge
                {OLD, 11, ACCEPTED},
                {OLD, 10, REPLAYED},
                {OLD, 10 + size, ACCEPTED},     // slides by one: 10 leaves the window
                {OLD, 10, TOO_OLD},
                {OLD, 11, REPLAYED},            // still inside, still remembered
                {OLD, 12, ACCEPTED},
                {OLD, 10 + 5L * size, ACCEPTED}, // a jump further than the window clears it all
                {OLD, 10 + 4L * size + 1, ACCEPTED},
                {OLD, 10 + 4L * size, TOO_OLD},
                {OLD, 10 + 5L * size - 1, ACCEPTED},
                {OLD, 10 + 5L * size, REPLAYED},
        });
        assertEquals(10 + 5L * size, window.highestSequence());
    }

    @Test
    void bitsClearedBySlidingDoNotRejectNewSequencesThatReuseTheirSlot() {
        ReplayWindow window = new ReplayWindow();
        int size = ReplayWindow.WINDOW_SIZE;
        for (long sequence = 1; sequence <= 3L * size; sequence += 3) {
            assertEquals(Verdict.ACCEPTED, window.check(OLD, sequence));
            window.record(OLD, sequence);
        }
        long highest = window.highestSequence();
        for (long late = highest - size + 1; late < highest; late++) {
            Verdict expected = (late - 1) % 3 == 0 ? Verdict.REPLAYED : Verdict.ACCEPTED;
            assertEquals(expected, window.check(OLD, late), "sequence " + late);
        }
    }

    @Test
    void newIncarnationResetsTheWindowAndTheOldOneIsThenRejected() {
        ReplayWindow window = new ReplayWindow();
        run(window, new long[][] {
                {OLD, 5000, ACCEPTED},
                {NEW, 1, ACCEPTED},       // the sender restarted: its sequence starts again
                {NEW, 2, ACCEPTED},
                {NEW, 1, REPLAYED},
                {OLD, 5001, STALE},        // anything from before the restart
                {OLD, 4000, STALE},
                {NEW, 3, ACCEPTED},
        });
        assertEquals(NEW, window.incarnation());
        assertEquals(3, window.highestSequence());
    }

    @Test
    void incarnationsAndSequencesCompareUnsigned() {
        run(new ReplayWindow(), new long[][] {
                {Long.MAX_VALUE, 1, ACCEPTED},
                {Long.MIN_VALUE, 1, ACCEPTED},      // 2^63 > 2^63 - 1 unsigned: a newer incarnation
                {Long.MAX_VALUE, 2, STALE},
                {Long.MIN_VALUE, -2, ACCEPTED},     // 2^64 - 2: far right of 1
                {Long.MIN_VALUE, 1, TOO_OLD},
                {Long.MIN_VALUE, -3, ACCEPTED},
        });
    }

    @Test
    void checkAloneChangesNothing() {
        ReplayWindow window = new ReplayWindow();
        assertEquals(Verdict.ACCEPTED, window.check(OLD, 7));
        assertEquals(Verdict.ACCEPTED, window.check(OLD, 7));
        assertEquals(false, window.seenAny());
    }
}
