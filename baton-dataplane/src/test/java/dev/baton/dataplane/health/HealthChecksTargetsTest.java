package dev.baton.dataplane.health;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.probe.ProbeTarget;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What each service's health check becomes as a probe (no probe is sent: the engine is only built and read): the
 * server's address and port, the source on its segment, and for HTTP(S) the request's host and expectations.
 */
class HealthChecksTargetsTest {

    static final String CONFIG = """
            router: { id: hc-1, control-socket: /tmp/unused-hc.sock }
            interfaces:
              - { name: front, role: client, address: 192.0.2.2/24 }
              - { name: back, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [443, 8443]
                health-check: { type: https }
                servers: [ { address: 198.51.100.11 } ]
              - name: api
                vip: 192.0.2.11
                ports: [443]
                health-check: { type: https, port: 8443, path: /health, host: api.example, expect-status: 204, expect-body: ok, tls-verify: true }
                servers: [ { address: 198.51.100.12 } ]
            """;

    @Test
    void anHttpsCheckBecomesAnHttpsProbeOfEachServer() throws Exception {
        BatonConfig config = ConfigLoader.load(CONFIG, Path.of("hc.yaml"));
        ServiceMap services = ServiceMap.of(config);
        HealthChecks checks = new HealthChecks(config, services, ServerHealthBoard.of(services), HealthChecks.Feed.NONE, 0);
        try {
            InetAddress source = InetAddress.getByName("198.51.100.2");
            assertEquals(new ProbeTarget.Https(InetAddress.getByName("198.51.100.11"), 443, source, "/", "198.51.100.11",
                    200, null, false), checks.engine().spec(0).target(), "the service's first port; the address as host");
            assertEquals(new ProbeTarget.Https(InetAddress.getByName("198.51.100.12"), 8443, source, "/health",
                    "api.example", 204, "ok", true), checks.engine().spec(1).target());
            List<?> rows = (List<?>) checks.status().get("servers");
            assertEquals(List.of("https", "https"), rows.stream().map(row -> ((Map<?, ?>) row).get("probe")).toList(),
                    "ctl health names the kind");
        } finally {
            checks.onClose();
        }
    }
}
