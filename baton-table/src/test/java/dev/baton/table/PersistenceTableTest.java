package dev.baton.table;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersistenceTableTest {

    static final int CLIENT = 0xC0000201;
    static final int CLIENT_NET = 0xC6336400;

    private final RecordingListener listener = new RecordingListener();
    private final List<PersistenceTable> tables = new ArrayList<>();

    @AfterEach
    void closeTables() {
        tables.forEach(PersistenceTable::close);
    }

    private PersistenceTable table(int capacity, long seed) {
        PersistenceTable table = new PersistenceTable(capacity, listener, seed);
        tables.add(table);
        return table;
    }

    @Test
    void clientKeepsItsServerWhileTheAffinityIsInUse() {
        PersistenceTable table = table(64, 1);
        table.put(3, CLIENT, 17, 60_000, 1_000);

        long slot = table.find(3, CLIENT, 30_000, 60_000);
        assertEquals(17, table.serverId(slot));
        assertEquals(3, table.serviceId(slot));
        assertEquals(CLIENT, table.clientAddress(slot));
        assertEquals(1_000, table.lastUsedMs(slot));
        assertEquals(60_000, table.timeoutMs(slot));
        assertEquals(-1, table.find(4, CLIENT, 30_000, 60_000), "affinity is per service");
        assertEquals(-1, table.find(3, CLIENT + 1, 30_000, 60_000), "and per client");

        table.touch(slot, 50_000);
        assertTrue(table.find(3, CLIENT, 110_000, 60_000) >= 0, "a use extends the affinity");
        assertEquals(-1, table.find(3, CLIENT, 110_001, 60_000), "idle longer than the timeout: gone");
        assertEquals(0, table.size());
        assertEquals(1, table.removals(RemovalReason.EXPIRED));
    }

    @Test
    void lookupAppliesTheCallersTimeoutSoAChangedServiceTimeoutTakesEffectAtOnce() {
        PersistenceTable table = table(64, 1);
        table.put(0, CLIENT, 1, 60_000, 0);
        assertEquals(-1, table.find(0, CLIENT, 10_001, 10_000));
    }

    @Test
    void sweepAppliesTheTimeoutStoredByThePut() {
        PersistenceTable table = table(64, 1);
        table.put(0, CLIENT, 1, 1_000, 0);
        table.put(0, CLIENT + 1, 1, 5_000, 0);
        int full = (int) table.slotCount();

        assertEquals(0, table.expire(1_000, full));
        assertEquals(1, table.expire(1_001, full));
        assertEquals(-1, table.find(0, CLIENT));
        assertEquals(1, table.expire(5_001, full));
        assertEquals(0, table.size());
    }

    @Test
    void putOverwritesTheServerOfAnExistingAffinity() {
        PersistenceTable table = table(64, 1);
        long first = table.put(0, CLIENT, 1, 60_000, 0);
        long second = table.put(0, CLIENT, 2, 30_000, 500);

        assertEquals(first, second);
        assertEquals(2, table.serverId(second));
        assertEquals(500, table.lastUsedMs(second));
        assertEquals(30_000, table.timeoutMs(second));
        assertEquals(1, table.size());
        assertEquals(1, table.inserts());
        assertEquals(List.of("put 0/c0000201 server 1 at 0 timeout 60000",
                "put 0/c0000201 server 2 at 500 timeout 30000"), listener.events);
    }

    @Test
    void expiredAffinityIsEvictedFirstWhenFull() {
        PersistenceTable table = table(48, 1); // 64 slots: the eviction scan sees them all
        for (int i = 0; i < 47; i++) {
            table.put(0, CLIENT_NET + i, i, 60_000, 10_000 + i);
        }
        table.put(0, CLIENT, 99, 1_000, 20_000);
        listener.drain();

        assertTrue(table.put(1, CLIENT, 5, 60_000, 21_001) >= 0);

        assertEquals(-1, table.find(0, CLIENT));
        assertEquals(48, table.size());
        assertEquals(1, table.evictionsExpired());
        assertEquals(0, table.evictionsLeastRecentlyUsed());
        assertEquals("remove 0/c0000201 server 99 expired", listener.events.get(0));
    }

    @Test
    void leastRecentlyUsedAffinityIsEvictedWhenNoneIsExpired() {
        PersistenceTable table = table(48, 1);
        for (int i = 0; i < 48; i++) {
            table.put(0, CLIENT_NET + i, i, 60_000, 10_000 + i);
        }
        table.touch(table.find(0, CLIENT_NET), 20_000); // the oldest is used again: now CLIENT_NET + 1 is oldest
        listener.drain();

        assertTrue(table.put(1, CLIENT, 5, 60_000, 21_000) >= 0);

        assertEquals(-1, table.find(0, CLIENT_NET + 1));
        assertTrue(table.find(0, CLIENT_NET) >= 0);
        assertEquals(1, table.evictionsLeastRecentlyUsed());
        assertEquals(1, table.removals(RemovalReason.EVICTED));
        assertEquals(List.of("remove 0/c6336401 server 1 evicted", "put 1/c0000201 server 5 at 21000 timeout 60000"),
                listener.events);
    }

    @Test
    void tablesWithTheSameContentHaveEqualDigestsWhateverTheOrder() {
        PersistenceTable forward = table(1_000, 1);
        PersistenceTable backward = table(4_000, 2);
        for (int i = 0; i < 1_000; i++) {
            forward.put(i % 7, CLIENT_NET + i, i % 13, 60_000, i);
        }
        for (int i = 999; i >= 0; i--) {
            backward.putLearned(i % 7, CLIENT_NET + i, i % 13, 60_000, 5, 5);
        }
        assertEquals(forward.digest(), backward.digest());
        assertEquals(dump(forward), dump(backward));

        long[] sum = {0};
        forward.forEach((serviceId, clientAddress, serverId, lastUsedMs, timeoutMs) ->
                sum[0] += PersistenceTable.entryDigest(serviceId, clientAddress, serverId));
        assertEquals(sum[0], forward.digest());

        forward.put(0, CLIENT_NET, 12, 60_000, 0);
        assertNotEquals(forward.digest(), backward.digest(), "a changed server shows in the digest");
        forward.remove(0, CLIENT_NET);
        backward.remove(0, CLIENT_NET);
        assertEquals(forward.digest(), backward.digest());
    }

    @Test
    void refreshScanReportsTouchedAffinitiesOnce() {
        PersistenceTable table = table(100, 1);
        for (int i = 0; i < 100; i++) {
            table.put(0, CLIENT_NET + i, i, 60_000, 0);
        }
        table.touch(table.find(0, CLIENT_NET + 4), 700);
        table.touch(table.find(0, CLIENT_NET + 9), 900);
        Set<Long> seen = new HashSet<>();
        int full = (int) table.slotCount();

        assertEquals(2, table.forEachRefreshed(full, (serviceId, clientAddress, serverId, lastUsedMs, timeoutMs) ->
                seen.add(((long) (clientAddress - CLIENT_NET) << 32) | lastUsedMs)));
        assertEquals(Set.of((4L << 32) | 700, (9L << 32) | 900), seen);
        assertEquals(0, table.forEachRefreshed(full, (serviceId, clientAddress, serverId, lastUsedMs, timeoutMs) -> { }));
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 49, 65_536, 98_305})
    void memoryPerConfiguredEntryIsAtMost64Bytes(int capacity) {
        PersistenceTable table = table(capacity, 1);
        assertTrue(table.memoryBytes() <= 64L * table.capacity());
    }

    @Test
    void invalidArgumentsAreRejected() {
        PersistenceTable table = table(16, 1);
        assertThrows(IllegalArgumentException.class, () -> table.put(65_536, CLIENT, 1, 1_000, 0));
        assertThrows(IllegalArgumentException.class, () -> table.put(0, CLIENT, 65_536, 1_000, 0));
        assertThrows(IllegalArgumentException.class, () -> table.put(0, CLIENT, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> table.put(0, CLIENT, 1, 1L << 31, 0));
        assertThrows(IllegalArgumentException.class, () -> table.touch(0, 0));
        assertEquals(0, table.size());
    }

    private static Set<String> dump(PersistenceTable table) {
        Set<String> entries = new HashSet<>();
        table.forEach((serviceId, clientAddress, serverId, lastUsedMs, timeoutMs) ->
                entries.add(serviceId + " " + clientAddress + " " + serverId));
        assertEquals(table.size(), entries.size());
        return entries;
    }
}
