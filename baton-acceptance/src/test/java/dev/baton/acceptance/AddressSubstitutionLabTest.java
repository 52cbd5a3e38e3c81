package dev.baton.acceptance;

import dev.baton.lab.EchoLoad;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.LabInterface;
import dev.baton.lab.Segment;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.baton.acceptance.ReachabilityLab.STEADY_MS;
import static dev.baton.acceptance.ReachabilityLab.SYN;
import static dev.baton.acceptance.ReachabilityLab.assertNothingLost;
import static dev.baton.acceptance.ReachabilityLab.countInServer;
import static dev.baton.acceptance.ReachabilityLab.counted;
import static dev.baton.acceptance.ReachabilityLab.establishedFromClients;
import static dev.baton.acceptance.ReachabilityLab.fromClients;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Address substitution (RM 230: a multi-homed server reached at an alternate address when its configured one stops
 * answering) in the failover lab ({@link HaLabPair}, 200 long-lived echo connections through the VIP, every byte
 * checked). Server s0 is multi-homed on the server segment ({@link ServerHost#addSecondInterface}): its configured
 * address 198.51.100.11 on its first interface, the alternate 198.51.100.31 on a second one, each answering on its
 * own interface, its replies to clients leaving by the second. The echo service checks its servers over TCP
 * (200 ms, rise 2, fall 2) and lists the alternate under s0.
 *
 * <p>s0's first interface is taken off the switch's bridge while it keeps carrier: the configured address stops
 * answering, the alternate answers. Both routers reach s0 at the alternate from then on, and s0's established
 * connections and its new ones go there: only the MAC a frame is sent to changes (direct server return), and s0's
 * own firewall counts them arriving on its second interface, where nothing arrived before. Repaired, the routers go
 * back to the configured address. Nothing is lost, and the VIP never moves.
 * See docs/lab.md, "Health and reachability scenarios".
 */
@Tag("lab")
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AddressSubstitutionLabTest {

    static final ReachabilityLab.Timing TIMING = new ReachabilityLab.Timing(200, 100, 2, 2, 500);
    static final String ALTERNATE = "198.51.100.31";

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;
    static ReachabilityLab lab;
    static ServerHost multiHomed;
    static LabInterface second;

    @BeforeAll
    static void configure() {
        pair = LAB.pair();
        lab = new ReachabilityLab(pair, TIMING);
        multiHomed = pair.lab().server(0);
        second = multiHomed.addSecondInterface(ALTERNATE + "/24");
        pair.serviceSettings(TIMING.echoHealthCheck());
        pair.alternates(multiHomed, List.of(ALTERNATE));
    }

    @AfterEach
    void stopRoutersAndLeftoverConnections() {
        lab.stopEverything();
    }

    @Test
    void aServerWhoseConfiguredAddressStopsAnsweringTakesItsNewAndEstablishedConnectionsAtItsAlternate() {
        lab.startPairReaching(Map.of(PRIMARY, List.of(), BACKUP, List.of()));
        // Both addresses answer each router's check: the configured one is used, the alternate waits.
        for (int router : List.of(PRIMARY, BACKUP)) {
            for (String address : List.of(multiHomed.address(), ALTERNATE)) {
                awaitAddressUp(router, address);
            }
            assertEquals(multiHomed.address(), lab.serverRow(router, multiHomed).get("reached_at"));
        }
        String first = multiHomed.primaryInterface().name();
        countInServer(multiHomed, Map.of(
                "syns_first", "iifname " + first + " " + fromClients(SYN),
                "syns_second", "iifname " + second.name() + " " + fromClients(SYN),
                "segments_second", "iifname " + second.name() + " " + fromClients("")));
        lab.startLoad(Duration.ofSeconds(10), Duration.ofMillis(100));
        pause(STEADY_MS);
        int establishedBefore = establishedFromClients(multiHomed);
        long synsFirstBefore = counted(multiHomed, "syns_first");
        long viaSecondBefore = counted(multiHomed, "segments_second");
        int transitionsBefore = pair.transitions(PRIMARY).size() + pair.transitions(BACKUP).size();

        String port = multiHomed.primaryInterface().bridgePort();
        pair.bridgePort(port, Segment.BACK, false);
        long substitutedMs;
        Map<String, Object> activeRow;
        Map<String, Object> standbyRow;
        long synsViaSecond;
        long segmentsViaSecond;
        try {
            substitutedMs = awaitReachedAt(PRIMARY, ALTERNATE);
            awaitReachedAt(BACKUP, ALTERNATE);
            long synsAtSubstitution = counted(multiHomed, "syns_second");
            long segmentsAtSubstitution = counted(multiHomed, "segments_second");
            // Two seconds at the alternate: ten messages or more on every established connection, a fresh one every 100 ms.
            pause(2_000);
            activeRow = lab.serverRow(PRIMARY, multiHomed);
            standbyRow = lab.serverRow(BACKUP, multiHomed);
            synsViaSecond = counted(multiHomed, "syns_second") - synsAtSubstitution;
            segmentsViaSecond = counted(multiHomed, "segments_second") - segmentsAtSubstitution;
        } finally {
            pair.bridgePort(port, Segment.BACK, true);
        }
        long backMs = awaitReachedAt(PRIMARY, multiHomed.address());
        EchoLoad load = lab.finishLoad();
        System.out.println("[address substitution] " + multiHomed.name() + " held " + establishedBefore + " connections and had "
                + synsFirstBefore + " SYNs at " + multiHomed.address() + " before the cut; the active reached it at " + ALTERNATE
                + " " + substitutedMs + " ms after the cut (polled every 50 ms; fall x interval + one interval = "
                + (TIMING.fall() + 1) * TIMING.intervalMs() + " ms), where it then got " + synsViaSecond + " SYNs and "
                + segmentsViaSecond + " client segments in 2 s; repaired, back at " + multiHomed.address() + " after " + backMs
                + " ms; ctl stats: " + activeRow);
        System.out.println(load.summary("address substitution"));
        assertAll("the multi-homed server's configured address cut",
                () -> assertTrue(establishedBefore >= 50, "the multi-homed server held its share of the load: " + establishedBefore),
                () -> assertEquals(0, viaSecondBefore, "nothing reached the server at its alternate while its configured address"
                        + " answered"),
                () -> assertEquals(List.of(ALTERNATE, second.mac(), "up"),
                        List.of(activeRow.get("reached_at"), activeRow.get("mac"), activeRow.get("health")),
                        "the active reaches the server at its alternate, by the second interface's MAC: " + activeRow),
                () -> assertEquals(ALTERNATE, standbyRow.get("reached_at"), "so does the standby: " + standbyRow),
                () -> assertTrue(synsViaSecond >= 3, "new connections reached the server at its alternate: " + synsViaSecond),
                () -> assertTrue(segmentsViaSecond >= 10L * establishedBefore, "the established connections reached it there,"
                        + " ten messages each or more: " + segmentsViaSecond + " segments for " + establishedBefore + " connections"),
                () -> assertEquals(transitionsBefore, pair.transitions(PRIMARY).size() + pair.transitions(BACKUP).size(),
                        "the VIP did not move: " + pair.transitions(PRIMARY) + ", " + pair.transitions(BACKUP)),
                () -> assertNothingLost(load, "address substitution"),
                () -> assertEquals(List.of(), load.failedProbes(), "every fresh connection echoed"));
    }

    /** Waits, at most 10 s, until router {@code router}'s check of the multi-homed server at {@code address} passes ({@code ctl health}). */
    @SuppressWarnings("unchecked")
    private static void awaitAddressUp(int router, String address) {
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Map<String, Object> health = (Map<String, Object>) pair.router(router).ctl("health", Map.of());
            for (Object row : (List<Object>) health.get("servers")) {
                Map<String, Object> check = (Map<String, Object>) row;
                if (address.equals(check.get("address")) && "up".equals(check.get("health"))) {
                    return;
                }
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "router " + router + "'s check of " + address + " does not pass"
                    + " within 10 s: " + health);
            pause(50);
        }
    }

    /** Waits, at most 10 s, until router {@code router}'s {@code ctl stats} reaches the multi-homed server at {@code address}; the ms taken. */
    private static long awaitReachedAt(int router, String address) {
        long startNs = System.nanoTime();
        long deadlineNs = startNs + Duration.ofSeconds(10).toNanos();
        while (!address.equals(lab.serverRow(router, multiHomed).get("reached_at"))) {
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "router " + router + " does not reach " + multiHomed.name() + " at "
                    + address + " within 10 s: " + lab.serverRow(router, multiHomed) + "; ctl health: "
                    + pair.router(router).ctl("health", Map.of()));
            pause(50);
        }
        return (System.nanoTime() - startNs) / 1_000_000;
    }
}
