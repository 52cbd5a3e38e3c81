package dev.baton.scheduling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static dev.baton.scheduling.WeightedRoundRobinTest.parseWeights;
import static dev.baton.scheduling.WeightedRoundRobinTest.servers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightedLeastConnectionsTest {

    private static final int CLIENT = 0xC0000201;

    private static Servers loaded(String weightSpec, String activeSpec) {
        Servers servers = servers(parseWeights(weightSpec));
        int[] active = parseWeights(activeSpec);
        for (int i = 0; i < active.length; i++) {
            for (int c = 0; c < active[i]; c++) {
                servers.connectionOpened(i);
            }
        }
        return servers;
    }

    @ParameterizedTest(name = "weights {0}, active {1} -> server {2}")
    @CsvSource({
            // weights,  active,     chosen   (active/weight per server in the comment)
            "1:1:1,      5:2:9,      1",      // 5, 2, 9
            "1:2:1,      2:3:1,      2",      // 2, 1.5, 1
            "1:4,        1:3,        1",      // 1, 0.75
            "3:1,        3:1,        0",      // 1, 1: tie, start index 0 wins
            "3:7,        4:9,        1",      // 1.33, 1.29: division-free comparison still exact
            "1000:1,     999:0,      1",      // 0.999, 0
            "2:0:1,      10:0:6,     0",      // 5, weight 0 skipped, 6
    })
    void picksTheServerWithFewestConnectionsPerUnitOfWeight(String weights, String active, int expected) {
        assertEquals(expected, new WeightedLeastConnections().select(loaded(weights, active), CLIENT, 0));
    }

    @Test
    void equallyLoadedServersAlternate() {
        Servers servers = servers(1, 1, 1);
        WeightedLeastConnections scheduler = new WeightedLeastConnections();
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            chosen.add(scheduler.select(servers, CLIENT, i));
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2), chosen);
    }

    @Test
    void balancesConnectionsInProportionToWeightsAsTheyOpen() {
        Servers servers = servers(1, 1, 2);
        WeightedLeastConnections scheduler = new WeightedLeastConnections();
        for (int i = 0; i < 400; i++) {
            servers.connectionOpened(scheduler.select(servers, CLIENT, i));
        }
        assertArrayEquals(new int[] {100, 100, 200}, active(servers));
    }

    @Test
    void newConnectionsGoWhereConnectionsClosedUntilBalanced() {
        Servers servers = servers(1, 1, 2);
        WeightedLeastConnections scheduler = new WeightedLeastConnections();
        for (int i = 0; i < 400; i++) {
            servers.connectionOpened(scheduler.select(servers, CLIENT, i));
        }
        for (int i = 0; i < 60; i++) {
            servers.connectionClosed(2);
        }
        for (int i = 0; i < 60; i++) {
            assertEquals(2, scheduler.select(servers, CLIENT, i), "the server that lost connections catches up");
            servers.connectionOpened(2);
        }
        assertArrayEquals(new int[] {100, 100, 200}, active(servers));
    }

    @Test
    void unavailableAndWeightZeroServersAreSkipped() {
        Servers servers = loaded("1:1:1", "9:0:0");
        servers.available(1, false);
        servers.weight(2, 0);
        WeightedLeastConnections scheduler = new WeightedLeastConnections();
        for (int i = 0; i < 5; i++) {
            assertEquals(0, scheduler.select(servers, CLIENT, i), "the only eligible one, however loaded");
        }
        servers.available(0, false);
        assertEquals(-1, scheduler.select(servers, CLIENT, 6));
        assertEquals(-1, new WeightedLeastConnections().select(new Servers(0), CLIENT, 0));
    }

    @Test
    void largeCountsAndWeightsCompareWithoutOverflow() {
        Servers servers = servers(1_000, 999);
        for (int i = 0; i < 2_000_000; i++) {
            servers.connectionOpened(0);
        }
        for (int i = 0; i < 1_998_001; i++) {
            servers.connectionOpened(1);
        }
        // 2,000,000 / 1000 = 2000 < 1,998,001 / 999 = 2000.001
        assertEquals(0, new WeightedLeastConnections().select(servers, CLIENT, 0));
    }

    @Test
    void connectionCountNeverGoesBelowZero() {
        Servers servers = new Servers(1);
        servers.connectionClosed(0);
        assertEquals(0, servers.activeConnections(0));
        servers.connectionOpened(0);
        assertEquals(1, servers.activeConnections(0));
    }

    private static int[] active(ServerSet servers) {
        int[] active = new int[servers.size()];
        for (int i = 0; i < active.length; i++) {
            active[i] = servers.activeConnections(i);
        }
        return active;
    }
}
