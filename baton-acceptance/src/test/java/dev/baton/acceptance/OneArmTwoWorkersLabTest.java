package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Host;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import dev.baton.nativeio.ClientShardFanout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One interface for both sides (one L2 segment) and two forwarding workers in a PACKET_FANOUT group:
 * every client's connections land in the table shard of worker {@code shardOf(client, 2)}, which is where
 * the oracle looks, and persistence holds within it.
 */
@Tag("lab")
class OneArmTwoWorkersLabTest {

    static final String VIP = "192.0.2.10";

    @Test
    void clientsAreShardedOverWorkersExactlyAsTheFanoutProgramPredicts() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        try (Lab lab = Lab.builder().layout(Layout.ONE_SEGMENT).clients(4).routers(1).servers(2).vip(VIP).build()) {
            for (ServerHost server : lab.servers()) {
                server.startNginx();
            }
            Path socket = lab.workDirectory().resolve("baton.sock");
            String yaml = LabRouter.config(lab, lab.router(0), socket,
                    List.of(new LabRouter.Service("web", "tcp", List.of(80), "wrr", "300s", List.of())), 2);
            assertTrue(yaml.contains("role: both"), yaml);
            try (LabRouter router = LabRouter.start(lab, lab.router(0), yaml, socket)) {
                router.awaitServersResolved(Duration.ofSeconds(20));
                Set<Integer> workersUsed = new HashSet<>();
                for (Host client : lab.clients()) {
                    Set<String> bodies = new HashSet<>();
                    for (int i = 0; i < 3; i++) {
                        int port = 42000 + i;
                        ExecResult r = client.exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5",
                                "--local-port", Integer.toString(port), "http://" + VIP + "/");
                        assertTrue(r.succeeded(), () -> client.name() + ": " + r.stderr() + "\n" + router.log());
                        bodies.add(r.stdout().strip());
                        @SuppressWarnings("unchecked")
                        Map<String, Object> lookup = (Map<String, Object>) router.ctl("lookup", Map.of("protocol", "tcp",
                                "client", client.address(), "client_port", port, "vip", VIP, "vip_port", 80));
                        int expectedWorker = ClientShardFanout.shardOf(client.addressAsInt(), 2);
                        assertEquals((long) expectedWorker, ((Number) lookup.get("worker")).longValue());
                        assertEquals("connection", lookup.get("decision"),
                                "the connection is in the shard of worker " + expectedWorker + ": " + lookup);
                        workersUsed.add(expectedWorker);
                    }
                    assertEquals(1, bodies.size(), "persistence keeps " + client.name() + " on one server: " + bodies);
                }
                assertEquals(Set.of(0, 1), workersUsed, "four clients spread over both workers");
            }
        }
    }
}
