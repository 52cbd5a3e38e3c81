package dev.baton.control.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The metrics listener ({@code metrics.listen}): {@code GET /metrics} answered by the Prometheus client library's
 * handler over the JDK's HTTP server; every other request goes to the status page ({@code StatusPage}: {@code /},
 * its files and {@code /status.json}, 404 for anything else), or is a 404 without one; any other method is a 405. Anyone who reaches the address
 * can reach it, so it is bounded (docs/metrics.md, "The listener"):
 * <ul>
 *   <li>two handler threads and eight requests waiting at most; a request beyond them is refused by closing its
 *       connection, never queued without bound;</li>
 *   <li>at most {@link #MAX_CONNECTIONS} connections open, {@link #MAX_IDLE_CONNECTIONS} of them idle;</li>
 *   <li>a request line and headers of at most {@link #MAX_HEADER_BYTES} bytes in at most {@link #MAX_HEADERS} lines,
 *       read within {@link #MAX_REQUEST_SECONDS} s; an answer written within {@link #MAX_RESPONSE_SECONDS} s;</li>
 *   <li>a request body is never read (a GET has none): the server drains at most 64 KiB of one and closes.</li>
 * </ul>
 * The JDK reads these limits from system properties once, when its server class loads: they are set here unless the
 * operator set them ({@code BATON_JVM_OPTS}), before the first server is created.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsServer.class.getName());

    static final int HANDLER_THREADS = 2;
    static final int QUEUED_REQUESTS = 8;
    static final int MAX_CONNECTIONS = 32;
    static final int MAX_IDLE_CONNECTIONS = 4;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final int MAX_HEADERS = 32;
    static final int MAX_REQUEST_SECONDS = 10;
    static final int MAX_RESPONSE_SECONDS = 30;
    /** The one path served. */
    static final String PATH = "/metrics";

    static {
        limit("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
        limit("sun.net.httpserver.maxIdleConnections", MAX_IDLE_CONNECTIONS);
        limit("sun.net.httpserver.maxReqHeaderSize", MAX_HEADER_BYTES);
        limit("sun.net.httpserver.maxReqHeaders", MAX_HEADERS);
        limit("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        limit("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
        limit("sun.net.httpserver.idleInterval", MAX_REQUEST_SECONDS);
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor handlers;

    private MetricsServer(HttpServer server, ThreadPoolExecutor handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    /**
     * Binds {@code address} and serves {@code collector}'s families at {@code GET /metrics}.
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this host)
     */
    public static MetricsServer start(InetSocketAddress address, MultiCollector collector) throws IOException {
        return start(address, collector, null);
    }

    /**
     * Binds {@code address} and serves {@code collector}'s families at {@code GET /metrics}, and every other path with
     * {@code page} (the status page), when not null.
     */
    public static MetricsServer start(InetSocketAddress address, MultiCollector collector, HttpHandler page) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        HttpHandler metrics = new MetricsHandler(PrometheusProperties.get(), registry);
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
                    Thread t = new Thread(r, "baton-metrics-" + threads.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy()); // refused: the JDK's dispatcher closes the connection
        HttpServer server = HttpServer.create(address, QUEUED_REQUESTS);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            if (page != null && !PATH.equals(exchange.getRequestURI().getRawPath())) {
                page.handle(exchange); // answers, refuses or 404s it itself, and closes it
            } else {
                handle(exchange, metrics);
            }
        });
        server.start();
        return new MetricsServer(server, handlers);
    }

    /** Only GET /metrics reaches the library's handler. */
    static void handle(HttpExchange exchange, HttpHandler metrics) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!PATH.equals(path)) {
                answer(exchange, 404, "not found: the metrics are at GET " + PATH + "\n");
            } else if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                answer(exchange, 405, "method not allowed: GET " + PATH + " only\n");
            } else {
                try {
                    metrics.handle(exchange);
                } catch (RuntimeException e) {
                    // A worker that did not answer its snapshot question: this scrape fails, the next asks again.
                    LOG.log(Level.WARNING, "a metrics scrape failed: " + e.getMessage(), e);
                    answer(exchange, 500, "the counters could not be read: " + e.getMessage() + "\n");
                }
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getRequestBody().close(); // never read: the server drains a bounded amount of a body, or closes
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1); // a HEAD answer has no body
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The address bound (with the port the kernel chose, for port 0 in tests). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
