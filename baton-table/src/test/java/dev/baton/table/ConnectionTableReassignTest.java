package dev.baton.table;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ConnectionTable#reassign}: a reload gives every entry its service's and server's new ids in place, the
 * digests and partitions recomputed as if the entries had been inserted under them, departing servers' connections
 * in a partition of their own.
 */
class ConnectionTableReassignTest {

    static final ConnectionTimeouts TIMEOUTS = new ConnectionTimeouts(1_000, 10_000, 3_000, 500, 5_000);
    static final int CLIENT = 0xCB007101;
    static final int VIP_A = 0xC000020A;
    static final int VIP_B = 0xC000020B;

    /** Entries of service 0 (VIP A) to servers 0 and 1, of service 1 (VIP B) to server 2. */
    private static ConnectionTable table(int[] partitionOfService) {
        ConnectionTable table = new ConnectionTable(1_000, TIMEOUTS, ConnectionListener.NONE, 7).partitions(partitionOfService, 2);
        for (int i = 0; i < 30; i++) {
            int service = i % 3 == 2 ? 1 : 0;
            int server = i % 3;
            table.insert(6, CLIENT + i, 40_000 + i, service == 0 ? VIP_A : VIP_B, 80, service, server, TcpState.ESTABLISHED, 100);
        }
        return table;
    }

    @Test
    void entriesTakeTheirNewIdsAndTheDigestsAreThoseOfATableBuiltWithThem() {
        ConnectionTable table = table(new int[] {0, 1});
        // Services swap ids; servers 0, 1, 2 become 2, 0, 1.
        table.reassign(new int[] {1, 0}, new int[] {2, 0, 1}, new int[] {1, 0}, 2, Integer.MAX_VALUE);

        ConnectionTable expected = new ConnectionTable(1_000, TIMEOUTS, ConnectionListener.NONE, 7).partitions(new int[] {1, 0}, 2);
        for (int i = 0; i < 30; i++) {
            int service = i % 3 == 2 ? 0 : 1;
            int server = new int[] {2, 0, 1}[i % 3];
            expected.insert(6, CLIENT + i, 40_000 + i, service == 1 ? VIP_A : VIP_B, 80, service, server, TcpState.ESTABLISHED, 100);
            long slot = table.find(6, CLIENT + i, 40_000 + i, service == 1 ? VIP_A : VIP_B, 80);
            assertEquals(service, table.serviceId(slot));
            assertEquals(server, table.serverId(slot));
            assertEquals(100, table.lastSeenMs(slot), "the last-seen time is kept");
            assertEquals(TcpState.ESTABLISHED, table.state(slot));
        }
        assertEquals(expected.digest(), table.digest());
        for (int p = 0; p < 2; p++) {
            assertEquals(expected.partitionSize(p), table.partitionSize(p));
            assertEquals(expected.partitionDigest(p), table.partitionDigest(p));
        }
        assertEquals(10, table.partitionSize(1), "VIP B's service (id 0 now) is in partition 1 now");
        assertEquals(20, table.partitionSize(0));
    }

    @Test
    void departingServersConnectionsLeaveEveryVipsPartition() {
        ConnectionTable table = table(new int[] {0, 1});
        long vipADigest = table.partitionDigest(0);
        // Server 1 departs: it becomes id 3, after the configured 0..2.
        table.reassign(new int[] {0, 1}, new int[] {0, 3, 2}, new int[] {0, 1}, 2, 3);
        assertEquals(3, table.partitionCount(), "one partition more, for departing servers");
        assertEquals(10, table.partitionSize(0), "VIP A keeps only its server 0's connections");
        assertEquals(10, table.partitionSize(2));
        assertNotEquals(vipADigest, table.partitionDigest(0));
        assertEquals(2, table.partitionOf(0, 3));
        assertEquals(0, table.partitionOf(0, 0));
        assertEquals(30, table.size());
    }

    @Test
    void anEntryWithoutANewIdIsRefusedAndNothingChanges() {
        ConnectionTable table = table(new int[] {0, 1});
        long digest = table.digest();
        assertThrows(IllegalStateException.class,
                () -> table.reassign(new int[] {0, 1}, new int[] {0, -1, 2}, new int[] {0, 1}, 2, Integer.MAX_VALUE));
        assertEquals(digest, table.digest());
        long slot = table.find(6, CLIENT + 1, 40_001, VIP_A, 80);
        assertEquals(1, table.serverId(slot));
    }
}
