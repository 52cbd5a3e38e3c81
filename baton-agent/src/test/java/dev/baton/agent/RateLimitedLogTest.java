package dev.baton.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitedLogTest {

    @Test
    void logsAtMostOncePerSlotPerIntervalAndCountsWhatItSkipped() {
        RateLimitedLog log = new RateLimitedLog(2, 10_000);
        assertTrue(log.shouldLog(0, 5));
        assertEquals(0, log.takeSuppressed(0));
        for (long t = 6; t < 10_005; t += 1_000) {
            assertFalse(log.shouldLog(0, t));
        }
        assertTrue(log.shouldLog(1, 6), "another reason has its own budget");
        assertTrue(log.shouldLog(0, 10_005));
        assertEquals(10, log.takeSuppressed(0));
        assertEquals(0, log.takeSuppressed(0));
        assertFalse(log.shouldLog(0, 20_004));
        assertTrue(log.shouldLog(0, 20_005));
    }
}
