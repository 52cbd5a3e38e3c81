package dev.baton.keepalive;

import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.VerdictCounters;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Junk at the peer port, without the key, must not silence the keep-alives. Router 1 on
 * 127.0.0.1 and router 2 on 127.0.0.2 (one link, the same port on both, as the HA agent binds them); the
 * junk comes from 127.0.0.3, which is no configured peer address.
 */
class PeerPortFloodTest {

    private static final int ONE = 1;
    private static final int TWO = 2;
    /** Keep-alives router 1 sends during the flood. */
    private static final int FLOODED_KEEPALIVES = 500;
    /** The flood's bound in count (its bound in time is 10 s); it stops sooner once the keep-alives are sent. */
    private static final int MAX_JUNK_DATAGRAMS = 4_000_000;
    private static final long LINK_FAILURE_MS = 200;

    private final int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
    private final InetSocketAddress oneAddress = new InetSocketAddress("127.0.0.1", port);
    private final InetSocketAddress twoAddress = new InetSocketAddress("127.0.0.2", port);

    private PeerTransport transport(int self, int peer, InetSocketAddress local, InetSocketAddress remote, PeerKey key) throws IOException {
        return new PeerTransport(List.of(new PeerConfig(peer, "peer", List.of(new PeerLink(local, remote)))),
                new MessageComposer(self, (long) self << 16, key, new int[] {peer}),
                new MessageVerifier(self, key, new int[] {peer}, new VerdictCounters()));
    }

    private static int keepAlive(PeerTransport from) {
        new KeepAliveFlyweight().wrap(from.sendBuffer().segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                MessageType.KEEPALIVE.payloadLength(0)).serviceCount(0);
        return MessageType.KEEPALIVE.payloadLength(0);
    }

    @Test
    void junkFromANonPeerSourceIsDroppedBeforeTheVerifierAndOneReceiveDrainsPastIt() throws Exception {
        PeerKey key = PeerTransportTest.key(11);
        try (PeerTransport one = transport(ONE, TWO, oneAddress, twoAddress, key);
             PeerTransport two = transport(TWO, ONE, twoAddress, oneAddress, key);
             DatagramChannel junk = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
            byte[] bytes = new byte[64];
            for (int i = 0; i < 1_000; i++) {
                ThreadLocalRandom.current().nextBytes(bytes);
                junk.send(ByteBuffer.wrap(bytes), twoAddress);
            }
            assertTrue(one.send(TWO, 0, MessageType.KEEPALIVE, keepAlive(one), 0));
            AtomicLong accepted = new AtomicLong();
            int read = two.receive(0, (peer, link, verifier, buffer) -> accepted.incrementAndGet());
            assertEquals(1, accepted.get(), "one receive call drains past 1,000 junk datagrams to the keep-alive");
            assertEquals(1_001, read, "every datagram read counts as work, so the agent does not idle under junk");
            assertEquals(1_000, two.foreignSourceDrops(), "junk counted by its source");
            assertEquals(0, two.verdicts().rejected(), "junk from a foreign source never reaches the verifier (no MAC computed)");
            assertTrue(two.receiveBufferBytes() >= PeerTransport.RECEIVE_BUFFER_BYTES
                    || two.receiveBufferBytes() >= 2 * maxReceiveBuffer(), "SO_RCVBUF raised: " + two.receiveBufferBytes());
        }
    }

    @Test
    void aDatagramFromThePeersAddressButAnotherPortIsAForeignSource() throws Exception {
        PeerKey key = PeerTransportTest.key(12);
        try (PeerTransport one = transport(ONE, TWO, oneAddress, twoAddress, key);
             PeerTransport two = transport(TWO, ONE, twoAddress, oneAddress, key);
             DatagramChannel samePeerAddress = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            // Authentic bytes, composed by router 1, but sent from 127.0.0.1:<ephemeral>: not the configured link.
            int length = new MessageComposer(ONE, 9L << 16, key, new int[] {TWO})
                    .compose(one.sendBuffer(), TWO, MessageType.KEEPALIVE, 0, keepAlive(one));
            samePeerAddress.send(ByteBuffer.wrap(one.sendBuffer().bytes(), 0, length), twoAddress);
            long deadlineNs = System.nanoTime() + 2_000_000_000L;
            AtomicLong accepted = new AtomicLong();
            while (two.foreignSourceDrops() == 0 && System.nanoTime() < deadlineNs) {
                two.receive(0, (peer, link, verifier, buffer) -> accepted.incrementAndGet());
                LockSupport.parkNanos(1_000_000L);
            }
            assertEquals(1, two.foreignSourceDrops());
            assertEquals(0, accepted.get());
            assertEquals(0, two.verdicts().rejected() + two.verdicts().count(dev.baton.peer.Verdict.ACCEPTED));
        }
    }

    /**
     * A bounded real flood (at most {@link #MAX_JUNK_DATAGRAMS} junk datagrams, at most 10 s) from a non-peer source while router 1
     * sends a keep-alive every millisecond until it has sent {@link #FLOODED_KEEPALIVES}; router 2 runs the HA
     * agent's idle strategy (park 0.5 ms when a cycle did no work). No keep-alive is lost beyond what the kernel
     * dropped at the socket, and the link never fails. The test counts keep-alives, not time: on a host whose
     * other work kept this thread from a CPU it takes longer, and a gap in its own loop longer than half the link
     * failure time is a stall of this router, which the HA agent reports to the keep-alive manager
     * ({@link KeepAliveManager#onSelfStalled}) and so does this loop.
     */
    @Test
    void aJunkFloodFromANonPeerSourceDoesNotSilenceKeepAlives() throws Exception {
        PeerKey key = PeerTransportTest.key(13);
        try (PeerTransport one = transport(ONE, TWO, oneAddress, twoAddress, key);
             PeerTransport two = transport(TWO, ONE, twoAddress, oneAddress, key);
             DatagramChannel junk = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong junkSent = new AtomicLong();
            long hardEndNs = System.nanoTime() + 10_000_000_000L;
            Thread flood = Thread.ofPlatform().name("junk-flood").start(() -> {
                ByteBuffer datagram = ByteBuffer.allocateDirect(64);
                try {
                    for (int i = 0; i < MAX_JUNK_DATAGRAMS && flooding.get() && System.nanoTime() < hardEndNs; i++) {
                        datagram.clear();
                        datagram.putLong(0, i);
                        junk.send(datagram, twoAddress);
                        junkSent.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    flooding.set(false);
                }
            });
            long startMs = System.nanoTime() / 1_000_000;
            KeepAliveManager watcher = new KeepAliveManager(
                    List.of(new PeerConfig(ONE, "peer", List.of(new PeerLink(twoAddress, oneAddress)))), 1, LINK_FAILURE_MS, startMs);
            long sent = 0;
            AtomicLong received = new AtomicLong();
            long linkFailures = 0;
            long lastSendMs = Long.MIN_VALUE;
            long lastLoopMs = startMs;
            long selfStalls = 0;
            while (sent < FLOODED_KEEPALIVES && flooding.get() && System.nanoTime() < hardEndNs) {
                long nowMs = System.nanoTime() / 1_000_000;
                if (nowMs - lastLoopMs > LINK_FAILURE_MS / 2) {
                    selfStalls++;
                    watcher.onSelfStalled(nowMs - lastLoopMs, nowMs);
                }
                lastLoopMs = nowMs;
                if (nowMs != lastSendMs) {
                    lastSendMs = nowMs;
                    if (one.send(TWO, 0, MessageType.KEEPALIVE, keepAlive(one), nowMs)) {
                        sent++;
                    }
                }
                int read = two.receive(nowMs, (peer, link, verifier, buffer) -> {
                    received.incrementAndGet();
                    watcher.onHeartbeat(peer, link, nowMs);
                });
                for (KeepAliveEvent event : watcher.poll(nowMs)) {
                    if (event.kind() == KeepAliveEvent.Kind.LINK_FAILED || event.kind() == KeepAliveEvent.Kind.PEER_FAILED) {
                        linkFailures++;
                    }
                }
                if (read == 0) {
                    LockSupport.parkNanos(500_000L); // the HA agent's idle strategy
                }
            }
            flooding.set(false);
            flood.join(5_000);
            long drainDeadlineNs = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < drainDeadlineNs) {
                if (two.receive(0, (peer, link, verifier, buffer) -> received.incrementAndGet()) == 0) {
                    break;
                }
            }
            long socketDrops = socketDrops(twoAddress);
            long lost = sent - received.get();
            System.out.printf("peer port flood: %d junk sent, %d dropped by source, %d socket drops; %d keep-alives sent, %d received;"
                    + " this loop stalled %d times%n", junkSent.get(), two.foreignSourceDrops(), socketDrops, sent, received.get(), selfStalls);
            assertEquals(FLOODED_KEEPALIVES, sent, "keep-alives sent during the flood (the flood ended first: "
                    + junkSent.get() + " junk datagrams sent)");
            assertTrue(lost <= socketDrops, lost + " keep-alives lost, more than the " + socketDrops + " datagrams the socket dropped");
            assertEquals(0, linkFailures, "the link never failed under the flood");
            assertEquals(0, two.verdicts().rejected(), "no junk reached the verifier");
        }
    }

    /** The drops column of /proc/net/udp for the socket bound to {@code address}. */
    static long socketDrops(InetSocketAddress address) throws IOException {
        byte[] ip = address.getAddress().getAddress();
        String local = String.format("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], address.getPort());
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 12 && fields[1].equals(local)) {
                return Long.parseLong(fields[fields.length - 1]);
            }
        }
        throw new IllegalStateException("no socket " + local + " in /proc/net/udp");
    }

    private static int maxReceiveBuffer() throws IOException {
        // Not Files.readString: the kernel's integer sysctls answer its second read (from offset 1) with nothing.
        return Integer.parseInt(String.join("", Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max"))).trim());
    }
}
