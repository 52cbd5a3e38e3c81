package dev.baton.table;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.baton.table.ConnectionTable.PROTOCOL_TCP;
import static dev.baton.table.ConnectionTable.PROTOCOL_UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomised inserts, removals and lookups against a {@link HashMap} model, with a fixed seed: backward-shift
 * deletion must keep every remaining entry findable, including clusters that wrap around the end of the
 * slot array (the tiny tables make those frequent).
 */
class OpenAddressingModelTest {

    private static final int VIP = 0xCB00710A;
    private static final int CLIENT_NET = 0xC6336400;

    /** A key of the model: the index of one of {@code keySpace} distinct 5-tuples. */
    private record Key(int protocol, int clientAddress, int clientPort, int vipPort) {
        static Key number(int i) {
            return new Key(i % 5 == 0 ? PROTOCOL_UDP : PROTOCOL_TCP, CLIENT_NET + (i >>> 4), 1_024 + (i & 15), 80 + (i % 3));
        }
    }

    @ParameterizedTest(name = "capacity {0}, {1} keys, {2} operations")
    @CsvSource({
            "1536, 2500, 100000",   // 2048 slots at load up to 3/4
            "6,    12,   20000",    // 8 slots: nearly every cluster wraps around
            "3,    5,    5000",     // 4 slots
    })
    void connectionTableAgreesWithAHashMapUnderRandomInsertsAndRemovals(int capacity, int keySpace, int operations) {
        SplittableRandom random = new SplittableRandom(20_240_611L + capacity);
        Map<Key, Integer> model = new HashMap<>();
        List<Key> present = new ArrayList<>();
        try (ConnectionTable table = new ConnectionTable(capacity, ConnectionTimeouts.defaults(), ConnectionListener.NONE, 7)) {
            for (int op = 0; op < operations; op++) {
                Key key = Key.number(random.nextInt(keySpace));
                int state = key.protocol == PROTOCOL_UDP ? TcpState.UDP : TcpState.ESTABLISHED;
                int choice = random.nextInt(10);
                if (choice < 5) {
                    int serverId = random.nextInt(65_536);
                    long slot = table.insert(key.protocol, key.clientAddress, key.clientPort, VIP, key.vipPort, 1, serverId, state, 0);
                    if (model.containsKey(key)) {
                        assertEquals((int) model.get(key), table.serverId(slot), "insert of a live key keeps it");
                    } else if (model.size() < capacity) {
                        assertTrue(slot >= 0, "room left");
                        model.put(key, serverId);
                        present.add(key);
                    } else {
                        // Full of live established entries: the capacity policy refuses.
                        assertEquals(-1, slot);
                    }
                } else if (choice < 8) {
                    // Remove, mostly a present key so that the table churns.
                    Key victim = !present.isEmpty() && random.nextInt(4) != 0
                            ? present.get(random.nextInt(present.size())) : key;
                    boolean removed = table.remove(victim.protocol, victim.clientAddress, victim.clientPort, VIP, victim.vipPort);
                    assertEquals(model.remove(victim) != null, removed);
                    present.remove(victim);
                } else {
                    long slot = table.find(key.protocol, key.clientAddress, key.clientPort, VIP, key.vipPort, 1);
                    Integer expected = model.get(key);
                    assertEquals(expected != null, slot >= 0, "lookup of " + key);
                    if (expected != null) {
                        assertEquals((int) expected, table.serverId(slot));
                    }
                }
                assertEquals(model.size(), table.size());
                if (op % 97 == 0 || capacity < 10) {
                    assertEveryModelEntryIsFindable(table, model);
                }
            }
            assertEveryModelEntryIsFindable(table, model);
            Map<Key, Integer> dumped = new HashMap<>();
            table.forEach((protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                    dumped.put(new Key(protocol, clientAddress, clientPort, vipPort), serverId));
            assertEquals(model, dumped);
            long expectedDigest = 0;
            for (Map.Entry<Key, Integer> entry : model.entrySet()) {
                Key key = entry.getKey();
                expectedDigest += ConnectionTable.entryDigest(key.protocol, key.clientAddress, key.clientPort, VIP, key.vipPort,
                        1, entry.getValue(), key.protocol == PROTOCOL_UDP ? TcpState.UDP : TcpState.ESTABLISHED);
            }
            assertEquals(expectedDigest, table.digest());
        }
    }

    @ParameterizedTest(name = "capacity {0}, {1} keys, {2} operations")
    @CsvSource({
            "768, 1200, 30000",
            "6,   12,   10000",
    })
    void persistenceTableAgreesWithAHashMapUnderRandomPutsAndRemovals(int capacity, int keySpace, int operations) {
        SplittableRandom random = new SplittableRandom(77L + capacity);
        Map<Long, Integer> model = new HashMap<>();
        try (PersistenceTable table = new PersistenceTable(capacity, PersistenceListener.NONE, 3)) {
            for (int op = 0; op < operations; op++) {
                int i = random.nextInt(keySpace);
                int serviceId = i % 4;
                int client = CLIENT_NET + i;
                long key = ((long) serviceId << 32) | Integer.toUnsignedLong(client);
                int choice = random.nextInt(3);
                if (choice == 0) {
                    if (model.containsKey(key) || model.size() < capacity) {
                        int serverId = random.nextInt(100);
                        assertTrue(table.put(serviceId, client, serverId, 60_000, 0) >= 0);
                        model.put(key, serverId);
                    }
                } else if (choice == 1) {
                    assertEquals(model.remove(key) != null, table.remove(serviceId, client));
                } else {
                    long slot = table.find(serviceId, client, 10, 60_000);
                    Integer expected = model.get(key);
                    assertEquals(expected != null, slot >= 0);
                    if (expected != null) {
                        assertEquals((int) expected, table.serverId(slot));
                    }
                }
                assertEquals(model.size(), table.size());
            }
            for (Map.Entry<Long, Integer> entry : model.entrySet()) {
                long slot = table.find((int) (entry.getKey() >>> 32), (int) (long) entry.getKey());
                assertTrue(slot >= 0);
                assertEquals((int) entry.getValue(), table.serverId(slot));
            }
        }
    }

    private static void assertEveryModelEntryIsFindable(ConnectionTable table, Map<Key, Integer> model) {
        for (Map.Entry<Key, Integer> entry : model.entrySet()) {
            Key key = entry.getKey();
            long slot = table.find(key.protocol, key.clientAddress, key.clientPort, VIP, key.vipPort);
            assertTrue(slot >= 0, () -> "lost " + key);
            assertEquals((int) entry.getValue(), table.serverId(slot));
        }
    }
}
