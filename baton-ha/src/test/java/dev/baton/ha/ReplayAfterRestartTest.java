package dev.baton.ha;

import dev.baton.monitor.MonitorState;
import dev.baton.monitor.SyncState;
import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageType;
import dev.baton.peer.PeerHeaderFlyweight;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay after a restart, in one process with a stepped clock: authentic peer datagrams captured on the path before a
 * router restarts are replayed at it after the restart. The restarted router takes a new incarnation from its
 * state directory's counter ({@link dev.baton.peer.IncarnationStore}); the old datagrams echo its old one, so
 * none is acted on: they neither hold it in standby, nor make it take over, nor count as GAVE_UP. A live peer,
 * once it echoes the new incarnation, is acted on.
 */
class ReplayAfterRestartTest {

    /**
     * Establishes the pair through the relay, then records b's messages while b is active (keep-alives saying
     * ACTIVE) and while it gives the VIP up (GAVE_UP): a is active again at the end, b a synchronized standby.
     */
    private static List<byte[]> captureActiveKeepAlivesAndGaveUp(TwoRouters pair) {
        pair.establishPair();
        pair.a.downInterfaces.add("front"); // a gives up, b takes over
        pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 500, "b takes over after a's GAVE_UP");
        pair.a.downInterfaces.clear();
        pair.runUntil(() -> pair.a.state() == MonitorState.STANDBY && pair.a.agent.sync(0) == SyncState.IN_SYNC, 3_000,
                "a a synchronized standby of b (manual failback: it stays one)");
        pair.relay.fromB.clear();
        pair.run(100, 1); // b's keep-alives saying ACTIVE pass the relay
        pair.b.downInterfaces.add("front"); // b gives up: GAVE_UP, a takes over
        pair.runUntil(() -> pair.a.state() == MonitorState.ACTIVE, 500, "a takes over after b's GAVE_UP");
        pair.b.downInterfaces.clear();
        pair.runUntil(() -> pair.b.state() == MonitorState.STANDBY && pair.b.agent.sync(0) == SyncState.IN_SYNC, 3_000,
                "b a synchronized standby of a");
        List<byte[]> captured = List.copyOf(pair.relay.fromB);
        assertTrue(captured.stream().anyMatch(d -> type(d) == MessageType.GAVE_UP.code()), "the capture holds b's GAVE_UP");
        assertTrue(captured.stream().anyMatch(d -> claimsActive(d)), "the capture holds b's keep-alives saying ACTIVE");
        return captured;
    }

    private static int type(byte[] datagram) {
        return datagram[PeerHeaderFlyweight.TYPE_OFFSET] & 0xFF;
    }

    private static boolean claimsActive(byte[] datagram) {
        if (type(datagram) != MessageType.KEEPALIVE.code()) {
            return false;
        }
        KeepAliveFlyweight keepAlive = new KeepAliveFlyweight().wrap(MemorySegment.ofArray(datagram),
                PeerHeaderFlyweight.PAYLOAD_OFFSET, datagram.length - PeerHeaderFlyweight.MIN_MESSAGE_LENGTH);
        return keepAlive.valid() && keepAlive.serviceCount() > 0 && keepAlive.state(0) == MonitorState.ACTIVE.code;
    }

    private static HaStatus.PeerMessages peerMessages(TwoRouters.Router router) {
        return router.agent.status().messages();
    }

    /**
     * (a) and (c): b is gone; its old ACTIVE keep-alives and GAVE_UP, replayed again and again while the restarted a
     * listens, are authentic and fresh to a's new replay window, yet ignored: a becomes active after t1, alone.
     */
    @Test
    void replayedActiveKeepAlivesAndGaveUpNeitherHoldARestartedRouterInStandbyNorCount() throws Exception {
        try (TwoRouters pair = TwoRouters.relayed(1, "manual")) {
            List<byte[]> captured = captureActiveKeepAlivesAndGaveUp(pair);
            pair.b.alive = false; // b is gone: only the replays speak for it
            long before = pair.a.agent.incarnation();
            pair.restartA();
            assertEquals(before + 1, pair.a.agent.incarnation(), "the restarted router's incarnation comes from its counter");

            int rounds = 0;
            while (pair.a.state() != MonitorState.ACTIVE) {
                assertTrue(rounds < 10, "a did not become active alone: " + pair.a.agent.status());
                pair.relay.replayToA(captured);
                for (int step = 0; step < 100 && pair.a.state() != MonitorState.ACTIVE; step++) {
                    pair.run(1, 1);
                    assertNotEquals(MonitorState.STANDBY, pair.a.state(), "held in standby by a replayed keep-alive");
                }
                rounds++;
            }
            assertTrue(rounds >= 4, "a listened its t1 (500 ms) out, as if alone: " + rounds + " rounds");
            long accepted = peerMessages(pair.a).verdicts().get(dev.baton.peer.Verdict.ACCEPTED);
            assertEquals(captured.size(), accepted, "each captured datagram authentic and new to the fresh window, once");
            assertEquals(accepted, peerMessages(pair.a).ignoredBeforeEcho(), "and every one ignored");
            assertEquals((long) (rounds - 1) * captured.size(), peerMessages(pair.a).verdicts().get(dev.baton.peer.Verdict.REPLAYED),
                    "the later rounds: replays");
            assertEquals(0, peerMessages(pair.a).staleStateClaims());
            assertTrue(!pair.a.agent.peerEchoed(0));
        }
    }

    /**
     * (b) and (c): b is alive and active when a restarts; b's old GAVE_UP and keep-alives arrive at a before b's
     * live messages. a never takes the VIP (it would take over with an empty table); once b's live keep-alive
     * echoes a's new incarnation, a acts on it: standby, synchronized from b.
     */
    @Test
    void replayedGaveUpDoesNotMakeARestartedRouterTakeOverAndTheLivePeerIsActedOnAfterItsEcho() throws Exception {
        try (TwoRouters pair = TwoRouters.relayed(1, "manual")) {
            List<byte[]> captured = captureActiveKeepAlivesAndGaveUp(pair);
            pair.openConnections(pair.a, 10, 80);
            pair.run(50, 1);
            pair.a.alive = false; // a dies; b takes over with a's connections
            pair.runUntil(() -> pair.b.state() == MonitorState.ACTIVE, 500, "b takes over");
            pair.restartA();
            pair.relay.replayToA(captured);
            for (int step = 0; step < 3_000 && !(pair.a.state() == MonitorState.STANDBY
                    && pair.a.agent.sync(0) == SyncState.IN_SYNC); step++) {
                pair.run(1, 1);
                assertNotEquals(MonitorState.ACTIVE, pair.a.state(), "a took the VIP on a replayed datagram");
                assertEquals(MonitorState.ACTIVE, pair.b.state(), "b keeps the VIP");
                if (step % 100 == 0) {
                    pair.relay.replayToA(captured);
                }
            }
            assertEquals(MonitorState.STANDBY, pair.a.state(), "a acted on the live b once b echoed its incarnation");
            assertEquals(SyncState.IN_SYNC, pair.a.agent.sync(0));
            assertTrue(pair.a.agent.peerEchoed(0));
            assertTrue(pair.a.agent.ignoredBeforeEcho() >= captured.size(),
                    "every replayed datagram ignored: " + pair.a.agent.ignoredBeforeEcho() + " of " + captured.size());
            assertTrue(pair.a.agent.events().stream().anyMatch(e -> e instanceof HaEvent.Handshake));
        }
    }

    /** Two routers starting together: each echoes the other's incarnation after one keep-alive round trip. */
    @Test
    void twoRoutersStartingTogetherConvergeWithinAboutOneUpdateInterval() throws Exception {
        try (TwoRouters pair = new TwoRouters(1, "automatic")) {
            long ms = pair.runUntil(() -> pair.a.agent.peerEchoed(0) && pair.b.agent.peerEchoed(0), 200, "both echoed");
            assertTrue(ms <= 2 * 20 + 5, "converged in " + ms + " ms, update interval 20 ms");
            assertTrue(pair.a.agent.ignoredBeforeEcho() <= 2 && pair.b.agent.ignoredBeforeEcho() <= 2,
                    "at most the first keep-alives each way were sent before the echo: " + pair.a.agent.ignoredBeforeEcho()
                            + ", " + pair.b.agent.ignoredBeforeEcho());
            pair.establishPair();
            assertEquals(MonitorState.ACTIVE, pair.a.state());
        }
    }
}
