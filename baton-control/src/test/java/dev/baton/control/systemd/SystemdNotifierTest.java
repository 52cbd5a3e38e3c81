package dev.baton.control.systemd;

import dev.baton.agent.MillisClock;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SystemdNotifier} against a real AF_UNIX datagram socket standing in for systemd: the exact datagrams. */
class SystemdNotifierTest {

    private static final long PID = 4242;

    @Test
    void sendsTheProtocolsMessagesOneDatagramEach() {
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", systemd.address), PID, MillisClock.SYSTEM)) {
            assertTrue(notifier.enabled());
            assertEquals(systemd.address, notifier.address());
            notifier.ready("router r1: forwarding 1 of 1 VIP(s) (192.0.2.10); data path xdp (generic on eth0)");
            notifier.status("router r1: forwarding 0 of 1 VIP(s) (192.0.2.10)");
            notifier.watchdog();
            notifier.reloading("reloading /etc/baton/baton.yaml");
            notifier.stopping("router r1 stopping");
            assertEquals("READY=1\nSTATUS=router r1: forwarding 1 of 1 VIP(s) (192.0.2.10); data path xdp (generic on eth0)",
                    systemd.next(2_000));
            assertEquals("STATUS=router r1: forwarding 0 of 1 VIP(s) (192.0.2.10)", systemd.next(2_000));
            assertEquals("WATCHDOG=1", systemd.next(2_000));
            String reloading = systemd.next(2_000);
            assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=[0-9]+\nSTATUS=reloading /etc/baton/baton.yaml"), reloading);
            long monotonicUs = Long.parseLong(reloading.split("\n")[1].substring("MONOTONIC_USEC=".length()));
            assertTrue(Math.abs(System.nanoTime() / 1_000 - monotonicUs) < 10_000_000, "CLOCK_MONOTONIC in microseconds");
            assertEquals("STOPPING=1\nSTATUS=router r1 stopping", systemd.next(2_000));
            assertNull(systemd.next(50));
            assertEquals(5, notifier.sent());
            assertEquals(0, notifier.failed());
        }
    }

    @Test
    void aPathSocketWorksAsAnAbstractOne(@TempDir Path directory) {
        String path = directory.resolve("notify").toString();
        try (var systemd = dev.baton.nativeio.UnixDatagramSocket.bind(path);
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID, MillisClock.SYSTEM)) {
            notifier.watchdog();
            assertEquals("WATCHDOG=1", new String(systemd.receive(100, 2_000), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void aStatusLineCannotAddAssignmentsAndIsBounded() {
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", systemd.address), PID, MillisClock.SYSTEM)) {
            notifier.status("peer said \"x\"\nREADY=1\r\u0000\u001b[2J");
            assertEquals("STATUS=peer said \"x\" READY=1   [2J", systemd.next(2_000));
            notifier.status("s".repeat(5_000));
            assertEquals("STATUS=" + "s".repeat(SystemdNotifier.MAX_STATUS_CHARS), systemd.next(2_000));
            notifier.ready(null);
            assertEquals("READY=1\nSTATUS=", systemd.next(2_000));
        }
        assertEquals("ab", SystemdNotifier.statusText("ab"));
        String pairAtTheCut = "x".repeat(SystemdNotifier.MAX_STATUS_CHARS - 1) + "\uD83D\uDE00";
        assertEquals("x".repeat(SystemdNotifier.MAX_STATUS_CHARS - 1), SystemdNotifier.statusText(pairAtTheCut),
                "never half a surrogate pair");
    }

    @Test
    void withoutNotifySocketNothingIsSentAndOneLineSaysSo() {
        try (LogCapture log = new LogCapture(SystemdNotifier.class);
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(), PID, MillisClock.SYSTEM)) {
            assertFalse(notifier.enabled());
            notifier.ready("up");
            notifier.watchdog();
            notifier.stopping("down");
            assertEquals(0, notifier.sent());
            assertEquals(1, log.records.size(), log.messages().toString());
            assertTrue(log.messages().getFirst().contains("$NOTIFY_SOCKET is not set"), log.messages().toString());
        }
    }

    @Test
    void anInvalidNotifySocketIsIgnoredWithOneLine() {
        for (String invalid : List.of("relative/notify", "@", "vsock:2:1234", "/" + "x".repeat(200), "\n\u001b[31mred")) {
            try (LogCapture log = new LogCapture(SystemdNotifier.class);
                 SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", invalid), PID,
                         MillisClock.SYSTEM)) {
                assertFalse(notifier.enabled(), invalid);
                notifier.ready("up");
                assertEquals(1, log.records.size(), invalid + ": " + log.messages());
                String line = log.messages().getFirst();
                assertTrue(line.startsWith("WARNING $NOTIFY_SOCKET ignored: "), line);
                assertFalse(line.chars().anyMatch(c -> c == '\n' || c == 0x1b), "the value's control characters escaped: " + line);
            }
        }
    }

    @Test
    void aReceiverThatIsGoneCostsACountAndOneLinePerMinuteNeverAnException(@TempDir Path directory) {
        String path = directory.resolve("gone").toString();
        dev.baton.nativeio.UnixDatagramSocket.bind(path).close(); // the file stays, nobody reads: ECONNREFUSED
        AtomicLong nowMs = new AtomicLong(1_000);
        try (LogCapture log = new LogCapture(SystemdNotifier.class);
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID, nowMs::get)) {
            for (int i = 0; i < 10; i++) {
                notifier.watchdog();
                nowMs.addAndGet(1_000);
            }
            assertEquals(10, notifier.failed());
            assertEquals(0, notifier.sent());
            assertEquals(1, log.records.size(), log.messages().toString());
            assertTrue(log.messages().getFirst().contains("cannot notify the service manager at " + path + " (WATCHDOG): ECONNREFUSED"),
                    log.messages().toString());
            nowMs.addAndGet(SystemdNotifier.FAILURE_LOG_INTERVAL_MS);
            notifier.status("x");
            assertEquals(2, log.records.size());
            assertTrue(log.messages().get(1).contains("(STATUS): ECONNREFUSED") && log.messages().get(1).contains("(9 more failures"),
                    log.messages().toString());
        }
    }

    @Test
    void aClosedNotifierSendsNothing() {
        try (NotifyReceiver systemd = new NotifyReceiver()) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address), PID,
                    MillisClock.SYSTEM);
            notifier.close();
            notifier.watchdog();
            notifier.close();
            assertNull(systemd.next(50));
        }
    }

    @Test
    void theWatchdogTimeoutIsReadOnlyWhenItIsValidAndForThisProcess() {
        assertEquals(10_000_000, SystemdNotifier.watchdogMicros(Map.of("WATCHDOG_USEC", "10000000"), PID));
        assertEquals(10_000_000, SystemdNotifier.watchdogMicros(Map.of("WATCHDOG_USEC", "10000000", "WATCHDOG_PID", "4242"), PID));
        assertEquals(0, SystemdNotifier.watchdogMicros(Map.of("WATCHDOG_USEC", "10000000", "WATCHDOG_PID", "1"), PID),
                "another process's watchdog");
        assertEquals(0, SystemdNotifier.watchdogMicros(Map.of(), PID));
        for (String invalid : List.of("0", "-5", "10s", " 10", "1".repeat(19), "")) {
            assertEquals(0, SystemdNotifier.watchdogMicros(Map.of("WATCHDOG_USEC", invalid), PID), invalid);
        }
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", systemd.address, "WATCHDOG_USEC", "10000000"), PID, MillisClock.SYSTEM)) {
            assertEquals(5_000, ServiceWatchdog.intervalMs(notifier), "half the timeout, as sd_watchdog_enabled(3) advises");
        }
        assertEquals(0, ServiceWatchdog.intervalMs(SystemdNotifier.disabled()));
    }
}
