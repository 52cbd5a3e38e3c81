package dev.baton.table;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.baton.table.ConnectionTable.PROTOCOL_TCP;
import static dev.baton.table.ConnectionTable.PROTOCOL_UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A blind flood (spoofed sources, the server's answers never seen) must not lock real
 * clients out of the table, nor push out connections that have proven themselves. The clock is stepped.
 */
class BlindFloodTest {

    /** TEST-NET-3 (203.0.113.0/24): spoofed sources; TEST-NET-1 (192.0.2.0/24): real clients. */
    static final int SPOOFED_NET = 0xCB007100;
    static final int REAL_NET = 0xC0000200;
    static final int VIP = 0xC633640A;
    static final int HTTP = 80;
    /** The configuration's defaults: embryonic 30 s, established 15 min, closing 2 min, closed 10 s, UDP 5 min. */
    static final ConnectionTimeouts TIMEOUTS = new ConnectionTimeouts(30_000, 900_000, 120_000, 10_000, 300_000);
    static final long T0 = 1_000_000;

    private final List<ConnectionTable> tables = new ArrayList<>();

    @AfterEach
    void close() {
        tables.forEach(ConnectionTable::close);
    }

    private ConnectionTable table(int capacity) {
        ConnectionTable table = new ConnectionTable(capacity, TIMEOUTS, ConnectionListener.NONE, 42);
        tables.add(table);
        return table;
    }

    /** A spoofed SYN, then the spoofer's blind ACK: what a stateless generator sends for flood entry {@code i}. */
    private static long spoofedSynAck(ConnectionTable table, int i, long nowMs) {
        int source = SPOOFED_NET | (i & 0xFF);
        int port = 1_024 + i;
        long slot = table.insert(PROTOCOL_TCP, source, port, VIP, HTTP, 0, i & 7, TcpState.SYN_RECEIVED, nowMs);
        if (slot >= 0) {
            table.touch(slot, TcpState.FLAG_ACK, nowMs);
        }
        return slot;
    }

    /** A real connection: SYN, the handshake ACK an RTT later, data a few seconds on. */
    private static void realConnection(ConnectionTable table, int i, long startMs) {
        long slot = table.insert(PROTOCOL_TCP, REAL_NET | i, 50_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, startMs);
        assertTrue(slot >= 0, "real connection " + i);
        table.touch(slot, TcpState.FLAG_ACK, startMs + 20);
        slot = table.find(PROTOCOL_TCP, REAL_NET | i, 50_000, VIP, HTTP, startMs + 3_000);
        table.touch(slot, TcpState.FLAG_ACK | TcpState.FLAG_PSH, startMs + 3_000);
        assertEquals(TcpState.ESTABLISHED, table.state(slot));
    }

    @Test
    void theIssuesReproSpoofedSynAckPairsDoNotLockOutARealSynAMinuteLater() {
        ConnectionTable table = table(1_024);
        for (int i = 0; i < 1_100; i++) {
            assertTrue(spoofedSynAck(table, i, T0 + i) >= 0, "flood entry " + i + " evicts an older one");
        }
        assertEquals(1_024, table.size());

        long slot = table.insert(PROTOCOL_TCP, REAL_NET | 1, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0 + 60_000);

        assertTrue(slot >= 0, "the real SYN is admitted");
        assertEquals(0, table.insertFailuresFull());
        assertEquals(1_100 - 1_024 + 1, table.evictions());
    }

    @Test
    void establishedRealConnectionsSurviveEveryKindOfBlindFloodAndNewRealClientsGetIn() {
        ConnectionTable table = table(1_024);
        for (int i = 0; i < 200; i++) {
            realConnection(table, i, T0);
        }
        long now = T0 + 5_000;
        for (int i = 0; i < 20_000; i++, now++) {
            int source = SPOOFED_NET | (i & 0xFF);
            int port = 1_024 + (i >>> 8);
            switch (i % 5) {
                case 0, 1 -> spoofedSynAck(table, i, now);
                case 2 -> table.insert(PROTOCOL_TCP, source, port, VIP, HTTP, 0, 2,
                        TcpState.initial(TcpState.FLAG_ACK), now); // a connection "picked up" mid-stream
                case 3 -> { // SYN then FIN: closing
                    long slot = table.insert(PROTOCOL_TCP, source, port, VIP, HTTP, 0, 3, TcpState.SYN_RECEIVED, now);
                    table.touch(slot, TcpState.FLAG_FIN | TcpState.FLAG_ACK, now);
                }
                default -> { // SYN then RST: closed
                    long slot = table.insert(PROTOCOL_TCP, source, port, VIP, HTTP, 0, 4, TcpState.SYN_RECEIVED, now);
                    table.touch(slot, TcpState.FLAG_RST, now);
                }
            }
        }

        for (int i = 0; i < 200; i++) {
            long slot = table.find(PROTOCOL_TCP, REAL_NET | i, 50_000, VIP, HTTP, now);
            assertTrue(slot >= 0, "real connection " + i + " survived");
            assertEquals(TcpState.ESTABLISHED, table.state(slot));
        }
        assertEquals(0, table.insertFailuresFull(), "every flood entry found something less valuable to evict");
        assertTrue(table.insert(PROTOCOL_TCP, REAL_NET | 250, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, now) >= 0);
    }

    @Test
    void anAckConfirmsAConnectionOnlyASecondOrMoreAfterTheAckThatCompletedItsHandshake() {
        ConnectionTable table = table(64);
        long slot = table.insert(PROTOCOL_TCP, REAL_NET | 1, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0);
        table.touch(slot, TcpState.FLAG_ACK, T0 + 10);
        assertEquals(TcpState.UNCONFIRMED, table.state(slot));

        for (long t = T0 + 20; t < T0 + 10 + ConnectionTable.CONFIRM_AFTER_MS; t += 100) {
            table.touch(slot, TcpState.FLAG_ACK | TcpState.FLAG_PSH, t); // a burst right after the handshake
            assertEquals(TcpState.UNCONFIRMED, table.state(slot));
            assertEquals(T0 + 10, table.lastSeenMs(slot), "the confirmation clock runs from the handshake ACK");
        }
        assertEquals(0, table.confirmations());
        table.touch(slot, TcpState.FLAG_ACK, T0 + 10 + ConnectionTable.CONFIRM_AFTER_MS);

        assertEquals(TcpState.ESTABLISHED, table.state(slot));
        assertEquals(T0 + 10 + ConnectionTable.CONFIRM_AFTER_MS, table.lastSeenMs(slot));
        assertEquals(1, table.confirmations(), "counted once, when it became ESTABLISHED");
        table.touch(slot, TcpState.FLAG_ACK, T0 + 20 + 2 * ConnectionTable.CONFIRM_AFTER_MS);
        assertEquals(1, table.confirmations(), "an established connection's later segments confirm nothing more");
    }

    @Test
    void anUnconfirmedConnectionThatWentQuietLivesAsLongAsAnEstablishedOne() {
        ConnectionTable table = table(64);
        long slot = table.insert(PROTOCOL_TCP, REAL_NET | 1, 40_000, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0);
        table.touch(slot, TcpState.FLAG_ACK, T0 + 10);

        assertTrue(table.find(PROTOCOL_TCP, REAL_NET | 1, 40_000, VIP, HTTP, T0 + 10 + TIMEOUTS.tcpEstablishedMs()) >= 0);
        assertEquals(-1, table.find(PROTOCOL_TCP, REAL_NET | 1, 40_000, VIP, HTTP, T0 + 11 + TIMEOUTS.tcpEstablishedMs()));
    }

    @Test
    void evictionTakesTheSpoofableClassesFirstThenClosingThenIdleUdpAndNeverEstablishedOrBusyUdp() {
        ConnectionTable table = table(48); // 64 slots: the eviction scan sees every one
        int n = 0;
        for (int i = 0; i < 40; i++, n++) {
            table.insert(PROTOCOL_TCP, REAL_NET | n, 1, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0);
        }
        table.insert(PROTOCOL_UDP, REAL_NET | n++, 1, VIP, 53, 0, 1, TcpState.UDP, T0 + 5_000);       // busy UDP
        long idleUdp = REAL_NET | n++;
        table.insert(PROTOCOL_UDP, (int) idleUdp, 1, VIP, 53, 0, 1, TcpState.UDP, T0);                // idle 5 s
        int closing = REAL_NET | n++;
        table.insert(PROTOCOL_TCP, closing, 1, VIP, HTTP, 0, 1, TcpState.CLOSING, T0);
        int[] spoofable = {REAL_NET | n++, REAL_NET | n++, REAL_NET | n++};
        table.insert(PROTOCOL_TCP, spoofable[0], 1, VIP, HTTP, 0, 1, TcpState.UNCONFIRMED, T0 + 4_000);
        table.insert(PROTOCOL_TCP, spoofable[1], 1, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0 + 4_100);
        table.insert(PROTOCOL_TCP, spoofable[2], 1, VIP, HTTP, 0, 1, TcpState.CLOSED, T0 + 4_200);
        table.insert(PROTOCOL_TCP, REAL_NET | n++, 1, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0);
        table.insert(PROTOCOL_TCP, REAL_NET | n++, 1, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0);
        assertEquals(48, table.size());

        long now = T0 + 5_000;
        int[] expectedGone = {spoofable[0], spoofable[1], spoofable[2], closing, (int) idleUdp};
        for (int k = 0; k < expectedGone.length; k++) {
            assertTrue(table.insert(PROTOCOL_TCP, 0xC0000300 | k, 2, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, now) >= 0);
            int gone = expectedGone[k];
            int protocol = gone == (int) idleUdp ? PROTOCOL_UDP : PROTOCOL_TCP;
            assertEquals(-1, table.find(protocol, gone, 1, VIP, protocol == PROTOCOL_UDP ? 53 : HTTP), "eviction " + k);
        }
        assertEquals(ConnectionTable.FULL,
                table.insert(PROTOCOL_TCP, 0xC0000364, 2, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, now),
                "only established connections and a busy UDP flow are left");
        assertEquals(1, table.insertFailuresFull());
    }

    @Test
    void aLearnedUnconfirmedEntryKeepsItsClassOnTheStandby() {
        // The sync record carries the state code: the standby evicts what the active would.
        ConnectionTable standby = table(48);
        for (int i = 0; i < 47; i++) {
            standby.upsert(PROTOCOL_TCP, REAL_NET | i, 1, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0, T0);
        }
        standby.upsert(PROTOCOL_TCP, SPOOFED_NET | 1, 1, VIP, HTTP, 0, 1, TcpState.UNCONFIRMED, T0, T0);

        assertTrue(standby.insert(PROTOCOL_TCP, REAL_NET | 100, 1, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0 + 1) >= 0);
        assertEquals(-1, standby.find(PROTOCOL_TCP, SPOOFED_NET | 1, 1, VIP, HTTP));
    }

    @Test
    void thePerSourceQuotaRefusesOnlyTheSourceAtItsLimitAndIsCounted() {
        ConnectionTable table = table(1_024).perSourceLimit(4);
        int greedy = REAL_NET | 7;
        for (int port = 0; port < 4; port++) {
            assertTrue(table.insert(PROTOCOL_TCP, greedy, port, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0) >= 0);
        }
        assertEquals(ConnectionTable.SOURCE_LIMIT, table.insert(PROTOCOL_TCP, greedy, 4, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0));
        assertEquals(ConnectionTable.SOURCE_LIMIT, table.insert(PROTOCOL_UDP, greedy, 4, VIP, 53, 0, 1, TcpState.UDP, T0));
        assertEquals(2, table.insertFailuresSourceLimit());
        assertTrue(table.insert(PROTOCOL_TCP, REAL_NET | 8, 4, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0) >= 0, "another source");
        assertTrue(table.find(PROTOCOL_TCP, greedy, 0, VIP, HTTP) >= 0, "an existing entry is found as before");

        assertTrue(table.remove(PROTOCOL_TCP, greedy, 0, VIP, HTTP));
        assertTrue(table.insert(PROTOCOL_TCP, greedy, 4, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0) >= 0, "room again");
        // Expiry gives the quota back too, once the sweep has removed the entries.
        table.expire(T0 + 30_001, Integer.MAX_VALUE);
        assertTrue(table.insert(PROTOCOL_TCP, greedy, 5, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0 + 30_001) >= 0);
        // A standby applies what its active holds, over the quota or not.
        assertTrue(table.upsert(PROTOCOL_TCP, greedy, 9, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0 + 30_001, T0 + 30_001) >= 0);
        assertEquals(2, table.insertFailuresSourceLimit());
    }

    @Test
    void entriesAStandbyLearnedCountTowardTheQuotaOnceItTakesOver() {
        ConnectionTable standby = table(1_024).perSourceLimit(4);
        int greedy = REAL_NET | 7;
        for (int port = 0; port < 4; port++) {
            assertTrue(standby.upsert(PROTOCOL_TCP, greedy, port, VIP, HTTP, 0, 1, TcpState.ESTABLISHED, T0, T0) >= 0);
        }
        assertEquals(4, standby.sourceEntries(greedy), "learned entries are counted");
        // The standby takes over: the source's replicated connections hold its quota as they did on the old active.
        assertEquals(ConnectionTable.SOURCE_LIMIT, standby.insert(PROTOCOL_TCP, greedy, 4, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0));
        assertTrue(standby.remove(PROTOCOL_TCP, greedy, 0, VIP, HTTP), "one of them ends");
        assertTrue(standby.insert(PROTOCOL_TCP, greedy, 4, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0) >= 0);
    }

    @Test
    void withoutAQuotaOneSourceMayHoldAnyNumber() {
        ConnectionTable table = table(1_024);
        for (int port = 0; port < 1_000; port++) {
            assertTrue(table.insert(PROTOCOL_TCP, REAL_NET | 7, port, VIP, HTTP, 0, 1, TcpState.SYN_RECEIVED, T0) >= 0);
        }
        assertEquals(1_000, table.sourceEntries(REAL_NET | 7));
        assertEquals(0, table.insertFailuresSourceLimit());
    }
}
