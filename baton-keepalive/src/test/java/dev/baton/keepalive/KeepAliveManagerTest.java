package dev.baton.keepalive;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.baton.keepalive.KeepAliveEvent.Kind.LINK_ALIVE;
import static dev.baton.keepalive.KeepAliveEvent.Kind.LINK_FAILED;
import static dev.baton.keepalive.KeepAliveEvent.Kind.PEER_ALIVE;
import static dev.baton.keepalive.KeepAliveEvent.Kind.PEER_FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keep-alive manager against a simulated peer, with a clock stepped 1 ms at a time: the peer's own
 * manager says when its heartbeats are due, each link delivers them (or drops them while cut, or delays them
 * by a jitter), and the manager under test is polled every step. Each row lists every event expected over
 * the whole run, in order, so an event reported twice or one too many fails the row.
 */
class KeepAliveManagerTest {

    static final long INTERVAL_MS = 20;
    static final long FAILURE_MS = 100;
    static final int PEER_ID = 0xC0000202;
    static final int OUR_ID = 0xC0000201;

    static PeerConfig twoLinkPeer(int routerId, String name) {
        return new PeerConfig(routerId, name, List.of(
                new PeerLink(new InetSocketAddress("198.51.100.1", 7400), new InetSocketAddress("198.51.100.2", 7400)),
                new PeerLink(new InetSocketAddress("203.0.113.1", 7400), new InetSocketAddress("203.0.113.2", 7400))));
    }

    /** A link condition over time: whether a heartbeat sent at that time gets through. */
    static LongPredicate up() {
        return t -> true;
    }

    static LongPredicate cutBetween(long fromMs, long toMs) {
        return t -> t < fromMs || t >= toMs;
    }

    static LongPredicate cutFrom(long fromMs) {
        return t -> t < fromMs;
    }

    static LongPredicate down() {
        return t -> false;
    }

    /** Expected event: kind and link index ({@link KeepAliveEvent#NO_LINK} for peer events). */
    record Expected(KeepAliveEvent.Kind kind, int linkIndex) {
        @Override
        public String toString() {
            return kind + (linkIndex < 0 ? "" : "(" + linkIndex + ")");
        }
    }

    static Expected link(KeepAliveEvent.Kind kind, int linkIndex) {
        return new Expected(kind, linkIndex);
    }

    static Expected peer(KeepAliveEvent.Kind kind) {
        return new Expected(kind, KeepAliveEvent.NO_LINK);
    }

    static final List<Expected> BOTH_ALIVE = List.of(link(LINK_ALIVE, 0), link(LINK_ALIVE, 1), peer(PEER_ALIVE));

    /** name, link A condition, link B condition, one-way delay per heartbeat (jitter), run length, expected events. */
    record Row(String name, LongPredicate linkA, LongPredicate linkB, boolean jitter, long runMs, List<Expected> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Expected> concat(List<Expected> first, Expected... rest) {
        List<Expected> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all;
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("both links healthy: alive once, nothing more", up(), up(), false, 2_000, BOTH_ALIVE),
                new Row("heartbeats delayed by up to 70 ms of jitter: nothing fails", up(), up(), true, 3_000, BOTH_ALIVE),
                new Row("link A cut: LINK_FAILED for A only, the peer stays alive", cutFrom(500), up(), false, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 0))),
                new Row("link B cut, with jitter: LINK_FAILED for B only", up(), cutFrom(500), true, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 1))),
                new Row("both links cut: both LINK_FAILED, then PEER_FAILED", cutFrom(500), cutFrom(500), false, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 0), link(LINK_FAILED, 1), peer(PEER_FAILED))),
                new Row("A cut, B cut later: PEER_FAILED only when B goes too", cutFrom(400), cutFrom(900), false, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 0), link(LINK_FAILED, 1), peer(PEER_FAILED))),
                new Row("both cut then restored: LINK_ALIVE each and PEER_ALIVE", cutBetween(500, 1_000),
                        cutBetween(500, 1_000), false, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 0), link(LINK_FAILED, 1), peer(PEER_FAILED),
                                link(LINK_ALIVE, 0), link(LINK_ALIVE, 1), peer(PEER_ALIVE))),
                new Row("A cut and restored while B holds: link events only", cutBetween(500, 1_000), up(), false, 2_000,
                        concat(BOTH_ALIVE, link(LINK_FAILED, 0), link(LINK_ALIVE, 0))),
                new Row("A cut, then B cut, then A restored: the peer is back over A", cutBetween(300, 1_200),
                        cutFrom(700), false, 2_000, concat(BOTH_ALIVE, link(LINK_FAILED, 0), link(LINK_FAILED, 1),
                                peer(PEER_FAILED), link(LINK_ALIVE, 0), peer(PEER_ALIVE))),
                new Row("a peer never heard: links and peer fail failure time after start", down(), down(), false, 1_000,
                        List.of(link(LINK_FAILED, 0), link(LINK_FAILED, 1), peer(PEER_FAILED))),
                new Row("a peer heard on B only: B alive, A failed, peer alive", down(), up(), false, 1_000,
                        List.of(link(LINK_ALIVE, 1), peer(PEER_ALIVE), link(LINK_FAILED, 0))));
    }

    /** A heartbeat in flight. */
    record InFlight(long arriveMs, int linkIndex) {
    }

    /** Runs a row and returns every event the manager under test reported. */
    static List<KeepAliveEvent> run(Row row, KeepAliveManager manager) {
        KeepAliveManager sender = new KeepAliveManager(List.of(twoLinkPeer(OUR_ID, "us")), INTERVAL_MS, FAILURE_MS, 0);
        PriorityQueue<InFlight> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a.arriveMs, b.arriveMs));
        long[] jitterMs = {0, 0, 70, 5, 40, 65, 10, 55, 30, 70}; // link A gets even entries, B odd: gaps up to 90 ms
        int sentCount = 0;
        List<KeepAliveEvent> events = new ArrayList<>();
        for (long now = 0; now <= row.runMs(); now++) {
            for (HeartbeatDue due : sender.heartbeatsDue(now)) {
                sender.onHeartbeatSent(due.peerRouterId(), due.linkIndex());
                LongPredicate condition = due.linkIndex() == 0 ? row.linkA() : row.linkB();
                if (condition.test(now)) {
                    long delay = row.jitter() ? jitterMs[sentCount++ % jitterMs.length] : 0;
                    inFlight.add(new InFlight(now + delay, due.linkIndex()));
                }
            }
            while (!inFlight.isEmpty() && inFlight.peek().arriveMs() <= now) {
                manager.onHeartbeat(PEER_ID, inFlight.poll().linkIndex(), now);
            }
            for (KeepAliveEvent event : manager.poll(now)) {
                assertEquals(now, event.atMs());
                events.add(event);
            }
        }
        return events;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void reportsExactlyTheExpectedEventsInOrder(Row row) {
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "router-b")), INTERVAL_MS, FAILURE_MS, 0);
        List<KeepAliveEvent> events = run(row, manager);
        List<Expected> actual = events.stream().map(e -> new Expected(e.kind(), e.linkIndex())).toList();
        assertEquals(row.expected(), actual, () -> "events: " + events);
        for (KeepAliveEvent event : events) {
            assertEquals(PEER_ID, event.peerRouterId());
            assertEquals("router-b", event.peerName());
            assertTrue(!event.reason().isBlank(), "every event says why");
        }
    }

    @Test
    void peerFailsExactlyFailureTimeAfterTheLastHeartbeatOnItsLastLink() {
        Row row = new Row("both cut", cutFrom(500), cutFrom(700), false, 1_500, List.of());
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "router-b")), INTERVAL_MS, FAILURE_MS, 0);
        List<KeepAliveEvent> events = run(row, manager);
        // Heartbeats leave at 0, 20, 40, ...: the last through A at 480, the last through B at 680.
        KeepAliveEvent failedA = events.stream().filter(e -> e.kind() == LINK_FAILED && e.linkIndex() == 0).findFirst().orElseThrow();
        KeepAliveEvent failedB = events.stream().filter(e -> e.kind() == LINK_FAILED && e.linkIndex() == 1).findFirst().orElseThrow();
        KeepAliveEvent peerFailed = events.stream().filter(e -> e.kind() == PEER_FAILED).findFirst().orElseThrow();
        assertEquals(480 + FAILURE_MS, failedA.atMs());
        assertEquals(680 + FAILURE_MS, failedB.atMs());
        assertEquals(680 + FAILURE_MS, peerFailed.atMs());
        assertTrue(failedA.reason().contains("no heartbeat for 100 ms"), failedA.reason());
        assertTrue(peerFailed.reason().contains("all 2 links silent"), peerFailed.reason());
    }

    /**
     * A router that did not run for longer than the failure time learns nothing about its peers from that
     * silence: found in the failover lab, where a standby stalled 119 ms 0.6 s after its start and took the VIP
     * from a live active. After the stall each link has a whole failure time to be heard; one that stays
     * silent fails then.
     */
    @Test
    void aSilenceThisRouterDidNotListenThroughFailsNoLinkUntilAWholeFailureTimeAfterIt() {
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "router-b")), INTERVAL_MS, FAILURE_MS, 0);
        manager.onHeartbeat(PEER_ID, 0, 10);
        manager.onHeartbeat(PEER_ID, 1, 10);
        assertEquals(3, manager.poll(10).size(), "both links alive, then the peer");
        // This router stalls from 20 to 260; nothing was read meanwhile.
        manager.onSelfStalled(240, 260);
        assertTrue(manager.poll(260).isEmpty(), "silent since 10 from here, but this router was not listening");
        assertTrue(manager.poll(260 + FAILURE_MS - 1).isEmpty());
        manager.onHeartbeat(PEER_ID, 1, 300);
        List<KeepAliveEvent> events = manager.poll(260 + FAILURE_MS);
        assertEquals(List.of(LINK_FAILED), events.stream().map(KeepAliveEvent::kind).toList(),
                "link 0 stayed silent a whole failure time after the stall: it fails; link 1 was heard, the peer lives");
    }

    @Test
    void oneLinkFailingShowsInStatusAndCountersButThePeerStaysAlive() {
        Row row = new Row("A cut", cutFrom(500), up(), false, 1_000, List.of());
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "router-b")), INTERVAL_MS, FAILURE_MS, 0);
        run(row, manager);
        PeerStatus status = manager.status(PEER_ID);
        assertEquals(LinkState.ALIVE, status.state());
        LinkStatus a = status.links().get(0);
        LinkStatus b = status.links().get(1);
        assertEquals(LinkState.FAILED, a.state());
        assertEquals(1, a.failures());
        assertEquals(480, a.lastHeardMs());
        assertEquals(25, a.heartbeatsReceived()); // sent at 0, 20, ..., 480
        assertEquals(LinkState.ALIVE, b.state());
        assertEquals(0, b.failures());
        assertEquals(1_000, b.lastHeardMs());
        assertEquals(51, b.heartbeatsReceived()); // 0, 20, ..., 1000
    }

    @Test
    void heartbeatsAreDueOnEveryLinkAtStartThenEveryInterval() {
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "router-b")), INTERVAL_MS, FAILURE_MS, 1_000);
        assertEquals(List.of(), manager.heartbeatsDue(999));
        assertEquals(List.of(new HeartbeatDue(PEER_ID, 0), new HeartbeatDue(PEER_ID, 1)), manager.heartbeatsDue(1_000));
        assertEquals(List.of(), manager.heartbeatsDue(1_000));
        assertEquals(List.of(), manager.heartbeatsDue(1_019));
        assertEquals(2, manager.heartbeatsDue(1_020).size());
        // A caller that fell behind gets one heartbeat per link, not a burst, and the schedule restarts from then.
        assertEquals(2, manager.heartbeatsDue(1_200).size());
        assertEquals(List.of(), manager.heartbeatsDue(1_219));
        assertEquals(2, manager.heartbeatsDue(1_220).size());
        manager.onHeartbeatSent(PEER_ID, 1);
        assertEquals(0, manager.status(PEER_ID).links().get(0).heartbeatsSent());
        assertEquals(1, manager.status(PEER_ID).links().get(1).heartbeatsSent());
    }

    @Test
    void eachPeerIsJudgedOnItsOwnLinks() {
        int otherId = 0xC0000203;
        KeepAliveManager manager = new KeepAliveManager(
                List.of(twoLinkPeer(PEER_ID, "router-b"), twoLinkPeer(otherId, "router-c")), INTERVAL_MS, FAILURE_MS, 0);
        for (long now = 0; now <= 300; now += 20) {
            manager.onHeartbeat(PEER_ID, 0, now);
            manager.onHeartbeat(PEER_ID, 1, now);
            manager.poll(now);
        }
        assertEquals(LinkState.ALIVE, manager.status(PEER_ID).state());
        assertEquals(LinkState.FAILED, manager.status(otherId).state());
        assertEquals(List.of(), manager.poll(300));
    }

    @Test
    void misuseIsRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class,
                () -> new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "b")), 20, 20, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "b"), twoLinkPeer(PEER_ID, "c")), 20, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new PeerConfig(PEER_ID, "b", List.of()));
        KeepAliveManager manager = new KeepAliveManager(List.of(twoLinkPeer(PEER_ID, "b")), 20, 100, 0);
        assertThrows(IllegalArgumentException.class, () -> manager.onHeartbeat(OUR_ID, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> manager.onHeartbeat(PEER_ID, 2, 10));
    }
}
