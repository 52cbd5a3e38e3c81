package dev.baton.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A background process started in a lab host's namespace by {@link Host#spawn}. It is stopped by {@link #stop()}
 * or, at the latest, by {@link Lab#close()}: SIGTERM to it and its descendants, then SIGKILL after a grace
 * period. Stopping is by PID only.
 */
public final class LabProcess implements AutoCloseable {

    /** How often {@link #awaitOutput} looks at the log file while waiting for another process. */
    private static final long POLL_INTERVAL_MS = 10;

    private final Host host;
    private final List<String> command;
    private final Process process;
    private final Path logFile;
    private final long logOffset;

    LabProcess(Host host, List<String> command, Process process, Path logFile, long logOffset) {
        this.host = host;
        this.command = List.copyOf(command);
        this.process = process;
        this.logFile = logFile;
        this.logOffset = logOffset;
    }

    public Host host() {
        return host;
    }

    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The underlying process, for callers that need its streams' exit future or handle. */
    public Process process() {
        return process;
    }

    public Path logFile() {
        return logFile;
    }

    /** What the process has written to its log so far (only its own output, not what the file held before). */
    public String output() {
        try (SeekableByteChannel channel = Files.newByteChannel(logFile)) {
            channel.position(Math.min(logOffset, channel.size()));
            try (InputStream in = Channels.newInputStream(channel)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until the process's output contains {@code text} (a readiness line), polling its log file.
     *
     * @throws LabException if the process exits first or {@code timeout} passes; the message holds its output
     */
    public void awaitOutput(String text, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new LabException("'" + String.join(" ", command) + "' in " + host.namespace() + " exited with status "
                        + process.exitValue() + " before printing '" + text + "'; output:\n" + output());
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new LabException("'" + String.join(" ", command) + "' in " + host.namespace() + " did not print '"
                        + text + "' within " + timeout.toMillis() + " ms; output:\n" + output());
            }
            try {
                // Waiting on another process's start-up: there is no event to block on but its log file.
                Thread.sleep(POLL_INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for '" + String.join(" ", command) + "'", e);
            }
        }
    }

    /** Waits up to {@code timeout} for the process to exit by itself; its exit status if it did. */
    public OptionalInt waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? OptionalInt.of(process.exitValue())
                    : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Stops the process and its descendants: SIGTERM, then SIGKILL after two seconds. Idempotent. */
    public void stop() {
        stop(Commands.STOP_GRACE);
    }

    /** Stops the process and its descendants: SIGTERM, then SIGKILL after {@code grace}. Idempotent. */
    public void stop(Duration grace) {
        if (process.isAlive()) {
            Commands.terminate(Commands.withDescendants(process.toHandle()), grace);
        }
    }

    /**
     * SIGKILL to the process and its descendants at once, by PID, then waits for them to be gone: a crash, with no
     * orderly shutdown in between (the listening sockets close when the processes die). Idempotent.
     */
    public void kill() {
        if (process.isAlive()) {
            Commands.kill(process.toHandle());
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "pid " + pid() + " in " + host.namespace() + ": " + String.join(" ", command);
    }
}
