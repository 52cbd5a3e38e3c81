package dev.baton.acceptance;

import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
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

import static dev.baton.acceptance.ReachabilityLab.ROUTER_615;
import static dev.baton.acceptance.ReachabilityLab.ROUTER_616;
import static dev.baton.acceptance.ReachabilityLab.STEADY_MS;
import static dev.baton.acceptance.ReachabilityLab.assertNothingLost;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two routers with different reachability sets (FIG. 6, second paragraph: "the target reach-ability set of the first
 * FTR-CR 630 includes router 615 and the server 650, whereas [that] of the second FTR-CR 631 includes router 616 and
 * the server 660"), in the failover lab ({@link HaLabPair}, 200 long-lived echo connections through the VIP, every
 * byte checked). Router 0 must reach router 615 and server s0, router 1 router 616 and server s1; each previous hop
 * is an address of the upstream's front interface that nothing else uses, probed by ARP, and each server is probed
 * by ICMP echo. Compare {@code count}: each router is scored on its own set.
 *
 * <ul>
 *   <li>Router 615 fails: router 0 reaches one element of two, router 1 both of its own; router 1 is handed the VIP
 *   (345) and nothing is lost; router 615 back, router 0 takes the VIP back (346).</li>
 *   <li>Router 616 fails while router 0 is active: router 1 is worse, nothing moves.</li>
 *   <li>Router 615 and router 616 flap in antiphase, each up and down every 300 ms for 10 s, so that the better
 *   router changes every 300 ms: the hold (longer than a flap stays on either side) keeps the VIP where it is; it
 *   moves at most once.</li>
 * </ul>
 * See docs/lab.md, "Health and reachability scenarios".
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReachabilitySetsLabTest {

    static final ReachabilityLab.Timing TIMING = new ReachabilityLab.Timing(200, 100, 2, 2, 500);
    /**
     * The flapping scenario's: elements probed every 100 ms that follow each flap (rise 1, fall 1), and a hold of a
     * second, longer than a flap stays on either side (300 ms) with the probes' and the reports' lag around it.
     */
    static final ReachabilityLab.Timing FLAPPING = new ReachabilityLab.Timing(100, 50, 1, 1, 1_000);
    static final long FLAP_MS = 300;
    /** Flaps of each element: 34 × 300 ms, about 10 s. */
    static final int FLAPS = 34;

    static final Map<Integer, List<String>> SETS = Map.of(PRIMARY, List.of("router-615", "server-s0"),
            BACKUP, List.of("router-616", "server-s1"));

    /** Router {@code index}'s own set (FIG. 6): router 0 router 615 and s0, router 1 router 616 and s1. */
    static String reachability(ReachabilityLab.Timing timing, int index) {
        return index == PRIMARY
                ? timing.section(timing.element("router-615", ROUTER_615, "arp"), timing.element("server-s0", "198.51.100.11", "icmp"))
                : timing.section(timing.element("router-616", ROUTER_616, "arp"), timing.element("server-s1", "198.51.100.12", "icmp"));
    }

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;

    @BeforeAll
    static void configure() {
        pair = LAB.pair();
        ReachabilityLab setUp = withTiming(TIMING);
        setUp.upstreamAddress(ROUTER_615, true);
        setUp.upstreamAddress(ROUTER_616, true);
    }

    /** The lab's helper for scenarios with {@code timing}; the routers started from now on get their sets with it. */
    static ReachabilityLab withTiming(ReachabilityLab.Timing timing) {
        pair.extraSections(index -> reachability(timing, index));
        return new ReachabilityLab(pair, timing);
    }

    private ReachabilityLab lab;

    @AfterEach
    void stopRoutersAndLeftoverConnections() {
        if (lab != null) {
            lab.stopEverything();
        }
    }

    @Test
    @Order(1)
    void routerZerosPreviousHopFailingHandsTheVipToRouterOneWhoseOwnSetIsWhole() {
        lab = withTiming(TIMING);
        lab.startPairReaching(SETS);
        lab.assertHandedOverAndBack("router 615 fails", () -> lab.upstreamAddress(ROUTER_615, false),
                () -> lab.upstreamAddress(ROUTER_615, true), List.of("router-615"));
    }

    @Test
    @Order(2)
    void routerOnesPreviousHopFailingWhileRouterZeroIsActiveMovesNothing() {
        lab = withTiming(TIMING);
        lab.startPairReaching(SETS);
        lab.assertNothingMoves("router 616 fails", () -> lab.upstreamAddress(ROUTER_616, false),
                () -> lab.upstreamAddress(ROUTER_616, true), Map.of(BACKUP, "router-616"));
    }

    @Test
    @Order(3)
    void previousHopsFlappingInAntiphaseMoveTheVipAtMostOnce() {
        lab = withTiming(FLAPPING);
        lab.startPairReaching(SETS);
        lab.startLoad(Duration.ofSeconds(25), Duration.ofMillis(100));
        pause(STEADY_MS);
        int[] takeoversBefore = {takeovers(PRIMARY), takeovers(BACKUP)};
        long[] generationsBefore = {lab.reportGeneration(BACKUP, PRIMARY), lab.reportGeneration(PRIMARY, BACKUP)};

        long flappingMs = flapInAntiphase();
        // Both back: the routers are equal, and nothing is due to move any more.
        pause(FLAPPING.holdMs() + 1_000);
        int[] moves = {takeovers(PRIMARY) - takeoversBefore[PRIMARY], takeovers(BACKUP) - takeoversBefore[BACKUP]};
        // Each flap changes the flapping element of a router's set once, and so its report's generation.
        long[] changes = {lab.reportGeneration(BACKUP, PRIMARY) - generationsBefore[PRIMARY],
                lab.reportGeneration(PRIMARY, BACKUP) - generationsBefore[BACKUP]};
        EchoLoad load = lab.finishLoad();
        System.out.println("[flapping] " + FLAPS + " flaps of " + FLAP_MS + " ms each in " + flappingMs + " ms; element changes"
                + " reported: router 0 " + changes[PRIMARY] + ", router 1 " + changes[BACKUP] + "; VIP moves: to router 0 "
                + moves[PRIMARY] + ", to router 1 " + moves[BACKUP] + "; hold " + FLAPPING.holdMs() + " ms; transitions: router 0 "
                + pair.transitions(PRIMARY) + ", router 1 " + pair.transitions(BACKUP));
        System.out.println(load.summary("flapping"));
        assertAll("router 615 and router 616 flapping in antiphase",
                () -> assertTrue(changes[PRIMARY] >= FLAPS / 2 && changes[BACKUP] >= FLAPS / 2, "each router saw its element"
                        + " flap (at least half of the " + FLAPS + " flaps): " + changes[PRIMARY] + ", " + changes[BACKUP]),
                () -> assertTrue(moves[PRIMARY] + moves[BACKUP] <= 1, "the VIP moved at most once: " + moves[PRIMARY] + " to router 0, "
                        + moves[BACKUP] + " to router 1"),
                () -> assertEquals(1, (pair.state(PRIMARY).equals("ACTIVE") ? 1 : 0) + (pair.state(BACKUP).equals("ACTIVE") ? 1 : 0),
                        "exactly one active"),
                () -> assertNothingLost(load, "flapping"),
                () -> assertEquals(List.of(), load.failedProbes(), "every fresh connection echoed"));
    }

    /**
     * Flaps router 615 and router 616 in antiphase, {@link #FLAPS} times each {@link #FLAP_MS} apart: router 616 goes,
     * then, at each flap, the present one goes and the absent one comes, so that router 0 and router 1 take turns
     * reaching more. One shell loop in the upstream's namespace, bounded in count and by the command's deadline; both
     * are present again at the end.
     *
     * @return how long the flapping took
     */
    private long flapInAntiphase() {
        String front = pair.lab().upstream().frontInterface();
        String swap = "ip addr del %s/24 dev " + front + " && ip addr add %s/24 dev " + front + " && sleep " + FLAP_MS / 1000.0;
        String script = "ip addr del " + ROUTER_616 + "/24 dev " + front + " && sleep " + FLAP_MS / 1000.0
                + " && for i in $(seq 1 " + (FLAPS / 2) + "); do " + swap.formatted(ROUTER_615, ROUTER_616) + " && "
                + swap.formatted(ROUTER_616, ROUTER_615) + " || exit 1; done";
        long startNs = System.nanoTime();
        ExecResult flapped;
        try {
            flapped = pair.lab().upstream().exec(Duration.ofMillis(FLAPS * FLAP_MS * 3), "sh", "-c", script);
        } finally {
            lab.upstreamAddress(ROUTER_615, true);
            lab.upstreamAddress(ROUTER_616, true);
        }
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        ExecResult result = flapped;
        assertTrue(result.succeeded(), () -> "the flapping loop: " + result);
        return tookMs;
    }

    /** Router {@code router}'s transitions into ACTIVE from another state so far: the VIP's moves to it. */
    private static int takeovers(int router) {
        return (int) pair.transitions(router).stream()
                .filter(t -> t.contains("->ACTIVE") && !t.substring(t.indexOf(' ') + 1).startsWith("ACTIVE"))
                .count();
    }
}
