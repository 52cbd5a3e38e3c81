package dev.baton.bench.lab;

import dev.baton.lab.ExecResult;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short command run by the benchmark itself, outside any lab host: the compiler, or {@code ip -n} and
 * {@code ip netns exec} for the switch namespace, which has no {@link dev.baton.lab.Host}. Output goes to files, not
 * pipes, so a command that fills a pipe cannot block; every run has a deadline, after which it is killed.
 */
final class LocalCommand {

    private LocalCommand() {
    }

    /** Runs {@code command} to completion or until {@code timeout}. */
    static ExecResult run(Duration timeout, List<String> command) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("baton-bench-", ".out");
            stderr = Files.createTempFile("baton-bench-", ".err");
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            boolean finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            return new ExecResult(finished ? process.exitValue() : -1, Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8), !finished);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + String.join(" ", command) + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running '" + String.join(" ", command) + "'", e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /**
     * Runs {@code command} and returns its standard output.
     *
     * @throws IllegalStateException naming the command, its status and its standard error when it fails
     */
    static String runChecked(Duration timeout, String... command) {
        ExecResult result = run(timeout, List.of(command));
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed"
                    + (result.timedOut() ? " (timed out)" : " with status " + result.exitCode()) + ": "
                    + (result.stderr().strip() + " " + result.stdout().strip()).strip());
        }
        return result.stdout();
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left in /tmp is harmless
            }
        }
    }
}
