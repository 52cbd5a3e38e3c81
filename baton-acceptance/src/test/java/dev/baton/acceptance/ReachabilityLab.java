package dev.baton.acceptance;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Host;
import dev.baton.lab.ServerHost;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * What the reach-ability manager's lab scenarios (RM 230, FIG. 4, FIG. 6) share, on the failover lab's pair
 * ({@link HaLabPair}): the reachability sections they give the routers, their 200 long-lived echo connections, and
 * the two outcomes FIG. 4 allows when an element is lost: router 1 is handed the VIP by the switch-over (345) and
 * gives it back by failback (346) once router 0 reaches as much again, or nothing moves (path 445).
 *
 * <p>Threads: the test's thread only.
 */
final class ReachabilityLab {

    /**
     * The previous hop of FIG. 6 ("router 615"): an address of the upstream's front interface that nothing else
     * uses, so that it can vanish, probed by ARP, without touching the traffic.
     */
    static final String ROUTER_615 = "192.0.2.250";
    /** FIG. 6's other previous hop ("router 616"), the same way. */
    static final String ROUTER_616 = "192.0.2.251";
    /** How long the load runs steadily before a scenario breaks anything. */
    static final long STEADY_MS = 1_500;

    /**
     * The probe timing of every probed element and the hand-over's hysteresis (compare {@code count},
     * {@code min-improvement: 1}, reports every 200 ms).
     */
    record Timing(long intervalMs, long timeoutMs, int rise, int fall, long holdMs) {

        /** One probed element of a {@code targets} list, a whole line. */
        String element(String name, String address, String probe) {
            return "    - { name: " + name + ", address: " + address + ", probe: " + probe + ", interval: " + intervalMs
                    + "ms, timeout: " + timeoutMs + "ms, rise: " + rise + ", fall: " + fall + " }\n";
        }

        /** A {@code reachability} section with {@code targets} (whole lines). */
        String section(String... targets) {
            return "reachability:\n"
                    + "  compare: count\n"
                    + "  min-improvement: 1\n"
                    + "  hold: " + holdMs + "ms\n"
                    + "  report-interval: 200ms\n"
                    + "  targets:\n"
                    + String.join("", targets);
        }

        /** The echo service's TCP health check with the same timing (service settings, whole lines). */
        String echoHealthCheck() {
            return "    health-check: { type: tcp, port: " + HaLabPair.ECHO_PORT + ", interval: " + intervalMs + "ms, timeout: "
                    + timeoutMs + "ms, rise: " + rise + ", fall: " + fall + " }\n";
        }

        /** From a loss to the standby handed the VIP at the latest: fall × interval, one more interval, and the hold. */
        long detectionMs() {
            return (fall + 1L) * intervalMs + holdMs;
        }
    }

    private final HaLabPair pair;
    private final Timing timing;
    private EchoClients running;

    ReachabilityLab(HaLabPair pair, Timing timing) {
        this.pair = pair;
        this.timing = timing;
    }

    HaLabPair pair() {
        return pair;
    }

    Host client() {
        return pair.lab().client(0);
    }

    // ============================================================================================ life cycle

    /**
     * A fresh pair (router 0 ACTIVE, router 1 a synchronized STANDBY) with {@code elements.get(router)} up on each
     * router (each router's first probe decides at once; a service element follows its servers' checks).
     */
    void startPairReaching(Map<Integer, List<String>> elements) {
        try {
            pair.startPair(AUTOMATIC);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int router : List.of(PRIMARY, BACKUP)) {
            for (String element : elements.get(router)) {
                awaitElement(router, element, "up", Duration.ofSeconds(10));
            }
        }
    }

    /** 200 long-lived echo connections through the VIP (and a fresh one every {@code probeInterval}, unless null), under way. */
    EchoClients startLoad(Duration duration, Duration probeInterval) {
        running = probeInterval == null ? EchoLoad.start(client(), duration)
                : EchoLoad.startWithProbes(client(), duration, probeInterval);
        running.awaitReady(HaLabPair.SETTLE_TIMEOUT);
        return running;
    }

    /** Waits for the load's end and its result. */
    EchoLoad finishLoad() {
        EchoLoad load = EchoLoad.finish(running);
        running = null;
        return load;
    }

    /** After each scenario: the load, both routers and every client socket left over stopped, even after a failure. */
    void stopEverything() {
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

    /** The upstream holds (or no longer holds) {@code address} on its front interface: a previous hop that is there or gone. */
    void upstreamAddress(String address, boolean present) {
        Host upstream = pair.lab().upstream();
        ExecResult result = upstream.exec(Duration.ofSeconds(10), "ip", "addr", present ? "replace" : "del", address + "/24", "dev",
                pair.lab().upstream().frontInterface());
        assertTrue(result.succeeded(), () -> "ip addr on the upstream: " + result);
    }

    // ============================================================================================ the two outcomes

    /**
     * A loss that only router 0, the active, suffers, under load with a fresh connection every 100 ms: router 1, which
     * reaches more, is handed the VIP by the switch-over (345, taken by 335) within the detection time, every
     * connection carries on, and router 0 does not take the VIP back while it reaches less. Then {@code repair}:
     * router 0 reaches as much again and, since it handed the VIP over for reachability and not at an operator's
     * request, takes it back by automatic failback (346).
     *
     * @param label     what is printed before each figure
     * @param cut       breaks what router 0 must reach
     * @param repair    undoes it
     * @param lost      the elements router 0 loses, which its 345 event must name
     * @param duringCut further assertions made while the cut lasts (in the same {@code assertAll})
     */
    void assertHandedOverAndBack(String label, Runnable cut, Runnable repair, List<String> lost, Executable... duringCut) {
        startLoad(Duration.ofSeconds(10), Duration.ofMillis(100));
        pause(STEADY_MS);
        long cutAtMs = System.currentTimeMillis();
        cut.run();
        try {
            long tookMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after " + label, Duration.ofSeconds(10));
            System.out.println("[" + label + "] router 1 active " + tookMs + " ms after the cut (polled every 25 ms; fall x interval"
                    + " + one interval + hold = " + timing.detectionMs() + " ms)");
            pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after handing the VIP over");
            assertTrue(pair.awaitUpstreamSendsTo(BACKUP, Duration.ofSeconds(3)), "the upstream sends to router 1: "
                    + pair.upstreamNeighbour());
            Map<String, Object> decision = lastEvent(PRIMARY, 345);
            Map<String, Object> takeover = pair.lastTakeover(BACKUP).orElseThrow();
            System.out.println("[" + label + "] router 0's decision: " + decision.get("text") + "; router 1's takeover: " + takeover);
            System.out.println("[" + label + "] router 0's ctl reachability: " + pair.router(PRIMARY).ctl("reachability", Map.of()));
            // Still cut, router 0 reaches less: it must not take its VIP back by automatic failback (346).
            pause(timing.holdMs() + 1_000);
            EchoLoad load = finishLoad();
            System.out.println(load.summary(label) + "; " + load.longStallTimeline(cutAtMs));
            String text = String.valueOf(decision.get("text"));
            List<Executable> checks = new ArrayList<>(List.of(
                    () -> assertTrue(tookMs <= timing.detectionMs() + 1_500, "router 1 active within fall x interval + interval"
                            + " + hold (+ 1.5 s): " + tookMs + " ms"),
                    () -> assertTrue(text.contains("unreachable"), "345 names what is unreachable: " + decision),
                    () -> assertTrue(lost.stream().allMatch(text::contains), "345 names the elements " + lost + ": " + decision),
                    () -> assertEquals(335L, takeover.get("reference"), "router 1 took the VIP by the switch-over: " + takeover),
                    () -> assertTrue(pair.transitions(BACKUP).contains("345 STANDBY/in-sync->PREEMPT/in-sync"), "router 1"
                            + " preempted as a synchronized standby when asked (345): " + pair.transitions(BACKUP)),
                    () -> assertEquals("STANDBY", pair.state(PRIMARY), "no failback while router 0 reaches less: "
                            + pair.transitions(PRIMARY)),
                    () -> assertNothingLost(load, label),
                    () -> assertEquals(List.of(), load.failedProbes(), "every fresh connection across the cut echoed"),
                    () -> assertEquals(0, pair.drops(BACKUP, "tcp-no-connection"), "router 1 had every connection: "
                            + pair.router(BACKUP).stats().get("drops"))));
            checks.addAll(List.of(duringCut));
            assertAll(label, checks.stream());
        } finally {
            repair.run();
        }
        for (String element : lost) {
            awaitElement(PRIMARY, element, "up", Duration.ofSeconds(10));
        }
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pair.state(PRIMARY).equals("ACTIVE") && System.nanoTime() - deadlineNs < 0) {
            pause(50);
        }
        System.out.println("[" + label + "] repaired, every element up again on router 0: router 0 " + pair.state(PRIMARY)
                + " (" + pair.vip(PRIMARY).get("last_transition") + "), router 1 " + pair.state(BACKUP));
        assertEquals("ACTIVE", pair.state(PRIMARY), "router 0 fails back once it reaches as much: " + pair.transitions(PRIMARY));
        assertEquals(346L, lastEvent(PRIMARY, 346).get("reference"));
        assertEquals(1, (pair.state(PRIMARY).equals("ACTIVE") ? 1 : 0) + (pair.state(BACKUP).equals("ACTIVE") ? 1 : 0),
                "exactly one active after the repair");
    }

    /**
     * A loss that leaves no router better than the active, under load: each router in {@code goneDown} reports its
     * element down, and for a hold and 1.5 s more nothing moves (FIG. 4, path 445): no transition on either router,
     * no reachability hand-over, nothing lost. Then {@code repair}.
     *
     * @param goneDown per router, the element it loses
     */
    void assertNothingMoves(String label, Runnable cut, Runnable repair, Map<Integer, String> goneDown) {
        startLoad(Duration.ofSeconds(8), null);
        pause(STEADY_MS);
        int[] before = {pair.transitions(PRIMARY).size(), pair.transitions(BACKUP).size()};
        cut.run();
        try {
            goneDown.forEach((router, element) -> awaitElement(router, element, "down", Duration.ofSeconds(5)));
            pause(timing.holdMs() + 1_500);
            EchoLoad load = finishLoad();
            System.out.println(load.summary(label) + "; router 0's ctl reachability: " + pair.router(PRIMARY).ctl("reachability", Map.of()));
            assertAll(label,
                    () -> assertEquals("ACTIVE", pair.state(PRIMARY)),
                    () -> assertEquals("STANDBY", pair.state(BACKUP)),
                    () -> assertEquals(before[PRIMARY], pair.transitions(PRIMARY).size(), "no transition on router 0: "
                            + pair.transitions(PRIMARY)),
                    () -> assertEquals(before[BACKUP], pair.transitions(BACKUP).size(), "no transition on router 1: "
                            + pair.transitions(BACKUP)),
                    () -> assertEquals(List.of(), events(PRIMARY, 345), "no reachability hand-over"),
                    () -> assertNothingLost(load, label));
        } finally {
            repair.run();
        }
    }

    // ============================================================================================ reading the routers

    /** Router {@code router}'s own state of element {@code name} from {@code ctl reachability}'s set. */
    @SuppressWarnings("unchecked")
    String elementState(int router, String name) {
        Map<String, Object> status = (Map<String, Object>) pair.router(router).ctl("reachability", Map.of());
        if (status.get("elements") instanceof List<?> list) {
            for (Object e : list) {
                Map<String, Object> element = (Map<String, Object>) e;
                if (name.equals(element.get("name"))) {
                    return String.valueOf(element.get("health"));
                }
            }
        }
        throw new AssertionError("no element " + name + " in router " + router + "'s ctl reachability: " + status);
    }

    void awaitElement(int router, String name, String health, Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!health.equals(elementState(router, name))) {
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "router " + router + ": element " + name + " not " + health
                    + " within " + timeout + ": " + pair.router(router).ctl("reachability", Map.of()));
            pause(50);
        }
    }

    /**
     * The generation of router {@code about}'s last report as router {@code router} holds it ({@code ctl reachability}'s
     * peer): it grows by one at each change of an element of {@code about}'s set.
     */
    @SuppressWarnings("unchecked")
    long reportGeneration(int router, int about) {
        Map<String, Object> status = (Map<String, Object>) pair.router(router).ctl("reachability", Map.of());
        Map<String, Object> peer = (Map<String, Object>) ((List<Object>) status.get("peers")).getFirst();
        assertTrue(peer.get("generation") instanceof Number, () -> "router " + router + " holds no report of router " + about
                + ": " + status);
        return ((Number) peer.get("generation")).longValue();
    }

    List<Map<String, Object>> events(int router, int reference) {
        return pair.events(router).stream().filter(e -> e.get("reference") instanceof Number n && n.intValue() == reference).toList();
    }

    Map<String, Object> lastEvent(int router, int reference) {
        List<Map<String, Object>> found = events(router, reference);
        assertTrue(!found.isEmpty(), () -> "router " + router + " logged no " + reference + ": " + pair.events(router));
        return found.getLast();
    }

    /** Router {@code router}'s interface {@code name}'s operational state as its kernel sees it ("up" with carrier). */
    String operationalState(int router, String name) {
        ExecResult shown = pair.host(router).exec(Duration.ofSeconds(10), "cat", "/sys/class/net/" + name + "/operstate");
        return shown.stdout().strip();
    }

    /** Router {@code router}'s {@code ctl stats} row of {@code server}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> serverRow(int router, ServerHost server) {
        for (Object service : (List<Object>) pair.router(router).stats().get("services")) {
            for (Object row : (List<Object>) ((Map<String, Object>) service).get("servers")) {
                if (server.address().equals(String.valueOf(((Map<String, Object>) row).get("address")))) {
                    return (Map<String, Object>) row;
                }
            }
        }
        throw new AssertionError("no server " + server.address() + " in ctl stats");
    }

    /** Every connection of the load opened and intact: every byte echoed, no mismatch, no error. */
    static void assertNothingLost(EchoLoad load, String context) {
        assertEquals(EchoLoad.CONNECTIONS, load.connections().size(), context);
        List<Map<String, Object>> broken = load.brokenConnections();
        assertTrue(broken.isEmpty(), () -> context + ": " + broken.size() + " connection(s) lost data or failed, e.g. "
                + broken.subList(0, Math.min(5, broken.size())));
    }

    // ============================================================================================ a server's own count

    /**
     * Named packet counters in {@code server}'s own firewall (table {@code inet batonlab}, input hook), each counting
     * what {@code matchByName.get(name)} matches (an nft expression), e.g. the SYNs clients send to the echo port.
     */
    static void countInServer(ServerHost server, Map<String, String> matchByName) {
        StringBuilder script = new StringBuilder("nft delete table inet batonlab 2>/dev/null;"
                + " nft add table inet batonlab && nft add chain inet batonlab input '{ type filter hook input priority 0; policy accept; }'");
        matchByName.forEach((name, match) -> script.append(" && nft add counter inet batonlab ").append(name)
                .append(" && nft add rule inet batonlab input ").append(match).append(" counter name ").append(name));
        ExecResult added = server.exec(Duration.ofSeconds(10), "sh", "-c", script.toString());
        assertTrue(added.succeeded(), () -> "nft on " + server.name() + ": " + added);
    }

    private static final Pattern PACKETS = Pattern.compile("packets (\\d+)");

    /** Packets counted so far by {@code server}'s counter {@code name} ({@link #countInServer}). */
    static long counted(ServerHost server, String name) {
        ExecResult listed = server.exec(Duration.ofSeconds(10), "nft", "list", "counter", "inet", "batonlab", name);
        Matcher m = PACKETS.matcher(listed.stdout());
        assertTrue(m.find(), () -> "nft counter " + name + " on " + server.name() + ": " + listed);
        return Long.parseLong(m.group(1));
    }

    /** An nft match of the client segment's packets to the echo port ({@code more} narrows it, e.g. to SYNs). */
    static String fromClients(String more) {
        return "ip saddr 203.0.113.0/24 tcp dport " + HaLabPair.ECHO_PORT + (more.isEmpty() ? "" : " " + more);
    }

    /** The nft match of a connection's first segment: SYN without ACK. */
    static final String SYN = "'tcp flags & (syn | ack) == syn'";

    /** How many established connections from clients {@code server} holds on the echo port ({@code ss}). */
    static int establishedFromClients(ServerHost server) {
        ExecResult shown = server.exec(Duration.ofSeconds(10), "ss", "-Htn", "state", "established", "sport", "=", ":"
                + HaLabPair.ECHO_PORT, "dst", "203.0.113.0/24");
        String out = shown.stdout().strip();
        return out.isEmpty() ? 0 : out.split("\n").length;
    }
}
