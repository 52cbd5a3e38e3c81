package dev.baton.control.systemd;

import dev.baton.agent.MillisClock;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigProblem;
import dev.baton.control.router.ConfigReloader;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGHUP's reload ({@link ReloadSignal}): on its own thread, requests coalesced, told to systemd and to the log, harmless
 * while stopping; and a real SIGHUP, sent to a child JVM this test starts, reloads instead of ending the process.
 */
class ReloadSignalTest {

    private static final Path CONFIG = Path.of("/etc/baton/baton.yaml");
    private static final long WAIT_MS = 10_000;

    private static Map<String, Object> answer(String outcome, List<String> changes) {
        return Map.of("outcome", outcome, "config", CONFIG.toString(), "changes", changes, "config_digest", "5f3a9c01d2e4b687");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("not released within " + WAIT_MS + " ms");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theReloadRunsOnItsOwnThreadAndRequestsWhileItRunsBecomeOneMoreReload() throws Exception {
        BlockingQueue<String> entered = new LinkedBlockingQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        ConfigReloader reloader = () -> {
            entered.add(Thread.currentThread().getName());
            await(release);
            return answer("unchanged", List.of());
        };
        try (ReloadSignal reloads = new ReloadSignal(reloader, SystemdNotifier.disabled(), CONFIG, () -> "up").start()) {
            // The reloader blocks until released: had request() run it, this thread would hang here.
            assertTrue(reloads.request("SIGHUP"));
            assertEquals(ReloadSignal.THREAD_NAME, entered.poll(WAIT_MS, TimeUnit.MILLISECONDS), "never the caller's thread");
            for (int i = 0; i < 3; i++) {
                assertTrue(reloads.request("SIGHUP"), "returns at once while a reload runs");
            }
            assertEquals(4, reloads.requests());
            assertEquals(2, reloads.coalesced(), "the first request while it runs asks for one more; the others join it");
            release.countDown();
            assertEquals(ReloadSignal.THREAD_NAME, entered.poll(WAIT_MS, TimeUnit.MILLISECONDS), "the one more reload");
            assertTrue(reloads.awaitIdle(WAIT_MS));
            assertEquals(2, reloads.runs(), "four requests, two reloads");
            assertTrue(entered.isEmpty(), entered.toString());
            // Once idle, the next request is a reload of its own.
            assertTrue(reloads.request("SIGHUP"));
            assertEquals(ReloadSignal.THREAD_NAME, entered.poll(WAIT_MS, TimeUnit.MILLISECONDS));
            assertTrue(reloads.awaitIdle(WAIT_MS));
            assertEquals(3, reloads.runs());
        }
    }

    @Test
    void systemdHearsReloadingThenReadyAndTheLogHasEachChangeOrEachProblem() {
        ConfigProblem weight = new ConfigProblem(CONFIG, 14, 15, "services[0].servers[1].weight",
                "5000 is out of range (0..1000)", "weight: 10");
        ConfigProblem port = new ConfigProblem(CONFIG, 20, 9, "services[1].ports[0]", "70000 is not a port (1..65535)", "ports: [80]");
        Deque<Object> outcomes = new ArrayDeque<>(List.of(
                answer("reloaded", List.of("service web: server 198.51.100.13 added (weight 10)",
                        "service web: server 198.51.100.11 weight 10 -> 5")),
                new ConfigException(List.of(weight, port)),
                answer("unchanged", List.of()),
                new IllegalStateException("a worker did not answer")));
        ConfigReloader reloader = () -> {
            Object next = outcomes.removeFirst();
            if (next instanceof ConfigException e) {
                throw e;
            }
            if (next instanceof RuntimeException e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) next;
            return map;
        };
        String status = "router r1: forwarding 1 of 1 VIP(s) (192.0.2.10); data path xdp (generic on eth0)";
        try (NotifyReceiver systemd = new NotifyReceiver();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address), 4242,
                     MillisClock.SYSTEM);
             LogCapture log = new LogCapture(ReloadSignal.class)) {
            ReloadSignal reloads = new ReloadSignal(reloader, notifier, CONFIG, () -> status);

            reloads.reloadOnce();
            assertReloading(systemd.next(2_000));
            assertEquals("READY=1\nSTATUS=" + status, systemd.next(2_000));
            assertEquals(List.of("INFO reloading /etc/baton/baton.yaml",
                    "INFO reload: reloaded /etc/baton/baton.yaml, 2 changes (configuration digest 5f3a9c01d2e4b687)",
                    "INFO reload: service web: server 198.51.100.13 added (weight 10)",
                    "INFO reload: service web: server 198.51.100.11 weight 10 -> 5"), log.messages());

            log.records.clear();
            reloads.reloadOnce();
            assertReloading(systemd.next(2_000));
            assertEquals("READY=1\nSTATUS=reload rejected, the running configuration stays (2 problems, in the log): "
                    + weight, systemd.next(2_000), "READY=1 after a rejected file too, with a status that says so");
            assertEquals(List.of("INFO reloading /etc/baton/baton.yaml",
                    "WARNING reload rejected: /etc/baton/baton.yaml has 2 problems; the running configuration stays",
                    "WARNING reload rejected: /etc/baton/baton.yaml:14:15: services[0].servers[1].weight: 5000 is out of range"
                            + " (0..1000); for example: weight: 10",
                    "WARNING reload rejected: /etc/baton/baton.yaml:20:9: services[1].ports[0]: 70000 is not a port (1..65535);"
                            + " for example: ports: [80]"), log.messages());

            log.records.clear();
            reloads.reloadOnce();
            assertReloading(systemd.next(2_000));
            assertEquals("READY=1\nSTATUS=" + status, systemd.next(2_000));
            assertEquals("INFO reload: /etc/baton/baton.yaml is what the router runs already (configuration digest"
                    + " 5f3a9c01d2e4b687): nothing changed", log.messages().getLast());

            log.records.clear();
            reloads.reloadOnce();
            assertReloading(systemd.next(2_000));
            assertEquals("READY=1\nSTATUS=reload failed (see the log): a worker did not answer", systemd.next(2_000));
            assertEquals("SEVERE", log.records.getLast().getLevel().getName());
            assertTrue(log.records.getLast().getThrown() instanceof IllegalStateException);
            assertNull(systemd.next(50));
            assertEquals(8, notifier.sent());
        }
    }

    private static void assertReloading(String datagram) {
        assertTrue(datagram != null && datagram.matches(
                "RELOADING=1\nMONOTONIC_USEC=[0-9]+\nSTATUS=reloading /etc/baton/baton\\.yaml"), String.valueOf(datagram));
    }

    @Test
    void aRequestWhileStoppingIsHarmlessAndAReloadThatRunsIsWaitedFor() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ConfigReloader reloader = () -> {
            calls.incrementAndGet();
            entered.countDown();
            await(release);
            return answer("unchanged", List.of());
        };
        try (LogCapture log = new LogCapture(ReloadSignal.class)) {
            ReloadSignal reloads = new ReloadSignal(reloader, SystemdNotifier.disabled(), CONFIG, () -> "up").start();
            assertTrue(reloads.request("SIGHUP"));
            await(entered);
            assertTrue(reloads.request("SIGHUP"), "one more, asked for while the first runs");
            AtomicBoolean closed = new AtomicBoolean();
            Thread stopper = Thread.ofPlatform().start(() -> {
                reloads.close(WAIT_MS);
                closed.set(true);
            });
            // The stopper waits for the reload: its thread parks in join until the reload ends.
            while (stopper.getState() != Thread.State.TIMED_WAITING && stopper.isAlive()) {
                Thread.onSpinWait();
            }
            assertFalse(closed.get(), "close returned while a reload ran");
            assertFalse(reloads.request("SIGHUP"), "stopping: nothing more is reloaded");
            release.countDown();
            stopper.join(WAIT_MS);
            assertTrue(closed.get());
            assertEquals(1, calls.get(), "the reload asked for before the stop was dropped, not run under a stopping router");
            assertEquals(1, reloads.runs());
            assertTrue(log.messages().contains("INFO SIGHUP ignored: the router is stopping"), log.messages().toString());
            reloads.close(WAIT_MS); // twice is harmless
        }
    }

    @Test
    void aRealSighupToAChildJvmReloadsOnTheReloadThreadAndTheProcessLivesOn(@TempDir Path directory) throws Exception {
        Path stderr = directory.resolve("child.err");
        Process child = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-cp", System.getProperty("java.class.path"), HangupChild.class.getName())
                .redirectError(stderr.toFile()).start();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    lines.add("read failed: " + e);
                }
            });
            assertEquals("ready", lines.poll(60, TimeUnit.SECONDS), () -> "the child's error output: " + read(stderr));
            for (int i = 0; i < 2; i++) {
                hangUp(child.pid());
                assertEquals("reload on " + ReloadSignal.THREAD_NAME, lines.poll(WAIT_MS, TimeUnit.MILLISECONDS),
                        () -> "the child's error output: " + read(stderr));
                assertTrue(child.isAlive(), "SIGHUP no longer ends the JVM");
            }
            child.getOutputStream().close();
            assertEquals("exiting after 2 reloads", lines.poll(WAIT_MS, TimeUnit.MILLISECONDS), () -> read(stderr));
            assertTrue(child.waitFor(WAIT_MS, TimeUnit.MILLISECONDS));
            assertEquals(0, child.exitValue(), () -> read(stderr));
        } finally {
            child.destroyForcibly(); // our own child, by its handle
        }
    }

    /** SIGHUP to the child this test started, by its pid (Java has no API that sends SIGHUP). */
    private static void hangUp(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).redirectErrorStream(true).start();
        assertTrue(kill.waitFor(WAIT_MS, TimeUnit.MILLISECONDS));
        assertEquals(0, kill.exitValue(), new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
