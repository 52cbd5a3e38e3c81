package dev.baton.control.socket;

import dev.baton.control.text.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The router's local control socket: a Unix stream socket (mode 0600: only its owner may command the
 * router) speaking one JSON object per line. Request {@code {"command":"stats","args":{...}}}; answer
 * {@code {"ok":true,"result":...}} or {@code {"ok":false,"error":"..."}}. One virtual thread per client;
 * handlers reach workers only through their command queues, so nothing here touches the data plane's
 * memory directly.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    private static final int MAX_REQUEST_CHARS = 64 * 1024;

    /** Handles one command. */
    @FunctionalInterface
    public interface Handler {
        Object handle(Map<String, Object> args) throws Exception;
    }

    private final Path path;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private ServerSocketChannel server;
    private Thread acceptor;

    public ControlServer(Path path) {
        this.path = path;
    }

    public ControlServer handle(String command, Handler handler) {
        handlers.put(command, handler);
        return this;
    }

    public Path path() {
        return path;
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
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("baton-control-client").start(() -> serve(client));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.log(Level.WARNING, "control socket accept failed", e);
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
             OutputStream out = Channels.newOutputStream(client)) {
            String line;
            while ((line = in.readLine()) != null) {
                String answer = answer(line);
                out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "control client went away", e);
        }
    }

    @SuppressWarnings("unchecked")
    String answer(String line) {
        Map<String, Object> reply = new LinkedHashMap<>();
        try {
            if (line.length() > MAX_REQUEST_CHARS) {
                throw new IllegalArgumentException("request longer than " + MAX_REQUEST_CHARS + " characters");
            }
            Object parsed = Json.parse(line);
            if (!(parsed instanceof Map<?, ?> request) || !(request.get("command") instanceof String command)) {
                throw new IllegalArgumentException("a request is {\"command\": \"...\", \"args\": {...}}");
            }
            Handler handler = handlers.get(command);
            if (handler == null) {
                throw new IllegalArgumentException("unknown command '" + command + "'; known: " + new java.util.TreeSet<>(handlers.keySet()));
            }
            Object args = request.get("args");
            Object result = handler.handle(args instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
            reply.put("ok", true);
            reply.put("result", result);
        } catch (Exception e) {
            reply.put("ok", false);
            reply.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return Json.write(reply);
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing control socket " + path, e);
        }
    }
}
