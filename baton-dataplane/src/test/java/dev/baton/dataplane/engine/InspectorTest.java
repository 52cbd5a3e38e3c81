package dev.baton.dataplane.engine;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.table.ConnectionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The oracle and the counters, on a data plane of memory ports driven by hand with a stepped clock. */
class InspectorTest {

    static final long FRONT_MAC = 0x02_00_00_00_00_01L;
    static final long BACK_MAC = 0x02_00_00_00_00_02L;
    final Map<String, MemoryPacketPort> ports = new HashMap<>();
    long now = 5_000;
    Dataplane dataplane;
    Inspector inspector;

    @BeforeEach
    void setUp() throws Exception {
        BatonConfig config = ConfigLoader.load("""
                router: { id: test-1, control-socket: /tmp/unused.sock }
                interfaces:
                  - { name: front, role: client, address: 192.0.2.2/24 }
                  - { name: back, role: server, address: 198.51.100.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                    servers: [ { address: 198.51.100.11, weight: 1 }, { address: 198.51.100.12, weight: 1 } ]
                  - name: sticky
                    vip: 192.0.2.10
                    ports: [8080]
                    persistence: 60s
                    servers: [ { address: 198.51.100.11 }, { address: 198.51.100.12 } ]
                """, Path.of("inspector.yaml"));
        dataplane = new Dataplane(config, (name, worker, workers) -> ports.computeIfAbsent(name,
                n -> new MemoryPacketPort(n, n.equals("front") ? FRONT_MAC : BACK_MAC)), () -> now, true, ConnectionListener.NONE);
        inspector = new Inspector(dataplane);
        dataplane.worker(0).doWork(now);
        ports.get("back").drainTransmitted();
        ports.get("back").inject(arpReply(0x02_00_00_00_00_b0L, Ipv4.parse("198.51.100.11")));
        ports.get("back").inject(arpReply(0x02_00_00_00_00_b1L, Ipv4.parse("198.51.100.12")));
        dataplane.worker(0).doWork(now);
    }

    @AfterEach
    void tearDown() {
        dataplane.close();
    }

    private Map<String, Object> lookup(String client, int clientPort, String vip, int vipPort) {
        return inspector.lookup(6, Ipv4.parse(client), clientPort, Ipv4.parse(vip), vipPort);
    }

    @Test
    void oracleTellsTheSchedulersNextChoiceWithoutAdvancingIt() {
        Map<String, Object> first = lookup("203.0.113.10", 40000, "192.0.2.10", 80);
        assertEquals("scheduler", first.get("decision"));
        assertEquals(first, lookup("203.0.113.10", 40000, "192.0.2.10", 80), "asking twice changes nothing");
        ports.get("front").inject(syn(Ipv4.parse("203.0.113.10"), 40000, 80));
        dataplane.worker(0).doWork(now);
        Map<String, Object> after = lookup("203.0.113.10", 40000, "192.0.2.10", 80);
        assertEquals("connection", after.get("decision"));
        assertEquals(first.get("server"), after.get("server"), "the SYN went where the oracle said");
        assertEquals("SYN_RECEIVED", after.get("state"));
    }

    @Test
    void oracleReportsPersistenceNoServiceAndNotVip() {
        ports.get("front").inject(syn(Ipv4.parse("203.0.113.10"), 40000, 8080));
        dataplane.worker(0).doWork(now);
        String server = (String) lookup("203.0.113.10", 40000, "192.0.2.10", 8080).get("server");
        Map<String, Object> sticky = lookup("203.0.113.10", 40001, "192.0.2.10", 8080);
        assertEquals("persistence", sticky.get("decision"));
        assertEquals(server, sticky.get("server"));
        now += 61_000;
        assertEquals("scheduler", lookup("203.0.113.10", 40001, "192.0.2.10", 8080).get("decision"), "persistence timed out");
        assertEquals("no-service", lookup("203.0.113.10", 40000, "192.0.2.10", 22).get("decision"));
        assertEquals("not-vip", lookup("203.0.113.10", 40000, "192.0.2.99", 80).get("decision"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsCountPerServiceAndServer() {
        for (int i = 0; i < 4; i++) {
            ports.get("front").inject(syn(Ipv4.parse("203.0.113.10"), 41000 + i, 80));
        }
        ports.get("front").inject(syn(Ipv4.parse("203.0.113.10"), 41000, 22));
        dataplane.worker(0).doWork(now);
        Map<String, Object> stats = inspector.stats();
        assertEquals(4L, stats.get("forwarded_frames"));
        assertEquals(4L, stats.get("connections"));
        assertEquals(1L, ((Map<String, Object>) stats.get("drops")).get("no-service"));
        assertEquals(Map.of("inserts", 4L, "confirmed", 0L, "evicted", 0L, "expired_when_full", 0L, "refused_full", 0L, "refused_source_limit", 0L),
                stats.get("table"), "what the capacity policy did");
        Map<String, Object> web = (Map<String, Object>) ((List<Object>) stats.get("services")).getFirst();
        assertEquals(4L, web.get("connections_total"));
        assertEquals(0L, web.get("drops"), "the port-22 SYN matched no service: a router-wide drop only");
        ports.get("front").inject(ackWithoutConnection(Ipv4.parse("203.0.113.10"), 41999, 80));
        dataplane.worker(0).doWork(now);
        Map<String, Object> after = (Map<String, Object>) ((List<Object>) inspector.stats().get("services")).getFirst();
        assertEquals(1L, after.get("drops"));
        assertEquals(Map.of("tcp-no-connection", 1L), after.get("drops_by_reason"), "drops by reason per service");
        for (Object server : (List<Object>) web.get("servers")) {
            assertEquals(2L, ((Map<String, Object>) server).get("connections_active"), "round robin, two each");
            assertEquals(true, ((Map<String, Object>) server).get("resolved"));
        }
        // The same counters in the registry, unsummed: by worker, service and server.
        dev.baton.agent.CounterSnapshot snapshot = dataplane.counters().snapshot();
        assertEquals(2L, snapshot.sum("server_connections_active", "worker", "0", "service", "web", "server", "198.51.100.11"));
        assertEquals(1L, snapshot.sum("drops", "reason", "no-service"));
        assertTrue(snapshot.text().contains("service_drops{worker=\"0\",service=\"web\",reason=\"tcp-no-connection\"} 1\n"),
                snapshot.text());
        assertEquals(4, count(inspector.connections(10)));
        assertEquals(2, count(inspector.connections(2)), "limit honoured");
    }

    /** A huge limit is refused; a large listing comes in bounded asks, every entry once. */
    @Test
    void connectionListingIsBoundedAndComesInBoundedAsksOfTheWorker() {
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> inspector.connections(100_000_000));
        assertEquals("limit must be 1.." + Inspector.MAX_CONNECTION_ROWS + ", was 100000000 (`baton ctl lookup` finds one flow;"
                + " `baton ctl stats` counts them all)", refused.getMessage());
        int flows = Inspector.ROWS_PER_ASK * 2 + 10;
        for (int i = 0; i < flows; i++) {
            // 100 flows per client address: well under table.per-source-limit.
            ports.get("front").inject(syn(Ipv4.parse("203.0.113.10") + i / 100, 1024 + i % 100, 80));
            if (i % 200 == 199) {
                dataplane.worker(0).doWork(now);
            }
        }
        dataplane.worker(0).doWork(now);
        java.util.Iterator<Map<String, Object>> rows = inspector.connections(Inspector.MAX_CONNECTION_ROWS).iterator();
        java.util.Set<Object> clients = new java.util.HashSet<>();
        while (rows.hasNext()) {
            org.junit.jupiter.api.Assertions.assertTrue(clients.add(rows.next().get("client")), "each entry once");
        }
        assertEquals(flows, clients.size());
        assertEquals(Inspector.ROWS_PER_ASK, count(inspector.connections(Inspector.ROWS_PER_ASK)));
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    private static byte[] arpReply(long mac, int address) {
        ByteBuffer b = ByteBuffer.allocate(42);
        putMac(b, BACK_MAC);
        putMac(b, mac);
        b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        putMac(b, mac);
        b.putInt(address);
        putMac(b, BACK_MAC);
        b.putInt(Ipv4.parse("198.51.100.2"));
        return b.array();
    }

    private static byte[] ackWithoutConnection(int client, int clientPort, int vipPort) {
        byte[] frame = syn(client, clientPort, vipPort);
        frame[14 + 20 + 13] = 0x10; // ACK only
        return frame;
    }

    private static byte[] syn(int client, int clientPort, int vipPort) {
        ByteBuffer b = ByteBuffer.allocate(54);
        putMac(b, FRONT_MAC);
        putMac(b, 0x02_00_00_00_00_aaL);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) 6).putShort((short) 0)
                .putInt(client).putInt(Ipv4.parse("192.0.2.10"));
        b.putShort((short) clientPort).putShort((short) vipPort).putInt(1).putInt(0).put((byte) 0x50).put((byte) 2)
                .putShort((short) 1000).putInt(0);
        return b.array();
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    @Test
    void anOperatorDrainsUndrainsAndWeighsAServerAndStatsShowIt() {
        ServerAdmin admin = new ServerAdmin(dataplane);
        assertEquals("drained: no new connections; its established connections continue",
                admin.drain("web", "198.51.100.11").get("outcome"));
        for (int i = 0; i < 6; i++) {
            assertEquals("198.51.100.12", lookup("203.0.113." + (20 + i), 40000, "192.0.2.10", 80).get("server"),
                    "while .11 is drained, every new connection goes to .12");
        }
        assertEquals(List.of(true, false), serverField("web", "drained"));
        admin.undrain("web", "198.51.100.11");
        assertEquals(List.of(false, false), serverField("web", "drained"));
        admin.weight("web", "198.51.100.12", 0);
        assertEquals(List.of(1L, 0L), serverField("web", "weight").stream().map(w -> ((Number) w).longValue()).toList());
        assertEquals("198.51.100.11", lookup("203.0.113.40", 40000, "192.0.2.10", 80).get("server"), "weight 0: no new connections");
        assertEquals(List.of("unchecked", "unchecked"), serverField("web", "health"));
    }

    @Test
    void anOperatorCommandOnAServerThatDoesNotExistSaysWhatDoes() {
        ServerAdmin admin = new ServerAdmin(dataplane);
        assertEquals("no service 'wbe' (web, sticky)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> admin.drain("wbe", "198.51.100.11")).getMessage());
        assertEquals("198.51.100.13 is not a server of web (198.51.100.11, 198.51.100.12)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> admin.drain("web", "198.51.100.13")).getMessage());
        assertEquals("weight 1001 is not within 0..1000; for example: baton ctl weight web 198.51.100.11 10",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> admin.weight("web", "198.51.100.11", 1001)).getMessage());
    }

    @SuppressWarnings("unchecked")
    private List<Object> serverField(String service, String field) {
        for (Object so : (List<Object>) inspector.stats().get("services")) {
            Map<String, Object> s = (Map<String, Object>) so;
            if (s.get("name").equals(service)) {
                return ((List<Object>) s.get("servers")).stream().map(server -> ((Map<String, Object>) server).get(field)).toList();
            }
        }
        throw new AssertionError("no service " + service);
    }
}
