package dev.baton.lab;

import static dev.baton.lab.LabTesting.namespacesWithPrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("lab")
class StaleLabRemovalTest {

    @Test
    void labOfAnOwnerKilledWithSigkillIsRemovedByTheNextRemoveStale() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        Assumptions.assumeTrue(Tool.PYTHON3.isAvailable(), Tool.PYTHON3.missingMessage());
        String prefix = LabPlan.randomPrefix();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StaleLabOwner.class.getName(), prefix)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return lines.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(90, TimeUnit.SECONDS);
            assertTrue(line != null && line.startsWith("OWNING "), "owner said: " + line);
            ProcessHandle echoServer = ProcessHandle.of(Long.parseLong(line.substring("OWNING ".length()))).orElseThrow();

            owner.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertTrue(owner.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, owner.exitValue());

            assertEquals(4, namespacesWithPrefix(prefix).size(), "the killed owner left its lab behind");
            assertTrue(echoServer.isAlive(), "and its echo server");
            LabStatus status = Lab.list().stream().filter(lab -> lab.prefix().equals(prefix)).findFirst().orElseThrow();
            assertEquals(LabStatus.Owner.DEAD, status.owner());
            assertEquals(owner.pid(), status.ownerPid());

            List<String> removed = Lab.removeStale();

            assertTrue(removed.contains(prefix), "removed " + removed);
            assertEquals(List.of(), namespacesWithPrefix(prefix));
            assertTrue(echoServer.onExit().isDone() || !echoServer.isAlive(), "echo server survived");
            assertFalse(Files.exists(LabState.file(Lab.STATE_DIRECTORY, prefix)));
            assertFalse(Files.exists(LabState.workDirectory(Lab.STATE_DIRECTORY, prefix)));
        } finally {
            owner.destroyForcibly();
            Lab.remove(prefix); // in case an assertion failed before removeStale
        }
    }
}
