package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandsTest {

    @Test
    void commandOutputAndExitStatusAreCaptured() {
        ExecResult result = Commands.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
        assertEquals(new ExecResult(3, "out\n", "err\n", false), result);
        assertFalse(result.succeeded());
    }

    @Test
    void commandPastItsDeadlineIsKilledWithItsChildren() {
        long startNs = System.nanoTime();
        // The shell prints its background child's PID, then waits far beyond the deadline.
        ExecResult result = Commands.run(List.of("sh", "-c", "sleep 60 & echo $!; wait"), Duration.ofMillis(500));
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(result.timedOut());
        assertFalse(result.succeeded());
        assertTrue(elapsedMs < 10_000, "returned after " + elapsedMs + " ms");
        long child = Long.parseLong(result.stdout().strip());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "sleep child still alive");
    }

    @Test
    void failedCheckedCommandNamesTheCommandAndItsError() {
        LabException failure = assertThrows(LabException.class,
                () -> Commands.runChecked(List.of("sh", "-c", "echo no such thing >&2; exit 1")));
        assertTrue(failure.getMessage().contains("no such thing"), failure.getMessage());
        assertTrue(failure.getMessage().contains("status 1"), failure.getMessage());
    }

    @Test
    void missingProgramIsReportedAsLabException() {
        assertThrows(LabException.class, () -> Commands.run(List.of("/nonexistent/baton-tool"), Duration.ofSeconds(1)));
    }

    @Test
    void processIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Process stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done")
                .redirectErrorStream(true).start();
        try {
            assertEquals("ready", new String(stubborn.getInputStream().readNBytes(5)));
            Commands.terminate(Commands.withDescendants(stubborn.toHandle()), Duration.ofMillis(300));
            assertTrue(stubborn.waitFor(5, TimeUnit.SECONDS));
            assertEquals(137, stubborn.exitValue(), "128 + SIGKILL");
        } finally {
            stubborn.destroyForcibly();
        }
    }

    @Test
    void processHonouringSigtermExitsWithoutSigkill() throws Exception {
        Process polite = new ProcessBuilder("sh", "-c", "echo ready; exec sleep 60").redirectErrorStream(true).start();
        try {
            assertEquals("ready", new String(polite.getInputStream().readNBytes(5)));
            Commands.terminate(List.of(polite.toHandle()), Duration.ofSeconds(5));
            assertTrue(polite.waitFor(5, TimeUnit.SECONDS));
            assertEquals(143, polite.exitValue(), "128 + SIGTERM");
        } finally {
            polite.destroyForcibly();
        }
    }
}
