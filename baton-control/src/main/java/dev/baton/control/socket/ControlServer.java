package dev.baton.control.socket;

import dev.baton.control.protocol.Json;
import dev.baton.agent.RateLimitedLog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The router's local control socket: a Unix stream socket (mode 0600: only its owner may command the
 * router) speaking one JSON object per line. Request {@code {"command":"stats","args":{...}}}; answer
 * {@code {"ok":true,"result":...}} or {@code {"ok":false,"error":"..."}}. One virtual thread per client;
 * handlers reach workers only through their command queues, so nothing here touches the data plane's
 * memory directly.
 *
 * <p>Every resource a client can hold is bounded, see {@link Limits}: a request line is
 * read into a fixed buffer and refused at the limit plus one byte (a 400 MiB line used to be read whole);
 * a client idle longer than the idle timeout, in a read or in a write its reader does not drain, is
 * answered and closed; at most {@link Limits#maxClients} are served at once, the next is answered
 * "busy" and closed (2,044 idle clients used every file descriptor); accept errors (EMFILE) back off up
 * to a second with one log line per 10 s instead of a stack trace per spin. Each refusal answers the
 * client when it still can and is counted ({@link #refusals}); nothing a client sends throws out of a
 * loop.
 *
 * <p>A handler may return an {@link Iterable} that is not a {@link Collection}: it is written as a JSON
 * array element by element as it is iterated (the {@code connections} listing pulls bounded chunks from
 * the workers this way), so a large answer is never built whole.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());

    /**
     * The bounds on what clients may hold.
     *
     * @param maxRequestBytes the longest request line, newline excluded
     * @param idleTimeout     how long a client may keep a read or a write waiting
     * @param maxClients      clients served at once
     */
    public record Limits(int maxRequestBytes, Duration idleTimeout, int maxClients) {
        /** 64 KiB requests (a real one is under 200 bytes), 30 s idle, 16 clients. */
        public static final Limits DEFAULT = new Limits(64 * 1024, Duration.ofSeconds(30), 16);

        public Limits {
            if (maxRequestBytes < 64 || maxClients < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("control socket limits out of range: " + maxRequestBytes + " bytes, "
                        + idleTimeout + ", " + maxClients + " clients");
            }
        }
    }

    /** Why a client was answered with an error and closed; the codes index {@link #refusals}. */
    public enum Refusal {
        REQUEST_TOO_LONG("request-too-long"),
        IDLE_TIMEOUT("idle-timeout"),
        TOO_MANY_CLIENTS("too-many-clients"),
        ACCEPT_FAILED("accept-failed");

        public final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    /** The accept loop's back-off after an error: from 10 ms, doubling, to 1 s (EMFILE clears when clients leave). */
    private static final long MIN_BACKOFF_MS = 10;
    private static final long MAX_BACKOFF_MS = 1_000;

    /** Handles one command. */
    @FunctionalInterface
    public interface Handler {
        Object handle(Map<String, Object> args) throws Exception;
    }

    private final Path path;
    private final Limits limits;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Semaphore clientSlots;
    /** Clients being served, closed with the server so their threads end. */
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong[] refusals = new AtomicLong[Refusal.values().length];
    /** Closes what a client left waiting too long: one platform thread for every client's timer. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("baton-control-timer").daemon(true).factory());
    /** Owned by the accept thread. */
    private final RateLimitedLog acceptLog = new RateLimitedLog(1, RateLimitedLog.DEFAULT_INTERVAL_MS);
    private ServerSocketChannel server;
    private Thread acceptor;

    public ControlServer(Path path) {
        this(path, Limits.DEFAULT);
    }

    public ControlServer(Path path, Limits limits) {
        this.path = path;
        this.limits = limits;
        this.clientSlots = new Semaphore(limits.maxClients());
        for (int i = 0; i < refusals.length; i++) {
            refusals[i] = new AtomicLong();
        }
        handlers.put("control", args -> report());
    }

    /** The built-in {@code control} command ({@code baton ctl control}): the limits and refusals by reason. */
    private Map<String, Object> report() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("max_request_bytes", limits.maxRequestBytes());
        answer.put("idle_timeout_ms", limits.idleTimeout().toMillis());
        answer.put("max_clients", limits.maxClients());
        answer.put("clients", limits.maxClients() - clientSlots.availablePermits());
        Map<String, Object> refused = new LinkedHashMap<>();
        for (Refusal reason : Refusal.values()) {
            refused.put(reason.label, refusals(reason));
        }
        answer.put("refusals", refused);
        return answer;
    }

    public ControlServer handle(String command, Handler handler) {
        handlers.put(command, handler);
        return this;
    }

    public Path path() {
        return path;
    }

    /** Clients refused or closed for {@code reason} since start. */
    public long refusals(Refusal reason) {
        return refusals[reason.ordinal()].get();
    }

    public void start() throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        acceptor = Thread.ofPlatform().name("baton-control").daemon(true).start(this::acceptLoop);
    }

    private void acceptLoop() {
        long backoffMs = 0;
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
                backoffMs = 0;
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
                refusals[Refusal.ACCEPT_FAILED.ordinal()].incrementAndGet();
                backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
                long nowMs = System.nanoTime() / 1_000_000;
                if (acceptLog.shouldLog(0, nowMs)) {
                    long suppressed = acceptLog.takeSuppressed(0);
                    LOG.warning("control socket accept failed: " + e + (suppressed > 0 ? " (" + suppressed + " more since the last line)" : "")
                            + "; retrying in up to " + MAX_BACKOFF_MS + " ms");
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            if (!clientSlots.tryAcquire()) {
                refuse(client, Refusal.TOO_MANY_CLIENTS, "too many control clients (" + limits.maxClients() + " at once); try again later");
                continue;
            }
            clients.add(client);
            try {
                Thread.ofVirtual().name("baton-control-client").start(() -> {
                    try {
                        serve(client);
                    } finally {
                        clients.remove(client);
                        clientSlots.release();
                    }
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                clients.remove(client);
                clientSlots.release();
                closeQuietly(client);
            }
        }
    }

    /** Answers {@code message} if the client's socket buffer takes it at once, then closes. */
    private void refuse(SocketChannel client, Refusal reason, String message) {
        refusals[reason.ordinal()].incrementAndGet();
        try {
            client.configureBlocking(false);
            client.write(ByteBuffer.wrap(errorLine(message)));
        } catch (IOException | RuntimeException e) {
            // The client went away: nothing to answer.
        }
        closeQuietly(client);
    }

    private void serve(SocketChannel client) {
        AtomicBoolean idle = new AtomicBoolean();
        LineReader in = new LineReader(client, limits.maxRequestBytes());
        try (client; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(client), 16 * 1024)) {
            while (true) {
                // A read waits at most the idle timeout: then the input is shut down, the read sees the end,
                // and the client is told why.
                ScheduledFuture<?> readTimer = timer.schedule(() -> {
                    idle.set(true);
                    try {
                        client.shutdownInput();
                    } catch (IOException e) {
                        closeQuietly(client);
                    }
                }, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                String line;
                try {
                    line = in.readLine();
                } finally {
                    readTimer.cancel(false);
                }
                if (idle.get()) {
                    // Whatever part of a line came before the timeout is not a request.
                    refusals[Refusal.IDLE_TIMEOUT.ordinal()].incrementAndGet();
                    writeTimed(client, out, errorLine("idle for " + limits.idleTimeout().toMillis() + " ms: closed"));
                    return;
                }
                if (line == null) {
                    return;
                }
                if (line == LineReader.TOO_LONG) {
                    refusals[Refusal.REQUEST_TOO_LONG.ordinal()].incrementAndGet();
                    writeTimed(client, out, errorLine("request longer than " + limits.maxRequestBytes()
                            + " bytes: a request is one line of JSON, e.g. {\"command\":\"stats\",\"args\":{}}; closed"));
                    return;
                }
                // A write the client does not drain holds this thread: it may wait the idle timeout, then the
                // connection is closed (nothing can be answered on it any more).
                ScheduledFuture<?> writeTimer = timer.schedule(() -> {
                    refusals[Refusal.IDLE_TIMEOUT.ordinal()].incrementAndGet();
                    closeQuietly(client);
                }, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                try {
                    answer(line, out);
                    out.flush();
                } finally {
                    writeTimer.cancel(false);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "control client went away", e);
        } catch (RejectedExecutionException e) {
            // The server is closing: its timer is gone, and so is this client.
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control client failed", e);
        }
    }

    private void writeTimed(SocketChannel client, OutputStream out, byte[] line) throws IOException {
        ScheduledFuture<?> writeTimer = timer.schedule(() -> closeQuietly(client), limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            out.write(line);
            out.flush();
        } finally {
            writeTimer.cancel(false);
        }
    }

    /** The answer to one request line, as text (for tests and small answers). */
    String answer(String line) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            answer(line, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * Writes the answer to one request line, newline included. A streamed result that fails after its
     * first element has been written ends the line unterminated: the client sees a cut-short answer.
     */
    @SuppressWarnings("unchecked")
    private void answer(String line, OutputStream out) throws IOException {
        Object result;
        try {
            Object parsed = Json.parse(line);
            if (!(parsed instanceof Map<?, ?> request) || !(request.get("command") instanceof String command)) {
                throw new IllegalArgumentException("a request is {\"command\": \"...\", \"args\": {...}}");
            }
            Handler handler = handlers.get(command);
            if (handler == null) {
                throw new IllegalArgumentException("unknown command '" + command + "'; known: " + new TreeSet<>(handlers.keySet()));
            }
            Object args = request.get("args");
            result = handler.handle(args instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
        } catch (Exception e) {
            out.write(errorLine(e.getMessage() == null ? e.toString() : e.getMessage()));
            return;
        }
        if (result instanceof Iterable<?> items && !(result instanceof Collection<?>)) {
            stream(items, out);
            return;
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", true);
        reply.put("result", result);
        out.write((Json.write(reply) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void stream(Iterable<?> items, OutputStream out) throws IOException {
        var iterator = items.iterator();
        Object first;
        try {
            first = iterator.hasNext() ? iterator.next() : null;
        } catch (RuntimeException e) {
            // Nothing written yet: still a proper error answer.
            out.write(errorLine(e.getMessage() == null ? e.toString() : e.getMessage()));
            return;
        }
        out.write("{\"ok\":true,\"result\":[".getBytes(StandardCharsets.UTF_8));
        if (first != null) {
            out.write(Json.write(first).getBytes(StandardCharsets.UTF_8));
            try {
                while (iterator.hasNext()) {
                    out.write(',');
                    out.write(Json.write(iterator.next()).getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "streamed control answer cut short", e);
                out.flush();
                throw new IOException("streamed answer cut short: " + e.getMessage(), e);
            }
        }
        out.write("]}\n".getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] errorLine(String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", false);
        reply.put("error", message);
        return (Json.write(reply) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException e) {
            // Closing is all that was left to do.
        }
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            for (SocketChannel client : clients) {
                closeQuietly(client);
            }
            timer.shutdownNow();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing control socket " + path, e);
        }
    }

    /**
     * Reads newline-terminated UTF-8 lines from a channel into one fixed buffer of the limit plus one byte:
     * a longer line is never held, whatever the client sends.
     */
    static final class LineReader {
        /** Returned (by identity) for a line longer than the limit. */
        static final String TOO_LONG = new String("<too long>");

        private final SocketChannel channel;
        private final ByteBuffer buffer;

        LineReader(SocketChannel channel, int maxLineBytes) {
            this.channel = channel;
            this.buffer = ByteBuffer.allocate(maxLineBytes + 1);
        }

        /** The next line without its newline; null at the end of input; {@link #TOO_LONG} past the limit. */
        String readLine() throws IOException {
            int scanned = 0;
            while (true) {
                for (int i = scanned; i < buffer.position(); i++) {
                    if (buffer.get(i) == '\n') {
                        String line = new String(buffer.array(), 0, i, StandardCharsets.UTF_8);
                        // Keep what follows the newline (a pipelined next request).
                        int end = buffer.position();
                        buffer.position(i + 1).limit(end);
                        buffer.compact();
                        return line;
                    }
                }
                scanned = buffer.position();
                if (!buffer.hasRemaining()) {
                    return TOO_LONG;
                }
                if (channel.read(buffer) < 0) {
                    if (buffer.position() == 0) {
                        return null;
                    }
                    // A last line without its newline is still a request.
                    String line = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
                    buffer.clear();
                    return line;
                }
            }
        }
    }
}
