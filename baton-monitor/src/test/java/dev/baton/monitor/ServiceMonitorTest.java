package dev.baton.monitor;

import dev.baton.monitor.MonitorAction.AnnounceGaveUp;
import dev.baton.monitor.MonitorAction.AnswerArp;
import dev.baton.monitor.MonitorAction.Forward;
import dev.baton.monitor.MonitorAction.RequestPeerTakeover;
import dev.baton.monitor.MonitorAction.SendGratuitousArp;
import dev.baton.monitor.MonitorAction.SendSwitchoverAccept;
import dev.baton.monitor.MonitorAction.SendSwitchoverQuery;
import dev.baton.monitor.MonitorAction.SendSyncRequest;
import dev.baton.monitor.MonitorAction.SendUpdates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static dev.baton.monitor.MonitorState.ACTIVE;
import static dev.baton.monitor.MonitorState.IDLE;
import static dev.baton.monitor.MonitorState.LISTEN;
import static dev.baton.monitor.MonitorState.PREEMPT;
import static dev.baton.monitor.MonitorState.STANDBY;
import static dev.baton.monitor.SyncState.IN_SYNC;
import static dev.baton.monitor.SyncState.NONE;
import static dev.baton.monitor.SyncState.SYNC_IN;
import static dev.baton.monitor.SyncState.SYNC_OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FIG. 3, transition by transition, with a stepped clock. Each row: a starting point reached by real
 * events, one event, and the expected state, sub-state, patent numeral and actions.
 */
class ServiceMonitorTest {

    static final MonitorTimers T = new MonitorTimers(500, 80, 100, 20, 300);
    static final PeerView ACTIVE_BACKUP = new PeerView("b", Role.BACKUP, 100, ACTIVE, false);
    static final PeerView ACTIVE_PRIMARY = new PeerView("a", Role.PRIMARY, 100, ACTIVE, false);
    /** Actives that took the VIP over once from LISTEN (326), as this rig's ACTIVE_ did: term 1. */
    static final PeerView ACTIVE_BACKUP_TERM_1 = new PeerView("b", Role.BACKUP, 100, ACTIVE, false, 1, true);
    static final PeerView ACTIVE_PRIMARY_TERM_1 = new PeerView("a", Role.PRIMARY, 100, ACTIVE, false, 1, true);
    /** A synchronized standby "c" that could take the VIP over, and the same with a local link down. */
    static final PeerView READY_STANDBY = new PeerView("c", Role.BACKUP, 50, STANDBY, true, 0, true);
    static final PeerView STANDBY_LINK_DOWN = new PeerView("c", Role.BACKUP, 50, STANDBY, true, 0, false);

    /** A monitor plus everything it reported. */
    static final class Rig {
        final List<Transition> history = new ArrayList<>();
        final ServiceMonitor monitor;
        long now = 1_000;

        Rig(Role role, Failback failback) {
            monitor = new ServiceMonitor("web", role == Role.PRIMARY ? "a" : "b", role, failback, 100, T, history::add);
        }

        List<MonitorAction> at(long ms, BiFunction<ServiceMonitor, Long, List<MonitorAction>> event) {
            now = ms;
            return event.apply(monitor, ms);
        }
    }

    /** Where each row starts, reached through real events from IDLE. */
    enum Start {
        IDLE_ {
            @Override
            Rig reach(Role role, Failback failback) {
                return new Rig(role, failback);
            }
        },
        LISTEN_ {
            @Override
            Rig reach(Role role, Failback failback) {
                Rig r = new Rig(role, failback);
                r.at(1_000, ServiceMonitor::start);
                return r;
            }
        },
        STANDBY_SYNC_IN {
            @Override
            Rig reach(Role role, Failback failback) {
                Rig r = LISTEN_.reach(role, failback);
                r.at(1_010, (m, t) -> m.onPeerHeard(role == Role.PRIMARY ? ACTIVE_BACKUP : ACTIVE_PRIMARY, t));
                return r;
            }
        },
        STANDBY_IN_SYNC {
            @Override
            Rig reach(Role role, Failback failback) {
                if (failback == Failback.AUTOMATIC && role == Role.PRIMARY) {
                    throw new IllegalArgumentException("an automatic primary does not rest in STANDBY/IN_SYNC: it preempts (346)");
                }
                Rig r = STANDBY_SYNC_IN.reach(role, failback);
                r.at(1_020, ServiceMonitor::onSynchronized);
                return r;
            }
        },
        PREEMPT_ {
            @Override
            Rig reach(Role role, Failback failback) {
                Rig r = STANDBY_IN_SYNC.reach(role, Failback.MANUAL);
                r.at(1_030, ServiceMonitor::onOperatorSwitchover);
                return r;
            }
        },
        ACTIVE_ {
            @Override
            Rig reach(Role role, Failback failback) {
                Rig r = LISTEN_.reach(role, failback);
                r.at(1_500, ServiceMonitor::onTick);
                return r;
            }
        };

        abstract Rig reach(Role role, Failback failback);
    }

    record Row(String name, Start start, Role role, Failback failback, long atMs,
               BiFunction<ServiceMonitor, Long, List<MonitorAction>> event,
               MonitorState state, SyncState sync, int reference, List<MonitorAction> actions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row row(String name, Start start, Role role, long atMs, BiFunction<ServiceMonitor, Long, List<MonitorAction>> event,
                   MonitorState state, SyncState sync, int reference, MonitorAction... actions) {
        return new Row(name, start, role, Failback.MANUAL, atMs, event, state, sync, reference, List.of(actions));
    }

    static final List<MonitorAction> TAKEOVER = List.of(new Forward(true), new AnswerArp(true), new SendGratuitousArp(), new SendUpdates(false));

    static Stream<Row> fig3() {
        return Stream.of(
                row("315 start: IDLE -> LISTEN, action 321 (no ARP, no forwarding, t1 running)", Start.IDLE_, Role.PRIMARY, 1_000,
                        ServiceMonitor::start, LISTEN, NONE, 315, new AnswerArp(false), new Forward(false)),
                row("t1 not yet expired: still listening", Start.LISTEN_, Role.PRIMARY, 1_499,
                        ServiceMonitor::onTick, LISTEN, NONE, 315),
                row("326 t1 expired: LISTEN -> ACTIVE, action 351 and gratuitous ARP", Start.LISTEN_, Role.PRIMARY, 1_500,
                        ServiceMonitor::onTick, ACTIVE, NONE, 326, TAKEOVER.toArray(MonitorAction[]::new)),
                row("325 active heard while listening: LISTEN -> STANDBY, SYNC-IN, ask for synchronization", Start.LISTEN_, Role.BACKUP, 1_100,
                        (m, t) -> m.onPeerHeard(ACTIVE_PRIMARY, t), STANDBY, SYNC_IN, 325,
                        new AnswerArp(false), new Forward(false), new SendSyncRequest()),
                row("a standby peer heard while listening changes nothing", Start.LISTEN_, Role.BACKUP, 1_100,
                        (m, t) -> m.onPeerHeard(new PeerView("c", Role.BACKUP, 1, STANDBY, true), t), LISTEN, NONE, 315),
                row("341 updates restart t2: no takeover 79 ms after the last one", Start.STANDBY_SYNC_IN, Role.BACKUP, 1_089,
                        ServiceMonitor::onTick, STANDBY, SYNC_IN, 325),
                row("348 t2 expired: STANDBY -> ACTIVE even when not synchronized (the active is gone)", Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090,
                        ServiceMonitor::onTick, ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("348 keep-alive manager: the active failed on every link", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        (m, t) -> m.onActivePeerLost("a", t), ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("a failure report about another peer is ignored", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        (m, t) -> m.onActivePeerLost("z", t), STANDBY, IN_SYNC, 360),
                row("the active gave the VIP up (its link failed): take over at once", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        (m, t) -> m.onActiveGaveUp("a", "client link down", t), ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("SYNC-IN complete on a backup: STANDBY stays, now IN_SYNC", Start.STANDBY_SYNC_IN, Role.BACKUP, 1_050,
                        ServiceMonitor::onSynchronized, STANDBY, IN_SYNC, 360),
                row("SYNC-IN complete on a manual primary: no failback", Start.STANDBY_SYNC_IN, Role.PRIMARY, 1_050,
                        ServiceMonitor::onSynchronized, STANDBY, IN_SYNC, 360),
                row("345 better reachability while synchronized: STANDBY -> PREEMPT, action 331", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        (m, t) -> m.onReachabilityBetter("3 of 3 targets vs 2 of 3", t), PREEMPT, IN_SYNC, 345, new SendSwitchoverQuery()),
                row("345 refused when not synchronized", Start.STANDBY_SYNC_IN, Role.BACKUP, 1_050,
                        (m, t) -> m.onReachabilityBetter("3 of 3 targets vs 2 of 3", t), STANDBY, SYNC_IN, 345),
                row("347 operator switch-over on a synchronized standby: PREEMPT", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        ServiceMonitor::onOperatorSwitchover, PREEMPT, IN_SYNC, 347, new SendSwitchoverQuery()),
                row("347 refused on a standby that is not synchronized", Start.STANDBY_SYNC_IN, Role.BACKUP, 1_050,
                        ServiceMonitor::onOperatorSwitchover, STANDBY, SYNC_IN, 347),
                row("347 on the active: ask the standby to take over", Start.ACTIVE_, Role.PRIMARY, 1_510,
                        ServiceMonitor::onOperatorSwitchover, ACTIVE, NONE, 347, new RequestPeerTakeover()),
                row("335 the active accepted: PREEMPT -> ACTIVE", Start.PREEMPT_, Role.BACKUP, 1_040,
                        (m, t) -> m.onSwitchoverAccepted("a", t), ACTIVE, NONE, 335, TAKEOVER.toArray(MonitorAction[]::new)),
                row("335 t3 expired without an answer: PREEMPT -> ACTIVE", Start.PREEMPT_, Role.BACKUP, 1_130,
                        ServiceMonitor::onTick, ACTIVE, NONE, 335, TAKEOVER.toArray(MonitorAction[]::new)),
                row("t3 not yet expired: still preempting", Start.PREEMPT_, Role.BACKUP, 1_129,
                        ServiceMonitor::onTick, PREEMPT, IN_SYNC, 347),
                row("preempting, the copy is lost (the active changed): back to STANDBY, no takeover at t3", Start.PREEMPT_, Role.BACKUP, 1_040,
                        (m, t) -> m.onSyncLost("following another active", t), STANDBY, SYNC_IN, 360,
                        new AnswerArp(false), new Forward(false), new SendSyncRequest()),
                row("preempting, another router becomes active: the query is moot, back to STANDBY", Start.PREEMPT_, Role.BACKUP, 1_040,
                        (m, t) -> m.onPeerHeard(new PeerView("c", Role.BACKUP, 50, ACTIVE, false, 3, true), t), STANDBY, IN_SYNC, 341,
                        new AnswerArp(false), new Forward(false)),
                row("355 switch-over query on the active: accept, STANDBY, stop ARP, keep forwarding (drain), not synchronized", Start.ACTIVE_, Role.PRIMARY, 1_510,
                        (m, t) -> m.onSwitchoverQuery("b", t), STANDBY, SYNC_IN, 355, new SendSwitchoverAccept("b"), new AnswerArp(false)),
                row("action 351 every t4 on the active", Start.ACTIVE_, Role.PRIMARY, 1_520,
                        ServiceMonitor::onTick, ACTIVE, NONE, 326, new SendUpdates(false)),
                row("370 a standby asks for synchronization: SYNC-OUT with a full dump", Start.ACTIVE_, Role.PRIMARY, 1_510,
                        (m, t) -> m.onSyncRequested("b", t), ACTIVE, SYNC_OUT, 370, new SendUpdates(true)),
                row("two actives of one term: the primary keeps the VIP and re-announces", Start.ACTIVE_, Role.PRIMARY, 1_510,
                        (m, t) -> m.onPeerHeard(ACTIVE_BACKUP_TERM_1, t), ACTIVE, NONE, 350, new SendGratuitousArp()),
                row("two actives of one term: the backup yields and resynchronizes", Start.ACTIVE_, Role.BACKUP, 1_510,
                        (m, t) -> m.onPeerHeard(ACTIVE_PRIMARY_TERM_1, t), STANDBY, SYNC_IN, 341,
                        new AnswerArp(false), new Forward(false), new SendSyncRequest()),
                row("a claim of ACTIVE older than this takeover (a thawed router's): even the primary's is not obeyed",
                        Start.ACTIVE_, Role.BACKUP, 1_510, (m, t) -> m.onPeerHeard(ACTIVE_PRIMARY, t), ACTIVE, NONE, 350,
                        new SendGratuitousArp()),
                row("a takeover after this one (a higher term): even the primary yields to the backup",
                        Start.ACTIVE_, Role.PRIMARY, 1_510, (m, t) -> m.onPeerHeard(new PeerView("b", Role.BACKUP, 100, ACTIVE, false, 2, true), t),
                        STANDBY, SYNC_IN, 341, new AnswerArp(false), new Forward(false), new SendSyncRequest()),
                row("348 refused to a standby that is not synchronized while a synchronized one is heard within t2",
                        Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090, (m, t) -> {
                            m.onPeerHeard(READY_STANDBY, t - 30);
                            return m.onTick(t);
                        }, STANDBY, SYNC_IN, 348),
                row("348 refused to a standby that is not synchronized while a synchronized one preempts (its accept may be lost)",
                        Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090, (m, t) -> {
                            m.onPeerHeard(new PeerView("c", Role.BACKUP, 50, PREEMPT, true, 0, true), t - 30);
                            return m.onTick(t);
                        }, STANDBY, SYNC_IN, 348),
                row("348 by a standby that is not synchronized when the synchronized one was last heard longer than t2 ago",
                        Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090, (m, t) -> {
                            m.onPeerHeard(READY_STANDBY, t - 81);
                            return m.onTick(t);
                        }, ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("348 by a standby that is not synchronized when the synchronized one has a local link down",
                        Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090, (m, t) -> {
                            m.onPeerHeard(STANDBY_LINK_DOWN, t - 30);
                            return m.onTick(t);
                        }, ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("348 by a synchronized standby even when another synchronized one is heard",
                        Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050, (m, t) -> {
                            m.onPeerHeard(READY_STANDBY, t - 10);
                            return m.onActivePeerLost("a", t);
                        }, ACTIVE, NONE, 348, TAKEOVER.toArray(MonitorAction[]::new)),
                row("326 refused at t1 while a synchronized standby is heard: a router with no table leaves the VIP to it",
                        Start.LISTEN_, Role.PRIMARY, 1_500, (m, t) -> {
                            m.onPeerHeard(READY_STANDBY, t - 20);
                            return m.onTick(t);
                        }, LISTEN, NONE, 326),
                row("the active's own link fails: give the VIP up at once and say so", Start.ACTIVE_, Role.PRIMARY, 1_510,
                        (m, t) -> m.onLocalLinks(false, "client link eth0 down", t), STANDBY, IN_SYNC, 341,
                        new AnnounceGaveUp("client link eth0 down"), new AnswerArp(false), new Forward(false)),
                row("the active itself was stalled longer than t2 (SIGSTOP): listen again, 321, rather than fight the new active",
                        Start.ACTIVE_, Role.PRIMARY, 1_900, (m, t) -> m.onSelfStalled(300, t), LISTEN, NONE, 321,
                        new AnswerArp(false), new Forward(false)),
                row("after its own stall the old active listens only t2, then takes the VIP back (326) if nobody has it",
                        Start.ACTIVE_, Role.PRIMARY, 1_980, (m, t) -> {
                            m.onSelfStalled(300, t - 80);
                            return m.onTick(t);
                        }, ACTIVE, NONE, 326, TAKEOVER.toArray(MonitorAction[]::new)),
                row("348 refused to a standby that is not synchronized while its active listens after a stall (it holds the table)",
                        Start.STANDBY_SYNC_IN, Role.BACKUP, 1_090, (m, t) -> {
                            m.onPeerHeard(new PeerView("a", Role.PRIMARY, 100, LISTEN, false, 1, true), t - 10);
                            return m.onTick(t);
                        }, STANDBY, SYNC_IN, 348),
                row("a standby's own stall is no news about the active: it stays standby", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_200,
                        (m, t) -> m.onSelfStalled(300, t), STANDBY, IN_SYNC, 360),
                row("311 stop: back to IDLE, serving alone", Start.STANDBY_IN_SYNC, Role.BACKUP, 1_050,
                        ServiceMonitor::stop, IDLE, NONE, 311, new Forward(true), new AnswerArp(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fig3")
    void figure3(Row row) {
        Rig rig = row.start().reach(row.role(), row.failback());
        List<MonitorAction> actions = rig.at(row.atMs(), row.event());
        assertEquals(row.state(), rig.monitor.state(), "state");
        assertEquals(row.sync(), rig.monitor.sync(), "sub-state");
        assertEquals(row.reference(), rig.monitor.last().reference(), "patent numeral of the last event: " + rig.monitor.last());
        assertEquals(row.actions(), actions, "actions, in order");
    }

    @Test
    void synchronizedAutomaticPrimaryTakesItsVipBackThrough346() {
        Rig rig = Start.STANDBY_SYNC_IN.reach(Role.PRIMARY, Failback.AUTOMATIC);
        List<MonitorAction> actions = rig.at(1_050, ServiceMonitor::onSynchronized);
        assertEquals(PREEMPT, rig.monitor.state());
        assertEquals(346, rig.monitor.last().reference());
        assertEquals(List.of(new SendSwitchoverQuery()), actions);
        assertEquals(List.of(new Forward(true), new AnswerArp(true), new SendGratuitousArp(), new SendUpdates(false)),
                rig.at(1_060, (m, t) -> m.onSwitchoverAccepted("b", t)));
    }

    @Test
    void aPrimaryWhoseLinkCameBackTakesItsVipBackOnceSynchronized() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.AUTOMATIC);
        rig.at(2_000, (m, t) -> m.onLocalLinks(false, "interface eth0 (client-facing) down", t));
        assertEquals(STANDBY, rig.monitor.state());
        rig.at(2_010, (m, t) -> m.onPeerHeard(ACTIVE_BACKUP, t));
        rig.at(2_020, (m, t) -> m.onSyncLost("following b: a full dump replaces this copy", t));
        assertTrue(rig.at(2_100, ServiceMonitor::onSynchronized).isEmpty(), "links still down: no failback");
        assertEquals(List.of(new SendSwitchoverQuery()), rig.at(2_500, (m, t) -> m.onLocalLinks(true, "every interface up", t)));
        assertEquals(PREEMPT, rig.monitor.state());
        assertEquals(346, rig.monitor.last().reference());
    }

    /** A router stalled while it listened heard nobody because it did not run: it listens t2 more, not takes over. */
    @Test
    void aRouterStalledWhileListeningListensT2MoreBeforeTakingOver() {
        Rig rig = new Rig(Role.PRIMARY, Failback.AUTOMATIC);
        rig.at(1_000, (m, t) -> m.start(t)); // t1 = 500 ms: until 1,500
        assertTrue(rig.at(1_900, (m, t) -> m.onSelfStalled(800, t)).isEmpty());
        assertTrue(rig.at(1_900, ServiceMonitor::onTick).isEmpty(), "no takeover in the cycle that found the stall");
        assertEquals(LISTEN, rig.monitor.state());
        assertTrue(rig.at(1_979, ServiceMonitor::onTick).isEmpty());
        rig.at(1_980, ServiceMonitor::onTick); // t2 (80 ms here) of listening after the stall, nobody heard
        assertEquals(ACTIVE, rig.monitor.state());
    }

    /**
     * A primary that left ACTIVE (here its link went down and came back at once) fails back only the hand-over
     * drain plus t3 after: the new active trails its update stream that long, and its last changes would be lost
     * with the new active's dump as its table (the simulation found a yield followed by a failback in 4 ms).
     */
    @Test
    void aPrimaryFailsBackOnlyTheDrainPlusT3AfterItLeftActive() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.AUTOMATIC);
        rig.at(2_000, (m, t) -> m.onLocalLinks(false, "interface eth0 (client-facing) down", t));
        rig.at(2_005, (m, t) -> m.onLocalLinks(true, "every interface up", t));
        rig.at(2_010, (m, t) -> m.onPeerHeard(ACTIVE_BACKUP, t));
        rig.at(2_020, (m, t) -> m.onSyncLost("following b: a full dump replaces this copy", t));
        assertTrue(rig.at(2_030, ServiceMonitor::onSynchronized).isEmpty(), "synchronized, but it left ACTIVE 30 ms ago");
        for (long t = 2_050; t < 2_400; t += 50) { // the active's keep-alives, and the timers in between
            assertTrue(rig.at(t, (m, now) -> m.onPeerHeard(ACTIVE_BACKUP, now)).isEmpty());
            assertTrue(rig.at(t + 25, ServiceMonitor::onTick).isEmpty(), "no failback at " + (t + 25));
        }
        assertEquals(List.of(new SendSwitchoverQuery()), rig.at(2_400, ServiceMonitor::onTick), "300 ms drain + 100 ms t3 after it left ACTIVE");
        assertEquals(346, rig.monitor.last().reference());
    }

    /**
     * A primary that reaches less than the backup holding its VIP (the backup took it by 345, or the primary
     * restarted) does not fail back: the backup's active RM would hand the VIP back after its hold, moving every
     * connection twice. When it reaches as much again, it fails back as it would have.
     */
    @Test
    void aPrimaryThatReachesLessThanTheActiveDoesNotFailBackUntilItReachesAsMuch() {
        Rig rig = Start.STANDBY_SYNC_IN.reach(Role.PRIMARY, Failback.AUTOMATIC);
        assertTrue(rig.at(1_500, (m, t) -> m.onReachabilityCompared(true, "servers-650 unreachable here", t)).isEmpty());
        assertTrue(rig.at(1_600, ServiceMonitor::onSynchronized).isEmpty(), "synchronized, but it reaches less: no 346");
        assertEquals(STANDBY, rig.monitor.state());
        assertTrue(rig.history.stream().anyMatch(t -> t.reference() == 346 && t.reason().contains("reaches less")), rig.history.toString());
        assertEquals(List.of(new SendSwitchoverQuery()),
                rig.at(1_700, (m, t) -> m.onReachabilityCompared(false, "every element reachable", t)));
        assertEquals(346, rig.monitor.last().reference());
        // a backup is not concerned
        Rig backup = Start.STANDBY_SYNC_IN.reach(Role.BACKUP, Failback.AUTOMATIC);
        assertTrue(backup.monitor.preemptReference() == 0);
        assertTrue(backup.at(1_500, (m, t) -> m.onReachabilityCompared(true, "x", t)).isEmpty());
        assertTrue(backup.at(1_600, (m, t) -> m.onReachabilityCompared(false, "x", t)).isEmpty());
    }

    /**
     * A primary that handed its VIP over because the standby reaches more (345) fails back once it reaches as much
     * and is synchronized; one that handed it over at an operator's request (347) waits for the operator.
     */
    @Test
    void aHandOverForBetterReachabilityDoesNotHoldOffFailbackButAnOperatorsDoes() {
        for (boolean forReachability : new boolean[] {true, false}) {
            Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.AUTOMATIC);
            rig.at(2_000, (m, t) -> m.onSwitchoverQuery("b", forReachability, t));
            assertEquals(STANDBY, rig.monitor.state());
            rig.at(2_010, (m, t) -> m.onPeerHeard(ACTIVE_BACKUP, t));
            // synchronized again after the drain plus t3
            List<MonitorAction> afterSync = rig.at(3_000, ServiceMonitor::onSynchronized);
            if (forReachability) {
                assertEquals(List.of(new SendSwitchoverQuery()), afterSync, "fails back (346)");
                assertEquals(346, rig.monitor.last().reference());
            } else {
                assertTrue(afterSync.isEmpty(), "held off by the operator's switch-over");
            }
        }
    }

    /**
     * A router that handed its VIP over drains, and follows the new active only after that: the connections the
     * new active opens meanwhile are not in its copy. Switched straight back within the drain, it lost them (the
     * simulation found it: a connection opened on the new active 330 ms after the hand-over was missing when the
     * operator switched back at 480 ms). It is no synchronized standby until a dump of the new active's says so.
     */
    @Test
    void aRouterThatJustHandedItsVipOverIsNotSwitchedBackToBeforeItFollowsTheNewActive() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        rig.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t));
        assertEquals(SYNC_IN, rig.monitor.sync());
        assertTrue(rig.at(2_100, ServiceMonitor::onOperatorSwitchover).isEmpty(), "refused while it drains");
        assertTrue(rig.monitor.last().reason().contains("not synchronized"), rig.monitor.last().reason());
        rig.at(2_600, (m, t) -> m.onSynchronized(t)); // after the drain: followed the new active, dump verified
        assertEquals(List.of(new SendSwitchoverQuery()), rig.at(2_700, ServiceMonitor::onOperatorSwitchover));
    }

    /**
     * Seed 104039: three routers started together; r2 and r3 both took the VIP after t1; r1, synchronized with r2,
     * asked it for the VIP (346) and abandoned the query a millisecond later, seeing r3 active too (341). r2
     * accepted anyway, r3 yielded to r2: nobody was active, and r1 took the VIP after t2, unsynchronized. An
     * accept that finds its asker no longer asking is declined.
     */
    @Test
    void anAcceptThatReachesARouterThatAbandonedItsPreemptionIsDeclined() {
        Rig rig = Start.PREEMPT_.reach(Role.BACKUP, Failback.MANUAL); // asking a (ACTIVE_PRIMARY)
        rig.at(1_031, (m, t) -> m.onPeerHeard(new PeerView("c", Role.BACKUP, 50, ACTIVE, false), t));
        assertEquals(STANDBY, rig.monitor.state(), "abandoned: c became active while it asked a");
        assertEquals(List.of(new MonitorAction.SendSwitchoverDecline("a")), rig.at(1_033, (m, t) -> m.onSwitchoverAccepted("a", t)));
        assertEquals(STANDBY, rig.monitor.state());
        assertTrue(rig.monitor.last().reason().contains("declined"), rig.monitor.last().reason());

        Rig active = Start.ACTIVE_.reach(Role.BACKUP, Failback.MANUAL);
        assertTrue(active.at(1_600, (m, t) -> m.onSwitchoverAccepted("a", t)).isEmpty(), "an active has nothing to decline");
    }

    /** The other side of the seed: the router that handed the VIP over, still draining, takes it back. */
    @Test
    void aDeclinedHandOverIsTakenBackWhileTheOldActiveDrains() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        long term = rig.monitor.term();
        rig.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t));
        assertTrue(rig.at(2_005, (m, t) -> m.onSwitchoverDeclined("c", t)).isEmpty(), "only the router it handed the VIP to");
        // The other active that made b abandon, with a claim this router's had beaten (its term or older).
        rig.at(2_007, (m, t) -> m.onPeerHeard(new PeerView("c", Role.BACKUP, 50, ACTIVE, false, term, true), t));
        assertEquals(TAKEOVER, rig.at(2_010, (m, t) -> m.onSwitchoverDeclined("b", t)));
        assertEquals(ACTIVE, rig.monitor.state());
        assertEquals(348, rig.monitor.last().reference());
        assertEquals(term + 1, rig.monitor.term(), "a new term: its peers hear a claim newer than the one it withdrew");
        assertTrue(rig.at(2_300, ServiceMonitor::onTick).stream().noneMatch(a -> a.equals(new Forward(false))),
                "the drain's end no longer stops forwarding");
        assertTrue(rig.at(2_320, (m, t) -> m.onSwitchoverDeclined("b", t)).isEmpty(), "a second decline changes nothing");

        Rig late = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        late.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t));
        assertTrue(late.at(2_000 + 300 + 100 + 1, (m, t) -> m.onSwitchoverDeclined("b", t)).isEmpty(), "after the drain plus t3");
        assertEquals(STANDBY, late.monitor.state());

        Rig claimed = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        claimed.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t));
        claimed.at(2_005, (m, t) -> m.onPeerHeard(new PeerView("c", Role.BACKUP, 50, ACTIVE, false, 9, true), t));
        assertTrue(claimed.at(2_010, (m, t) -> m.onSwitchoverDeclined("b", t)).isEmpty(), "c claimed the VIP meanwhile");
        assertEquals(STANDBY, claimed.monitor.state());
    }

    @Test
    void aPrimaryThatHandedItsVipOverAtRequestDoesNotFailBackUntilActiveAgain() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.AUTOMATIC);
        rig.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t)); // the operator moved the VIP to b (347 -> 331 -> 355)
        rig.at(2_010, (m, t) -> m.onPeerHeard(ACTIVE_BACKUP, t));
        rig.at(2_020, (m, t) -> m.onSyncLost("following b: a full dump replaces this copy", t));
        assertTrue(rig.at(2_100, ServiceMonitor::onSynchronized).isEmpty(), "the operator's switch-over stands");
        assertEquals(STANDBY, rig.monitor.state());
        assertEquals(IN_SYNC, rig.monitor.sync());
        assertTrue(rig.monitor.last().reason().contains("no automatic failback"), rig.monitor.last().reason());
        // The operator switches back: preempt, accepted, active; a later hand-over by failure is failback-able again.
        assertEquals(List.of(new SendSwitchoverQuery()), rig.at(2_200, ServiceMonitor::onOperatorSwitchover));
        rig.at(2_210, (m, t) -> m.onSwitchoverAccepted("b", t));
        assertEquals(ACTIVE, rig.monitor.state());
    }

    @Test
    void automaticPrimaryNeverPreemptsBeforeItIsSynchronized() {
        Rig rig = Start.STANDBY_SYNC_IN.reach(Role.PRIMARY, Failback.AUTOMATIC);
        for (long t = 1_011; t < 5_000; t += 10) {
            rig.at(t, (m, now) -> m.onPeerHeard(ACTIVE_BACKUP, now));
            assertTrue(rig.at(t, ServiceMonitor::onTick).isEmpty(), "no action while the active lives, at " + t);
            assertEquals(STANDBY, rig.monitor.state());
        }
    }

    @Test
    void oldActiveStopsForwardingWhenTheHandOverDrainEnds() {
        Rig rig = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        rig.at(2_000, (m, t) -> m.onSwitchoverQuery("b", t));
        for (long t = 2_010; t <= 2_290; t += 20) {
            rig.at(t, (m, now) -> m.onPeerHeard(ACTIVE_BACKUP, now)); // the new active's keep-alives
        }
        assertTrue(rig.at(2_299, ServiceMonitor::onTick).isEmpty(), "still forwarding during the drain");
        assertEquals(List.of(new Forward(false)), rig.at(2_300, ServiceMonitor::onTick));
        assertEquals(STANDBY, rig.monitor.state());
    }

    @Test
    void aRouterWithALinkDownTakesNothingOverAndResumesWhenItComesBack() {
        Rig rig = Start.STANDBY_IN_SYNC.reach(Role.BACKUP, Failback.MANUAL);
        rig.at(1_030, (m, t) -> m.onLocalLinks(false, "server link eth1 down", t));
        assertTrue(rig.at(1_200, ServiceMonitor::onTick).isEmpty(), "t2 expired, but not eligible");
        assertEquals(STANDBY, rig.monitor.state());
        assertTrue(rig.monitor.last().reason().contains("local link is down"), rig.monitor.last().reason());
        assertTrue(rig.at(1_210, ServiceMonitor::onOperatorSwitchover).isEmpty());
        rig.at(1_220, (m, t) -> m.onLocalLinks(true, "server link eth1 up", t));
        assertEquals(TAKEOVER, rig.at(1_290, ServiceMonitor::onTick), "takes over once eligible and still no active");
    }

    @Test
    void everyStateChangeIsReportedWithItsReasonInOrder() {
        Rig rig = Start.LISTEN_.reach(Role.BACKUP, Failback.MANUAL);
        rig.at(1_010, (m, t) -> m.onPeerHeard(ACTIVE_PRIMARY, t));
        rig.at(1_020, ServiceMonitor::onSynchronized);
        rig.at(1_200, ServiceMonitor::onTick);
        List<String> seen = rig.history.stream().filter(Transition::changedState).map(t -> t.from() + "->" + t.to() + " " + t.reference()).toList();
        assertEquals(List.of("IDLE(310)->LISTEN(320) 315", "LISTEN(320)->STANDBY(340) 325", "STANDBY(340)->ACTIVE(350) 348"), seen);
        assertTrue(rig.history.stream().allMatch(t -> !t.reason().isBlank()));
        assertTrue(rig.history.getLast().reason().contains("t2 (80 ms)"), rig.history.getLast().reason());
    }

    @Test
    void everyTakeoverTakesATermAboveEveryTermHeard() {
        Rig first = Start.ACTIVE_.reach(Role.PRIMARY, Failback.MANUAL);
        assertEquals(1, first.monitor.term(), "326 from LISTEN, nothing heard: term 1");
        Rig standby = Start.LISTEN_.reach(Role.BACKUP, Failback.MANUAL);
        standby.at(1_010, (m, t) -> m.onPeerHeard(new PeerView("a", Role.PRIMARY, 100, ACTIVE, false, 5, true), t));
        assertEquals(5, standby.monitor.term(), "a standby claims the highest term it heard");
        standby.at(1_090, ServiceMonitor::onTick);
        assertEquals(ACTIVE, standby.monitor.state());
        assertEquals(6, standby.monitor.term(), "348: one above the lost active's");
        assertTrue(standby.monitor.last().reason().endsWith("(term 6)"), standby.monitor.last().reason());
        standby.at(1_095, (m, t) -> m.onPeerHeard(new PeerView("a", Role.PRIMARY, 100, ACTIVE, false, 5, true), t));
        assertEquals(ACTIVE, standby.monitor.state(), "the old active's late claim (term 5) does not move the VIP back");
        assertEquals(6, standby.monitor.term(), "an active's term is its takeover's, whatever it hears");
    }

    @Test
    void nextDeadlineTellsTheDriverWhenToTickNext() {
        Rig rig = Start.LISTEN_.reach(Role.PRIMARY, Failback.MANUAL);
        assertEquals(1_500, rig.monitor.nextDeadlineMs(), "t1");
        rig.at(1_500, ServiceMonitor::onTick);
        assertEquals(1_520, rig.monitor.nextDeadlineMs(), "t4");
    }

    @Test
    void twoActivesReachTheSameVerdictFromBothSides() {
        PeerView a = new PeerView("a", Role.BACKUP, 200, ACTIVE, false);
        PeerView b = new PeerView("b", Role.BACKUP, 100, ACTIVE, false);
        assertTrue(PeerView.precedes(a.role(), a.priority(), a.routerId(), b));
        assertTrue(!PeerView.precedes(b.role(), b.priority(), b.routerId(), a));
        PeerView c = new PeerView("c", Role.BACKUP, 100, ACTIVE, false);
        assertTrue(PeerView.precedes(b.role(), b.priority(), b.routerId(), c), "equal priority: the lower id wins");
        assertTrue(!PeerView.precedes(c.role(), c.priority(), c.routerId(), b));
    }
}
