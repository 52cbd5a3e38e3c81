package dev.baton.control.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.baton.control.protocol.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The router's status page, what HAProxy's stats page gives at a glance (issue #11): per VIP its FIG. 3 state and
 * peers, per service its servers with health, weight and traffic, the drops, and a live chart of forwarded packets.
 *
 * <ul>
 *   <li>{@code GET /}: the page ({@code index.html}), {@code /status.js} and {@code /status.css} beside it: static,
 *       from the jar, no third-party script and nothing fetched from elsewhere (a router's network is often closed).</li>
 *   <li>{@code GET /status.json}: {@code {"status": <ctl status>, "stats": <ctl stats>}}, which the page polls once a
 *       second; the same figures {@code baton ctl} prints, from the same handlers.</li>
 * </ul>
 *
 * <p>The listener may be reachable by anyone on its network, so: only GET and HEAD (405 otherwise), no query or body is
 * read, any other path is a 404, every response says {@code no-store} and {@code nosniff}, and the page's Content
 * Security Policy allows its own origin only (no inline script). It shows what {@code ctl status} and {@code ctl stats}
 * show and changes nothing; put the listener on a management address.
 */
public final class StatusPage implements HttpHandler {

    /** The JSON the page polls. */
    public static final String STATUS_PATH = "/status.json";

    private static final Map<String, Resource> RESOURCES = Map.of(
            "/", Resource.load("index.html", "text/html; charset=utf-8"),
            "/index.html", Resource.load("index.html", "text/html; charset=utf-8"),
            "/status.js", Resource.load("status.js", "text/javascript; charset=utf-8"),
            "/status.css", Resource.load("status.css", "text/css; charset=utf-8"));
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    /**
     * A snapshot is reused for this long: whoever polls, and however often, the workers and the agent are asked at most
     * twice a second (as for the metrics, {@code RouterCollector.MIN_INTERVAL_MS}), so a client looping on
     * {@code status.json} costs the router no more than two page views.
     */
    static final long MIN_INTERVAL_MS = 500;

    private final Supplier<Map<String, Object>> snapshot;
    private final LongSupplier nowMs;
    private byte[] lastJson;
    private long lastTakenMs;

    /** @param snapshot the router's status and stats, on the calling (HTTP) thread; it must not block a worker */
    public StatusPage(Supplier<Map<String, Object>> snapshot) {
        this(snapshot, () -> System.nanoTime() / 1_000_000);
    }

    StatusPage(Supplier<Map<String, Object>> snapshot, LongSupplier nowMs) {
        this.snapshot = snapshot;
        this.nowMs = nowMs;
    }

    /** The JSON of the last snapshot younger than {@link #MIN_INTERVAL_MS}, or of a new one; concurrent polls share it. */
    private synchronized byte[] json() {
        long now = nowMs.getAsLong();
        if (lastJson == null || now - lastTakenMs >= MIN_INTERVAL_MS) {
            lastJson = bytes(Json.write(snapshot.get()));
            lastTakenMs = now;
        }
        return lastJson;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", bytes("only GET and HEAD\n"), false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (STATUS_PATH.equals(path)) {
                byte[] body;
                try {
                    body = json();
                } catch (RuntimeException e) {
                    // A router stopping, a worker not answering in time: the page shows it and polls again.
                    send(exchange, 503, "text/plain; charset=utf-8", bytes("status unavailable: " + e.getMessage() + "\n"), head);
                    return;
                }
                send(exchange, 200, "application/json", body, head);
                return;
            }
            Resource resource = RESOURCES.get(path);
            if (resource == null) {
                send(exchange, 404, "text/plain; charset=utf-8", bytes("not found\n"), head);
                return;
            }
            exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            send(exchange, 200, resource.contentType(), resource.body(), head);
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A file of the page, read once from the jar. */
    private record Resource(byte[] body, String contentType) {
        static Resource load(String name, String contentType) {
            try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("the status page's " + name + " is missing from the jar");
                }
                return new Resource(in.readAllBytes(), contentType);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the status page's " + name, e);
            }
        }
    }
}
