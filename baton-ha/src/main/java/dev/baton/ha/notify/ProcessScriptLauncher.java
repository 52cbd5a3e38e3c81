package dev.baton.ha.notify;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a notify script as a real process ({@link ProcessBuilder}: no shell between the router and the script, so
 * nothing in a reason is ever interpreted). Standard input is {@code /dev/null}; standard output and standard error
 * go together to a file of the router's own (mode 600 in {@code java.io.tmpdir}) rather than a pipe: a pipe needs a
 * thread to drain it, and a child the script leaves behind would hold it open after the script exits. The file is
 * bounded: a script that writes more than {@link #MAX_OUTPUT_BYTES} is killed, and only its first
 * {@link #READ_BYTES} are ever read back.
 *
 * <p>A timeout kills the script and its descendants: each process is listed with its children and killed, then its
 * children the same way, so a child can only escape by forking in the microseconds between the two. A process that
 * detaches itself (double fork, {@code setsid}) is no longer the script's descendant and is left alone, as keepalived
 * leaves it.
 */
public final class ProcessScriptLauncher implements ScriptLauncher {

    /** A script writing more than this (1 MiB) is killed: its output would otherwise fill the disk for a whole timeout. */
    public static final long MAX_OUTPUT_BYTES = 1L << 20;
    /** The part of the output read back for the log. */
    static final int READ_BYTES = 4_096;
    /** How often a wait looks at the output's size. */
    private static final long POLL_MS = 50;
    /** How long a killed script gets to be reaped. */
    private static final long REAP_MS = 1_000;

    @Override
    public RunningScript start(List<String> command, Map<String, String> environment) throws IOException {
        Path output = Files.createTempFile("baton-notify-", ".out"); // rw------- on POSIX file systems
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        try {
            return new ProcessRun(builder.start(), output);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(output);
            throw e;
        }
    }

    private static final class ProcessRun implements RunningScript {

        private final Process process;
        private final Path output;

        ProcessRun(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        @Override
        public Outcome awaitExit(Duration timeout) throws InterruptedException {
            long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (true) {
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0) {
                    return process.isAlive() ? Outcome.TIMED_OUT : Outcome.EXITED;
                }
                if (process.waitFor(Math.min(leftNs, TimeUnit.MILLISECONDS.toNanos(POLL_MS)), TimeUnit.NANOSECONDS)) {
                    return Outcome.EXITED;
                }
                if (outputBytes() > MAX_OUTPUT_BYTES) {
                    return Outcome.OUTPUT_LIMIT;
                }
            }
        }

        private long outputBytes() {
            try {
                return Files.size(output);
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public int exitStatus() {
            return process.exitValue();
        }

        @Override
        public void kill() {
            killTree(process.toHandle());
            try {
                process.waitFor(REAP_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Lists the process's children, kills it (it can fork no more), then each child's tree the same way. */
        private static void killTree(ProcessHandle handle) {
            List<ProcessHandle> children = handle.children().toList();
            handle.destroyForcibly();
            for (ProcessHandle child : children) {
                killTree(child);
            }
        }

        @Override
        public List<String> firstLines(int maxLines, int maxChars) {
            byte[] head;
            try (InputStream in = Files.newInputStream(output)) {
                head = in.readNBytes(READ_BYTES);
            } catch (IOException e) {
                return List.of("(its output could not be read: " + e.getMessage() + ")");
            }
            return lines(new String(head, StandardCharsets.UTF_8), maxLines, maxChars);
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // A file left in the temporary directory; nothing else depends on it.
            }
        }
    }

    /**
     * The first {@code maxLines} non-empty lines of {@code text}, each cut to {@code maxChars} with control characters
     * (terminal escapes included) replaced by '?': a script's output goes to the router's log.
     */
    static List<String> lines(String text, int maxLines, int maxChars) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            if (lines.size() == maxLines) {
                break;
            }
            StringBuilder clean = new StringBuilder();
            line.codePoints().limit(maxChars).forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
            if (!clean.toString().isBlank()) {
                lines.add(clean.toString());
            }
        }
        return lines;
    }
}
