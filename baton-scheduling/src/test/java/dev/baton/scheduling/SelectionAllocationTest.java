package dev.baton.scheduling;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Selection runs once per new connection on the forwarding path: it must allocate nothing. */
class SelectionAllocationTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wrr", "wlc"})
    void selectionAllocatesNothing(String algorithm) {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                        && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        Scheduler scheduler = algorithm.equals("wrr") ? new WeightedRoundRobin() : new WeightedLeastConnections();
        Servers servers = WeightedRoundRobinTest.servers(5, 1, 0, 3, 2);
        servers.available(3, false);
        Runnable cycle = () -> {
            for (int i = 0; i < 10_000; i++) {
                int chosen = scheduler.select(servers, 0xC0000201 + i, i);
                servers.connectionOpened(chosen);
                if ((i & 1) == 0) {
                    servers.connectionClosed(chosen);
                }
            }
        };
        for (int warmUp = 0; warmUp < 30; warmUp++) {
            cycle.run();
        }
        long least = Long.MAX_VALUE;
        for (int measured = 0; measured < 5; measured++) {
            long before = bean.getCurrentThreadAllocatedBytes();
            cycle.run();
            least = Math.min(least, bean.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, least, "bytes allocated by 10,000 selections");
    }
}
