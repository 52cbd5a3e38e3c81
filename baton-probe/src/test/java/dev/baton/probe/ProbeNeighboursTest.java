package dev.baton.probe;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a ring probe asks ARP first, and what the table keeps; time is stepped. */
class ProbeNeighboursTest {

    static final long CONFIRMED_FOR = RingProbes.NEIGHBOUR_CONFIRMED_FOR_MS;
    static final long EVERY = RingProbes.ARP_REQUEST_EVERY_MS;
    static final int HOST = 0xC633_6402; // 198.51.100.2
    static final long MAC = 0x02_00_00_00_00_02L;

    @Test
    void anUnknownNeighbourIsAskedAtMostOnceASecondHoweverManyProbesShareIt() {
        ProbeNeighbours table = new ProbeNeighbours(8);
        int entry = table.entry(HOST);
        assertEquals(entry, table.entry(HOST), "one entry per address");
        assertEquals(ProbeNeighbours.UNKNOWN, table.mac(entry));
        assertTrue(table.requestDue(entry, 0, CONFIRMED_FOR, EVERY));
        for (long t = 1; t < EVERY; t += 100) {
            assertFalse(table.requestDue(entry, t, CONFIRMED_FOR, EVERY), "asked again at " + t);
        }
        assertTrue(table.requestDue(entry, EVERY, CONFIRMED_FOR, EVERY));
    }

    @Test
    void aConfirmedNeighbourIsAskedAgainOnlyAfterAFailureOrWhenItsConfirmationIsOld() {
        ProbeNeighbours table = new ProbeNeighbours(8);
        int entry = table.entry(HOST);
        assertTrue(table.requestDue(entry, 0, CONFIRMED_FOR, EVERY));
        assertTrue(table.confirm(entry, MAC, 10), "learned");
        assertFalse(table.confirm(entry, MAC, 20), "the same MAC again changes nothing");
        assertEquals(MAC, table.mac(entry));
        assertFalse(table.requestDue(entry, 5_000, CONFIRMED_FOR, EVERY), "confirmed recently");
        table.suspect(entry);
        assertTrue(table.requestDue(entry, 5_001, CONFIRMED_FOR, EVERY), "a probe went unanswered");
        assertEquals(MAC, table.mac(entry), "the MAC is kept while it is asked again");
        table.confirm(entry, MAC, 6_000);
        assertFalse(table.asking(entry), "answered since the last request: an unsolicited new MAC is not taken");
        assertFalse(table.requestDue(entry, 6_000 + CONFIRMED_FOR - 1, CONFIRMED_FOR, EVERY));
        assertTrue(table.requestDue(entry, 6_000 + CONFIRMED_FOR, CONFIRMED_FOR, EVERY), "old confirmation");
        assertTrue(table.asking(entry), "a request is out: a new MAC may answer it");
        assertTrue(table.confirm(entry, MAC + 1, 40_000), "a new MAC (the address moved to another host)");
        assertEquals(MAC + 1, table.mac(entry));
    }

    @Test
    void aFullTableStartsAgainInsteadOfGrowing() {
        ProbeNeighbours table = new ProbeNeighbours(4);
        int limit = 8; // capacity 16, half of it
        for (int i = 0; i < limit; i++) {
            table.confirm(table.entry(HOST + i), MAC + i, 0);
        }
        assertEquals(limit, table.size());
        for (int i = 0; i < limit; i++) {
            assertEquals(MAC + i, table.mac(table.find(HOST + i)));
        }
        int fresh = table.entry(HOST + limit);
        assertEquals(1, table.size(), "emptied, then the new neighbour");
        assertEquals(ProbeNeighbours.UNKNOWN, table.mac(fresh));
        assertEquals(-1, table.find(HOST), "forgotten: learned again at its next probe");
    }
}
