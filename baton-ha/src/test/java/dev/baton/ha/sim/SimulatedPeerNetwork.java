package dev.baton.ha.sim;

import dev.baton.keepalive.PeerSockets;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The peer links of simulated routers as an in-memory datagram network with one stepped clock and faults drawn
 * from a seeded {@link Random}: loss, delay (so reordering), duplication, and cuts between two addresses (a
 * link failure; every link between two routers cut is a partition). A datagram sent at {@code t} becomes
 * readable at {@code t + delay}; a socket holds at most {@link #RECEIVE_QUEUE_LIMIT} unread datagrams, like a
 * kernel receive buffer, so a frozen router's backlog is bounded and what arrives beyond it is lost.
 *
 * <p>Sockets bind per router ({@link #sockets(String)}), so a crash closes exactly that router's sockets, and a
 * restarted router binds its addresses again.
 */
public final class SimulatedPeerNetwork {

    static final int RECEIVE_QUEUE_LIMIT = 2_048;

    private final Random random;
    private final LongSupplier clock;
    private final Map<InetSocketAddress, Socket> bound = new HashMap<>();
    private final Set<List<InetAddress>> cuts = new HashSet<>();
    private long sequence;
    /** Probability that a datagram is lost. */
    double lossRate;
    /** Probability that a datagram is delivered twice. */
    double duplicateRate;
    /** Delay of a datagram: {@code minDelayMs} plus up to {@code jitterMs}, uniformly. */
    long minDelayMs;
    long jitterMs;
    long sent;
    long lost;
    long duplicated;
    long overflowed;

    SimulatedPeerNetwork(Random random, LongSupplier clock) {
        this.random = random;
        this.clock = clock;
    }

    /** The sockets one router binds: its own, so that {@link #closeAll(String)} is its crash. */
    PeerSockets sockets(String owner) {
        return local -> {
            if (bound.containsKey(local)) {
                throw new java.net.BindException(local + " already bound by " + bound.get(local).owner);
            }
            Socket socket = new Socket(owner, local);
            bound.put(local, socket);
            return socket;
        };
    }

    /** Closes every socket {@code owner} bound (its process died): what was queued for it is gone. */
    void closeAll(String owner) {
        bound.values().removeIf(socket -> socket.owner.equals(owner));
    }

    /** Cuts or restores the path between two addresses, both directions. */
    void cut(InetAddress a, InetAddress b, boolean cut) {
        List<InetAddress> key = key(a, b);
        if (cut) {
            cuts.add(key);
        } else {
            cuts.remove(key);
        }
    }

    boolean isCut(InetAddress a, InetAddress b) {
        return cuts.contains(key(a, b));
    }

    void healAll() {
        cuts.clear();
    }

    /** Whether any path is cut. */
    boolean anyCut() {
        return !cuts.isEmpty();
    }

    private static List<InetAddress> key(InetAddress a, InetAddress b) {
        return a.getHostAddress().compareTo(b.getHostAddress()) <= 0 ? List.of(a, b) : List.of(b, a);
    }

    private void deliver(InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
        sent++;
        if (cuts.contains(key(from.getAddress(), to.getAddress())) || random.nextDouble() < lossRate) {
            lost++;
            return;
        }
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        duplicated += copies - 1;
        Socket target = bound.get(to);
        for (int c = 0; c < copies && target != null; c++) {
            if (target.queue.size() >= RECEIVE_QUEUE_LIMIT) {
                overflowed++;
                return;
            }
            long delay = minDelayMs + (jitterMs > 0 ? random.nextLong(jitterMs + 1) : 0);
            target.queue.add(new Datagram(clock.getAsLong() + delay, sequence++, from, bytes));
        }
    }

    private record Datagram(long readableAtMs, long sequence, InetSocketAddress from, byte[] bytes) {
    }

    private final class Socket implements PeerSockets.PeerSocket {
        final String owner;
        final InetSocketAddress local;
        final PriorityQueue<Datagram> queue = new PriorityQueue<>((x, y) -> x.readableAtMs != y.readableAtMs
                ? Long.compare(x.readableAtMs, y.readableAtMs) : Long.compare(x.sequence, y.sequence));

        Socket(String owner, InetSocketAddress local) {
            this.owner = owner;
            this.local = local;
        }

        @Override
        public int send(ByteBuffer datagram, InetSocketAddress to) {
            byte[] bytes = new byte[datagram.remaining()];
            datagram.get(bytes);
            if (bound.get(local) == this) { // a closed socket sends nothing
                deliver(local, to, bytes);
            }
            return bytes.length;
        }

        @Override
        public SocketAddress receive(ByteBuffer into) {
            Datagram head = queue.peek();
            if (head == null || head.readableAtMs > clock.getAsLong()) {
                return null;
            }
            queue.poll();
            into.put(head.bytes, 0, Math.min(head.bytes.length, into.remaining()));
            return head.from;
        }

        @Override
        public int receiveBufferBytes() {
            return RECEIVE_QUEUE_LIMIT * 2_048;
        }

        @Override
        public void close() {
            bound.remove(local, this);
        }
    }

    /** Every address bound now, for diagnostics. */
    List<InetSocketAddress> boundAddresses() {
        return new ArrayList<>(bound.keySet());
    }
}
