package dev.baton.agent;

import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterRegistryTest {

    @Test
    void aSnapshotReadsEachGroupOnItsOwnerThreadAndSumsOverTheLabelsLeftOut() {
        CounterRegistry registry = new CounterRegistry();
        List<String> readOn = new ArrayList<>();
        ExecutorService owner = Executors.newSingleThreadExecutor(r -> new Thread(r, "worker-owner"));
        try {
            for (int w = 0; w < 2; w++) {
                final int worker = w;
                Label label = new Label("worker", Integer.toString(w));
                CounterRegistry.Group group = registry.group("worker " + w, read -> OwnerThread.ask("worker " + worker, owner::execute, read));
                group.add("rx_frames", Type.COUNTER, "frames", label);
                group.add("drops", Type.COUNTER, "drops", label, new Label("reason", "checksum"));
                group.add("drops", Type.COUNTER, "drops", label, new Label("reason", "ttl"));
                group.reader(values -> {
                    readOn.add(Thread.currentThread().getName());
                    values[0] = 100 + worker;
                    values[1] = 10 * (worker + 1);
                    values[2] = 1;
                });
            }
            CounterSnapshot snapshot = registry.snapshot();
            assertEquals(List.of("worker-owner", "worker-owner"), readOn, "every group read on its owner's thread");
            assertEquals(201, snapshot.sum("rx_frames"));
            assertEquals(101, snapshot.sum("rx_frames", "worker", "1"));
            assertEquals(32, snapshot.sum("drops"));
            assertEquals(30, snapshot.sum("drops", "reason", "checksum"));
            assertEquals(20, snapshot.sum("drops", "reason", "checksum", "worker", "1"));
            assertEquals(0, snapshot.sum("drops", "reason", "unknown"));
            assertEquals(6, snapshot.samples().size());
            assertTrue(snapshot.text().contains("drops{worker=\"1\",reason=\"ttl\"} 1\n"), snapshot.text());
            for (int id = 0; id < registry.descriptors().size(); id++) {
                assertEquals(id, registry.descriptors().get(id).id(), "ids are places in the registry");
            }
        } finally {
            owner.shutdownNow();
        }
    }

    @Test
    void aGroupCountsOnlyOnceItsReaderIsSetAndNotAfterwardsGrows() {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("agent", CounterRegistry.Owner.ANY_THREAD);
        group.add("keepalives_sent", Type.COUNTER, "sent");
        assertTrue(registry.snapshot().samples().isEmpty(), "a group being described is not read");
        group.reader(values -> values[0] = 7);
        assertEquals(7, registry.snapshot().sum("keepalives_sent"));
        assertThrows(IllegalStateException.class, () -> group.add("late", Type.COUNTER, "after the reader"));
        assertThrows(IllegalStateException.class, () -> group.reader(values -> { }));
    }

    @Test
    void aRemovedGroupIsNoLongerReadAndItsCountersMayBeRegisteredAgain() {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group first = registry.group("worker 0", CounterRegistry.Owner.ANY_THREAD);
        first.add("server_packets", Type.COUNTER, "to the server", new Label("server", "198.51.100.11"));
        first.reader(values -> values[0] = 5);
        CounterRegistry.Group other = registry.group("agent", CounterRegistry.Owner.ANY_THREAD);
        other.add("keepalives_sent", Type.COUNTER, "sent");
        other.reader(values -> values[0] = 2);
        first.remove();
        assertEquals(0, registry.snapshot().sum("server_packets"), "a reload took the group out");
        assertEquals(2, registry.snapshot().sum("keepalives_sent"), "the others are read as before");
        CounterRegistry.Group next = registry.group("worker 0", CounterRegistry.Owner.ANY_THREAD);
        next.add("server_packets", Type.COUNTER, "to the server", new Label("server", "198.51.100.11"));
        next.add("server_packets", Type.COUNTER, "to the server", new Label("server", "198.51.100.13"));
        next.reader(values -> {
            values[0] = 6;
            values[1] = 1;
        });
        assertEquals(7, registry.snapshot().sum("server_packets"));
        assertEquals(3, registry.snapshot().samples().size());
        assertEquals(3, registry.descriptors().size());
        assertEquals(3, registry.descriptors().stream().mapToInt(CounterRegistry.Descriptor::id).distinct().count(),
                "ids are never reused");
    }

    @Test
    void namesAreCheckedAndACounterIsRegisteredOnceWithOneType() {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("agent", CounterRegistry.Owner.ANY_THREAD);
        group.add("vip_state", Type.GAUGE, "state", new Label("vip", "192.0.2.10"));
        assertThrows(IllegalArgumentException.class, () -> group.add("vip_state", Type.GAUGE, "again", new Label("vip", "192.0.2.10")));
        assertThrows(IllegalArgumentException.class, () -> group.add("vip_state", Type.COUNTER, "other type", new Label("vip", "192.0.2.11")));
        assertThrows(IllegalArgumentException.class, () -> group.add("Bad-Name", Type.COUNTER, "name"));
        assertThrows(IllegalArgumentException.class, () -> new Label("bad key", "x"));
        assertEquals("service=\"we\\\"b\\\\\"", new Label("service", "we\"b\\").toString(), "escaped as Prometheus escapes it");
        assertThrows(IllegalArgumentException.class, () -> registry.snapshot().sum("vip_state", "vip"));
    }

    @Test
    void anOwnerThatFailsFailsTheSnapshotWithItsReason() {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("worker 0", read -> {
            throw new IllegalStateException("worker 0 did not answer within 5 s");
        });
        group.add("rx_frames", Type.COUNTER, "frames");
        group.reader(values -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, registry::snapshot);
        assertEquals("worker 0 did not answer within 5 s", e.getMessage());
    }
}
