package dev.baton.probe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rise and fall, result by result: each row is a sequence of results (s = success, f = failure) and the health after each. */
class RiseFallTest {

    @ParameterizedTest(name = "rise {0} fall {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            // the first result decides
            "2 | 3 | s         | U",
            "2 | 3 | f         | D",
            // down only after fall failures in a row
            "2 | 3 | sfff      | UUUD",
            "2 | 3 | sffsfff   | UUUUUUD",
            // up only after rise successes in a row
            "2 | 3 | fss       | DDU",
            "2 | 3 | fsfss     | DDDDU",
            // a flapping target (one answer, one loss) stays where it is
            "2 | 3 | sfsfsfsf  | UUUUUUUU",
            "2 | 3 | fsfsfsfs  | DDDDDDDD",
            // counts of 1: every result decides
            "1 | 1 | sfsf      | UDUD",
    })
    void healthFollowsRiseAndFall(int rise, int fall, String results, String expected) {
        RiseFall target = new RiseFall(rise, fall);
        assertEquals(Health.UNKNOWN, target.health());
        StringBuilder seen = new StringBuilder();
        long now = 0;
        for (char result : results.toCharArray()) {
            now += 1_000;
            if (result == 's') {
                target.success(now, "connected");
            } else {
                target.failure(now, "timed out");
            }
            seen.append(target.health().name().charAt(0));
        }
        assertEquals(expected, seen.toString());
        assertEquals(results.length(), target.results());
    }

    @Test
    void reportsAChangeOnceWithItsTimeAndCause() {
        RiseFall target = new RiseFall(2, 2);
        assertTrue(target.success(1_000, "connected"));
        assertFalse(target.success(2_000, "connected"));
        assertFalse(target.failure(3_000, "connection refused"));
        assertEquals(1_000, target.changedAtMs());
        assertTrue(target.failure(4_000, "timed out after 500 ms"));
        assertEquals(Health.DOWN, target.health());
        assertEquals(4_000, target.changedAtMs());
        assertEquals("timed out after 500 ms", target.cause());
        assertFalse(target.failure(5_000, "connection refused"));
        assertEquals("connection refused", target.cause(), "the cause is the last result's, the time the change's");
        assertEquals(4_000, target.changedAtMs());
    }

    @Test
    void countsInARowAreBounded() {
        RiseFall target = new RiseFall(1, 1);
        for (int i = 0; i < 1_000; i++) {
            target.failure(i, "timed out");
        }
        assertEquals(RiseFall.MAX_COUNT, target.failuresInARow());
        assertTrue(target.success(1_000, "connected"));
        assertEquals(0, target.failuresInARow());
    }

    @Test
    void refusesCountsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new RiseFall(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new RiseFall(2, RiseFall.MAX_COUNT + 1));
    }
}
