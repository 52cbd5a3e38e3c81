package dev.baton.control.metrics;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener: GET /metrics answers the families of one snapshot; anything else is refused; however many scrapes
 * come, the registry is read at most once per {@link RouterCollector#MIN_INTERVAL_MS} of the (stepped) clock.
 */
class MetricsServerTest {

    private final AtomicInteger snapshots = new AtomicInteger();
    private final long[] nowMs = {1_000};
    private final long[] forwarded = {0};
    private MetricsServer server;
    private RouterCollector collector;

    @BeforeEach
    void start() throws IOException {
        CounterRegistry registry = new CounterRegistry();
        CounterRegistry.Group group = registry.group("worker 0", CounterRegistry.Owner.ANY_THREAD);
        group.add("server_packets", Type.COUNTER, "packets forwarded to the server", new Label("worker", "0"),
                new Label("service", "web"), new Label("server", "198.51.100.11"));
        group.reader(values -> {
            snapshots.incrementAndGet();
            values[0] = forwarded[0];
        });
        collector = new RouterCollector(registry::snapshot, new RouterFacts("baton-1", "0.1.0", "xdp", 100, List.of("192.0.2.10")),
                () -> nowMs[0]);
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), collector);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getMetricsAnswersThePrometheusTextFormat() throws IOException {
        forwarded[0] = 42;
        String answer = request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("\nbaton_forwarded_packets_total{server=\"198.51.100.11\",service=\"web\",worker=\"0\"} 42"), answer);
        assertTrue(answer.contains("\nbaton_info{datapath=\"xdp\",router=\"baton-1\",version=\"0.1.0\"} 1"), answer);
        assertTrue(answer.contains("\nbaton_vip_state{state=\"idle\",vip=\"192.0.2.10\"} 1"), answer);
    }

    @Test
    void scrapesWithinTheIntervalShareOneSnapshotHoweverMany() throws IOException {
        for (int i = 0; i < 20; i++) {
            assertTrue(request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200"));
        }
        assertEquals(1, snapshots.get(), "twenty scrapes in one millisecond: the workers were asked once");
        forwarded[0] = 7;
        nowMs[0] += RouterCollector.MIN_INTERVAL_MS - 1;
        assertTrue(request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("} 0"));
        nowMs[0] += 1;
        assertTrue(request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("} 7"));
        assertEquals(2, snapshots.get());
        assertEquals(2, collector.snapshots());
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws IOException {
        for (String path : List.of("/", "/metricsx", "/metrics/", "/-/healthy", "/../metrics")) {
            String answer = request("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 404"), path + ": " + answer);
        }
        for (String method : List.of("POST", "PUT", "DELETE", "HEAD")) {
            String answer = request(method + " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 405"), method + ": " + answer);
            assertTrue(answer.contains("Allow: GET"), answer);
        }
        assertEquals(0, snapshots.get(), "nothing but GET /metrics reads the counters");
    }

    @Test
    void withAStatusPageEveryOtherPathIsItsAndMetricsStayMetrics() throws IOException {
        server.close();
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), collector,
                new dev.baton.control.web.StatusPage(() -> java.util.Map.of("status", java.util.Map.of("router", "baton-1"))));
        String page = request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(page.startsWith("HTTP/1.1 200") && page.contains("<table id=\"vips\">"), page);
        assertTrue(request("GET /status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("\"baton-1\""));
        assertTrue(request("GET /metricsx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 404"));
        assertEquals(0, snapshots.get(), "the page does not read the metrics' snapshot");
        assertTrue(request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("baton_info{"));
        assertTrue(request("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 405"));
    }

    @Test
    void aRequestWithHugeHeadersIsRefusedUnread() throws IOException {
        String huge = "X-Filler: " + "a".repeat(MetricsServer.MAX_HEADER_BYTES * 4) + "\r\n";
        String answer = request("GET /metrics HTTP/1.1\r\nHost: x\r\n" + huge + "Connection: close\r\n\r\n");
        assertFalse(answer.startsWith("HTTP/1.1 200"), answer);
        assertEquals(0, snapshots.get());
        // And the listener still serves the next client.
        assertTrue(request("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200"));
    }

    /** Sends {@code request} as it is, reads the answer until the server closes (at most 1 MiB). */
    private String request(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server.address(), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // The server may close before the whole request is written (headers over its limit): read what it said.
            }
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readNBytes(1 << 20), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return "closed: " + e.getMessage();
            }
        }
    }
}
