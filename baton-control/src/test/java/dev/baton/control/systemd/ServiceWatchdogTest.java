package dev.baton.control.systemd;

import dev.baton.agent.MillisClock;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service manager's watchdog: it pings only while the router's own threads cycle; ticks stepped by hand. */
class ServiceWatchdogTest {

    @Test
    void pingsOnlyWhenTheLivenessCheckPassesAndSaysWhyNotOncePerInterval() {
        java.util.LinkedList<String> verdicts = new java.util.LinkedList<>(Arrays.asList(null, null, "worker 1 began no duty cycle", "worker 1 began no duty cycle", null));
        AtomicReference<String> status = new AtomicReference<>("forwarding 1 of 1");
        try (NotifyReceiver systemd = new NotifyReceiver();
             LogCapture log = new LogCapture(ServiceWatchdog.class);
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", systemd.address, "WATCHDOG_USEC", "2000000"), 1, MillisClock.SYSTEM)) {
            ServiceWatchdog watchdog = new ServiceWatchdog(notifier, verdicts::poll, status::get, 1_000, () -> 0);
            assertTrue(watchdog.tick(0));
            assertEquals(List.of("WATCHDOG=1", "STATUS=forwarding 1 of 1"), systemd.drain());
            assertTrue(watchdog.tick(1_000));
            assertEquals(List.of("WATCHDOG=1"), systemd.drain(), "the status line only when it changed");
            status.set("forwarding 0 of 1");
            assertFalse(watchdog.tick(2_000));
            assertEquals(List.of("STATUS=forwarding 0 of 1"), systemd.drain(), "no WATCHDOG=1 for a stalled router");
            assertFalse(watchdog.tick(3_000));
            assertEquals(List.of(), systemd.drain());
            assertTrue(watchdog.tick(4_000));
            assertEquals(List.of("WATCHDOG=1"), systemd.drain());
            assertEquals(3, watchdog.pings());
            assertEquals(2, watchdog.withheld());
            assertEquals(1, log.records.size(), "one line per " + ServiceWatchdog.STALL_LOG_INTERVAL_MS + " ms: " + log.messages());
            assertTrue(log.messages().getFirst().startsWith("SEVERE worker 1 began no duty cycle: not telling systemd"),
                    log.messages().toString());
        }
    }

    @Test
    void aFailingCheckOrStatusNeverEscapes() {
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address), 1,
                     MillisClock.SYSTEM)) {
            ServiceWatchdog broken = new ServiceWatchdog(notifier, () -> {
                throw new IllegalStateException("boom");
            }, () -> "s", 1_000, () -> 0);
            assertFalse(broken.tick(0), "a check that fails is not a pass");
            ServiceWatchdog noStatus = new ServiceWatchdog(notifier, () -> null, () -> {
                throw new IllegalStateException("no status");
            }, 1_000, () -> 0);
            assertTrue(noStatus.tick(0), "a failing status line does not stop the pings");
            assertEquals(List.of("STATUS=s", "WATCHDOG=1"), systemd.drain());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new ServiceWatchdog(SystemdNotifier.disabled(), () -> null, () -> "", 0, () -> 0));
    }

    @Test
    void itsThreadPingsEveryIntervalAndStopsOnClose() {
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address), 1,
                     MillisClock.SYSTEM)) {
            ServiceWatchdog watchdog = new ServiceWatchdog(notifier, () -> null, () -> "up", 20, MillisClock.SYSTEM).start();
            assertEquals("WATCHDOG=1", systemd.next(2_000));
            assertEquals("STATUS=up", systemd.next(2_000));
            assertEquals("WATCHDOG=1", systemd.next(2_000));
            watchdog.close();
            systemd.drain();
            assertNull(systemd.next(100), "nothing after close");
        }
    }

    @Test
    void theRouterIsAliveOnlyWhileEveryWatchedCountGrows() {
        AtomicLong worker0 = new AtomicLong(5);
        AtomicLong worker1 = new AtomicLong(7);
        AtomicLong agent = new AtomicLong(0);
        RouterLiveness liveness = new RouterLiveness(new String[]{"worker 0", "worker 1", "the HA agent"},
                new LongSupplier[]{worker0::get, worker1::get, agent::get});
        assertNull(liveness.stalled(), "the first check has nothing to compare with");
        worker0.incrementAndGet();
        worker1.incrementAndGet();
        agent.incrementAndGet();
        assertNull(liveness.stalled());
        worker0.incrementAndGet();
        agent.incrementAndGet();
        assertEquals("worker 1 began no duty cycle since the previous check", liveness.stalled());
        assertEquals("worker 0, worker 1, the HA agent began no duty cycle since the previous check", liveness.stalled());
        worker0.incrementAndGet();
        worker1.incrementAndGet();
        agent.incrementAndGet();
        assertNull(liveness.stalled(), "alive again once they all cycle");
        assertThrows(IllegalArgumentException.class, () -> new RouterLiveness(new String[1], new LongSupplier[2]));
    }
}
