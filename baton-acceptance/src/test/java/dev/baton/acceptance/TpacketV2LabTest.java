package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same data plane on TPACKET_V2 rings ({@code ring.version: v2}): HTTP through the VIP, and a TCP stream
 * whose GSO super-frames must arrive whole in 68 KiB slots (a truncated one would be dropped and counted).
 */
@Tag("lab")
class TpacketV2LabTest {

    static final String VIP = "192.0.2.10";

    @Test
    @SuppressWarnings("unchecked")
    void forwardsHttpAndAnIntactTcpStreamOnV2Rings() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            for (ServerHost server : lab.servers()) {
                server.startNginx();
                server.startEchoServer(7000, 7001);
            }
            Path socket = lab.workDirectory().resolve("baton.sock");
            String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(
                    LabRouter.Service.web(), new LabRouter.Service("stream", "tcp", List.of(7000, 7001), "wrr", "0s", List.of())), 1,
                    "{ version: v2, rx-frame-size: 69632, rx-frame-count: 128, tx-frame-size: 65664, tx-frame-count: 128 }");
            try (LabRouter router = LabRouter.start(lab, lab.router(0), yaml, socket)) {
                router.awaitServersResolved(Duration.ofSeconds(20));
                for (int i = 0; i < 4; i++) {
                    ExecResult r = lab.client(0).exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5", "http://" + VIP + "/");
                    assertTrue(r.succeeded() && r.stdout().startsWith("server s"), () -> r + "\n" + router.log());
                }
                String python = """
                        import hashlib, socket, sys
                        block = bytes((i * 7) % 251 for i in range(1 << 20))
                        digest = hashlib.sha256()
                        s = socket.create_connection((sys.argv[1], 7001), timeout=30)
                        s.sendall(b'SINK\\n')
                        for _ in range(256):
                            s.sendall(block)
                            digest.update(block)
                        s.shutdown(socket.SHUT_WR)
                        print('RECEIVED', 256 << 20, digest.hexdigest())
                        print(s.makefile().readline().strip())
                        """;
                ExecResult r = lab.client(0).exec(Duration.ofSeconds(120), "python3", "-c", python, VIP);
                assertTrue(r.succeeded(), () -> r.stderr() + "\n" + router.log());
                String[] lines = r.stdout().strip().split("\n");
                assertEquals(lines[0], lines[1], "256 MiB arrived intact");
                for (Object ring : (List<Object>) router.stats().get("rings")) {
                    assertEquals(0L, ((Map<String, Object>) ring).get("rx_truncated"), "no super-frame truncated: " + ring);
                }
            }
        }
    }
}
