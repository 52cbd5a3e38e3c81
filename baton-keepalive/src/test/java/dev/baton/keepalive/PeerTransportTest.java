package dev.baton.keepalive;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport over loopback (127.0.0.1 and 127.0.0.2 stand for two links; no namespace needed): messages
 * go out on every link, arrive verified with the link they came on, and forged or replayed ones are counted
 * and never reach the handler.
 */
class PeerTransportTest {

    static final int ROUTER_1 = 1;
    static final int ROUTER_2 = 2;

    static PeerKey key(long seed) {
        byte[] bytes = new byte[32];
        new Random(seed).nextBytes(bytes);
        return PeerKey.of(bytes);
    }

    /** A received message, copied out of the handler call. */
    record Received(int peerRouterId, int linkIndex, MessageType type, long sequence) {
    }

    @Test
    void messagesTravelOnEveryLinkAndForgedOrReplayedOnesNeverReachTheHandler() throws Exception {
        int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
        PeerConfig toRouter2 = new PeerConfig(ROUTER_2, "two", List.of(
                new PeerLink(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", port + 1)),
                new PeerLink(new InetSocketAddress("127.0.0.2", port), new InetSocketAddress("127.0.0.2", port + 1))));
        PeerConfig toRouter1 = new PeerConfig(ROUTER_1, "one", List.of(
                new PeerLink(new InetSocketAddress("127.0.0.1", port + 1), new InetSocketAddress("127.0.0.1", port)),
                new PeerLink(new InetSocketAddress("127.0.0.2", port + 1), new InetSocketAddress("127.0.0.2", port))));
        PeerKey key = key(7);
        MessageComposer composer1 = new MessageComposer(ROUTER_1, 1L << 16, key, new int[] {ROUTER_2});
        MessageVerifier verifier1 = new MessageVerifier(ROUTER_1, key, new int[] {ROUTER_2}, new VerdictCounters());
        MessageComposer composer2 = new MessageComposer(ROUTER_2, 2L << 16, key, new int[] {ROUTER_1});
        MessageVerifier verifier2 = new MessageVerifier(ROUTER_2, key, new int[] {ROUTER_1}, new VerdictCounters());
        try (PeerTransport one = new PeerTransport(List.of(toRouter2), composer1, verifier1);
             PeerTransport two = new PeerTransport(List.of(toRouter1), composer2, verifier2);
             DatagramChannel raw = DatagramChannel.open()) {
            assertEquals(2, one.localAddresses().size());

            new KeepAliveFlyweight().wrap(one.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                    MessageType.KEEPALIVE.payloadLength(0)).serviceCount(0);
            assertEquals(2, one.sendOnEveryLink(ROUTER_2, MessageType.KEEPALIVE, MessageType.KEEPALIVE.payloadLength(0), 0));
            // Keep a copy of the last datagram sent (link 1, sequence 2) to replay it.
            byte[] lastSent = one.sendBuffer().bytes().clone();
            int lastLength = PeerHeaderFlyweight.HEADER_LENGTH + MessageType.KEEPALIVE.payloadLength(0) + PeerHeaderFlyweight.TAG_LENGTH;

            List<Received> received = new ArrayList<>();
            PeerTransport.MessageHandler collect = (peer, link, verifier, buffer) ->
                    received.add(new Received(peer, link, verifier.type(), verifier.header().sequence()));
            drain(two, collect, received, 2);
            assertEquals(List.of(new Received(ROUTER_1, 0, MessageType.KEEPALIVE, 1),
                    new Received(ROUTER_1, 1, MessageType.KEEPALIVE, 2)), sorted(received));

            // And back, one link at a time.
            new KeepAliveFlyweight().wrap(two.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, MessageType.KEEPALIVE.payloadLength(0)).serviceCount(0);
            assertTrue(two.send(ROUTER_1, 1, MessageType.KEEPALIVE, MessageType.KEEPALIVE.payloadLength(0), 0));
            List<Received> back = new ArrayList<>();
            drain(one, (peer, link, verifier, buffer) -> back.add(new Received(peer, link, verifier.type(),
                    verifier.header().sequence())), back, 1);
            assertEquals(List.of(new Received(ROUTER_2, 1, MessageType.KEEPALIVE, 1)), back);
            assertEquals(0, one.sendFailures());

            // A sender with the wrong key, claiming to be router 1, on link 0; and a replay of a genuine datagram.
            // Sent from router 1's link addresses and port (router 1 is closed to free them): anything from another
            // source is dropped before the verifier (PeerPortFloodTest).
            one.close();
            raw.bind(new InetSocketAddress("127.0.0.1", port));
            DatagramChannel raw2 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", port));
            MessageComposer forger = new MessageComposer(ROUTER_1, 3L << 16, key(8), new int[] {ROUTER_2});
            dev.baton.peer.PeerMessageBuffer forged = new dev.baton.peer.PeerMessageBuffer();
            new KeepAliveFlyweight().wrap(forged.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, MessageType.KEEPALIVE.payloadLength(0)).serviceCount(0);
            for (int i = 0; i < 5; i++) {
                int length = forger.compose(forged, ROUTER_2, MessageType.KEEPALIVE, 0, MessageType.KEEPALIVE.payloadLength(0));
                raw.send(ByteBuffer.wrap(forged.bytes(), 0, length), new InetSocketAddress("127.0.0.1", port + 1));
            }
            raw2.send(ByteBuffer.wrap(lastSent, 0, lastLength), new InetSocketAddress("127.0.0.2", port + 1));
            raw2.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("127.0.0.2", port + 1));
            raw2.close();
            long deadlineNs = System.nanoTime() + 2_000_000_000L;
            while (two.verdicts().rejected() < 7 && System.nanoTime() < deadlineNs) {
                two.receive(0, collect);
                LockSupport.parkNanos(1_000_000L);
            }
            assertEquals(5, two.verdicts().count(Verdict.BAD_TAG));
            assertEquals(1, two.verdicts().count(Verdict.REPLAYED));
            assertEquals(1, two.verdicts().count(Verdict.BAD_LENGTH));
            assertEquals(2, two.verdicts().count(Verdict.ACCEPTED));
            assertEquals(2, received.size(), "rejected datagrams never reach the handler");
            assertEquals(0, two.foreignSourceDrops());

        }
    }

    private static void drain(PeerTransport transport, PeerTransport.MessageHandler handler, List<Received> into, int expected) {
        long deadlineNs = System.nanoTime() + 2_000_000_000L;
        while (into.size() < expected && System.nanoTime() < deadlineNs) {
            transport.receive(0, handler);
            LockSupport.parkNanos(1_000_000L);
        }
    }

    private static List<Received> sorted(List<Received> received) {
        List<Received> copy = new ArrayList<>(received);
        copy.sort((a, b) -> Integer.compare(a.linkIndex(), b.linkIndex()));
        return copy;
    }
}
