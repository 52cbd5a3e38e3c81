package dev.baton.control.cli;

import dev.baton.control.protocol.Json;
import dev.baton.control.systemd.NotifyReceiver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code baton run} as a service starts it, in a JVM of its own (the log's set-up is the process's): with
 * {@code --log-format json} every line it writes is JSON, a start that fails says why in {@code STATUS=} too, and an
 * unknown format is a usage error.
 */
class RunCommandServiceTest {

    private static Process baton(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Baton.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static String finish(Process process) throws Exception {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        return output;
    }

    @Test
    void aFailedStartWithJsonLogsIsJsonLinesAndAStatusForSystemd(@TempDir Path directory) throws Exception {
        Path missing = directory.resolve("missing.yaml");
        try (NotifyReceiver systemd = new NotifyReceiver()) {
            Process run = baton(Map.of("NOTIFY_SOCKET", systemd.address), "run", "--config", missing.toString(),
                    "--log-format", "json");
            String output = finish(run);
            assertEquals(Baton.EXIT_INVALID, run.exitValue(), output);
            List<String> lines = output.lines().toList();
            assertEquals(1, lines.size(), "one record, the configuration's error: " + output);
            @SuppressWarnings("unchecked")
            Map<String, Object> record = (Map<String, Object>) Json.parse(lines.getFirst());
            assertEquals("SEVERE", record.get("level"), output);
            assertEquals("dev.baton.control.cli.RunCommand", record.get("logger"), output);
            assertTrue(String.valueOf(record.get("message")).contains(missing.toString()), output);
            String status = systemd.next(5_000);
            assertTrue(status != null && status.startsWith("STATUS=failed to start: " + missing), String.valueOf(status));
        }
    }

    @Test
    void withoutSystemdOneJsonLineSaysSoBeforeTheError(@TempDir Path directory) throws Exception {
        Process run = baton(Map.of(), "run", "--config", directory.resolve("missing.yaml").toString(), "--log-format", "json");
        String output = finish(run);
        assertEquals(Baton.EXIT_INVALID, run.exitValue(), output);
        List<String> lines = output.lines().toList();
        assertEquals(2, lines.size(), output);
        for (String line : lines) {
            assertTrue(Json.parse(line) instanceof Map<?, ?>, line);
        }
        assertTrue(lines.getFirst().contains("\"level\":\"INFO\"") && lines.getFirst().contains("NOTIFY_SOCKET is not set"), output);
    }

    @Test
    void anUnknownLogFormatIsAUsageError(@TempDir Path directory) {
        assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("run", "--config",
                directory.resolve("x.yaml").toString(), "--log-format", "xml"));
    }
}
