package dev.baton.keepalive;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.baton.keepalive.KeepAliveEvent.Kind;
import dev.baton.nativeio.NetworkNamespace;
import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two routers in two namespaces joined by two links, each with a transport and a keep-alive manager, driven
 * from the test thread with the real monotonic clock (interval 20 ms, failure 100 ms). Cutting one link
 * fails that link only; cutting both fails the peer; restoring them brings it back; a sender with the wrong
 * key is rejected and keeps nothing alive.
 */
@Tag("lab")
class KeepAliveLabTest {

    static final int ROUTER_1 = 0xC6336401;
    static final int ROUTER_2 = 0xC6336402;
    static final int PORT = 7_400;
    static final long INTERVAL_MS = 20;
    static final long FAILURE_MS = 100;
    /** Upper bound for any expected change; link-up can wait for linkwatch (at most ~1 s, net/core/link_watch.c). */
    static final long WAIT_LIMIT_MS = 5_000;

    static PeerKey key(long seed) {
        byte[] bytes = new byte[32];
        new Random(seed).nextBytes(bytes);
        return PeerKey.of(bytes);
    }

    static long nowMs() {
        return System.nanoTime() / 1_000_000L;
    }

    /** One router: its transport and manager, and every event its manager reported. */
    static final class Router implements AutoCloseable {
        final String name;
        final int peerRouterId;
        final PeerTransport transport;
        KeepAliveManager manager;
        private final PeerConfig peer;
        final List<KeepAliveEvent> events = new ArrayList<>();
        final KeepAliveFlyweight keepAlive = new KeepAliveFlyweight();

        Router(String name, String namespace, int routerId, PeerConfig peer, PeerKey key) throws Exception {
            this.name = name;
            this.peer = peer;
            this.peerRouterId = peer.routerId();
            MessageComposer composer = new MessageComposer(routerId, (System.currentTimeMillis() + 1) << 16, key,
                    new int[] {peer.routerId()});
            MessageVerifier verifier = new MessageVerifier(routerId, key, new int[] {peer.routerId()},
                    new VerdictCounters());
            this.transport = NetworkNamespace.callIn(namespace, () -> new PeerTransport(List.of(peer), composer, verifier));
        }

        /** Starts the keep-alive manager once both routers' channels are open, so neither fails the other at start. */
        void start(long startMs) {
            manager = new KeepAliveManager(List.of(peer), INTERVAL_MS, FAILURE_MS, startMs);
        }

        /** One turn of the peer agent: receive, send the heartbeats due, report changes. */
        void step(long nowMs) {
            transport.receive(nowMs, (peerId, linkIndex, verifier, buffer) -> {
                if (verifier.type() == MessageType.KEEPALIVE) {
                    manager.onHeartbeat(peerId, linkIndex, nowMs);
                }
            });
            for (HeartbeatDue due : manager.heartbeatsDue(nowMs)) {
                int payloadLength = MessageType.KEEPALIVE.payloadLength(0);
                keepAlive.wrap(transport.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, payloadLength)
                        .serviceCount(0);
                if (transport.send(due.peerRouterId(), due.linkIndex(), MessageType.KEEPALIVE, payloadLength, nowMs)) {
                    manager.onHeartbeatSent(due.peerRouterId(), due.linkIndex());
                }
            }
            for (KeepAliveEvent event : manager.poll(nowMs)) {
                System.out.println(name + ": " + event);
                events.add(event);
            }
        }

        boolean has(Kind kind, int linkIndex, int fromEvent) {
            return events.subList(fromEvent, events.size()).stream()
                    .anyMatch(e -> e.kind() == kind && e.linkIndex() == linkIndex);
        }

        long count(Kind kind, int fromEvent) {
            return events.subList(fromEvent, events.size()).stream().filter(e -> e.kind() == kind).count();
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    static PeerConfig peer(int routerId, String name, String localA, String peerA, String localB, String peerB) {
        return new PeerConfig(routerId, name, List.of(
                new PeerLink(new InetSocketAddress(localA, PORT), new InetSocketAddress(peerA, PORT)),
                new PeerLink(new InetSocketAddress(localB, PORT), new InetSocketAddress(peerB, PORT))));
    }

    /** Steps the routers until {@code condition} holds or {@code limitMs} passes; returns whether it held. */
    static boolean runUntil(BooleanSupplier condition, long limitMs, Runnable... steps) {
        long deadline = nowMs() + limitMs;
        while (nowMs() < deadline) {
            for (Runnable step : steps) {
                step.run();
            }
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(2_000_000L);
        }
        return false;
    }

    @Test
    void oneLinkCutFailsTheLinkBothCutFailTheRouterRestoredRecoversAndAWrongKeyChangesNothing() throws Exception {
        TwoLinkLab.assumeLabAvailable();
        PeerKey key = key(42);
        try (TwoLinkLab lab = TwoLinkLab.create()) {
            try (Router one = new Router("router-1", lab.namespace1, ROUTER_1, peer(ROUTER_2, "router-2",
                    TwoLinkLab.LINK_A_1, TwoLinkLab.LINK_A_2, TwoLinkLab.LINK_B_1, TwoLinkLab.LINK_B_2), key);
                 Router two = new Router("router-2", lab.namespace2, ROUTER_2, peer(ROUTER_1, "router-1",
                    TwoLinkLab.LINK_A_2, TwoLinkLab.LINK_A_1, TwoLinkLab.LINK_B_2, TwoLinkLab.LINK_B_1), key)) {
                long startMs = nowMs();
                one.start(startMs);
                two.start(startMs);
                Runnable stepOne = () -> one.step(nowMs());
                Runnable stepTwo = () -> two.step(nowMs());

                // Both routers see each other on both links.
                assertTrue(runUntil(() -> one.has(Kind.PEER_ALIVE, -1, 0) && two.has(Kind.PEER_ALIVE, -1, 0)
                        && one.has(Kind.LINK_ALIVE, 0, 0) && one.has(Kind.LINK_ALIVE, 1, 0)
                        && two.has(Kind.LINK_ALIVE, 0, 0) && two.has(Kind.LINK_ALIVE, 1, 0),
                        WAIT_LIMIT_MS, stepOne, stepTwo), () -> "not alive: " + one.events + " / " + two.events);
                assertEquals(0, one.count(Kind.PEER_FAILED, 0) + two.count(Kind.PEER_FAILED, 0), "nothing fails at start");

                // Cut link A: LINK_FAILED for A on both sides, and the peers stay alive.
                int markOne = one.events.size();
                int markTwo = two.events.size();
                lab.setLinkUp(lab.linkA1, false);
                assertTrue(runUntil(() -> one.has(Kind.LINK_FAILED, 0, markOne) && two.has(Kind.LINK_FAILED, 0, markTwo),
                        WAIT_LIMIT_MS, stepOne, stepTwo), () -> "link A not failed: " + one.events + " / " + two.events);
                runUntil(() -> false, 5 * FAILURE_MS, stepOne, stepTwo);
                assertEquals(0, one.count(Kind.PEER_FAILED, markOne), () -> "router-1: " + one.events);
                assertEquals(0, two.count(Kind.PEER_FAILED, markTwo), () -> "router-2: " + two.events);
                assertFalse(one.has(Kind.LINK_FAILED, 1, markOne) || two.has(Kind.LINK_FAILED, 1, markTwo));
                assertEquals(LinkState.ALIVE, two.manager.status(ROUTER_1).state());
                assertEquals(LinkState.FAILED, two.manager.status(ROUTER_1).links().get(0).state());
                assertEquals(LinkState.ALIVE, two.manager.status(ROUTER_1).links().get(1).state());

                // Cut link B as well: now each router fails the other.
                int markOne2 = one.events.size();
                int markTwo2 = two.events.size();
                lab.setLinkUp(lab.linkB1, false);
                assertTrue(runUntil(() -> one.has(Kind.PEER_FAILED, -1, markOne2) && two.has(Kind.PEER_FAILED, -1, markTwo2),
                        WAIT_LIMIT_MS, stepOne, stepTwo), () -> "peer not failed: " + one.events + " / " + two.events);

                // Restore both: alive again on both links.
                int markOne3 = one.events.size();
                int markTwo3 = two.events.size();
                lab.setLinkUp(lab.linkA1, true);
                lab.setLinkUp(lab.linkB1, true);
                assertTrue(runUntil(() -> one.has(Kind.PEER_ALIVE, -1, markOne3) && two.has(Kind.PEER_ALIVE, -1, markTwo3)
                        && one.has(Kind.LINK_ALIVE, 0, markOne3) && one.has(Kind.LINK_ALIVE, 1, markOne3)
                        && two.has(Kind.LINK_ALIVE, 0, markTwo3) && two.has(Kind.LINK_ALIVE, 1, markTwo3),
                        WAIT_LIMIT_MS, stepOne, stepTwo), () -> "not recovered: " + one.events + " / " + two.events);
                assertEquals(0, two.transport.verdicts().count(Verdict.BAD_TAG), "no forgery yet");

                // Router 1 falls silent; a third sender with the wrong key claims to be router 1 on both links.
                // Its own port on router 1's addresses, so it coexists with router 1's (silent) channels.
                PeerConfig intruderTarget = new PeerConfig(ROUTER_2, "router-2", List.of(
                        new PeerLink(new InetSocketAddress(TwoLinkLab.LINK_A_1, PORT + 1), new InetSocketAddress(TwoLinkLab.LINK_A_2, PORT)),
                        new PeerLink(new InetSocketAddress(TwoLinkLab.LINK_B_1, PORT + 1), new InetSocketAddress(TwoLinkLab.LINK_B_2, PORT))));
                PeerKey wrongKey = key(43);
                MessageComposer forger = new MessageComposer(ROUTER_1, (nowMs() + 10) << 16, wrongKey, new int[] {ROUTER_2});
                MessageVerifier unused = new MessageVerifier(ROUTER_1, wrongKey, new int[] {ROUTER_2},
                        new VerdictCounters());
                try (PeerTransport intruder = NetworkNamespace.callIn(lab.namespace1,
                        () -> new PeerTransport(List.of(intruderTarget), forger, unused))) {
                    int payloadLength = MessageType.KEEPALIVE.payloadLength(0);
                    long[] forgedSent = {0};
                    Runnable forge = () -> {
                        new KeepAliveFlyweight().wrap(intruder.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                                payloadLength).serviceCount(0);
                        forgedSent[0] += intruder.sendOnEveryLink(ROUTER_2, MessageType.KEEPALIVE, payloadLength, nowMs());
                    };
                    int markTwo4 = two.events.size();
                    assertTrue(runUntil(() -> two.has(Kind.PEER_FAILED, -1, markTwo4), WAIT_LIMIT_MS, forge, stepTwo),
                            () -> "forged heartbeats kept router 1 alive: " + two.events);
                    PeerStatus failed = two.manager.status(ROUTER_1);
                    // From router 1's addresses but another port: dropped by source before the MAC.
                    long badTagsAtFailure = two.transport.foreignSourceDrops();
                    // Keep forging for a while: it is counted, and changes nothing.
                    runUntil(() -> false, 5 * FAILURE_MS, forge, stepTwo);
                    PeerStatus after = two.manager.status(ROUTER_1);
                    assertEquals(LinkState.FAILED, after.state());
                    for (int l = 0; l < 2; l++) {
                        assertEquals(failed.links().get(l).heartbeatsReceived(), after.links().get(l).heartbeatsReceived());
                        assertEquals(failed.links().get(l).lastHeardMs(), after.links().get(l).lastHeardMs());
                    }
                    long badTags = two.transport.foreignSourceDrops();
                    assertTrue(badTags > badTagsAtFailure && badTagsAtFailure > 0,
                            "forged datagrams are counted as foreign sources: " + badTagsAtFailure + " then " + badTags);
                    assertTrue(forgedSent[0] >= badTags, "every foreign-source drop came from the forger");
                    assertEquals(0, two.transport.verdicts().count(Verdict.BAD_TAG), "none reached the verifier");
                    assertEquals(1, two.count(Kind.PEER_FAILED, markTwo4), "reported once");
                    assertEquals(0, two.count(Kind.PEER_ALIVE, markTwo4));
                }
            }
        }
    }
}
