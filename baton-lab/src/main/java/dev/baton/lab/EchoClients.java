package dev.baton.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real TCP clients for the failover tests: {@code ha_client.py} (python3, selectors) in a client's namespace opens
 * many long-lived connections to an echo port (see {@link ServerHost#startEchoServer(int, int)}), sends a short
 * message on each every interval and verifies every echoed byte; optionally it opens a fresh one-message
 * connection every so often (probes). When it ends it writes a JSON result: per connection the messages echoed
 * intact, mismatches, errors, messages left unanswered, and the longest stall (the larger of the longest round
 * trip and the longest gap between two echoes) with the wall-clock time it began; per probe whether it
 * succeeded. The script's docstring is the reference for the fields.
 *
 * <pre>{@code
 * EchoClients load = EchoClients.start(lab.client(0), EchoClients.Options.longLived("192.0.2.10", 7000, 200,
 *         Duration.ofSeconds(10)));
 * load.awaitReady(Duration.ofSeconds(20));   // every connection has had its first echo
 * ... fail something ...
 * String json = load.awaitResult(Duration.ofSeconds(40));
 * }</pre>
 *
 * <p>Bounded: at most {@value #MAX_CONNECTIONS} connections, at most 60 s of messages; every wait in the script
 * has a deadline, and the lab stops the process on close if it is still running.
 *
 * <p>Threads: used by the thread that started it.
 */
public final class EchoClients implements AutoCloseable {

    /** Resource holding the client script. */
    static final String SCRIPT = "ha_client.py";
    /** What the script prints once every connection has had its first echo (or failed). */
    public static final String READY_LINE = "READY";
    public static final int MAX_CONNECTIONS = 500;
    public static final Duration MAX_DURATION = Duration.ofSeconds(60);
    /** How long the script waits for the first echo of every connection before it starts the clock anyway. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger RUNS = new AtomicInteger();

    /**
     * What to run.
     *
     * @param address               where to connect, usually a VIP
     * @param port                  an echo port
     * @param connections           1..{@value #MAX_CONNECTIONS}
     * @param interval              between two messages on one connection, 1 ms..10 s
     * @param duration              how long messages go on once every connection is up, 0..60 s
     * @param messagesPerConnection 0: until {@code duration} ends; n: n messages, then an orderly close
     * @param probeInterval         zero for no probes, else how often a fresh one-message connection is opened
     * @param drain                 how long outstanding echoes get to arrive after the last message, 0..30 s
     */
    public record Options(String address, int port, int connections, Duration interval, Duration duration,
                          int messagesPerConnection, Duration probeInterval, Duration drain) {

        public Options {
            Objects.requireNonNull(address, "address");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 1..65535");
            }
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections " + connections + " is outside 1.." + MAX_CONNECTIONS);
            }
            if (interval.toMillis() < 1 || interval.toMillis() > 10_000) {
                throw new IllegalArgumentException("interval " + interval + " is outside 1 ms..10 s");
            }
            if (duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("duration " + duration + " is outside 0.." + MAX_DURATION);
            }
            if (messagesPerConnection < 0) {
                throw new IllegalArgumentException("messagesPerConnection must not be negative");
            }
            if (probeInterval.isNegative() || probeInterval.toMillis() > 60_000) {
                throw new IllegalArgumentException("probeInterval " + probeInterval + " is outside 0..60 s");
            }
            if (drain.isNegative() || drain.toMillis() > 30_000) {
                throw new IllegalArgumentException("drain " + drain + " is outside 0..30 s");
            }
        }

        /** {@code connections} connections messaging every 20 ms for {@code duration}; no probes; 5 s drain. */
        public static Options longLived(String address, int port, int connections, Duration duration) {
            return new Options(address, port, connections, Duration.ofMillis(20), duration, 0, Duration.ZERO,
                    Duration.ofSeconds(5));
        }

        /** {@code connections} fresh connections, each sending one message, checking its echo and closing. */
        public static Options oneEchoEach(String address, int port, int connections) {
            return new Options(address, port, connections, Duration.ofMillis(20), Duration.ofSeconds(10), 1,
                    Duration.ZERO, Duration.ofSeconds(5));
        }

        /** The same, with a one-message probe connection every {@code every}. */
        public Options withProbes(Duration every) {
            return new Options(address, port, connections, interval, duration, messagesPerConnection, every, drain);
        }

        /** The longest the script can run: connecting, the duration, the drain, and some slack for python. */
        public Duration longestRun() {
            return CONNECT_TIMEOUT.plus(duration).plus(drain).plus(Duration.ofSeconds(10));
        }

        List<String> arguments() {
            return List.of("--address", address, "--port", Integer.toString(port),
                    "--connections", Integer.toString(connections),
                    "--interval-ms", Long.toString(interval.toMillis()),
                    "--duration-s", Double.toString(duration.toMillis() / 1000.0),
                    "--messages", Integer.toString(messagesPerConnection),
                    "--probe-interval-ms", Long.toString(probeInterval.toMillis()),
                    "--drain-s", Double.toString(drain.toMillis() / 1000.0));
        }
    }

    private final Options options;
    private final LabProcess process;
    private final Path resultFile;

    private EchoClients(Options options, LabProcess process, Path resultFile) {
        this.options = options;
        this.process = process;
        this.resultFile = resultFile;
    }

    /**
     * Starts the clients in {@code client}'s namespace; they open their connections at once. The output goes to
     * {@code <work directory>/<host>-echo-clients-<n>.log}, the result to the same name with {@code .json}.
     *
     * @throws LabException if python3 is missing or the script cannot be installed
     */
    public static EchoClients start(Host client, Options options) {
        String python = Tool.PYTHON3.require();
        Path directory = client.lab.workDirectory();
        Path script = directory.resolve(SCRIPT);
        installScript(script);
        String name = client.name() + "-echo-clients-" + RUNS.incrementAndGet();
        Path resultFile = directory.resolve(name + ".json");
        List<String> command = new ArrayList<>(List.of(python, "-u", script.toString()));
        command.addAll(options.arguments());
        command.add("--result");
        command.add(resultFile.toString());
        LabProcess process = client.spawn(command, directory.resolve(name + ".log"));
        return new EchoClients(options, process, resultFile);
    }

    /** Runs {@code options} to the end in {@code client}'s namespace and returns the JSON result. */
    public static String run(Host client, Options options) {
        try (EchoClients clients = start(client, options)) {
            return clients.awaitResult(options.longestRun());
        }
    }

    public Options options() {
        return options;
    }

    public LabProcess process() {
        return process;
    }

    /** Where the JSON result is written when the run ends. */
    public Path resultFile() {
        return resultFile;
    }

    /**
     * Waits until every connection has had its first echo (or failed); the duration runs from there.
     *
     * @throws LabException if the script exits first or does not get there within {@code timeout}
     */
    public void awaitReady(Duration timeout) {
        process.awaitOutput(READY_LINE, timeout);
    }

    /** The script's READY line, e.g. "READY connected=200 failed=0", or "" before it is printed. */
    public String readyLine() {
        for (String line : process.output().split("\n")) {
            if (line.startsWith(READY_LINE)) {
                return line.strip();
            }
        }
        return "";
    }

    /**
     * Waits for the run to end and returns its JSON result.
     *
     * @throws LabException if it does not end within {@code timeout} (it is then stopped) or fails; the message
     *                      holds its output
     */
    public String awaitResult(Duration timeout) {
        OptionalInt status = process.waitFor(timeout);
        if (status.isEmpty()) {
            process.stop();
            throw new LabException("echo clients did not finish within " + timeout.toMillis() + " ms; output:\n"
                    + process.output());
        }
        if (status.getAsInt() != 0) {
            throw new LabException("echo clients exited with status " + status.getAsInt() + "; output:\n" + process.output());
        }
        try {
            return Files.readString(resultFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("echo clients wrote no result " + resultFile + ": " + e.getMessage() + "; output:\n"
                    + process.output(), e);
        }
    }

    /** Stops the script if it still runs. */
    @Override
    public void close() {
        process.stop();
    }

    private static void installScript(Path target) {
        try (InputStream in = EchoClients.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new LabException("resource " + SCRIPT + " is missing from the baton-lab jar");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("cannot install " + target + ": " + e.getMessage(), e);
        }
    }
}
