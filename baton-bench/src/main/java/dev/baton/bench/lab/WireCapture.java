package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.Tool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump on one bridge port in the lab's switch namespace: the frames a router puts on the wire towards the
 * servers, filtered on the router's source MAC and the VIP as IP destination, each with the kernel's receive
 * timestamp (CLOCK_REALTIME, nanoseconds; every namespace shares that clock, so it compares with the benchmark's
 * own {@link Instant#now()}). The capture is taken where the frame enters the switch, outside the router, so it
 * sees what the router really sent, whatever the router's own packet socket bypasses (PACKET_QDISC_BYPASS hides
 * forwarded frames from a tcpdump inside the router's namespace).
 *
 * <p>Bounded: a first-frame capture ({@code -c 1}) ends by itself; every capture is stopped by PID (SIGTERM, then
 * SIGKILL) by {@link #close()}, and the lab's removal ends whatever still runs in its namespaces.
 *
 * <p>Threads: the benchmark's main thread.
 */
final class WireCapture implements AutoCloseable {

    /** What tcpdump prints (on standard error) once its filter is installed and it captures. */
    static final String LISTENING = "listening on";
    /** A frame line of {@code tcpdump -tt --time-stamp-precision=nano}: seconds.nanoseconds since the epoch first. */
    private static final Pattern FRAME_LINE = Pattern.compile("^(\\d{9,12})\\.(\\d{9})\\s");
    private static final long POLL_INTERVAL_MS = 5;
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final Process process;
    private final Path output;
    private final String description;

    private WireCapture(Process process, Path output, String description) {
        this.process = process;
        this.output = output;
        this.description = description;
    }

    /** tcpdump's absolute path, or empty if it is not installed. */
    static Optional<Path> tcpdump() {
        for (String directory : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            Path candidate = Path.of(directory, "tcpdump");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A BPF expression for the segments of established connections: TCP without SYN. */
    static final String ESTABLISHED_ONLY = "tcp and tcp[tcpflags] & tcp-syn == 0";

    /** The BPF filter: frames from {@code sourceMac} carrying IPv4 to {@code destinationIp}. */
    static String filter(String sourceMac, String destinationIp) {
        return "ether src " + sourceMac + " and ip dst host " + destinationIp;
    }

    /**
     * Starts tcpdump on {@code bridgePort} in {@code lab}'s switch namespace; returns once it is capturing (its
     * "listening on" line), so that no frame sent after this returns is missed.
     *
     * @param firstFrameOnly stop after the first matching frame ({@code -c 1}), else capture until {@link #close()}
     * @param output         where its standard output and error go
     * @throws IllegalStateException if it cannot start or is not capturing within {@code timeout}
     */
    static WireCapture start(Lab lab, String bridgePort, String sourceMac, String destinationIp, boolean firstFrameOnly,
                             Path output, Duration timeout) {
        return start(lab, bridgePort, sourceMac, destinationIp, "", firstFrameOnly, output, timeout);
    }

    /**
     * As above, with {@code alsoMatching} (a BPF expression, or empty) added to the filter: e.g.
     * {@link #ESTABLISHED_ONLY} to leave out the SYNs of new connections.
     */
    static WireCapture start(Lab lab, String bridgePort, String sourceMac, String destinationIp, String alsoMatching,
                             boolean firstFrameOnly, Path output, Duration timeout) {
        Path tcpdump = tcpdump().orElseThrow(() -> new IllegalStateException("tcpdump is not installed (Debian package tcpdump)"));
        List<String> command = new ArrayList<>(List.of(Tool.IP.require(), "netns", "exec", lab.switchNamespace(),
                tcpdump.toString(), "-i", bridgePort, "-n", "-p", "-l", "-q", "--immediate-mode", "-tt",
                "--time-stamp-precision=nano", "-s", "96"));
        if (firstFrameOnly) {
            command.addAll(List.of("-c", "1"));
        }
        String filter = filter(sourceMac, destinationIp) + (alsoMatching.isEmpty() ? "" : " and " + alsoMatching);
        command.add(filter);
        String description = "tcpdump on " + bridgePort + " (" + filter + ")";
        Process process;
        try {
            Files.deleteIfExists(output);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + description + ": " + e.getMessage(), e);
        }
        WireCapture capture = new WireCapture(process, output, description);
        try {
            capture.awaitListening(timeout);
        } catch (RuntimeException e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    private void awaitListening(Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!text().contains(LISTENING)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(description + " exited with status " + process.exitValue() + ": " + text());
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                throw new IllegalStateException(description + " was not capturing within " + timeout.toMillis() + " ms: " + text());
            }
            pause(POLL_INTERVAL_MS);
        }
    }

    /**
     * Waits, at most {@code timeout}, for a first-frame capture to see its frame and end; the frame's timestamp,
     * or empty if none came (the capture is then stopped).
     */
    Optional<Instant> awaitFirstFrame(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted", e);
        }
        List<Instant> frames = frames();
        return frames.isEmpty() ? Optional.empty() : Optional.of(frames.getFirst());
    }

    /** Stops the capture (if it runs) and returns the timestamps of every frame it saw, in capture order. */
    List<Instant> stopAndCollect() {
        close();
        return frames();
    }

    /** Timestamps of the frames captured so far, in capture order. */
    List<Instant> frames() {
        List<Instant> frames = new ArrayList<>();
        for (String line : text().split("\n")) {
            frameTime(line).ifPresent(frames::add);
        }
        return frames;
    }

    /** The timestamp of a frame line ("1764312345.123456789 IP ..."); empty for tcpdump's other lines. */
    static Optional<Instant> frameTime(String line) {
        Matcher matcher = FRAME_LINE.matcher(line);
        if (!matcher.find()) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))));
    }

    String text() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM to tcpdump, by PID (ip netns exec execs it), then SIGKILL after a grace period. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return description + ", pid " + process.pid();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms); // waiting for another process's start-up: its output file is all there is to watch
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
