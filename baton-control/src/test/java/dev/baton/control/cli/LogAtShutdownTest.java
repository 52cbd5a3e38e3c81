package dev.baton.control.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code baton run} logs its hand-over at SIGTERM from a shutdown hook: the log must still
 * work there, although the JDK's LogManager closes its handlers in a shutdown hook of its own. Run in a
 * JVM of its own, since the log manager is chosen once per JVM.
 */
class LogAtShutdownTest {

    /** The child JVM: Baton's log, then a shutdown hook that logs after the JDK's own hooks had time to run. */
    public static void main(String[] args) {
        LogFormat.install();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Logger.getLogger("dev.baton.test.Hook").info("logged from a shutdown hook");
        }));
        System.exit(0);
    }

    @Test
    void aShutdownHookStillLogs() throws Exception {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LogAtShutdownTest.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child JVM exits");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("INFO Hook: logged from a shutdown hook"), "the log line is missing: " + output);
    }
}
