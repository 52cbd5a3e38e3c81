package dev.baton.table;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.baton.table.ConnectionTable.PROTOCOL_TCP;
import static dev.baton.table.ConnectionTable.PROTOCOL_UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionTableTest {

    /** 192.0.2.1, 198.51.100.0/24 and 203.0.113.10: TEST-NET addresses only. */
    static final int CLIENT = 0xC0000201;
    static final int CLIENT_NET = 0xC6336400;
    static final int VIP = 0xCB00710A;
    static final int HTTP = 80;

    /** Distinct per state, so a test fails if the table applies the wrong one. */
    static final ConnectionTimeouts TIMEOUTS = new ConnectionTimeouts(1_000, 10_000, 3_000, 500, 5_000);

    /**
     * Each state (a {@link TcpState} name, or UDP), its IP protocol and its timeout under {@link #TIMEOUTS}: the
     * lookup and the sweep must agree on when an entry is gone, so both run over this one table.
     */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}: timeout {2} ms")
    @CsvSource({
            "SYN_RECEIVED, 6,  1000",
            "ESTABLISHED,  6,  10000",
            "UNCONFIRMED,  6,  10000",
            "CLOSING,      6,  3000",
            "CLOSED,       6,  500",
            "UDP,          17, 5000",
    })
    @interface EachStateWithItsTimeout {
    }

    private final RecordingListener listener = new RecordingListener();
    private final List<AutoCloseable> tables = new ArrayList<>();

    @AfterEach
    void closeTables() throws Exception {
        for (AutoCloseable table : tables) {
            table.close();
        }
    }

    private ConnectionTable table(int capacity) {
        return table(capacity, 42);
    }

    private ConnectionTable table(int capacity, long seed) {
        ConnectionTable table = new ConnectionTable(capacity, TIMEOUTS, listener, seed);
        tables.add(table);
        return table;
    }

    @Test
    void insertedEntryIsFoundWithAllItsFields() {
        ConnectionTable table = table(1024);
        long slot = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 7, 65_535, TcpState.SYN_RECEIVED, 1_000);

        assertTrue(slot >= 0);
        assertEquals(slot, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP));
        assertEquals(PROTOCOL_TCP, table.protocol(slot));
        assertEquals(CLIENT, table.clientAddress(slot));
        assertEquals(40_000, table.clientPort(slot));
        assertEquals(VIP, table.vip(slot));
        assertEquals(HTTP, table.vipPort(slot));
        assertEquals(7, table.serviceId(slot));
        assertEquals(65_535, table.serverId(slot));
        assertEquals(TcpState.SYN_RECEIVED, table.state(slot));
        assertEquals(1_000, table.lastSeenMs(slot));
        assertEquals(1, table.size());
        assertEquals(1, table.inserts());
    }

    @Test
    void keysDifferingInOneFieldAreDifferentEntries() {
        ConnectionTable table = table(64);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, 0);
        table.insert(PROTOCOL_UDP, CLIENT, 40_000, VIP, HTTP, 0, 2, TcpState.UDP, 0);
        table.insert(PROTOCOL_TCP, CLIENT + 1, 40_000, VIP, HTTP, 0, 3, TcpState.SYN_RECEIVED, 0);
        table.insert(PROTOCOL_TCP, CLIENT, 40_001, VIP, HTTP, 0, 4, TcpState.SYN_RECEIVED, 0);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP + 1, HTTP, 0, 5, TcpState.SYN_RECEIVED, 0);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, 443, 0, 6, TcpState.SYN_RECEIVED, 0);

        assertEquals(6, table.size());
        assertEquals(1, table.serverId(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP)));
        assertEquals(2, table.serverId(table.find(PROTOCOL_UDP, CLIENT, 40_000, VIP, HTTP)));
        assertEquals(3, table.serverId(table.find(PROTOCOL_TCP, CLIENT + 1, 40_000, VIP, HTTP)));
        assertEquals(4, table.serverId(table.find(PROTOCOL_TCP, CLIENT, 40_001, VIP, HTTP)));
        assertEquals(5, table.serverId(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP + 1, HTTP)));
        assertEquals(6, table.serverId(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, 443)));
        assertEquals(-1, table.find(PROTOCOL_UDP, CLIENT, 40_000, VIP, 443));
    }

    @Test
    void insertingALiveKeyAgainReturnsTheExistingEntryUnchanged() {
        ConnectionTable table = table(64);
        long first = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.SYN_RECEIVED, 0);
        listener.drain();

        long second = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 9, TcpState.SYN_RECEIVED, 10);

        assertEquals(first, second);
        assertEquals(2, table.serverId(second));
        assertEquals(0, table.lastSeenMs(second));
        assertEquals(1, table.size());
        assertEquals(List.of(), listener.events);
    }

    @Test
    void extremeFieldValuesAndNegativeTimesRoundTrip() {
        ConnectionTable table = table(16);
        long slot = table.insert(PROTOCOL_UDP, 0xFFFFFFFF, 65_535, 0x80000000, 0, 65_535, 0, TcpState.UDP, -123_456_789L);
        assertEquals(0xFFFFFFFF, table.clientAddress(slot));
        assertEquals(65_535, table.clientPort(slot));
        assertEquals(0x80000000, table.vip(slot));
        assertEquals(0, table.vipPort(slot));
        assertEquals(65_535, table.serviceId(slot));
        assertEquals(0, table.serverId(slot));
        assertEquals(-123_456_789L, table.lastSeenMs(slot));
        assertEquals(slot, table.find(PROTOCOL_UDP, 0xFFFFFFFF, 65_535, 0x80000000, 0, -123_456_789L + 5_000));
    }

    @Test
    void invalidArgumentsAreRejected() {
        ConnectionTable table = table(16);
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(1, CLIENT, 1, VIP, HTTP, 0, 0, TcpState.SYN_RECEIVED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, 65_536, VIP, HTTP, 0, 0, TcpState.SYN_RECEIVED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, -1, VIP, HTTP, 0, 0, TcpState.SYN_RECEIVED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 65_536, 0, TcpState.SYN_RECEIVED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 0, -1, TcpState.SYN_RECEIVED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 0, 0, TcpState.UDP, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_UDP, CLIENT, 1, VIP, HTTP, 0, 0, TcpState.ESTABLISHED, 0));
        assertThrows(IllegalArgumentException.class,
                () -> table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 0, 0, TcpState.ESTABLISHED, 1L << 50));
        assertThrows(IllegalArgumentException.class, () -> table.touch(3, TcpState.FLAG_ACK, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionTable(0, TIMEOUTS, ConnectionListener.NONE));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionTimeouts(0, 1, 1, 1, 1));
        assertEquals(0, table.size());
    }

    @Test
    void aLookupWithAKeyTheTableCannotHoldIsAMissNeverAnException() {
        // Lookup keys may come straight from a packet (an ICMP error's quoted header).
        ConnectionTable table = table(64);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, 0);
        for (int protocol = -1; protocol <= 256; protocol++) {
            if (protocol != PROTOCOL_TCP && protocol != PROTOCOL_UDP) {
                assertEquals(-1, table.find(protocol, CLIENT, 40_000, VIP, HTTP), "protocol " + protocol);
                assertEquals(-1, table.find(protocol, CLIENT, 40_000, VIP, HTTP, 0), "protocol " + protocol);
                assertEquals(false, table.remove(protocol, CLIENT, 40_000, VIP, HTTP), "protocol " + protocol);
            }
        }
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 65_536, VIP, HTTP));
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, -1, 0));
        assertEquals(1, table.size());
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 2, 3, 7, 48, 49, 97, 1_000, 3_073, 12_289, 100_000, 786_433, 1_000_000})
    void memoryPerConfiguredEntryIsAtMost64Bytes(int capacity) {
        ConnectionTable table = table(capacity);
        // The worst cases are capacities just above 3/4 of a power of two (49, 97, 3073, 12289, 786433).
        assertTrue(table.memoryBytes() <= 64L * table.capacity(),
                () -> table.memoryBytes() / (double) table.capacity() + " bytes per entry");
        assertEquals(capacity, table.capacity());
        // The per-source counts: one int per 8 slots, under 1.34 bytes per configured entry (docs/operations.md).
        assertEquals(Math.max(1, table.slotCount() / 8) * Integer.BYTES, table.sourceCountBytes());
        assertTrue(table.sourceCountBytes() <= capacity * 4L / 3 + Integer.BYTES, () -> table.sourceCountBytes() + " bytes of counts");
        // Load factor at most 3/4 when full.
        assertTrue(table.slotCount() * 3 >= 4L * capacity);
    }

    @EachStateWithItsTimeout
    void lookupTreatsAnEntryIdleLongerThanItsStatesTimeoutAsAbsent(String state, int protocol, long timeoutMs) {
        ConnectionTable table = table(64);
        long start = 1_000_000;
        table.insert(protocol, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpStateTest.code(state), start);

        assertTrue(table.find(protocol, CLIENT, 40_000, VIP, HTTP, start + timeoutMs) >= 0, "alive at the timeout");
        assertEquals(-1, table.find(protocol, CLIENT, 40_000, VIP, HTTP, start + timeoutMs + 1), "gone after it");
        assertEquals(0, table.size(), "removed by the lookup, not left for the sweep");
        assertEquals(1, table.removals(RemovalReason.EXPIRED));
    }

    @EachStateWithItsTimeout
    void sweepRemovesAnEntryIdleLongerThanItsStatesTimeout(String state, int protocol, long timeoutMs) {
        ConnectionTable table = table(64);
        table.insert(protocol, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpStateTest.code(state), 0);
        int full = (int) table.slotCount();

        assertEquals(0, table.expire(timeoutMs, full));
        assertEquals(1, table.size());
        assertEquals(1, table.expire(timeoutMs + 1, full));
        assertEquals(0, table.size());
        assertEquals(-1, table.find(protocol, CLIENT, 40_000, VIP, HTTP));
    }

    @Test
    void touchRefreshesLastSeenSoTheEntryLivesAnotherTimeout() {
        ConnectionTable table = table(64);
        long slot = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, 0);
        table.touch(slot, TcpState.FLAG_ACK, 9_000);

        assertEquals(9_000, table.lastSeenMs(slot));
        assertEquals(1, table.serverId(slot), "refreshing the time keeps the server");
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 19_000) >= 0);
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 19_001));
    }

    @Test
    void stateChangeMovesTheEntryToTheNewStatesTimeout() {
        ConnectionTable table = table(64);
        long slot = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, 0);
        table.touch(slot, TcpState.FLAG_ACK, 100);
        // ESTABLISHED lives 10 s, far beyond the 1 s embryonic timeout.
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 5_000) >= 0);
        slot = table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP);
        table.touch(slot, TcpState.FLAG_RST, 5_000);
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 5_501), "CLOSED lives 500 ms");
    }

    @Test
    void changedTimeoutsApplyAtOnceToExistingEntries() {
        ConnectionTable table = table(64);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, 0);
        table.timeouts(new ConnectionTimeouts(1_000, 2_000, 3_000, 500, 5_000));
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 2_001));
    }

    @Test
    void sweepDoesBoundedWorkPerCallAndCompletesAPassOverSeveralCalls() {
        ConnectionTable table = table(768);
        for (int i = 0; i < 768; i++) {
            table.insert(PROTOCOL_UDP, CLIENT_NET + i, 1_024 + i, VIP, 53, 0, 1, TcpState.UDP, 0);
        }
        int quarter = (int) table.slotCount() / 4;
        int total = 0;
        for (int call = 1; call <= 4; call++) {
            int removed = table.expire(10_000, quarter);
            assertTrue(removed < 768, "one call sweeps a quarter of the slots, not all of them");
            total += removed;
        }
        assertEquals(768, total, "four quarters make a full pass");
        assertEquals(0, table.size());
        assertEquals(768, table.removals(RemovalReason.EXPIRED));
    }

    @Test
    void sweepLeavesLiveEntriesAndRemovesOnlyExpiredOnes() {
        ConnectionTable table = table(1_000);
        for (int i = 0; i < 1_000; i++) {
            int state = i % 2 == 0 ? TcpState.ESTABLISHED : TcpState.SYN_RECEIVED;
            table.insert(PROTOCOL_TCP, CLIENT_NET + i, 2_000, VIP, HTTP, 0, i, state, 0);
        }
        assertEquals(500, table.expire(5_000, Integer.MAX_VALUE), "the embryonic half expired at 1 s");
        assertEquals(500, table.size());
        for (int i = 0; i < 1_000; i += 2) {
            long slot = table.find(PROTOCOL_TCP, CLIENT_NET + i, 2_000, VIP, HTTP, 5_000);
            assertTrue(slot >= 0, "established entry " + i + " still reachable after the shifts");
            assertEquals(i, table.serverId(slot));
        }
    }

    // ------------------------------------------------------------------ capacity policy

    /** Capacity 48 gives 64 slots: the 64-slot eviction scan sees the whole table. */
    private ConnectionTable fullTableOfEstablished(int establishedCount, long lastSeenMs) {
        ConnectionTable table = table(48);
        assertEquals(64, table.slotCount());
        for (int i = 0; i < establishedCount; i++) {
            table.insert(PROTOCOL_TCP, CLIENT_NET + i, 3_000, VIP, HTTP, 0, i, TcpState.ESTABLISHED, lastSeenMs);
        }
        return table;
    }

    @Test
    void expiredEntryIsEvictedFirstWhenFull() {
        ConnectionTable table = fullTableOfEstablished(46, 50_000);
        table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 0, 100, TcpState.SYN_RECEIVED, 49_500);
        table.insert(PROTOCOL_TCP, CLIENT, 2, VIP, HTTP, 0, 101, TcpState.ESTABLISHED, 0); // expired at 50 s
        assertEquals(48, table.size());
        listener.drain();

        long slot = table.insert(PROTOCOL_TCP, CLIENT, 3, VIP, HTTP, 0, 102, TcpState.SYN_RECEIVED, 50_000);

        assertTrue(slot >= 0);
        assertEquals(48, table.size());
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 2, VIP, HTTP), "the expired entry went");
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP) >= 0, "the embryonic one stayed");
        assertEquals(1, table.evictionsExpired());
        assertEquals(1, table.removals(RemovalReason.EXPIRED));
        assertEquals(0, table.evictions());
        assertEquals("remove 6 c0000201:2 > cb00710a:80 server 101 ESTABLISHED expired", listener.events.get(0));
    }

    @Test
    void oldestEmbryonicEntryIsEvictedWhenNoneIsExpired() {
        ConnectionTable table = fullTableOfEstablished(45, 50_000);
        table.insert(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP, 0, 100, TcpState.SYN_RECEIVED, 49_800);
        table.insert(PROTOCOL_TCP, CLIENT, 2, VIP, HTTP, 0, 101, TcpState.SYN_RECEIVED, 49_700); // oldest
        table.insert(PROTOCOL_TCP, CLIENT, 3, VIP, HTTP, 0, 102, TcpState.SYN_RECEIVED, 49_900);
        listener.drain();

        long slot = table.insert(PROTOCOL_TCP, CLIENT, 4, VIP, HTTP, 0, 103, TcpState.SYN_RECEIVED, 50_000);

        assertTrue(slot >= 0);
        assertEquals(48, table.size());
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 2, VIP, HTTP));
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 1, VIP, HTTP) >= 0);
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 3, VIP, HTTP) >= 0);
        assertEquals(1, table.evictions());
        assertEquals(1, table.removals(RemovalReason.EVICTED));
        assertEquals(0, table.evictionsExpired());
        assertEquals(List.of(
                "remove 6 c0000201:2 > cb00710a:80 server 101 SYN_RECEIVED evicted",
                "insert 6 c0000201:4 > cb00710a:80 service 0 server 103 SYN_RECEIVED at 50000"), listener.events);
    }

    @Test
    void insertIsRefusedAndCountedWhenFullOfLiveEstablishedEntries() {
        ConnectionTable table = fullTableOfEstablished(48, 50_000);
        listener.drain();
        long digest = table.digest();

        assertEquals(-1, table.insert(PROTOCOL_TCP, CLIENT, 4, VIP, HTTP, 0, 103, TcpState.SYN_RECEIVED, 50_000));
        assertEquals(-1, table.upsert(PROTOCOL_TCP, CLIENT, 5, VIP, HTTP, 0, 103, TcpState.ESTABLISHED, 50_000, 50_000));

        assertEquals(2, table.insertFailuresFull());
        assertEquals(48, table.size());
        assertEquals(digest, table.digest());
        assertEquals(List.of(), listener.events);
        // Once something expires there is room again.
        assertTrue(table.insert(PROTOCOL_TCP, CLIENT, 4, VIP, HTTP, 0, 103, TcpState.SYN_RECEIVED, 60_001) >= 0);
    }

    // ------------------------------------------------------------------ change stream

    @Test
    void changeStreamAnnouncesEveryChangeInOrder() {
        ConnectionTable table = table(64);
        long slot = table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 2, 5, TcpState.SYN_RECEIVED, 100);
        table.touch(slot, TcpState.FLAG_SYN, 150);                           // retransmitted SYN: no change
        table.touch(slot, TcpState.FLAG_ACK, 200);
        table.touch(slot, TcpState.FLAG_ACK | TcpState.FLAG_PSH, 300);       // data: no change
        table.touch(slot, TcpState.FLAG_ACK | TcpState.FLAG_PSH, 1_200);     // a second after the ACK: confirmed
        table.touch(slot, TcpState.FLAG_FIN | TcpState.FLAG_ACK, 1_400);
        table.touch(slot, TcpState.FLAG_SYN, 1_500);                         // port reuse
        table.insert(PROTOCOL_UDP, CLIENT, 5_353, VIP, 53, 3, 6, TcpState.UDP, 1_600);
        assertTrue(table.remove(PROTOCOL_UDP, CLIENT, 5_353, VIP, 53));
        table.expire(1_500 + 1_001, Integer.MAX_VALUE);

        assertEquals(List.of(
                "insert 6 c0000201:40000 > cb00710a:80 service 2 server 5 SYN_RECEIVED at 100",
                "state 6 c0000201:40000 > cb00710a:80 SYN_RECEIVED -> UNCONFIRMED at 200",
                "state 6 c0000201:40000 > cb00710a:80 UNCONFIRMED -> ESTABLISHED at 1200",
                "state 6 c0000201:40000 > cb00710a:80 ESTABLISHED -> CLOSING at 1400",
                "state 6 c0000201:40000 > cb00710a:80 CLOSING -> SYN_RECEIVED at 1500",
                "insert 17 c0000201:5353 > cb00710a:53 service 3 server 6 UDP at 1600",
                "remove 17 c0000201:5353 > cb00710a:53 server 6 UDP removed",
                "remove 6 c0000201:40000 > cb00710a:80 server 5 SYN_RECEIVED expired"), listener.events);
        assertEquals(1, table.removals(RemovalReason.REMOVED));
        assertEquals(1, table.removals(RemovalReason.EXPIRED));
        assertEquals(2, table.inserts());
    }

    // ------------------------------------------------------------------ snapshots and digest

    @Test
    void tablesWithTheSameContentInsertedInDifferentOrdersHaveEqualDumpsAndDigests() {
        ConnectionTable forward = table(2_000, 1);
        ConnectionTable backward = table(3_000, 99);
        int n = 1_500;
        for (int i = 0; i < n; i++) {
            insertNumbered(forward, i);
        }
        for (int i = n - 1; i >= 0; i--) {
            insertNumbered(backward, i);
        }

        assertEquals(dump(forward), dump(backward));
        assertEquals(forward.digest(), backward.digest());
        assertEquals(recomputedDigest(forward), forward.digest(), "the running digest is the sum over entries");

        backward.touch(backward.find(PROTOCOL_TCP, CLIENT_NET + 7, 7, VIP, HTTP), TcpState.FLAG_ACK, 1);
        assertNotEquals(forward.digest(), backward.digest(), "a state change shows in the digest");
        forward.touch(forward.find(PROTOCOL_TCP, CLIENT_NET + 7, 7, VIP, HTTP), TcpState.FLAG_ACK, 2);
        assertEquals(forward.digest(), backward.digest(), "times are not part of the digest");

        forward.remove(PROTOCOL_TCP, CLIENT_NET + 9, 9, VIP, HTTP);
        forward.insert(PROTOCOL_TCP, CLIENT_NET + 9, 9, VIP, HTTP, 0, 1_234, TcpState.SYN_RECEIVED, 0);
        assertNotEquals(forward.digest(), backward.digest(), "a different server shows in the digest");
        assertEquals(recomputedDigest(forward), forward.digest());
    }

    @Test
    void partitionsKeepTheirOwnSizeAndDigestSoOneVipCanBeComparedAlone() {
        // services 0 and 1 share a VIP (partition 0), service 2 is another VIP (partition 1)
        ConnectionTable a = table(1_000, 3).partitions(new int[] {0, 0, 1}, 2);
        ConnectionTable b = table(1_000, 4).partitions(new int[] {0, 0, 1}, 2);
        for (int i = 0; i < 300; i++) {
            a.insert(PROTOCOL_TCP, CLIENT_NET + i, 1_000 + i, VIP, HTTP, i % 3, 5, TcpState.SYN_RECEIVED, 0);
            if (i % 3 != 2) {
                b.insert(PROTOCOL_TCP, CLIENT_NET + i, 1_000 + i, VIP, HTTP, i % 3, 5, TcpState.SYN_RECEIVED, 0);
            }
        }
        assertEquals(200, a.partitionSize(0));
        assertEquals(100, a.partitionSize(1));
        assertEquals(a.size(), a.partitionSize(0) + a.partitionSize(1));
        assertEquals(a.digest(), a.partitionDigest(0) + a.partitionDigest(1), "partition digests add up to the table's");
        assertEquals(a.partitionDigest(0), b.partitionDigest(0), "the same VIP's entries: equal, whatever else the tables hold");
        assertNotEquals(a.partitionDigest(1), b.partitionDigest(1));
        assertEquals(0, b.partitionSize(1));

        a.touch(a.find(PROTOCOL_TCP, CLIENT_NET + 4, 1_004, VIP, HTTP), TcpState.FLAG_ACK, 1); // service 1: partition 0
        assertNotEquals(a.partitionDigest(0), b.partitionDigest(0), "a state change moves its partition's digest");
        a.remove(PROTOCOL_TCP, CLIENT_NET + 4, 1_004, VIP, HTTP);
        b.remove(PROTOCOL_TCP, CLIENT_NET + 4, 1_004, VIP, HTTP);
        assertEquals(a.partitionDigest(0), b.partitionDigest(0));
        assertEquals(199, a.partitionSize(0));
        a.expire(Long.MAX_VALUE / 4, Integer.MAX_VALUE);
        assertEquals(0, a.partitionSize(0));
        assertEquals(0, a.partitionDigest(1));
        assertEquals(1, a.partitionOfService(2));
        assertEquals(0, a.partitionOfService(77), "an unmapped service belongs to partition 0");
        assertThrows(IllegalStateException.class, () -> b.partitions(new int[] {0}, 1), "only on an empty table");
        assertThrows(IllegalArgumentException.class, () -> table(10, 1).partitions(new int[] {2}, 2));
    }

    @Test
    void digestOfAnEmptiedTableIsZero() {
        ConnectionTable table = table(100);
        for (int i = 0; i < 100; i++) {
            insertNumbered(table, i);
        }
        assertNotEquals(0, table.digest());
        table.expire(Long.MAX_VALUE / 4, Integer.MAX_VALUE);
        assertEquals(0, table.size());
        assertEquals(0, table.digest());
    }

    @Test
    void visitorThatModifiesTheTableIsStopped() {
        ConnectionTable table = table(16);
        insertNumbered(table, 1);
        insertNumbered(table, 2);
        assertThrows(ConcurrentModificationException.class, () -> table.forEach(
                (protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                        table.remove(protocol, clientAddress, clientPort, vip, vipPort)));
    }

    /** A listing in steps of bounded work, resumed where the previous step stopped. */
    @Test
    void listingResumedInBoundedStepsVisitsEveryEntryOnce() {
        ConnectionTable table = table(512);
        for (int i = 0; i < 300; i++) {
            insertNumbered(table, i);
        }
        Set<Integer> listed = new HashSet<>();
        int[] inStep = new int[1];
        ConnectionVisitor collect = (protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) -> {
            assertTrue(listed.add(clientPort), "listed once");
            inStep[0]++;
        };
        long cursor = 0;
        int steps = 0;
        while (cursor < table.slotCount()) {
            inStep[0] = 0;
            long next = table.forEachFrom(cursor, 100, 7, collect);
            assertTrue(next > cursor && next - cursor <= 100, "a step scans at most its slot budget");
            assertTrue(inStep[0] <= 7, "a step visits at most its entry budget");
            cursor = next;
            steps++;
        }
        assertEquals(300, listed.size());
        assertTrue(steps >= 300 / 7, "the entry budget split the listing: " + steps);
        assertEquals(table.slotCount(), table.forEachFrom(table.slotCount(), 100, 7, collect), "nothing past the end");
    }

    @Test
    void refreshScanReportsEachTouchedEntryOnceUntilTouchedAgain() {
        ConnectionTable table = table(512);
        for (int i = 0; i < 300; i++) {
            insertNumbered(table, i);
        }
        for (int i = 0; i < 300; i += 3) {
            table.touch(table.find(PROTOCOL_TCP, CLIENT_NET + i, i, VIP, HTTP), TcpState.FLAG_ACK, 10_000 + i);
        }
        int slotCount = (int) table.slotCount();
        Set<Integer> reported = new HashSet<>();
        ConnectionVisitor collect = (protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) -> {
            assertEquals(10_000 + clientPort, lastSeenMs, "reports the refreshed time");
            assertTrue(reported.add(clientPort), "reported once");
        };

        int firstHalf = table.forEachRefreshed(slotCount / 2, collect);
        int secondHalf = table.forEachRefreshed(slotCount / 2, collect);

        assertEquals(100, firstHalf + secondHalf);
        assertTrue(firstHalf < 100, "a call covers only its budget of slots");
        assertEquals(0, table.forEachRefreshed(slotCount, collect), "marks were cleared");
        table.touch(table.find(PROTOCOL_TCP, CLIENT_NET + 3, 3, VIP, HTTP), TcpState.FLAG_ACK, 20_000);
        reported.clear();
        assertEquals(1, table.forEachRefreshed(slotCount, (p, ca, cp, v, vp, svc, srv, st, seen) -> reported.add(cp)));
        assertEquals(Set.of(3), reported);
    }

    // ------------------------------------------------------------------ learned entries

    @Test
    void learnedEntryIsInsertedWithThePeersLastSeenTime() {
        ConnectionTable table = table(64);
        long slot = table.upsert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.ESTABLISHED, 7_000, 9_000);

        assertEquals(7_000, table.lastSeenMs(slot));
        assertEquals(TcpState.ESTABLISHED, table.state(slot));
        assertEquals(List.of("insert 6 c0000201:40000 > cb00710a:80 service 1 server 2 ESTABLISHED at 7000"), listener.events);
        assertTrue(table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 17_000) >= 0);
        assertEquals(-1, table.find(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 17_001), "expiry counts from the learned time");
    }

    @Test
    void learnedEntryForTheSameServerOverwritesStateAndTime() {
        ConnectionTable table = table(64);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.SYN_RECEIVED, 1_000);
        listener.drain();

        long slot = table.upsert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.CLOSING, 1_500, 2_000);
        long again = table.upsert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.CLOSING, 1_800, 2_000);

        assertEquals(slot, again);
        assertEquals(TcpState.CLOSING, table.state(slot));
        assertEquals(1_800, table.lastSeenMs(slot));
        assertEquals(1, table.size());
        assertEquals(List.of("state 6 c0000201:40000 > cb00710a:80 SYN_RECEIVED -> CLOSING at 2000"), listener.events);
        assertEquals(recomputedDigest(table), table.digest());
    }

    @Test
    void learnedEntryForAnotherServerReplacesTheLocalOne() {
        ConnectionTable table = table(64);
        table.insert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 2, TcpState.ESTABLISHED, 1_000);
        listener.drain();

        long slot = table.upsert(PROTOCOL_TCP, CLIENT, 40_000, VIP, HTTP, 1, 3, TcpState.ESTABLISHED, 1_100, 1_200);

        assertEquals(3, table.serverId(slot));
        assertEquals(1, table.size());
        assertEquals(1, table.removals(RemovalReason.REPLACED));
        assertEquals(List.of(
                "remove 6 c0000201:40000 > cb00710a:80 server 2 ESTABLISHED replaced",
                "insert 6 c0000201:40000 > cb00710a:80 service 1 server 3 ESTABLISHED at 1100"), listener.events);
        assertEquals(recomputedDigest(table), table.digest());
    }

    @Test
    void removeByKeyReportsWhetherThereWasAnEntry() {
        ConnectionTable table = table(64);
        insertNumbered(table, 1);
        assertTrue(table.remove(PROTOCOL_TCP, CLIENT_NET + 1, 1, VIP, HTTP));
        assertTrue(!table.remove(PROTOCOL_TCP, CLIENT_NET + 1, 1, VIP, HTTP));
        assertEquals(0, table.size());
        assertEquals(1, table.removals(RemovalReason.REMOVED));
    }

    @Test
    void aReplicaFedByTheChangeStreamConvergesToTheSameDigest() {
        ConnectionTable replica = table(4_096, 5);
        ConnectionListener feed = new ConnectionListener() {
            @Override
            public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                 int serviceId, int serverId, int state, long lastSeenMs) {
                replica.upsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs, lastSeenMs);
            }

            @Override
            public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                      int serviceId, int serverId, int oldState, int newState, long nowMs) {
                replica.upsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, newState, nowMs, nowMs);
            }

            @Override
            public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                 int serviceId, int serverId, int state, int reason) {
                replica.remove(protocol, clientAddress, clientPort, vip, vipPort);
            }
        };
        ConnectionTable active = new ConnectionTable(2_000, TIMEOUTS, feed, 6);
        tables.add(active);
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        long nowMs = 0;
        for (int op = 0; op < 20_000; op++) {
            nowMs += random.nextInt(3);
            int i = random.nextInt(2_500);
            long slot = active.find(PROTOCOL_TCP, CLIENT_NET + i, i, VIP, HTTP, nowMs);
            if (slot >= 0) {
                active.touch(slot, random.nextBoolean() ? TcpState.FLAG_ACK : TcpState.FLAG_FIN, nowMs);
            } else {
                active.insert(PROTOCOL_TCP, CLIENT_NET + i, i, VIP, HTTP, 0, i % 8, TcpState.SYN_RECEIVED, nowMs);
            }
            active.expire(nowMs, 16);
        }
        assertEquals(active.size(), replica.size());
        assertEquals(active.digest(), replica.digest());
        assertEquals(dump(active), dump(replica));
    }

    // ------------------------------------------------------------------ helpers

    private static void insertNumbered(ConnectionTable table, int i) {
        table.insert(PROTOCOL_TCP, CLIENT_NET + i, i, VIP, HTTP, i % 3, i % 50, TcpState.SYN_RECEIVED, 0);
    }

    static Set<String> dump(ConnectionTable table) {
        Set<String> entries = new HashSet<>();
        table.forEach((protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                assertTrue(entries.add(protocol + " " + clientAddress + " " + clientPort + " " + vip + " " + vipPort
                        + " " + serviceId + " " + serverId + " " + state), "no entry visited twice"));
        assertEquals(table.size(), entries.size());
        return entries;
    }

    static long recomputedDigest(ConnectionTable table) {
        long[] sum = {0};
        table.forEach((protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                sum[0] += ConnectionTable.entryDigest(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state));
        return sum[0];
    }
}
