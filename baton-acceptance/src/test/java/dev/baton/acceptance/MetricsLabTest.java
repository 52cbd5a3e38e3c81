package dev.baton.acceptance;

import dev.baton.control.protocol.Json;
import dev.baton.lab.ExecResult;
import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.RouterHost;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes a lab router's {@code GET /metrics} every second, and
 * a PromQL query over its HTTP API finds the forwarded packets of the right service and servers after curl traffic
 * through the VIP (issue #11).
 *
 * <p>Where things are: the router's metrics listener binds its client-side address ({@code metrics.listen:
 * 192.0.2.2:9477}, a TEST-NET-1 address of the router namespace, as a management address would be); Prometheus runs in
 * the router namespace too, scrapes that address and serves its own API on 127.0.0.1 there, and the test asks that API
 * with curl inside the same namespace. So the scrape exercises a listener bound to a real interface address, yet no
 * scrape or query leaves the namespace: Prometheus never sends on the lab's segments, where its packets would mix with
 * the traffic under test (and, on the xdp data path, pass Baton's program). Its storage is in the lab's work directory;
 * it is a lab process, stopped with the lab.
 */
@Tag("lab")
class MetricsLabTest {

    static final String VIP = "192.0.2.10";
    static final int METRICS_PORT = 9477;
    static final String PROMETHEUS_LISTEN = "127.0.0.1:9090";
    static final int REQUESTS = 20;
    /** Prometheus's start (its storage, its first scrape) and a few 1 s scrapes, with room for a slow CI. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    static Lab lab;
    static LabRouter router;
    static LabProcess prometheus;
    static String metricsAddress;

    @BeforeAll
    static void startLab() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        String prometheusBinary = Tool.PROMETHEUS.require();
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
        for (ServerHost server : lab.servers()) {
            server.startNginx();
        }
        RouterHost host = lab.router(0);
        Path socket = lab.workDirectory().resolve("baton.sock");
        String yaml = LabRouter.config(lab, host, socket, List.of(
                new LabRouter.Service("web", "tcp", List.of(80), "wrr", "0s", List.of())));
        metricsAddress = host.clientAddress().substring(0, host.clientAddress().indexOf('/')) + ":" + METRICS_PORT;
        assertTrue(!yaml.contains("metrics:"), yaml);
        // Only this test's router listens: the section is added to the lab's usual configuration here.
        yaml = yaml + (yaml.endsWith("\n") ? "" : "\n") + "metrics: { listen: " + metricsAddress + " }\n";
        router = LabRouter.start(lab, host, yaml, socket);
        router.awaitServersResolved(Duration.ofSeconds(20));

        Path config = lab.workDirectory().resolve("prometheus.yml");
        Files.writeString(config, """
                global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
                scrape_configs:
                  - job_name: baton
                    static_configs: [ { targets: ['%s'] } ]
                """.formatted(metricsAddress));
        prometheus = host.spawn(List.of(prometheusBinary, "--config.file=" + config,
                "--storage.tsdb.path=" + lab.workDirectory().resolve("prometheus-data"),
                "--web.listen-address=" + PROMETHEUS_LISTEN), lab.workDirectory().resolve("prometheus.log"));
        prometheus.awaitOutput("Server is ready to receive web requests", DEADLINE);
    }

    @AfterAll
    static void stopLab() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (router != null) {
            router.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void prometheusFindsTheForwardedPacketsOfTheRightServiceAndServers() {
        for (int i = 0; i < REQUESTS; i++) {
            ExecResult r = lab.client(0).exec(Duration.ofSeconds(15), "curl", "-s", "--max-time", "5", "http://" + VIP + "/");
            assertTrue(r.succeeded() && !r.stdout().isEmpty(), () -> "curl through the VIP failed: " + r);
        }
        Set<String> servers = new TreeSet<>();
        for (ServerHost server : lab.servers()) {
            servers.add(server.address());
        }

        // Per server, summed over the workers (and the XDP program's worker="xdp" series): more than 0 once scraped.
        Map<String, Double> perServer = awaitQuery("baton_forwarded_packets_total{service=\"web\"}", result -> {
            Map<String, Double> sums = new HashMap<>();
            for (Map<String, Object> series : result) {
                Map<String, Object> labels = labels(series);
                assertEquals("web", labels.get("service"), series.toString());
                assertEquals("baton", labels.get("job"), series.toString());
                sums.merge(String.valueOf(labels.get("server")), value(series), Double::sum);
            }
            return sums.keySet().equals(servers) && sums.values().stream().allMatch(v -> v > 0) ? sums : null;
        }, () -> "the servers " + servers + " each with forwarded packets > 0");
        assertEquals(servers, perServer.keySet());

        // The scrape is healthy, and the series Prometheus stored say what the router says.
        awaitQuery("up{job=\"baton\"} == 1", result -> result.size() == 1 ? result : null, () -> "the target up");
        String datapath = String.valueOf(((Map<?, ?>) router.ctl("status", Map.of())).get("datapath")).split(" ")[0];
        awaitQuery("baton_info{datapath=\"" + datapath + "\"} == 1", result -> result.size() == 1 ? result : null,
                () -> "baton_info with the data path in use (" + datapath + ")");
        awaitQuery("baton_vip_state{vip=\"" + VIP + "\",state=\"idle\"} == 1", result -> result.size() == 1 ? result : null,
                () -> "the VIP idle (FIG. 3, 310: no peers)");
        awaitQuery("baton_table_capacity == " + LabRouter.TABLE_CAPACITY, result -> result.size() == 1 ? result : null,
                () -> "the table's capacity");

        // The listener serves GET /metrics, and the status page at / (docs/operations.md, "The status page"); nothing else.
        assertEquals("200", httpStatus("GET", "http://" + metricsAddress + "/"));
        assertEquals("404", httpStatus("GET", "http://" + metricsAddress + "/metricsx"));
        assertEquals("405", httpStatus("POST", "http://" + metricsAddress + "/metrics"));
        assertEquals("200", httpStatus("GET", "http://" + metricsAddress + "/metrics"));
    }

    /** Polls a PromQL query until {@code accept} returns non-null for its result vector, within {@link #DEADLINE}. */
    private static <T> T awaitQuery(String query, java.util.function.Function<List<Map<String, Object>>, T> accept,
                                    Supplier<String> what) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        String last = "";
        while (true) {
            ExecResult r = lab.router(0).exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5", "-G",
                    "--data-urlencode", "query=" + query, "http://" + PROMETHEUS_LISTEN + "/api/v1/query");
            last = r.stdout();
            if (r.succeeded() && !last.isEmpty()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> answer = (Map<String, Object>) Json.parse(last);
                assertEquals("success", answer.get("status"), last);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> result = (List<Map<String, Object>>) ((Map<String, Object>) answer.get("data")).get("result");
                T accepted = accept.apply(result);
                if (accepted != null) {
                    return accepted;
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("Prometheus did not show " + what.get() + " within " + DEADLINE.toSeconds() + " s; "
                        + query + " answered: " + last + "\nPrometheus's log:\n" + prometheus.output()
                        + "\nthe router's /metrics:\n" + lab.router(0).exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5",
                        "http://" + metricsAddress + "/metrics").stdout());
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labels(Map<String, Object> series) {
        return (Map<String, Object>) series.get("metric");
    }

    /** A vector sample's value: {@code "value": [timestamp, "text"]}. */
    private static double value(Map<String, Object> series) {
        return Double.parseDouble(String.valueOf(((List<?>) series.get("value")).get(1)));
    }

    private static String httpStatus(String method, String url) {
        ExecResult r = lab.router(0).exec(Duration.ofSeconds(10), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "5", "-X", method, url);
        return r.stdout().strip();
    }
}
