package dev.baton.acceptance;

import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Host;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Segment;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.AUTOMATIC;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.MANUAL;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.STANDBY_STATE;
import static dev.baton.lab.HaLabPair.pause;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failover acceptance, in the lab with two real {@code baton run} processes: 200 long-lived TCP connections
 * from a real client (ha_client.py) through the active router to real echo servers, a message every 20 ms on
 * each, every echoed byte checked, while the active router is killed, cut off, switched over, frozen, restarted,
 * or pestered by a stranger with the wrong key (US 6,148,410 FIG. 3: transitions 348, 341, 347/355/335, 325,
 * 346; FIG. 6: the connectivity failure of the link between the network and the active router).
 *
 * <p>One lab for the class; every scenario starts a fresh pair (router 0 ACTIVE, router 1 a synchronized
 * STANDBY) and stops it afterwards. Each prints the per-connection longest stall (p50, p99, max). On failure the
 * routers' logs are printed. See docs/lab.md, "Failover scenarios".
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FailoverLabTest {

    /** How long the clients run in the short scenarios, from the moment every connection is up. */
    static final Duration LOAD = Duration.ofSeconds(6);
    /** Steady state before the failure, so every connection has a table entry on both routers. */
    static final long STEADY_MS = 1_500;
    /** How long the standby may take to become active once the failure happened (t2 = 250 ms in the lab, plus polling). */
    static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(5);
    /** The lab routers' update interval (t4, the default): how long a new connection may wait before it is replicated. */
    static final long LAB_UPDATE_INTERVAL_MS = 20;
    /** Fresh connections after a takeover, each echoing once. */
    static final int FRESH_CONNECTIONS = 20;

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.PYTHON3);
    static HaLabPair pair;

    @BeforeAll
    static void usePair() {
        pair = LAB.pair();
    }

    @AfterEach
    void stopRoutersAndLeftoverConnections() {
        try {
            if (Scenario.current != null) {
                Scenario.current.clients.close();
                Scenario.current = null;
            }
            pair.stopAll();
        } finally {
            // A scenario that failed may leave connections retransmitting FINs at the VIP for minutes; they would
            // reach the next scenario's routers (drops, retransmissions) and make it depend on this one.
            pair.destroyClientConnections();
        }
    }

    private static Host client() {
        return pair.lab().client(0);
    }

    // ============================================================================================ scenarios

    @Test
    @Order(0)
    void withoutAFailureThePairCarriesTheLoadWithoutATransition() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("baseline, no failure", EchoLoad.start(client(), LOAD));
        int[] transitionsBefore = {transitions(PRIMARY).size(), transitions(BACKUP).size()};
        scenario.markFailure(); // nothing fails: stall onsets are relative to the start of the load
        EchoLoad load = scenario.finish();
        assertNothingLost(load, "steady state");
        assertEquals(transitionsBefore[PRIMARY], transitions(PRIMARY).size(), "no transition on router 0 under load: "
                + transitions(PRIMARY));
        assertEquals(transitionsBefore[BACKUP], transitions(BACKUP).size(), "no transition on router 1 under load: "
                + transitions(BACKUP));
    }

    @Test
    @Order(1)
    void killingTheActiveWithSigkillUnderLoadKeepsEveryConnectionAndNewOnesSucceed() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("kill -9",
                EchoLoad.startWithProbes(client(), LOAD, Duration.ofMillis(100)));
        assertUpstreamSendsTo(PRIMARY);
        if (LabRouter.datapath().equals("xdp")) {
            // The standby's XDP map holds every established connection before the takeover, from its replicated table
            // (issue #10: before its first gratuitous ARP), and its VIP flag keeps it from forwarding until then.
            long inMap = awaitFlowsInMap(BACKUP, EchoLoad.CONNECTIONS);
            assertTrue(inMap >= EchoLoad.CONNECTIONS, "the standby's XDP map holds the " + EchoLoad.CONNECTIONS
                    + " established connections: " + inMap);
            assertEquals(0, pair.router(BACKUP).counter("forwarded_frames", "worker", "xdp"), "a standby's program forwards nothing");
        }

        scenario.markFailure();
        long killedAtMs = pair.kill9(PRIMARY).toEpochMilli();
        long takeoverMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0 was killed", TAKEOVER_TIMEOUT);
        Map<String, Object> takeover = takeover(BACKUP);
        System.out.println("[kill -9] router 1 active within " + takeoverMs + " ms of the kill (polled): " + takeover);
        assertEquals(348L, takeover.get("reference"), "the standby took over because the active was lost (348): " + takeover);
        awaitUpstreamSendsTo(BACKUP);

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "kill -9 of the active");
        assertProbesSucceededBut(load, "new connections during and after the kill -9 takeover", killedAtMs);
        if (LabRouter.datapath().equals("xdp")) {
            assertTrue(pair.router(BACKUP).counter("forwarded_frames", "worker", "xdp") > 0,
                    "the new active's XDP program forwarded the established connections' frames");
        }
        assertNoPacketMetAnEmptyTable(BACKUP);
        assertFreshConnectionsSucceed("after the kill -9 takeover");
    }

    @Test
    @Order(2)
    void cuttingTheActivesClientSideLinkUnderLoadHandsOverAtOnceAndKeepsEveryConnection() throws IOException {
        pair.startPair(AUTOMATIC);
        String switchPort = pair.host(PRIMARY).interfaceOn(Segment.FRONT).orElseThrow().bridgePort();
        Scenario scenario = Scenario.begin("client link cut",
                EchoLoad.startWithProbes(client(), LOAD, Duration.ofMillis(100)));

        scenario.markFailure();
        pair.switchLink(switchPort, false);
        try {
            long takeoverMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0's client link was cut",
                    TAKEOVER_TIMEOUT);
            Map<String, Object> takeover = takeover(BACKUP);
            System.out.println("[client link cut] router 1 active within " + takeoverMs + " ms of the cut (polled): " + takeover);
            assertTrue(String.valueOf(takeover.get("text")).contains("client-facing interface down"),
                    "the active gave the VIP up for its client-facing interface (failure 2(a)): " + takeover);
            pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after giving the VIP up");
            assertEquals(Boolean.FALSE, pair.vip(PRIMARY).get("local_links_up"), pair.vip(PRIMARY).toString());
            awaitUpstreamSendsTo(BACKUP);

            EchoLoad load = scenario.finish();
            // All at once: when one fails, the others say why (a takeover with an emptied table shows in all three).
            Map<String, Object> lastTakeover = takeover(BACKUP);
            assertAll("client-side link of the active cut",
                    () -> assertEquals("STANDBY/in-sync", lastTakeover.get("from"), "router 1 took the VIP over once,"
                            + " as a synchronized standby; its transitions: " + transitions(BACKUP)),
                    () -> assertNoPacketMetAnEmptyTable(BACKUP),
                    () -> assertNothingLost(load, "client-side link of the active cut"),
                    () -> assertProbesSucceeded(load, "new connections during and after the client-link takeover"));
            assertFreshConnectionsSucceed("after the client-link takeover");
        } finally {
            pair.switchLink(switchPort, true);
        }
        pair.awaitVip(PRIMARY, vip -> Boolean.TRUE.equals(vip.get("local_links_up")), "router 0's links up again");
        pause(1_000);
        // Informational: the issue does not say whether a primary whose link came back fails back by itself.
        System.out.println("[client link cut] a second after the link came back: router 0 " + pair.state(PRIMARY)
                + " (failback automatic), router 1 " + pair.state(BACKUP) + "; router 0's transitions " + transitions(PRIMARY));
        assertExactlyOneActive("after router 0's client link came back");
    }

    @Test
    @Order(3)
    void cuttingOneOfTheTwoHeartbeatLinksFailsNothingAndIsReported() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("heartbeat cable cut", EchoLoad.start(client(), LOAD));
        int[] transitionsBefore = {transitions(PRIMARY).size(), transitions(BACKUP).size()};

        scenario.markFailure();
        pair.cable().cut();
        try {
            // link-failure-time is 250 ms in the lab (HaLabPair.LAB_TIMERS): after a second the cable's link is long failed.
            pause(1_000);
            for (int router : List.of(PRIMARY, BACKUP)) {
                Map<String, Object> peer = pair.peer(router);
                assertEquals("failed", pair.linkState(router, 1), "router " + router + " reports the cable (link 1) failed: " + peer);
                assertEquals("alive", pair.linkState(router, 0), "router " + router + ": the server segment (link 0) alive: " + peer);
                assertEquals("alive", peer.get("state"), "router " + router + ": the peer is alive: " + peer);
                assertTrue(events(router).stream().anyMatch(e -> "link".equals(e.get("kind"))
                                && String.valueOf(e.get("text")).startsWith("link 1 ") && String.valueOf(e.get("text")).contains("failed")),
                        "router " + router + " logged the link failure: " + events(router));
            }
            assertEquals(ACTIVE_STATE_NAME, pair.state(PRIMARY), "no failover: router 0 stays ACTIVE");
            assertEquals(STANDBY_STATE_NAME, pair.state(BACKUP), "router 1 stays STANDBY");
        } finally {
            pair.cable().repair();
        }
        for (int router : List.of(PRIMARY, BACKUP)) {
            pair.awaitVip(router, vip -> "alive".equals(pair.linkState(router, 1)), "router " + router + " hears the cable again");
        }
        EchoLoad load = scenario.finish();
        assertNothingLost(load, "one heartbeat link cut");
        assertEquals(transitionsBefore[PRIMARY], transitions(PRIMARY).size(), "no transition on router 0: " + transitions(PRIMARY));
        assertEquals(transitionsBefore[BACKUP], transitions(BACKUP).size(), "no transition on router 1: " + transitions(BACKUP));
    }

    @Test
    @Order(4)
    void operatorSwitchoverUnderLoadLosesNothing() throws IOException {
        pair.startPair(AUTOMATIC);
        // A fresh connection every 10 ms across the switch-over: those whose first packets reach the old active
        // during its hand-over drain exist in its table only, until its update stream, which the new active
        // still applies for the drain, brings them over.
        Scenario scenario = Scenario.begin("switchover", EchoLoad.startWithProbes(client(), LOAD, Duration.ofMillis(10)));

        long[] notOwnedBefore = {pair.drops(PRIMARY, "vip-not-owned"), pair.drops(BACKUP, "vip-not-owned")};
        int[] stallsBefore = {stallListens(PRIMARY), stallListens(BACKUP)};
        scenario.markFailure();
        long switchedAtMs = System.currentTimeMillis();
        Object outcome = pair.router(PRIMARY).ctl("switchover", Map.of());
        long takeoverMs = pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after the operator switch-over", TAKEOVER_TIMEOUT);
        pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after the switch-over");
        Map<String, Object> takeover = takeover(BACKUP);
        System.out.println("[switchover] " + outcome + "; router 1 active within " + takeoverMs + " ms: " + takeover);
        assertEquals(335L, takeover.get("reference"), "the active accepted the switch-over query (355, then 335): " + takeover);
        awaitUpstreamSendsTo(BACKUP);

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "operator switch-over");
        assertProbesSucceeded(load, "new connections across the operator switch-over");
        assertOnlyRacingProbesMissedTheTable(load, switchedAtMs);
        // The old active forwards through the hand-over drain: no frame may reach a router that has let the VIP go.
        // Counted from the switch-over on: a router that stalled longer than t2 before it (the lab host pauses for
        // up to a second at times) listened for t2 (321) without forwarding, and dropped what reached it then, as
        // it must. A stall after the mark is reported, not failed: the same listening.
        for (int router : List.of(PRIMARY, BACKUP)) {
            long dropped = pair.drops(router, "vip-not-owned") - notOwnedBefore[router];
            if (dropped != 0 && stallListens(router) > stallsBefore[router]) {
                System.out.println("[switchover] router " + router + " stalled longer than t2 during the switch-over and dropped "
                        + dropped + " frames while it listened (321): " + transitions(router));
                continue;
            }
            assertEquals(0, dropped, "router " + router + " dropped frames for a VIP it did not own during the switch-over");
        }
    }

    /** How often a router listened again after a stall of its own longer than t2 (transition 321). */
    private static int stallListens(int router) {
        return (int) transitions(router).stream().filter(t -> t.startsWith("321 ")).count();
    }

    @Test
    @Order(5)
    void automaticFailbackTakesTheVipBackOnlyOnceSynchronizedAndLosesNothing() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("kill -9, restart, automatic failback",
                EchoLoad.start(client(), Duration.ofSeconds(25)));

        scenario.markFailure();
        pair.kill9(PRIMARY);
        pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0 was killed", TAKEOVER_TIMEOUT);
        awaitUpstreamSendsTo(BACKUP);

        long restartedAtNs = System.nanoTime();
        pair.start(PRIMARY, AUTOMATIC);
        long answeringMs = (System.nanoTime() - restartedAtNs) / 1_000_000;
        long failbackMs = pair.awaitVip(PRIMARY, ACTIVE_STATE, "the restarted primary takes its VIP back");
        pair.awaitVip(BACKUP, STANDBY_STATE, "router 1 back to STANDBY");
        awaitUpstreamSendsTo(PRIMARY);
        List<String> path = transitions(PRIMARY);
        System.out.println("[automatic failback] router 0's control socket answered " + answeringMs + " ms after its start;"
                + " active again " + failbackMs + " ms later; its transitions: " + path + "; router 1's: " + transitions(BACKUP));
        // FIG. 3: listen (321), hear the active and ask for a dump (325), synchronized (360), and only then
        // preempt (346) and take over once the active accepts (335).
        assertOrdered(path, "315 IDLE->LISTEN", "325 LISTEN->STANDBY/SYNC-IN", "360 STANDBY/SYNC-IN->STANDBY/in-sync",
                "346 STANDBY/in-sync->PREEMPT", "335 PREEMPT/in-sync->ACTIVE");
        assertOrdered(transitions(BACKUP), "348 STANDBY/in-sync->ACTIVE", "355 ACTIVE");

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "kill -9 then automatic failback");
        assertNoPacketMetAnEmptyTable(PRIMARY);
        assertEquals(0, pair.drops(BACKUP, "vip-not-owned"), "router 1 dropped frames for the VIP it handed back");
    }

    @Test
    @Order(6)
    void manualFailbackLeavesTheRestartedPrimaryStandby() throws IOException {
        pair.startPair(MANUAL);
        Scenario scenario = Scenario.begin("kill -9, restart, manual failback",
                EchoLoad.start(client(), Duration.ofSeconds(15)));

        scenario.markFailure();
        pair.kill9(PRIMARY);
        pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0 was killed", TAKEOVER_TIMEOUT);
        pair.start(PRIMARY, MANUAL);
        pair.awaitVip(PRIMARY, vip -> STANDBY_STATE_NAME.equals(vip.get("state")) && "IN_SYNC".equals(vip.get("sync")),
                "the restarted primary a synchronized STANDBY");
        pause(2_000); // ample time for a preemption (t3 = 100 ms) that must not come
        assertEquals(STANDBY_STATE_NAME, pair.state(PRIMARY), "manual failback: the primary stays STANDBY; " + transitions(PRIMARY));
        assertEquals(ACTIVE_STATE_NAME, pair.state(BACKUP), "the backup stays ACTIVE");
        assertTrue(transitions(PRIMARY).stream().noneMatch(t -> t.startsWith("346")), "no 346: " + transitions(PRIMARY));

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "kill -9 then restart with manual failback");
        assertNoPacketMetAnEmptyTable(BACKUP);
    }

    @Test
    @Order(7)
    void afterSynchronizationBothRoutersHoldIdenticalTables() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("synchronized tables", EchoLoad.start(client(), Duration.ofSeconds(3)));
        scenario.markFailure();
        String underLoad = awaitEqualTables("with 200 connections open", EchoLoad.CONNECTIONS);
        EchoLoad load = scenario.finish();
        assertNothingLost(load, "synchronized pair");
        // The connections closed: both tables moved on (closing states) and must still agree.
        String afterClose = awaitEqualTables("after every connection closed", EchoLoad.CONNECTIONS);
        System.out.println("[tables] " + underLoad + "; " + afterClose);
    }

    @Test
    @Order(8)
    void aStrangerWithTheWrongKeyCannotDisturbThePair() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("wrong-key stranger", EchoLoad.start(client(), LOAD));

        long[] rejectedBefore = {pair.rejected(PRIMARY), pair.rejected(BACKUP)};
        long[] badTagsBefore = {pair.badTags(PRIMARY), pair.badTags(BACKUP)};
        int[] transitionsBefore = {transitions(PRIMARY).size(), transitions(BACKUP).size()};
        scenario.markFailure();
        int sentToEach = forgeFromStranger();
        pause(500);

        long[] rejectedAfter = {pair.rejected(PRIMARY), pair.rejected(BACKUP)};
        long[] badTagsAfter = {pair.badTags(PRIMARY), pair.badTags(BACKUP)};
        System.out.println("[wrong key] " + sentToEach + " forged datagrams to each router; rejected "
                + (rejectedAfter[0] - rejectedBefore[0]) + " by router 0, " + (rejectedAfter[1] - rejectedBefore[1]) + " by router 1");
        for (int router : List.of(PRIMARY, BACKUP)) {
            // The stranger's address is not a peer link: the nftables guard (or, past it, the
            // transport's source filter) drops its datagrams before the verifier. None may be counted accepted as
            // a bad tag would be: the verifier sees at most what the filters let through, and rejects it.
            assertTrue(badTagsAfter[router] - badTagsBefore[router] <= sentToEach, "router " + router
                    + " verified no more than the stranger sent: " + pair.ha(router).get("peer_messages"));
            assertEquals("alive", pair.peer(router).get("state"));
        }
        assertEquals(ACTIVE_STATE_NAME, pair.state(PRIMARY), "router 0 still ACTIVE");
        assertEquals(STANDBY_STATE_NAME, pair.state(BACKUP), "router 1 still STANDBY");
        assertEquals("IN_SYNC", pair.vip(BACKUP).get("sync"));
        assertEquals(transitionsBefore[PRIMARY], transitions(PRIMARY).size(), "no transition on router 0: " + transitions(PRIMARY));
        assertEquals(transitionsBefore[BACKUP], transitions(BACKUP).size(), "no transition on router 1: " + transitions(BACKUP));

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "a stranger with the wrong key sending to the pair");
    }

    @Test
    @Order(9)
    void freezingTheActiveLongerThanT2LeavesExactlyOneActiveAndLosesNothing() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("kill -STOP 600 ms, kill -CONT", EchoLoad.start(client(), Duration.ofSeconds(10)));

        scenario.markFailure();
        pair.router(PRIMARY).kill("STOP");
        try {
            pause(600); // more than twice t2 (250 ms in the lab): the standby has taken over before the thaw
        } finally {
            pair.router(PRIMARY).kill("CONT");
        }
        pair.awaitVip(BACKUP, vip -> transitions(BACKUP).stream().anyMatch(t -> t.startsWith("348 ")),
                "router 1 took the VIP over while router 0 was frozen (348)", TAKEOVER_TIMEOUT);
        // The thawed router must not fight the new active with a table frozen since the stall: it listens again
        // (321), follows the new active (325), and, being a primary with automatic failback, takes its VIP back
        // once synchronized (346, 335).
        pair.awaitVip(PRIMARY, ACTIVE_STATE, "router 0 ACTIVE again by automatic failback");
        pair.awaitVip(BACKUP, STANDBY_STATE, "router 1 STANDBY again");
        for (int i = 0; i < 10; i++) {
            assertExactlyOneActive("after the freeze, sample " + i);
            pause(100);
        }
        List<String> path = transitions(PRIMARY);
        System.out.println("[kill -STOP 600 ms] router 0's transitions: " + path + "; router 1's: " + transitions(BACKUP));
        // Stopped between cycles, the thawed router sees its stall first and listens (321, 325). Stopped inside a
        // cycle, it finishes that cycle first: it reads the new active's keep-alive, whose term is higher, and
        // yields to it (341) before the next cycle sees the stall. Either way it never claims the VIP again
        // before it is synchronized.
        boolean listenedFirst = path.stream().anyMatch(t -> t.startsWith("321 "));
        if (listenedFirst) {
            assertOrdered(path, "326 LISTEN->ACTIVE", "321 ACTIVE->LISTEN", "325 LISTEN->STANDBY/SYNC-IN",
                    "360 STANDBY/SYNC-IN->STANDBY/in-sync", "346 STANDBY/in-sync->PREEMPT", "335 PREEMPT/in-sync->ACTIVE");
        } else {
            assertOrdered(path, "326 LISTEN->ACTIVE", "341 ACTIVE->STANDBY/SYNC-IN",
                    "360 STANDBY/SYNC-IN->STANDBY/in-sync", "346 STANDBY/in-sync->PREEMPT", "335 PREEMPT/in-sync->ACTIVE");
        }
        awaitUpstreamSendsTo(PRIMARY);

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "active frozen longer than t2");
    }

    /**
     * SIGTERM on the active hands the VIP over the way {@code ctl switchover} does, after the
     * queued updates are acknowledged; no GAVE_UP, nothing lost, no packet meets an empty table.
     */
    @Test
    @Order(10)
    void sigtermOnTheActiveUnderLoadHandsOverLikeASwitchoverAndLosesNothing() throws IOException {
        pair.startPair(AUTOMATIC);
        Scenario scenario = Scenario.begin("SIGTERM", EchoLoad.start(client(), LOAD));
        assertUpstreamSendsTo(PRIMARY);

        scenario.markFailure();
        long stopNs = System.nanoTime();
        pair.stop(PRIMARY); // SIGTERM; returns once the process exited
        long stoppedMs = (System.nanoTime() - stopNs) / 1_000_000;
        pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after router 0 was stopped", TAKEOVER_TIMEOUT);
        Map<String, Object> takeover = takeover(BACKUP);
        System.out.println("[SIGTERM] router 0 exited " + stoppedMs + " ms after the signal; router 1: " + takeover);
        assertEquals(335L, takeover.get("reference"), "handed over by the switch-over path (355, then 335), not given up: " + takeover);
        awaitUpstreamSendsTo(BACKUP);

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "SIGTERM on the active");
        assertNoPacketMetAnEmptyTable(BACKUP);
        assertEquals(0, pair.drops(BACKUP, "vip-not-owned"), "router 1 dropped frames for a VIP it did not own");
    }

    /**
     * Both routers stop for longer than the link failure time (a pause of the whole host), and the active dies
     * before it runs again. The standby wakes with its update stream lapsed (the active dropped it when it heard
     * nothing) and asks for a new dump that never comes; then it takes over, unsynchronized (348). It must do so
     * with the copy it had, which holds every connection established before the pause: emptied when the new dump
     * was asked for, the table met every one of them empty (the failover suite saw this after a one-second stall of
     * the lab host: 200 of 200 connections lost).
     */
    @Test
    @Order(11)
    void aStandbyWhoseStreamLapsedTakesOverWithTheCopyItHad() throws IOException {
        pair.startPair(MANUAL);
        Scenario scenario = Scenario.begin("both stopped, active killed", EchoLoad.start(client(), Duration.ofSeconds(10)));
        assertUpstreamSendsTo(PRIMARY);

        scenario.markFailure();
        pair.router(PRIMARY).kill("STOP");
        pair.router(BACKUP).kill("STOP");
        try {
            pause(600); // more than the link failure time (250 ms in the lab) and t2
            pair.kill9(PRIMARY);
        } finally {
            pair.router(BACKUP).kill("CONT");
        }
        pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after the pause and the active's death", TAKEOVER_TIMEOUT);
        Map<String, Object> takeover = takeover(BACKUP);
        System.out.println("[both stopped, active killed] router 1: " + takeover + "; transitions " + transitions(BACKUP));
        assertEquals(348L, takeover.get("reference"), "the standby took over because the active was lost (348): " + takeover);
        awaitUpstreamSendsTo(BACKUP);

        EchoLoad load = scenario.finish();
        assertNothingLost(load, "both routers stopped, then the active killed");
        assertNoPacketMetAnEmptyTable(BACKUP);
    }

    // ============================================================================================ helpers

    static final String ACTIVE_STATE_NAME = "ACTIVE";
    static final String STANDBY_STATE_NAME = "STANDBY";

    /**
     * One scenario's client load: started, waited for (every connection up), a steady spell so that every
     * connection has a table entry on both routers, then the failure, marked with the wall clock and the client's
     * retransmission counter, and the end with the report line.
     */
    static final class Scenario {
        private final String name;
        private final EchoClients clients;
        private long failureAtMs;
        private long retransmissionsBefore;

        private Scenario(String name, EchoClients clients) {
            this.name = name;
            this.clients = clients;
        }

        /** The scenario running now, so that a failed test's clients are stopped before the next one starts. */
        static Scenario current;

        static Scenario begin(String name, EchoClients clients) {
            current = new Scenario(name, clients);
            clients.awaitReady(HaLabPair.SETTLE_TIMEOUT);
            pause(STEADY_MS);
            return current;
        }

        void markFailure() {
            retransmissionsBefore = pair.clientRetransmissions();
            failureAtMs = System.currentTimeMillis();
        }

        EchoLoad finish() {
            EchoLoad load = EchoLoad.finish(clients);
            long retransmissions = pair.clientRetransmissions() - retransmissionsBefore;
            System.out.println(load.summary(name) + "; client retransmissions from the failure on: " + retransmissions
                    + "; longest stalls began " + load.stallOnsetRelativeTo(failureAtMs) + " from the failure; "
                    + load.longStallTimeline(failureAtMs));
            return load;
        }
    }

    /** Polls a router's {@code xdp_flows_in_map} (the count of the last complete pass; passes start at most once a second) until it reaches {@code expected}, for 5 s. */
    private static long awaitFlowsInMap(int router, long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long inMap = pair.router(router).counter("xdp_flows_in_map");
        while (inMap < expected && System.nanoTime() < deadline) {
            pause(200);
            inMap = pair.router(router).counter("xdp_flows_in_map");
        }
        return inMap;
    }

    /** The router's last transition into ACTIVE from another state, from its event history. */
    private static Map<String, Object> takeover(int router) {
        return pair.lastTakeover(router).orElseThrow(() -> new AssertionError("router " + router + " never became ACTIVE: "
                + pair.events(router)));
    }

    /**
     * A fresh connection whose SYN the old active forwarded in its drain is in the old active's table until its
     * update reaches the new active (its trail of the old active's stream, a millisecond or so). A segment of it
     * that reaches the new active first (the client's ACK follows the server's direct reply at once) is dropped
     * there (tcp-no-connection) and resent by the client, and the probe echoes (asserted before). Only those can
     * meet the new active without an entry: at most one drop per probe opened around the switch-over (from half
     * a second before it to the drain plus t3 after it, with a second's margin); a hand-over that lost the table
     * drops the segments of every connection.
     */
    private static void assertOnlyRacingProbesMissedTheTable(EchoLoad load, long switchedAtMs) {
        long raced = pair.drops(BACKUP, "tcp-no-connection");
        long racing = load.probes().stream().filter(p -> {
            double started = ((Number) p.get("started_epoch_ms")).doubleValue();
            return started >= switchedAtMs - 500 && started <= switchedAtMs + 2_000;
        }).count();
        System.out.println("[switchover] segments of fresh connections that reached the new active before their entry: "
                + raced + " (probes opened around the switch-over: " + racing + ")");
        assertTrue(raced <= racing, () -> "router 1 dropped " + raced + " TCP segments of connections missing from its table,"
                + " more than the " + racing + " probes opened around the switch-over: " + pair.router(BACKUP).stats().get("drops"));
    }

    /**
     * The new active found every connection in its replicated table: not one TCP segment was dropped for want of
     * an entry: the table is in force before the VIP moves.
     */
    private static void assertNoPacketMetAnEmptyTable(int router) {
        assertEquals(0, pair.drops(router, "tcp-no-connection"), "router " + router
                + " dropped TCP segments of connections missing from its table: " + pair.router(router).stats().get("drops"));
    }

    private static List<Map<String, Object>> events(int router) {
        return pair.events(router);
    }

    private static List<String> transitions(int router) {
        return pair.transitions(router);
    }

    /** Each of {@code expected} occurs in {@code path} (as a substring of an entry), in this order. */
    private static void assertOrdered(List<String> path, String... expected) {
        int from = 0;
        for (String step : expected) {
            int found = -1;
            for (int i = from; i < path.size(); i++) {
                if (path.get(i).contains(step)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, "'" + step + "' after position " + from + " in " + path);
            from = found + 1;
        }
    }

    private static void assertExactlyOneActive(String when) {
        String primary = pair.state(PRIMARY);
        String backup = pair.state(BACKUP);
        int actives = (ACTIVE_STATE_NAME.equals(primary) ? 1 : 0) + (ACTIVE_STATE_NAME.equals(backup) ? 1 : 0);
        assertEquals(1, actives, when + ": router 0 " + primary + ", router 1 " + backup);
    }

    private static void assertUpstreamSendsTo(int router) {
        String neighbour = pair.upstreamNeighbour();
        assertTrue(neighbour.contains(pair.host(router).clientMac()), "the upstream sends VIP traffic to router " + router
                + " (" + pair.host(router).clientMac() + "): " + neighbour);
    }

    /**
     * The upstream's kernel moved the VIP to {@code router}'s MAC: gratuitous ARP overrides the neighbour entry
     * even within locktime (net/ipv4/arp.c, arp_is_garp), so this is quick.
     */
    private static void awaitUpstreamSendsTo(int router) {
        assertTrue(pair.awaitUpstreamSendsTo(router, Duration.ofSeconds(3)), () -> "the upstream sends VIP traffic to router "
                + router + " (" + pair.host(router).clientMac() + "): " + pair.upstreamNeighbour());
    }

    private static void assertFreshConnectionsSucceed(String when) {
        EchoLoad fresh = EchoLoad.oneEchoEach(client(), FRESH_CONNECTIONS);
        assertEquals(FRESH_CONNECTIONS, fresh.established(), when + ": " + fresh.result());
        assertEquals(FRESH_CONNECTIONS, fresh.total("ok"), when + ": every fresh connection echoed once: " + fresh.result());
        assertEquals(0, fresh.total("errors") + fresh.total("mismatches"), when + ": " + fresh.result());
    }

    /**
     * Nothing lost: every connection established and carried on to the end, every message sent was echoed back
     * byte for byte, no reset, no close, no timeout.
     */
    private static void assertNothingLost(EchoLoad load, String context) {
        assertEquals(EchoLoad.CONNECTIONS, load.connections().size(), context);
        List<Map<String, Object>> broken = load.brokenConnections();
        assertTrue(broken.isEmpty(), () -> context + ": " + broken.size() + " connection(s) lost data or failed, e.g. "
                + broken.subList(0, Math.min(5, broken.size())) + "; drops by reason: " + dropsOfLiveRouters());
    }

    /** Each running router's drops by reason: where lost segments went (an empty table, a VIP not owned...). */
    private static String dropsOfLiveRouters() {
        StringBuilder text = new StringBuilder();
        for (int router : new int[] {PRIMARY, BACKUP}) {
            try {
                text.append("router ").append(router).append(' ').append(pair.router(router).stats().get("drops")).append("; ");
            } catch (RuntimeException e) {
                text.append("router ").append(router).append(": ").append(e.getMessage()).append("; ");
            }
        }
        return text.toString();
    }

    /**
     * Every probe succeeded but those opened within one update interval (t4) before the active was killed: a
     * connection lives only in the active's table until its entry reaches the standby, which the active sends
     * the next millisecond while the standby keeps up (t4 at the latest), so one whose SYN the active forwarded
     * just before it died is lost with it (docs/operations.md, "What a failover loses"). They are counted and
     * printed; any other failure fails the test.
     */
    private static void assertProbesSucceededBut(EchoLoad load, String context, long killedAtMs) {
        List<Map<String, Object>> failed = load.failedProbes();
        List<Map<String, Object>> unreplicated = failed.stream().filter(p -> {
            double started = ((Number) p.get("started_epoch_ms")).doubleValue();
            return started <= killedAtMs && started > killedAtMs - LAB_UPDATE_INTERVAL_MS;
        }).toList();
        System.out.println("[" + context + "] probes lost because they were opened within " + LAB_UPDATE_INTERVAL_MS
                + " ms (t4) before the kill: " + unreplicated.size() + " of " + load.probes().size() + " " + unreplicated);
        List<Map<String, Object>> others = failed.stream().filter(p -> !unreplicated.contains(p)).toList();
        assertTrue(others.isEmpty(), () -> context + ": " + others.size() + " of " + load.probes().size()
                + " new connections failed (kill at epoch ms " + killedAtMs + "): " + others);
    }

    /** Every probe (fresh connection) succeeded. */
    private static void assertProbesSucceeded(EchoLoad load, String context) {
        List<Map<String, Object>> failed = load.failedProbes();
        assertTrue(failed.isEmpty(), () -> context + ": " + failed.size() + " of " + load.probes().size()
                + " new connections failed: " + failed);
    }

    /**
     * Polls both routers until their VIP partitions have the same size (at least {@code atLeast}) and digest, and
     * each one's view of the other (from its keep-alives) agrees.
     */
    private static String awaitEqualTables(String when, int atLeast) {
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Object> active = Map.of();
        Map<String, Object> standby = Map.of();
        while (System.nanoTime() - deadlineNs < 0) {
            active = pair.vip(PRIMARY);
            standby = pair.vip(BACKUP);
            if (active.get("table_size").equals(standby.get("table_size"))
                    && active.get("table_digest").equals(standby.get("table_digest"))
                    && ((Number) active.get("table_size")).longValue() >= atLeast
                    && "IN_SYNC".equals(standby.get("sync"))) {
                Map<String, Object> standbySeenByActive = HaLabPair.peerView(active).orElseThrow();
                Map<String, Object> activeSeenByStandby = HaLabPair.peerView(standby).orElseThrow();
                if (standbySeenByActive.get("table_digest").equals(active.get("table_digest"))
                        && activeSeenByStandby.get("table_digest").equals(standby.get("table_digest"))) {
                    return when + ": both " + active.get("table_size") + " entries, digest " + active.get("table_digest");
                }
            }
            pause(50);
        }
        throw new AssertionError(when + ": the tables never agreed; active " + active + "; standby " + standby);
    }

    /**
     * A stranger in router 2's namespace (a third router that runs no Baton) sends well-formed peer messages
     * (docs/protocol.md) tagged with HMAC-SHA256 under a key of its own, claiming to be each router's peer:
     * keep-alives claiming ACTIVE with the highest priority, switch-over queries, takeover requests and gave-up
     * notices, with fresh incarnations and increasing sequence numbers. Verified before anything else, they must
     * all be rejected for their tag and change nothing.
     *
     * @return how many datagrams each router was sent
     */
    private static int forgeFromStranger() {
        String script = """
                import hashlib, hmac, os, socket, struct, sys, time
                # (address, claimed sender, destination): each router is told its peer speaks
                targets = [(sys.argv[1], int(sys.argv[2]), int(sys.argv[4])), (sys.argv[3], int(sys.argv[4]), int(sys.argv[2]))]
                rounds = int(sys.argv[5])
                key = os.urandom(32)                      # not the pair's key
                incarnation = (int(time.time() * 1000) << 16) | int.from_bytes(os.urandom(2), "big")
                sequence = 0
                def message(kind, sender, destination, payload):
                    global sequence
                    sequence += 1
                    # version 2: the Destination Router Id after the sender (docs/protocol.md)
                    header = struct.pack(">HBBHHIIQQ", 0xBA70, 2, kind, 0, len(payload), sender, destination, incarnation, sequence)
                    return header + payload + hmac.new(key, header + payload, hashlib.sha256).digest()[:16]
                # KEEPALIVE for VIP index 0: ACTIVE (350), primary, not syncing, priority 65535; it even guesses the
                # Echoed Incarnation a router has after its first start (1).
                keepalive = struct.pack(">HHQ", 1, 0, 1) + struct.pack(">IHBBHHIQQ", 0, 350, 1, 0, 65535, 0, 0, 0, 0)
                notice = struct.pack(">IHH", 0, 1, 0)   # VIP index 0, reason operator
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sent = 0
                for _ in range(rounds):
                    for address, claimed_sender, destination in targets:
                        for kind, payload in ((1, keepalive), (8, notice), (9, notice), (10, notice), (11, notice)):
                            sock.sendto(message(kind, claimed_sender, destination, payload), (address, 7480))
                    sent += 5
                    time.sleep(0.01)
                print(sent)
                """;
        String primaryAddress = HaLabPair.ip(pair.host(PRIMARY).serverAddress());
        String backupAddress = HaLabPair.ip(pair.host(BACKUP).serverAddress());
        int rounds = 100;
        // To router 0 it claims to be router 1 (number 2), to router 1 it claims to be router 0 (number 1).
        ExecResult result = pair.lab().router(2).exec(Duration.ofSeconds(30), "python3", "-c", script,
                primaryAddress, Long.toString(HaLabPair.routerNumber(BACKUP)),
                backupAddress, Long.toString(HaLabPair.routerNumber(PRIMARY)), Integer.toString(rounds));
        assertTrue(result.succeeded(), "the stranger's script failed: " + result);
        return Integer.parseInt(result.stdout().strip());
    }
}
