package dev.baton.scheduling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Scheduler#peek} answers what {@link Scheduler#select} would choose, and changes nothing. */
class PeekTest {

    @Test
    void weightedRoundRobinPeekPredictsEverySelection() {
        assertPeekPredictsSelect(new WeightedRoundRobin());
    }

    @Test
    void weightedLeastConnectionsPeekPredictsEverySelection() {
        assertPeekPredictsSelect(new WeightedLeastConnections());
    }

    private static void assertPeekPredictsSelect(Scheduler scheduler) {
        Servers servers = new Servers(3);
        servers.weight(0, 5);
        servers.weight(1, 1);
        servers.weight(2, 2);
        for (int i = 0; i < 100; i++) {
            int peeked = scheduler.peek(servers, 0, 0);
            assertEquals(peeked, scheduler.peek(servers, 0, 0), "peek twice gives the same answer");
            int selected = scheduler.select(servers, 0, 0);
            assertEquals(peeked, selected, "selection " + i);
            servers.connectionOpened(selected);
            if (i % 3 == 0) {
                servers.connectionClosed((selected + 1) % 3);
            }
        }
        servers.available(0, false);
        servers.available(1, false);
        servers.available(2, false);
        assertEquals(-1, scheduler.peek(servers, 0, 0));
    }
}
