package dev.baton.scheduling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServersTest {

    @Test
    void newServersHaveWeightOneAreAvailableAndHaveNoConnections() {
        Servers servers = new Servers(3);
        assertEquals(3, servers.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(1, servers.weight(i));
            assertTrue(servers.available(i));
            assertEquals(0, servers.activeConnections(i));
        }
    }

    @Test
    void settersChangeOnlyTheirServer() {
        Servers servers = new Servers(2);
        servers.weight(1, 7);
        servers.available(1, false);
        servers.connectionOpened(1);
        assertEquals(1, servers.weight(0));
        assertTrue(servers.available(0));
        assertEquals(0, servers.activeConnections(0));
        assertEquals(7, servers.weight(1));
        assertFalse(servers.available(1));
        assertEquals(1, servers.activeConnections(1));
    }

    @Test
    void negativeWeightOrSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Servers(2).weight(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Servers(-1));
    }
}
