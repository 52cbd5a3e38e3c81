package dev.baton.dataplane.engine;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.forward.TestFrames;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.table.ConnectionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload applied to a data plane in place ({@link Dataplane#reconfigure}), on memory ports driven by hand with a
 * stepped clock: established connections keep their servers whatever ids the new file gives them, new connections
 * follow the new servers and weights, a removed server's connections go on (keep) or are removed (drop), verdicts and
 * counters carry over.
 */
class DataplaneReconfigureTest {

    static final long FRONT_MAC = 0x02_00_00_00_00_01L;
    static final long BACK_MAC = 0x02_00_00_00_00_02L;
    static final long UPSTREAM_MAC = 0x02_00_00_00_00_aaL;
    static final int VIP = Ipv4.parse("192.0.2.10");
    static final int CLIENT = Ipv4.parse("203.0.113.10");
    static final String S11 = "198.51.100.11";
    static final String S12 = "198.51.100.12";
    static final String S13 = "198.51.100.13";
    /** Each server's MAC: 02:00:00:00:00:<last octet>. */
    static final Map<Long, String> SERVER_OF_MAC = Map.of(mac(S11), S11, mac(S12), S12, mac(S13), S13);

    final Map<String, MemoryPacketPort> ports = new HashMap<>();
    long now = 5_000;
    int nextPort = 40_000;
    Dataplane dataplane;

    static long mac(String server) {
        return 0x02_00_00_00_00_00L | (Ipv4.parse(server) & 0xFF);
    }

    static BatonConfig config(String services) throws Exception {
        return config("900s", services);
    }

    static BatonConfig config(String tcpEstablished, String services) throws Exception {
        return ConfigLoader.load("""
                router: { id: test-1, control-socket: /tmp/unused.sock }
                interfaces:
                  - { name: front, role: client, address: 192.0.2.2/24 }
                  - { name: back, role: server, address: 198.51.100.2/24 }
                """ + "table: { timeouts: { tcp-established: " + tcpEstablished + " } }\nservices:\n" + services, Path.of("reload.yaml"));
    }

    static String web(String onServerDown, String... servers) {
        StringBuilder text = new StringBuilder("""
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                """);
        text.append("    on-server-down: ").append(onServerDown).append('\n').append("    servers:\n");
        for (String server : servers) {
            text.append("      - ").append(server).append('\n');
        }
        return text.toString();
    }

    @BeforeEach
    void setUp() throws Exception {
        dataplane = new Dataplane(config(web("keep", "{ address: " + S11 + " }", "{ address: " + S12 + " }")),
                (name, worker, workers) -> ports.computeIfAbsent(name, n -> new MemoryPacketPort(n, n.equals("front") ? FRONT_MAC : BACK_MAC)),
                () -> now, true, ConnectionListener.NONE);
        cycle();
        resolve(S11, S12, S13);
    }

    @AfterEach
    void tearDown() {
        dataplane.close();
    }

    private void cycle() {
        dataplane.worker(0).doWork(now);
    }

    /** The servers answer ARP (an address the configuration lacks is not learned: it is no neighbour). */
    private void resolve(String... servers) {
        for (String server : servers) {
            ports.get("back").inject(TestFrames.arpReply(mac(server), Ipv4.parse(server), BACK_MAC, Ipv4.parse("198.51.100.2")));
        }
        cycle();
        ports.get("back").drainTransmitted();
    }

    /** Sends a segment of the client's connection from {@code clientPort}; returns the server it reached, or null. */
    private String send(int clientPort, int flags) {
        ports.get("front").inject(TestFrames.tcp(FRONT_MAC, UPSTREAM_MAC, CLIENT, clientPort, VIP, 80, flags, new byte[0]));
        cycle();
        // IPv4 only: worker 0 may ask for a server's MAC meanwhile (ARP).
        List<byte[]> out = ports.get("back").drainTransmitted().stream().filter(f -> f[12] == 0x08 && f[13] == 0x00).toList();
        assertTrue(out.size() <= 1, "one frame in, at most one out");
        if (out.isEmpty()) {
            return null;
        }
        long destination = 0;
        for (int i = 0; i < 6; i++) {
            destination = destination << 8 | (out.getFirst()[i] & 0xFF);
        }
        return SERVER_OF_MAC.get(destination);
    }

    /** Opens a connection (SYN, then its ACK) and returns its client port and the server that took it. */
    private Map.Entry<Integer, String> open() {
        int port = nextPort++;
        String server = send(port, TestFrames.TCP_SYN);
        assertEquals(server, send(port, TestFrames.TCP_ACK));
        return Map.entry(port, server);
    }

    private Map<String, Integer> openMany(int count) {
        Map<String, Integer> shares = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            shares.merge(String.valueOf(open().getValue()), 1, Integer::sum);
        }
        return shares;
    }

    private long serverCounter(String name, String server) {
        return dataplane.counters().snapshot().sum(name, "server", server);
    }

    @Test
    void establishedConnectionsKeepTheirServersWhenANewServerTakesTheFirstId() throws Exception {
        Map<Integer, String> before = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            Map.Entry<Integer, String> c = open();
            before.put(c.getKey(), c.getValue());
        }
        assertEquals(Map.of(S11, 3, S12, 3), count(before.values()));
        long packetsToS12 = serverCounter("server_packets", S12);

        // S13 first: S11 and S12 move from ids 0 and 1 to 1 and 2.
        var done = dataplane.reconfigure(config(web("keep", "{ address: " + S13 + ", weight: 2 }", "{ address: " + S11 + " }",
                "{ address: " + S12 + " }")), List.of());
        assertEquals(0, done.connectionsRemoved());
        assertFalse(done.remap().identity());
        for (var c : before.entrySet()) {
            assertEquals(c.getValue(), send(c.getKey(), TestFrames.TCP_ACK), "connection from port " + c.getKey() + " kept its server");
        }
        assertEquals(packetsToS12 + 3, serverCounter("server_packets", S12), "S12's counter went on under its new id");
        assertEquals(6, dataplane.counters().snapshot().sum("server_connections_active"), "every connection still counted");
        resolve(S13);
        assertEquals(Map.of(S11, 10, S12, 10, S13, 20), openMany(40), "new connections by the new weights (2:1:1)");
        assertEquals(1, dataplane.counters().snapshot().samples().stream()
                .filter(s -> s.counter().name().equals("server_packets") && S13.equals(s.counter().label("server"))).count(),
                "one series per server, no stale ones");
    }

    @Test
    void aRemovedServersConnectionsGoOnToItWhenItsServiceKeepsThemAndItTakesNoNewOne() throws Exception {
        Map.Entry<Integer, String> toS11 = open();
        Map.Entry<Integer, String> toS12 = open();
        assertEquals(S11, toS11.getValue());
        assertEquals(S12, toS12.getValue());
        assertEquals(1, dataplane.activeConnections()[1], "what the reload asks to keep S12 as departing");

        var done = dataplane.reconfigure(config(web("keep", "{ address: " + S11 + " }")),
                List.of(new ServiceMap.DepartingServer("web", Ipv4.parse(S12))));
        assertEquals(0, done.connectionsRemoved());
        assertTrue(dataplane.services().isDeparting(1));
        assertEquals(S12, send(toS12.getKey(), TestFrames.TCP_ACK), "the departing server's connection goes on to it");
        assertEquals(S11, send(toS11.getKey(), TestFrames.TCP_ACK));
        assertEquals(Map.of(S11, 10), openMany(10), "no new connection to the departing server");
        assertEquals(1, dataplane.counters().snapshot().sum("server_departing", "server", S12), "its gauge says it departs");
        assertEquals(0, dataplane.counters().snapshot().sum("server_departing", "server", S11));
        assertEquals(0, dataplane.counters().snapshot().sum("server_weight", "server", S12));
    }

    @Test
    void aRemovedServersConnectionsAreRemovedWhenItsServiceDropsThem() throws Exception {
        Map.Entry<Integer, String> toS11 = open();
        Map.Entry<Integer, String> toS12 = open();
        assertEquals(S12, toS12.getValue());
        long dropsBefore = dataplane.counters().snapshot().sum("drops", "reason", DropReason.TCP_NO_CONNECTION.label);

        var done = dataplane.reconfigure(config(web("drop", "{ address: " + S11 + " }")), List.of());
        assertEquals(1, done.connectionsRemoved());
        assertEquals(null, send(toS12.getKey(), TestFrames.TCP_ACK), "its connection is gone: the next segment is dropped");
        assertEquals(dropsBefore + 1, dataplane.counters().snapshot().sum("drops", "reason", DropReason.TCP_NO_CONNECTION.label));
        assertEquals(S11, send(toS11.getKey(), TestFrames.TCP_ACK), "the other server's connection is untouched");
        assertEquals(1, dataplane.counters().snapshot().sum("server_connections_active"));
    }

    @Test
    void aServerFailingItsCheckStaysOutAndAnOperatorsDrainStays() throws Exception {
        ServerHealthBoard board = dataplane.health();
        board.health(0, ServerHealthBoard.DOWN); // S11 fails its check
        board.drained(1, true); // an operator drained S12
        dataplane.reconfigure(config(web("keep", "{ address: " + S13 + " }", "{ address: " + S11 + " }",
                "{ address: " + S12 + " }")), List.of());
        ServerHealthBoard next = dataplane.health();
        assertEquals(ServerHealthBoard.DOWN, next.health(1), "S11 (now id 1) still failing its check");
        assertTrue(next.drained(2), "S12 (now id 2) still drained");
        assertEquals(ServerHealthBoard.UNKNOWN, next.health(0), "the new server has no verdict yet");
        assertEquals(ServerHealthBoard.DOWN, dataplane.counters().snapshot().sum("server_health", "server", S11), "and its gauge");
        assertEquals(1, dataplane.counters().snapshot().sum("server_drained", "server", S12));
        resolve(S13);
        assertEquals(Map.of(S13, 8), openMany(8), "only the new server takes connections");
    }

    @Test
    void aWeightChangeMovesTheShareAndTimeoutsChangeInPlace() throws Exception {
        assertEquals(Map.of(S11, 4, S12, 4), openMany(8));
        BatonConfig next = config("60s", web("keep", "{ address: " + S11 + ", weight: 3 }", "{ address: " + S12 + " }"));
        var done = dataplane.reconfigure(next, List.of());
        assertTrue(done.remap().identity(), "same servers, same ids");
        assertEquals(Map.of(S11, 6, S12, 2), openMany(8));
        assertEquals(60_000L, (long) dataplane.query(0, f -> f.table().timeouts().timeoutMs(dev.baton.table.TcpState.ESTABLISHED)));
    }

    @Test
    void aServiceRemovedTakesItsConnectionsAndASurvivingServiceKeepsItsOwn() throws Exception {
        Map.Entry<Integer, String> web = open();
        var done = dataplane.reconfigure(config(web("keep", "{ address: " + S11 + " }", "{ address: " + S12 + " }")
                .replace("name: web", "name: www")), List.of());
        assertEquals(1, done.connectionsRemoved(), "web is gone (www is another service): its connection with it");
        assertEquals(null, send(web.getKey(), TestFrames.TCP_ACK));
        assertEquals(Map.of(S11, 1, S12, 1), openMany(2), "www takes new connections");
    }

    private static Map<String, Integer> count(Iterable<String> servers) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String server : servers) {
            counts.merge(server, 1, Integer::sum);
        }
        return counts;
    }
}
