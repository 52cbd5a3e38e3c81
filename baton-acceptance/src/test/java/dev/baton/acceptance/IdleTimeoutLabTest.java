package dev.baton.acceptance;

import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle timeouts on both data paths, with real TCP (issue #10: "a flow idle past its timeout is removed from both the
 * map and the table"). The router's {@code tcp-established} timeout is {@value #TIMEOUT_S} s. A client keeps one
 * connection to the echo service busy for longer than that, then lets it idle.
 *
 * <ul>
 *   <li><b>Busy</b>: the connection must outlive the timeout. With {@code datapath: xdp} its segments after the
 *       confirmation never reach the Java forwarder (the program forwards them), so this holds only because the
 *       workers read the program's last-seen times back into the table ({@code FastPath}'s pull). Without that the
 *       table would expire a live connection, its next segment would be picked up mid-stream and might be scheduled to
 *       the other server, which answers with a reset.</li>
 *   <li><b>Idle</b>: once nothing has been sent for the timeout, the entry leaves the table and, on xdp, the program's
 *       map ({@code xdp_flows_in_map}, read from the kernel's map, drops to 0).</li>
 * </ul>
 *
 * Runs on whichever data path {@code -Dbaton.lab.datapath} names; the map's half only on xdp.
 */
@Tag("lab")
class IdleTimeoutLabTest {

    static final String VIP = "192.0.2.10";
    static final int ECHO_PORT = 7000;
    /** {@code table.timeouts.tcp-established}: short, so the test waits seconds, not the default's 15 minutes. */
    static final int TIMEOUT_S = 3;
    /** How long the client keeps its connection busy: well past the timeout. */
    static final double BUSY_S = 2.5 * TIMEOUT_S;
    /** The client's segment interval: several per FastPath pull interval (1 s). */
    static final double INTERVAL_S = 0.2;
    /**
     * From the last segment to the entry's removal at most: the timeout, up to one pull interval for the table to
     * learn the program's last sighting, the sweep, and one more second for the gauge's pass; with room for a slow CI.
     */
    static final Duration REMOVAL_DEADLINE = Duration.ofSeconds(TIMEOUT_S + 7);

    /** One connection, busy for BUSY_S, then idle until killed; every echo checked byte for byte. */
    static final String CLIENT = """
            import socket, sys, time
            vip, port, busy, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
            s = socket.create_connection((vip, port), timeout=5)
            print("LOCAL_PORT %d" % s.getsockname()[1], flush=True)
            sent = echoed = 0
            end = time.monotonic() + busy
            while time.monotonic() < end:
                message = b"segment %06d\\n" % sent
                s.sendall(message)
                sent += 1
                received = b""
                while len(received) < len(message):
                    chunk = s.recv(len(message) - len(received))
                    if not chunk:
                        print("CLOSED_BY_PEER after %d" % echoed, flush=True)
                        sys.exit(1)
                    received += chunk
                if received == message:
                    echoed += 1
                time.sleep(interval)
            print("BUSY_DONE sent=%d echoed=%d" % (sent, echoed), flush=True)
            time.sleep(60)
            """;

    static Lab lab;
    static LabRouter router;
    static boolean xdp;

    @BeforeAll
    static void startLab() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
        for (ServerHost server : lab.servers()) {
            server.startEchoServer(ECHO_PORT, ECHO_PORT + 1);
        }
        Path socket = lab.workDirectory().resolve("baton.sock");
        String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(
                new LabRouter.Service("echo", "tcp", List.of(ECHO_PORT), "wrr", "0s", List.of())));
        String table = "table: { capacity: " + LabRouter.TABLE_CAPACITY + " }";
        assertTrue(yaml.contains(table), yaml);
        yaml = yaml.replace(table, "table: { capacity: " + LabRouter.TABLE_CAPACITY
                + ", timeouts: { tcp-established: " + TIMEOUT_S + "s } }");
        router = LabRouter.start(lab, lab.router(0), yaml, socket);
        router.awaitServersResolved(Duration.ofSeconds(20));
        xdp = LabRouter.datapath().equals("xdp");
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

    @Test
    void aBusyConnectionOutlivesItsTimeoutAndAnIdleOneLeavesTableAndMap() throws IOException {
        long forwardedBefore = xdp ? router.counter("forwarded_frames", "worker", "xdp") : 0;
        long refreshedBefore = xdp ? router.counter("xdp_flows_refreshed") : 0;
        Path script = lab.workDirectory().resolve("idle-client.py");
        Files.writeString(script, CLIENT);
        try (LabProcess client = lab.client(0).spawn(List.of(Tool.PYTHON3.require(), "-u", script.toString(), VIP,
                Integer.toString(ECHO_PORT), Double.toString(BUSY_S), Double.toString(INTERVAL_S)),
                lab.workDirectory().resolve("idle-client.log"))) {
            client.awaitOutput("LOCAL_PORT", Duration.ofSeconds(10));
            String clientPort = match(client.output(), "LOCAL_PORT (\\d+)");
            client.awaitOutput("BUSY_DONE", Duration.ofSeconds((long) BUSY_S + 15));
            Matcher done = Pattern.compile("BUSY_DONE sent=(\\d+) echoed=(\\d+)").matcher(client.output());
            assertTrue(done.find(), client.output());
            int sent = Integer.parseInt(done.group(1));
            assertTrue(sent >= BUSY_S / INTERVAL_S / 2, "the client sent only " + sent + " segments: " + client.output());
            assertEquals(sent, Integer.parseInt(done.group(2)), "every segment echoed, in order, by the same server");

            // Busy past the timeout: the entry is still there, confirmed, and recently seen.
            Map<String, Object> entry = connection(clientPort);
            assertNotNull(entry, "the busy connection is still in the table after " + BUSY_S + " s with a "
                    + TIMEOUT_S + " s timeout: " + router.ctl("connections", Map.of("limit", 100)));
            assertEquals("ESTABLISHED", entry.get("state"), entry.toString());
            assertTrue(((Number) entry.get("idle_ms")).longValue() < TIMEOUT_S * 1000L, entry.toString());
            if (xdp) {
                long forwarded = router.counter("forwarded_frames", "worker", "xdp") - forwardedBefore;
                // After the confirmation (a segment >= 1 s after the handshake ACK) the program carries the rest.
                assertTrue(forwarded >= sent / 2, () -> "the XDP program forwarded " + forwarded + " of " + sent + " segments; "
                        + xdpCounters());
                assertTrue(router.counter("xdp_flows_refreshed") > refreshedBefore,
                        "the table learned the program's last-seen times (xdp_flows_refreshed)");
                assertTrue(router.counter("xdp_flows_in_map") >= 1, "the busy connection is in the XDP map");
            }

            // Idle: out of the table, and out of the program's map.
            awaitTrue(() -> connection(clientPort) == null, REMOVAL_DEADLINE,
                    () -> "the idle connection is still in the table: " + connection(clientPort));
            if (xdp) {
                awaitTrue(() -> router.counter("xdp_flows_in_map") == 0, REMOVAL_DEADLINE,
                        () -> "xdp_flows_in_map is " + router.counter("xdp_flows_in_map") + " after the idle timeout");
                assertTrue(router.counter("xdp_flows_removed") >= 1, "the expiry took the flow out of the map");
            }
        }
    }

    /** The router's XDP counters that are not 0 (the program's own carry {@code worker=xdp}), for a failure's message. */
    @SuppressWarnings("unchecked")
    private static String xdpCounters() {
        StringBuilder text = new StringBuilder();
        for (Object o : (List<Object>) router.ctl("counters", Map.of())) {
            Map<String, Object> row = (Map<String, Object>) o;
            boolean xdpCounter = String.valueOf(row.get("name")).startsWith("xdp_")
                    || "xdp".equals(((Map<String, Object>) row.get("labels")).get("worker"));
            if (xdpCounter && ((Number) row.get("value")).longValue() != 0) {
                text.append(row.get("name")).append(row.get("labels")).append('=').append(row.get("value")).append(' ');
            }
        }
        return text.toString();
    }

    /** The table's row for the client's connection to the echo service, or null. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> connection(String clientPort) {
        String client = lab.client(0).address() + ":" + clientPort;
        for (Object o : (List<Object>) router.ctl("connections", Map.of("limit", 100))) {
            Map<String, Object> row = (Map<String, Object>) o;
            if (client.equals(row.get("client")) && (VIP + ":" + ECHO_PORT).equals(row.get("vip"))) {
                return row;
            }
        }
        return null;
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no '" + regex + "' in: " + text);
        return m.group(1);
    }

    /** Polls a condition the router reaches on its own clock (a real-time lab: the router's timers run). */
    private static void awaitTrue(BooleanSupplier condition, Duration deadline, java.util.function.Supplier<String> message) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(message.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
