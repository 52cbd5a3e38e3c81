package dev.baton.table;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static dev.baton.table.ConnectionTable.PROTOCOL_TCP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-packet operations allocate nothing once warmed up (the forwarding path's rule). */
class HotPathAllocationTest {

    private static final int VIP = 0xCB00710A;
    private static final int CLIENT_NET = 0xC6336400;

    @Test
    void lookupTouchInsertExpireAndRemoveAllocateNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                        && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        try (ConnectionTable table = new ConnectionTable(4_096, ConnectionTimeouts.defaults(), ConnectionListener.NONE, 1);
             PersistenceTable persistence = new PersistenceTable(4_096, PersistenceListener.NONE, 1)) {
            long[] now = {0};
            Runnable cycle = () -> {
                for (int i = 0; i < 10_000; i++) {
                    now[0] += 7;
                    int client = CLIENT_NET + (i & 4_095);
                    long slot = table.find(PROTOCOL_TCP, client, 1_024 + (i & 7), VIP, 80, now[0]);
                    if (slot >= 0) {
                        table.touch(slot, (i & 1) == 0 ? TcpState.FLAG_ACK : TcpState.FLAG_FIN, now[0]);
                    } else {
                        table.insert(PROTOCOL_TCP, client, 1_024 + (i & 7), VIP, 80, 1, i & 15, TcpState.SYN_RECEIVED, now[0]);
                    }
                    if ((i & 63) == 0) {
                        table.remove(PROTOCOL_TCP, client, 1_024 + (i & 7), VIP, 80);
                    }
                    long sticky = persistence.find(1, client, now[0], 60_000);
                    if (sticky >= 0) {
                        persistence.touch(sticky, now[0]);
                    } else {
                        persistence.put(1, client, i & 15, 60_000, now[0]);
                    }
                    table.expire(now[0], 8);
                    persistence.expire(now[0], 8);
                }
            };
            for (int warmUp = 0; warmUp < 30; warmUp++) {
                cycle.run();
            }
            // The least of five measurements: a steady per-operation allocation shows in every one, while a
            // one-off (a compilation finishing late on a busy machine) does not fail the test.
            long least = Long.MAX_VALUE;
            for (int measured = 0; measured < 5; measured++) {
                long before = bean.getCurrentThreadAllocatedBytes();
                cycle.run();
                least = Math.min(least, bean.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals(0, least, "bytes allocated by 10,000 packets' worth of table operations");
        }
    }
}
