package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Host;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data plane in a real lab: a client, an upstream router with kernel forwarding, one {@code baton run}
 * process on AF_PACKET rings, and two servers with the VIP on loopback running nginx and an echo/stream
 * server. Real packets, real TCP stacks on both ends.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataplaneLabTest {

    static final String VIP = "192.0.2.10";
    static Lab lab;
    static LabRouter router;

    @BeforeAll
    static void startLab() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
        for (ServerHost server : lab.servers()) {
            server.startNginx();
            server.startEchoServer(7000, 7001);
        }
        Path socket = lab.workDirectory().resolve("baton.sock");
        String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(
                new LabRouter.Service("web", "tcp", List.of(80), "wrr", "0s", List.of(3, 1)),
                new LabRouter.Service("stream", "tcp", List.of(7000, 7001), "wrr", "0s", List.of()),
                new LabRouter.Service("sticky", "tcp", List.of(8080), "wrr", "300s", List.of())));
        router = LabRouter.start(lab, lab.router(0), yaml, socket);
        router.awaitServersResolved(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopLab() {
        if (router != null) {
            router.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static Host client() {
        return lab.client(0);
    }

    private static String curl(String url) {
        ExecResult r = client().exec(Duration.ofSeconds(15), "curl", "-s", "--max-time", "5", url);
        return r.succeeded() ? r.stdout().strip() : "FAILED " + r.exitCode();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> drops() {
        return (Map<String, Object>) router.stats().get("drops");
    }

    private static long drop(String reason) {
        return ((Number) drops().get(reason)).longValue();
    }

    @Test
    @Order(1)
    void curlThroughTheVipReachesBothServersPerTheWeights() {
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String body = curl("http://" + VIP + "/");
            answers.merge(body, 1, Integer::sum);
        }
        String s0 = lab.server(0).pageBody().strip();
        String s1 = lab.server(1).pageBody().strip();
        assertEquals(Set.of(s0, s1), answers.keySet(), "every request answered by a real server: " + answers);
        // Weighted round robin is exact per scheduler: 3 of every 4 new connections go to s0.
        assertEquals(30, answers.get(s0), answers.toString());
        assertEquals(10, answers.get(s1), answers.toString());
    }

    @Test
    @Order(2)
    void aOneGibibyteTcpStreamArrivesIntactWithTheClientsOffloadsOn() {
        ExecResult offloads = client().exec(Duration.ofSeconds(5), "ethtool", "-k", client().interfaceName());
        if (offloads.succeeded()) {
            assertTrue(offloads.stdout().contains("tcp-segmentation-offload: on"), "the client sends GSO super-frames");
        }
        // The client sends 1 GiB of seeded pseudo-random data to the stream port's SINK, computing its SHA-256
        // as it goes; the server answers with the byte count and the SHA-256 of what it received.
        String python = """
                import hashlib, random, socket, sys
                total = 1 << 30
                rng = random.Random(20261128)
                block = rng.randbytes(1 << 20)
                digest = hashlib.sha256()
                s = socket.create_connection((sys.argv[1], 7001), timeout=60)
                s.sendall(b'SINK\\n')
                sent = 0
                i = 0
                while sent < total:
                    chunk = block[i % 1024:] + block[:i % 1024]
                    s.sendall(chunk)
                    digest.update(chunk)
                    sent += len(chunk)
                    i += 1
                s.shutdown(socket.SHUT_WR)
                print(sent, digest.hexdigest())
                print(s.makefile().readline().strip())
                """;
        ExecResult r = client().exec(Duration.ofSeconds(240), "python3", "-c", python, VIP);
        assertTrue(r.succeeded(), () -> "stream failed: " + r.stderr() + "\nrouter log:\n" + router.log());
        String[] lines = r.stdout().strip().split("\n");
        String[] sent = lines[0].split(" ");
        assertEquals(Long.toString(1L << 30), sent[0]);
        assertEquals("RECEIVED " + sent[0] + " " + sent[1], lines[1], "the server received every byte, in order");
    }

    @Test
    @Order(3)
    void persistenceKeepsAClientOnOneServerAcrossConnections() {
        // Port 8080 has no listener: what matters is where Baton sends each new connection. The oracle
        // answers without traffic; real SYNs then create the persistence entry and the connections.
        Set<String> servers = new HashSet<>();
        for (int port = 41000; port < 41010; port++) {
            client().exec(Duration.ofSeconds(5), "curl", "-s", "--max-time", "1", "--local-port", Integer.toString(port),
                    "http://" + VIP + ":8080/");
            @SuppressWarnings("unchecked")
            Map<String, Object> lookup = (Map<String, Object>) router.ctl("lookup", Map.of("protocol", "tcp",
                    "client", client().address(), "client_port", port, "vip", VIP, "vip_port", 8080));
            assertEquals("connection", lookup.get("decision"), lookup.toString());
            servers.add(String.valueOf(lookup.get("server")));
        }
        assertEquals(1, servers.size(), "one server for every connection of the client: " + servers);
    }

    @Test
    @Order(4)
    void packetsForANonVipAddressAreNotForwarded() {
        long before = drop("not-vip");
        // Make the upstream send traffic for 192.0.2.99 to the router's MAC, as a misrouted packet would.
        lab.upstream().exec(Duration.ofSeconds(5), "ip", "neigh", "replace", "192.0.2.99", "lladdr",
                lab.router(0).clientMac(), "dev", lab.upstream().frontInterface(), "nud", "permanent").requireSuccess(List.of("ip neigh"));
        String answer = curl("http://192.0.2.99/");
        assertTrue(answer.startsWith("FAILED"), "nobody may answer for a non-VIP address: " + answer);
        assertTrue(drop("not-vip") > before, "counted as not-vip: " + drops());
    }

    @Test
    @Order(5)
    void onlyBatonAnswersArpForTheVip() {
        ExecResult arping = lab.upstream().exec(Duration.ofSeconds(10), "arping", "-c", "3", "-w", "5", "-I",
                lab.upstream().frontInterface(), VIP);
        Matcher m = Pattern.compile("\\[?([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\\]?").matcher(arping.stdout());
        Set<String> macs = new HashSet<>();
        while (m.find()) {
            macs.add(m.group(1).toLowerCase());
        }
        assertEquals(Set.of(lab.router(0).clientMac().toLowerCase()), macs, "replies: " + arping.stdout());
    }

    @Test
    @Order(6)
    void stoppingNginxOnAServerCrashesNothing() {
        ServerHost s0 = lab.server(0);
        s0.stopNginx();
        try {
            Map<String, Integer> answers = new HashMap<>();
            for (int i = 0; i < 8; i++) {
                answers.merge(curl("http://" + VIP + "/"), 1, Integer::sum);
            }
            assertTrue(answers.containsKey(lab.server(1).pageBody().strip()), "s1 still serves: " + answers);
            assertTrue(router.process().isAlive(), "the router is still running");
            assertFalse(router.stats().isEmpty());
        } finally {
            s0.startNginx();
        }
        assertEquals(lab.server(0).pageBody().strip(), firstAnswerFrom(lab.server(0).pageBody().strip()),
                "s0 serves again after nginx restarts");
    }

    @Test
    @Order(7)
    void fragmentationNeededFromTheUpstreamReachesTheServerThatOwnsTheFlow() {
        // The upstream's link to the client gets a 1280-byte MTU that neither TCP end sees in its MSS. The
        // server's full-size DF segments then make the upstream send ICMP fragmentation-needed (RFC 1191) to
        // their source, the VIP: that is Baton, which must pass it to the server owning the flow, or the
        // transfer stalls in a path-MTU black hole.
        String upstreamLink = lab.upstream().clientInterface();
        lab.upstream().exec(Duration.ofSeconds(5), "ip", "link", "set", "dev", upstreamLink, "mtu", "1280")
                .requireSuccess(List.of("ip link set mtu"));
        long before = ((Number) router.stats().get("icmp_errors_forwarded")).longValue();
        try {
            String python = """
                    import socket, sys
                    s = socket.create_connection((sys.argv[1], 7001), timeout=20)
                    s.sendall(b'SEND 2000000\\n')
                    got = bytearray()
                    while True:
                        chunk = s.recv(65536)
                        if not chunk: break
                        got += chunk
                    print(len(got), bytes(got) == bytes(i % 256 for i in range(len(got))))
                    """;
            ExecResult r = client().exec(Duration.ofSeconds(60), "python3", "-c", python, VIP);
            assertTrue(r.succeeded(), () -> "transfer failed: " + r.stderr() + "\nrouter log:\n" + router.log());
            assertEquals("2000000 True", r.stdout().strip());
            assertTrue(((Number) router.stats().get("icmp_errors_forwarded")).longValue() > before,
                    "Baton forwarded the ICMP error to the server: " + router.stats());
        } finally {
            lab.upstream().exec(Duration.ofSeconds(5), "ip", "link", "set", "dev", upstreamLink, "mtu", "1500");
        }
    }

    @Test
    @Order(8)
    @SuppressWarnings("unchecked")
    void ctlCountersListEveryWorkersRingsAndAgreeWithStats() {
        curl("http://" + VIP + "/");
        List<Object> counters = (List<Object>) router.ctl("counters", Map.of());
        Map<String, Object> stats = router.stats();
        long inserts = 0;
        java.util.Set<String> rings = new java.util.TreeSet<>();
        for (Object o : counters) {
            Map<String, Object> row = (Map<String, Object>) o;
            Map<String, Object> labels = (Map<String, Object>) row.get("labels");
            if (row.get("name").equals("table_inserts")) {
                inserts += ((Number) row.get("value")).longValue();
            }
            if (row.get("name").equals("ring_rx_packets")) {
                rings.add(labels.get("worker") + "/" + labels.get("interface"));
            }
        }
        assertEquals(((Number) ((Map<String, Object>) stats.get("table")).get("inserts")).longValue(), inserts,
                "ctl stats sums the same counters");
        assertEquals(((List<Object>) stats.get("rings")).size(), rings.size(), "a ring per worker and interface: " + rings);
        assertFalse(rings.isEmpty());
    }

    private static String firstAnswerFrom(String expected) {
        for (int i = 0; i < 8; i++) {
            String body = curl("http://" + VIP + "/");
            if (body.equals(expected)) {
                return body;
            }
        }
        return "never";
    }
}
