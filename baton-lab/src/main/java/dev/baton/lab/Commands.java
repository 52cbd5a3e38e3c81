package dev.baton.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs external commands with a deadline, and terminates processes by PID (SIGTERM, a grace period, then
 * SIGKILL). Output goes to temporary files rather than pipes, so a descendant that outlives its parent (and
 * keeps a pipe open) can never block the caller.
 */
final class Commands {

    /** Enough for any single {@code ip}/{@code sysctl} call; they normally take milliseconds. */
    static final Duration SETUP_TIMEOUT = Duration.ofSeconds(20);
    /** How long a terminated process gets to exit after SIGTERM before it is sent SIGKILL. */
    static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /** How long to wait for the kernel to reap a process after SIGKILL. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** Output beyond this is dropped (a runaway command must not exhaust the heap). */
    private static final int MAX_OUTPUT_BYTES = 16 << 20;
    static final File DEV_NULL = new File("/dev/null");

    private Commands() {
    }

    /** Runs {@code command} to completion or until {@code timeout}, then kills it and its descendants. */
    static ExecResult run(List<String> command, Duration timeout) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("baton-lab-", ".out");
            stderr = Files.createTempFile("baton-lab-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                kill(process.toHandle());
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while running '" + String.join(" ", command) + "'", e);
            }
            if (!finished) {
                kill(process.toHandle());
            }
            int exitCode = process.isAlive() ? -1 : process.exitValue();
            return new ExecResult(exitCode, read(stdout), read(stderr), !finished);
        } catch (IOException e) {
            throw new LabException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /** Runs {@code command} and throws if it fails. */
    static ExecResult runChecked(List<String> command) {
        return run(command, SETUP_TIMEOUT).requireSuccess(command);
    }

    /**
     * Sends SIGTERM to every live process, waits up to {@code grace} for them all together, then sends SIGKILL to
     * whatever is left and waits for it to go.
     */
    static void terminate(Collection<ProcessHandle> processes, Duration grace) {
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle process : processes) {
            if (process.isAlive() && process.pid() != ProcessHandle.current().pid()) {
                alive.add(process);
                process.destroy();
            }
        }
        long deadlineNs = System.nanoTime() + grace.toNanos();
        for (ProcessHandle process : alive) {
            awaitExit(process, Math.max(0, deadlineNs - System.nanoTime()));
        }
        List<ProcessHandle> stubborn = alive.stream().filter(ProcessHandle::isAlive).toList();
        stubborn.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : stubborn) {
            awaitExit(process, KILL_WAIT.toNanos());
        }
    }

    /** The process and, before it goes, a snapshot of all its descendants. */
    static List<ProcessHandle> withDescendants(ProcessHandle process) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process);
        process.descendants().forEach(tree::add);
        return tree;
    }

    static void kill(ProcessHandle process) {
        List<ProcessHandle> tree = withDescendants(process);
        tree.forEach(ProcessHandle::destroyForcibly);
        tree.forEach(member -> awaitExit(member, KILL_WAIT.toNanos()));
    }

    private static void awaitExit(ProcessHandle process, long timeoutNs) {
        try {
            process.onExit().get(timeoutNs, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still alive: the caller escalates or reports
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
        }
    }

    static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }
}
