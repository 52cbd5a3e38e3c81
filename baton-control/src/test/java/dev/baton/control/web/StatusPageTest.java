package dev.baton.control.web;

import com.sun.net.httpserver.HttpServer;
import dev.baton.control.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status page over a real HTTP server on loopback: what it serves, and what it refuses. */
class StatusPageTest {

    private final AtomicReference<Map<String, Object>> snapshot = new AtomicReference<>(
            Map.of("status", Map.of("router", "r1"), "stats", Map.of("forwarded_frames", 42)));
    private final long[] nowMs = {1_000};
    private final java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
    private HttpServer server;
    private HttpClient client;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", new StatusPage(() -> {
            taken.incrementAndGet();
            Map<String, Object> value = snapshot.get();
            if (value == null) {
                throw new IllegalStateException("worker 0 did not answer within 1 s");
            }
            return value;
        }, () -> nowMs[0]));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        client.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndItsFilesAreServedWithASelfOnlyPolicy() throws Exception {
        HttpResponse<String> page = send("GET", "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"status.js\" defer></script>"), page.body());
        assertTrue(page.body().contains("<table id=\"vips\">"), page.body());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().startsWith("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        HttpResponse<String> script = send("GET", "/status.js");
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("fetch(\"status.json\""), "the script polls the router's JSON");
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(200, send("GET", "/status.css").statusCode());
    }

    @Test
    void theJsonIsTheSnapshotOfTheMoment() throws Exception {
        HttpResponse<String> json = send("GET", StatusPage.STATUS_PATH);
        assertEquals(200, json.statusCode());
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Map.of("status", Map.of("router", "r1"), "stats", Map.of("forwarded_frames", 42L)), Json.parse(json.body()));
        snapshot.set(Map.of("status", Map.of("router", "r2"), "stats", Map.of()));
        for (int i = 0; i < 20; i++) {
            assertTrue(send("GET", StatusPage.STATUS_PATH).body().contains("\"r1\""), "within the interval: the same snapshot");
        }
        assertEquals(1, taken.get(), "twenty polls within 500 ms asked the router once");
        nowMs[0] += StatusPage.MIN_INTERVAL_MS;
        assertTrue(send("GET", StatusPage.STATUS_PATH).body().contains("\"r2\""), "read afresh once the interval has passed");
        assertEquals(2, taken.get());
    }

    @Test
    void aSnapshotThatFailsIsA503TheNextPollRetries() throws Exception {
        snapshot.set(null);
        HttpResponse<String> json = send("GET", StatusPage.STATUS_PATH);
        assertEquals(503, json.statusCode());
        assertEquals("status unavailable: worker 0 did not answer within 1 s\n", json.body());
    }

    @Test
    void onlyGetAndHeadOfKnownPathsAreAnswered() throws Exception {
        assertEquals(404, send("GET", "/metrics-or-anything-else").statusCode());
        assertEquals(404, send("GET", "/../../etc/passwd").statusCode());
        HttpResponse<String> post = send("POST", StatusPage.STATUS_PATH);
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, send("DELETE", "/").statusCode());
        HttpResponse<String> head = send("HEAD", "/");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }
}
