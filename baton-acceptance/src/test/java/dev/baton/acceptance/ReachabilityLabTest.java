package dev.baton.acceptance;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Host;
import dev.baton.lab.Segment;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.AUTOMATIC;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.STANDBY_STATE;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reach-ability manager (RM 230, FIG. 4 and FIG. 6) and the operator's drain in the failover lab
 * ({@link HaLabPair}: two real {@code baton run} routers, 200 long-lived echo connections through the VIP, every
 * byte checked). Both routers have the same reachability set: the echo service's servers (a {@code service}
 * element over TCP health checks), each server by ICMP echo, and "router 615", the previous hop, by ARP (an
 * address of the upstream's front interface that nothing else uses, so that it can vanish without touching the
 * traffic).
 *
 * <ul>
 *   <li>Link 637: the active router's server segment is cut on the switch's side while its own interface keeps
 *   carrier, so only its probes can see it; the standby, which still reaches everything, is handed the VIP by the
 *   switch-over (345) and every connection carries on.</li>
 *   <li>Path 445: both routers lose router 615: nothing moves, nothing is lost.</li>
 *   <li>Drain: {@code ctl drain} of a server on the active under load: no new connection goes to it (counted by
 *   the server's own firewall), its established ones finish intact.</li>
 * </ul>
 * See docs/lab.md, "Health and reachability scenarios".
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReachabilityLabTest {

    static final long INTERVAL_MS = 200;
    static final int FALL = 2;
    static final int RISE = 2;
    static final long HOLD_MS = 500;
    /** The previous hop's element: an address of the upstream's front interface used by nothing else. */
    static final String ROUTER_615 = "192.0.2.250";
    static final long STEADY_MS = 1_500;

    static final String HEALTH_CHECK = "    health-check: { type: tcp, port: " + HaLabPair.ECHO_PORT + ", interval: " + INTERVAL_MS
            + "ms, timeout: 100ms, rise: " + RISE + ", fall: " + FALL + " }\n";

    static String reachability() {
        String timing = "interval: " + INTERVAL_MS + "ms, timeout: 100ms, rise: " + RISE + ", fall: " + FALL;
        return "reachability:\n"
                + "  compare: count\n"
                + "  min-improvement: 1\n"
                + "  hold: " + HOLD_MS + "ms\n"
                + "  report-interval: 200ms\n"
                + "  targets:\n"
                + "    - { name: router-615, address: " + ROUTER_615 + ", probe: arp, " + timing + " }\n"
                + "    - { name: echo-servers, service: echo, min-up: 2 }\n"
                + "    - { name: server-s0, address: 198.51.100.11, probe: icmp, " + timing + " }\n"
                + "    - { name: server-s1, address: 198.51.100.12, probe: icmp, " + timing + " }\n";
    }

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;
    static EchoClients running;

    @BeforeAll
    static void configure() {
        pair = LAB.pair();
        pair.serviceSettings(HEALTH_CHECK);
        pair.extraSections(index -> reachability());
        router615(true);
    }

    @AfterEach
    void stopRoutersAndLeftoverConnections() {
        try {
            if (running != null) {
                running.close();
                running = null;
            }
            pair.stopAll();
        } finally {
            pair.destroyClientConnections();
        }
    }

    private static Host client() {
        return pair.lab().client(0);
    }

    // ============================================================================================ scenarios

    @Test
    @Order(1)
    void cuttingTheActivesServerSegmentBehindALitPortHandsTheVipToTheStandbyAndKeepsEveryConnection() {
        startPairReachingEverything();
        String port = pair.serverSideBridgePort(PRIMARY);
        running = EchoLoad.startWithProbes(client(), Duration.ofSeconds(10), Duration.ofMillis(100));
        running.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);

        long cutAtMs = System.currentTimeMillis();
        pair.bridgePort(port, Segment.BACK, false);
        EchoLoad load;
        try {
            long tookMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0's server segment was cut",
                    Duration.ofSeconds(10));
            long detectionMs = (FALL + 1) * INTERVAL_MS + HOLD_MS;
            System.out.println("[link 637] router 1 active " + tookMs + " ms after the cut (polled every 25 ms; fall x interval"
                    + " + one interval + hold = " + detectionMs + " ms); router 0 carrier: " + carrier(PRIMARY));
            pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after handing the VIP over");
            assertTrue(pair.awaitUpstreamSendsTo(BACKUP, Duration.ofSeconds(3)), "the upstream sends to router 1: "
                    + pair.upstreamNeighbour());
            Map<String, Object> decision = lastEvent(PRIMARY, 345);
            Map<String, Object> takeover = pair.lastTakeover(BACKUP).orElseThrow();
            System.out.println("[link 637] router 0's decision: " + decision.get("text") + "; router 1's takeover: " + takeover);
            System.out.println("[link 637] router 0's ctl reachability: " + pair.router(PRIMARY).ctl("reachability", Map.of()));
            // Still cut, router 0 reaches less: it must not take its VIP back by automatic failback (346).
            pause(HOLD_MS + 1_000);
            load = EchoLoad.finish(running);
            running = null;
            System.out.println(load.summary("link 637") + "; " + load.longStallTimeline(cutAtMs));
            EchoLoad finished = load;
            assertAll("the active's server segment cut behind a lit port",
                    () -> assertTrue(tookMs <= detectionMs + 1_500, "router 1 active within fall x interval + interval + hold"
                            + " (+ 1.5 s): " + tookMs + " ms"),
                    () -> assertEquals("up", carrier(PRIMARY), "router 0's own server-facing interface kept its carrier"),
                    () -> assertTrue(String.valueOf(decision.get("text")).contains("unreachable"), "345 names what is"
                            + " unreachable: " + decision),
                    () -> assertTrue(String.valueOf(decision.get("text")).contains("echo-servers")
                            && String.valueOf(decision.get("text")).contains("server-s0")
                            && String.valueOf(decision.get("text")).contains("server-s1"), "345 names the elements: " + decision),
                    () -> assertEquals(335L, takeover.get("reference"), "router 1 took the VIP by the switch-over: " + takeover),
                    () -> assertTrue(pair.transitions(BACKUP).contains("345 STANDBY/in-sync->PREEMPT/in-sync"), "router 1 preempted"
                            + " as a synchronized standby when asked (345): " + pair.transitions(BACKUP)),
                    () -> assertEquals("STANDBY", pair.state(PRIMARY), "no failback while router 0 reaches less: "
                            + pair.transitions(PRIMARY)),
                    () -> assertNothingLost(finished, "server segment cut"),
                    () -> assertEquals(List.of(), finished.failedProbes(), "every fresh connection across the cut echoed"),
                    () -> assertEquals(0, pair.drops(BACKUP, "tcp-no-connection"), "router 1 had every connection: "
                            + pair.router(BACKUP).stats().get("drops")));
        } finally {
            pair.bridgePort(port, Segment.BACK, true);
        }
        // Repaired: router 0 reaches as much again. It handed the VIP over for reachability (the query said so), not
        // at an operator's request, so its automatic failback is not held off: it takes the VIP back (346).
        for (String element : List.of("echo-servers", "server-s0", "server-s1")) {
            awaitElement(PRIMARY, element, "up", Duration.ofSeconds(10));
        }
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pair.state(PRIMARY).equals("ACTIVE") && System.nanoTime() - deadlineNs < 0) {
            pause(50);
        }
        System.out.println("[link 637] repaired, every element up again on router 0: router 0 " + pair.state(PRIMARY)
                + " (" + pair.vip(PRIMARY).get("last_transition") + "), router 1 " + pair.state(BACKUP));
        assertEquals("ACTIVE", pair.state(PRIMARY), "router 0 fails back once it reaches as much: " + pair.transitions(PRIMARY));
        assertEquals(346L, lastEvent(PRIMARY, 346).get("reference"));
        assertEquals(1, (pair.state(PRIMARY).equals("ACTIVE") ? 1 : 0) + (pair.state(BACKUP).equals("ACTIVE") ? 1 : 0),
                "exactly one active after the repair");
    }

    @Test
    @Order(2)
    void bothRoutersLosingTheSamePreviousHopMovesNothing() {
        startPairReachingEverything();
        running = EchoLoad.start(client(), Duration.ofSeconds(8));
        running.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);
        int[] before = {pair.transitions(PRIMARY).size(), pair.transitions(BACKUP).size()};

        router615(false);
        try {
            for (int router : List.of(PRIMARY, BACKUP)) {
                awaitElement(router, "router-615", "down", Duration.ofSeconds(5));
            }
            // Both settled and equal: a hold and more, and nothing may move (FIG. 4, path 445).
            pause(HOLD_MS + 1_500);
            EchoLoad load = EchoLoad.finish(running);
            running = null;
            System.out.println(load.summary("path 445") + "; router 0's ctl reachability: "
                    + pair.router(PRIMARY).ctl("reachability", Map.of()));
            assertAll("both routers lost router 615",
                    () -> assertEquals("ACTIVE", pair.state(PRIMARY)),
                    () -> assertEquals("STANDBY", pair.state(BACKUP)),
                    () -> assertEquals(before[PRIMARY], pair.transitions(PRIMARY).size(), "no transition on router 0: "
                            + pair.transitions(PRIMARY)),
                    () -> assertEquals(before[BACKUP], pair.transitions(BACKUP).size(), "no transition on router 1: "
                            + pair.transitions(BACKUP)),
                    () -> assertEquals(List.of(), events(PRIMARY, 345), "no reachability hand-over"),
                    () -> assertNothingLost(load, "router 615 lost by both"));
        } finally {
            router615(true);
        }
    }

    @Test
    @Order(3)
    void drainingAServerOnTheActiveUnderLoadSendsItNoNewConnectionAndItsOwnFinishIntact() {
        startPairReachingEverything();
        ServerHost drained = pair.lab().server(1);
        ServerHost other = pair.lab().server(0);
        countClientSyns(drained);
        countClientSyns(other);
        running = EchoLoad.startWithProbes(client(), Duration.ofSeconds(8), Duration.ofMillis(50));
        running.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        pause(STEADY_MS);
        int establishedThere = establishedFromClients(drained);
        long synsBeforeDrain = clientSyns(drained);

        Object outcome = pair.router(PRIMARY).ctl("drain", Map.of("service", "echo", "server", drained.address()));
        // The drain takes effect at every worker's next duty cycle (a millisecond): count from 100 ms on.
        pause(100);
        long synsAtDrain = clientSyns(drained);
        long othersAtDrain = clientSyns(other);
        EchoLoad load = EchoLoad.finish(running);
        running = null;
        long synsAfter = clientSyns(drained);
        long othersAfter = clientSyns(other);
        System.out.println(load.summary("drain") + "; " + drained.name() + " held " + establishedThere + " connections at the drain ("
                + outcome + "), got " + (synsAtDrain - synsBeforeDrain) + " SYNs within 100 ms of it and " + (synsAfter - synsAtDrain)
                + " after; " + other.name() + " got " + (othersAfter - othersAtDrain) + " after");
        Map<String, Object> row = serverRow(PRIMARY, drained);
        assertAll("drain under load",
                () -> assertTrue(establishedThere >= 50, "the drained server held its share of the load: " + establishedThere),
                () -> assertEquals(Boolean.TRUE, row.get("drained"), "ctl stats: " + row),
                () -> assertEquals(0, synsAfter - synsAtDrain, "no new connection to the drained server"),
                () -> assertTrue(othersAfter - othersAtDrain >= 50, "the fresh connections went to the other server: "
                        + (othersAfter - othersAtDrain)),
                () -> assertNothingLost(load, "drain"),
                () -> assertEquals(List.of(), load.failedProbes(), "every fresh connection echoed"));

        pair.router(PRIMARY).ctl("undrain", Map.of("service", "echo", "server", drained.address()));
        long synsAtUndrain = clientSyns(drained);
        EchoLoad fresh = EchoLoad.oneEchoEach(client(), 20);
        assertEquals(20, fresh.total("ok"), "after the undrain: " + fresh.result());
        assertTrue(clientSyns(drained) - synsAtUndrain >= 10, "the undrained server takes new connections again");
    }

    // ============================================================================================ helpers

    private static void startPairReachingEverything() {
        try {
            pair.startPair(AUTOMATIC);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        // Every element up on both routers (each router's first probe decides at once; the service element follows).
        for (int router : List.of(PRIMARY, BACKUP)) {
            for (String element : List.of("router-615", "server-s0", "server-s1", "echo-servers")) {
                awaitElement(router, element, "up", Duration.ofSeconds(10));
            }
        }
    }

    /** The upstream holds (or no longer holds) {@link #ROUTER_615} on its front interface. */
    private static void router615(boolean present) {
        Host upstream = pair.lab().upstream();
        ExecResult result = upstream.exec(Duration.ofSeconds(10), "ip", "addr", present ? "replace" : "del", ROUTER_615 + "/24", "dev",
                pair.lab().upstream().frontInterface());
        assertTrue(result.succeeded(), () -> "ip addr on the upstream: " + result);
    }

    /** Router {@code router}'s own state of element {@code name} from {@code ctl reachability}'s set. */
    @SuppressWarnings("unchecked")
    private static String elementState(int router, String name) {
        Map<String, Object> status = (Map<String, Object>) pair.router(router).ctl("reachability", Map.of());
        Object elements = status.get("elements");
        if (elements instanceof List<?> list) {
            for (Object e : list) {
                Map<String, Object> element = (Map<String, Object>) e;
                if (name.equals(element.get("name"))) {
                    return String.valueOf(element.get("health"));
                }
            }
        }
        throw new AssertionError("no element " + name + " in router " + router + "'s ctl reachability: " + status);
    }

    private static void awaitElement(int router, String name, String health, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!health.equals(elementState(router, name))) {
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "router " + router + ": element " + name + " not " + health
                    + " within " + timeout + ": " + pair.router(router).ctl("reachability", Map.of()));
            pause(50);
        }
    }

    private static List<Map<String, Object>> events(int router, int reference) {
        return pair.events(router).stream().filter(e -> e.get("reference") instanceof Number n && n.intValue() == reference).toList();
    }

    private static Map<String, Object> lastEvent(int router, int reference) {
        List<Map<String, Object>> found = events(router, reference);
        assertTrue(!found.isEmpty(), () -> "router " + router + " logged no " + reference + ": " + pair.events(router));
        return found.getLast();
    }

    /** Router {@code router}'s server-facing interface's operational state as its kernel sees it (UP with carrier). */
    private static String carrier(int router) {
        ExecResult shown = pair.host(router).exec(Duration.ofSeconds(10), "cat", "/sys/class/net/" + pair.host(router).serverInterface()
                + "/operstate");
        return shown.stdout().strip();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> serverRow(int router, ServerHost server) {
        for (Object service : (List<Object>) pair.router(router).stats().get("services")) {
            for (Object row : (List<Object>) ((Map<String, Object>) service).get("servers")) {
                if (server.address().equals(String.valueOf(((Map<String, Object>) row).get("address")))) {
                    return (Map<String, Object>) row;
                }
            }
        }
        throw new AssertionError("no server " + server.address() + " in ctl stats");
    }

    /** A counter in {@code server}'s own firewall of the SYNs clients (203.0.113.0/24) send to the echo port. */
    private static void countClientSyns(ServerHost server) {
        ExecResult added = server.exec(Duration.ofSeconds(10), "sh", "-c", "nft delete table inet batonlab 2>/dev/null;"
                + " nft add table inet batonlab && nft add chain inet batonlab input '{ type filter hook input priority 0; policy accept; }'"
                + " && nft add rule inet batonlab input ip saddr 203.0.113.0/24 tcp dport " + HaLabPair.ECHO_PORT
                + " 'tcp flags & (syn | ack) == syn' counter");
        assertTrue(added.succeeded(), () -> "nft on " + server.name() + ": " + added);
    }

    private static final Pattern PACKETS = Pattern.compile("counter packets (\\d+)");

    private static long clientSyns(ServerHost server) {
        ExecResult listed = server.exec(Duration.ofSeconds(10), "nft", "list", "table", "inet", "batonlab");
        Matcher m = PACKETS.matcher(listed.stdout());
        assertTrue(m.find(), () -> "nft counter on " + server.name() + ": " + listed);
        return Long.parseLong(m.group(1));
    }

    private static int establishedFromClients(ServerHost server) {
        ExecResult shown = server.exec(Duration.ofSeconds(10), "ss", "-Htn", "state", "established", "sport", "=", ":"
                + HaLabPair.ECHO_PORT, "dst", "203.0.113.0/24");
        String out = shown.stdout().strip();
        return out.isEmpty() ? 0 : out.split("\n").length;
    }

    private static void assertNothingLost(EchoLoad load, String context) {
        assertEquals(EchoLoad.CONNECTIONS, load.connections().size(), context);
        List<Map<String, Object>> broken = load.brokenConnections();
        assertTrue(broken.isEmpty(), () -> context + ": " + broken.size() + " connection(s) lost data or failed, e.g. "
                + broken.subList(0, Math.min(5, broken.size())));
    }
}
