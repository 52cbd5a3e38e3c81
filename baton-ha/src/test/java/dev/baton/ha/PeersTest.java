package dev.baton.ha;

import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerLink;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeersTest {

    private static PeerConfig peer(int routerNumber, String name) {
        return new PeerConfig(routerNumber, name, List.of(new PeerLink(new InetSocketAddress("192.0.2.1", 7000),
                new InetSocketAddress("192.0.2.2", 7000))));
    }

    private final Peers peers = new Peers(List.of(peer(7, "left"), peer(-2, "right")));

    @Test
    void aPeersThreeNamesMeetHere() {
        assertEquals(2, peers.count());
        assertEquals(1, peers.indexOfRouter(-2));
        assertEquals(-1, peers.indexOfRouter(3));
        assertEquals("0000000007", peers.key(0));
        assertEquals(1, peers.indexOfKey(Peers.keyOfRouter(-2)));
        assertEquals(-1, peers.indexOfKey("0000000003"));
        assertEquals("right", peers.name(1));
        assertArrayEquals(new int[] {7, -2}, peers.routerIds());
    }

    @Test
    void monitorKeysSortAsUnsignedRouterNumbers() {
        // The monitors compare keys as text; router numbers are unsigned 32-bit on the wire.
        assertTrue(Peers.keyOfRouter(7).compareTo(Peers.keyOfRouter(10)) < 0);
        assertTrue(Peers.keyOfRouter(Integer.MAX_VALUE).compareTo(Peers.keyOfRouter(-2)) < 0);
        assertEquals("4294967294", Peers.keyOfRouter(-2));
    }

    @Test
    void reasonsNameThePeersForPeople() {
        assertEquals("right (priority 5) takes precedence over left",
                peers.forPeople(Peers.keyOfRouter(-2) + " (priority 5) takes precedence over " + Peers.keyOfRouter(7)));
    }
}
