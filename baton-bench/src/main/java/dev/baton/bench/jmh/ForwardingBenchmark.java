package dev.baton.bench.jmh;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.TcpFlyweight;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static dev.baton.bench.jmh.ForwardingRig.CLIENT_NETWORK;
import static dev.baton.bench.jmh.ForwardingRig.FRONT_MAC;
import static dev.baton.bench.jmh.ForwardingRig.UPSTREAM_ADDRESS;
import static dev.baton.bench.jmh.ForwardingRig.UPSTREAM_MAC;
import static dev.baton.bench.jmh.ForwardingRig.VIP;
import static dev.baton.bench.jmh.ForwardingRig.VIP_PORT;

/**
 * The forwarding worker's cost per frame without I/O: {@link dev.baton.dataplane.forward.Forwarder#doWork}
 * over {@link ReplayPacketPort}s, each duty cycle receiving {@value #FRAMES_PER_CYCLE} frames and
 * transmitting what they produce. One operation is one frame, so the score is nanoseconds per frame, the duty
 * cycle's fixed work (server availability, ARP probe check, flush, two expiry-sweep slices) included.
 *
 * <ul>
 *   <li>{@code establishedConnectionHit}: TCP ACKs of {@value #ESTABLISHED_FLOWS} established connections,
 *       round-robin: parse, table hit, touch, rewrite the Ethernet addresses, copy to the server port.</li>
 *   <li>{@code newConnectionSyn}: TCP SYNs, each from a client address and port never seen before: parse,
 *       table miss, weighted-round-robin scheduling, insert, copy. Before each cycle the benchmark writes a
 *       fresh client address and port into the 256 frames (two stores per frame, timed with the rest; the
 *       checksums go stale, which the forwarder never reads). Each iteration starts from an empty table big
 *       enough for every SYN it will see.</li>
 *   <li>{@code arpRequestAnswered}: ARP requests for the VIP on the client port, each answered with an ARP
 *       reply built in the transmit buffer.</li>
 * </ul>
 * Every iteration ends with a check that each frame received was forwarded (or answered) and nothing dropped;
 * a benchmark that silently measured drops would fail there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx16g"})
public class ForwardingBenchmark {

    /** Frames per duty cycle (one {@code receive} of the client port): an AF_PACKET batch's order of size. */
    static final int FRAMES_PER_CYCLE = 256;
    /** Established connections replayed round-robin. */
    static final int ESTABLISHED_FLOWS = 4_096;
    /** Table capacity for the SYN benchmark: at most this many new connections per iteration. */
    static final int NEW_CONNECTION_CAPACITY = 16_000_000;
    /** Distinct client keys available for SYNs: 256 addresses of 203.0.113.0/24 times 65,536 ports. */
    static final int NEW_CONNECTION_KEYS = 1 << 24;

    /** The table of the default worker: room for the established connections. */
    private static final int DEFAULT_CAPACITY = 65_536;

    @State(Scope.Thread)
    public static class EstablishedConnections {
        ForwardingRig rig;
        FrameSet syns;
        FrameSet acks;

        @Setup(Level.Trial)
        public void open() {
            rig = new ForwardingRig(DEFAULT_CAPACITY);
            syns = new FrameSet(ESTABLISHED_FLOWS);
            acks = new FrameSet(ESTABLISHED_FLOWS);
            for (int flow = 0; flow < ESTABLISHED_FLOWS; flow++) {
                int client = CLIENT_NETWORK | (flow & 0xFF);
                int clientPort = 1_024 + (flow >>> 8);
                syns.tcp(flow, FRONT_MAC, UPSTREAM_MAC, client, clientPort, VIP, VIP_PORT, TcpFlyweight.SYN);
                acks.tcp(flow, FRONT_MAC, UPSTREAM_MAC, client, clientPort, VIP, VIP_PORT, TcpFlyweight.ACK);
            }
            // Open every connection (SYN), then complete it (first ACK): from then on each ACK is a plain hit.
            replayOnce(rig, syns);
            replayOnce(rig, acks);
            rig.front.replay(acks, FRAMES_PER_CYCLE);
            ConnectionTable table = rig.forwarder.table();
            for (int flow = 0; flow < ESTABLISHED_FLOWS; flow++) {
                long slot = table.find(Ipv4Flyweight.PROTOCOL_TCP, CLIENT_NETWORK | (flow & 0xFF), 1_024 + (flow >>> 8), VIP, VIP_PORT);
                // The first ACK makes a connection UNCONFIRMED; a later one, a second on, ESTABLISHED.
                int state = slot < 0 ? -1 : table.state(slot);
                if (state != TcpState.UNCONFIRMED && state != TcpState.ESTABLISHED) {
                    throw new IllegalStateException("connection " + flow + " did not complete its handshake");
                }
            }
            rig.checkEveryFrameForwarded();
        }

        @TearDown(Level.Iteration)
        public void check() {
            rig.checkEveryFrameForwarded();
            ConnectionTable table = rig.forwarder.table();
            if (table.size() != ESTABLISHED_FLOWS || table.inserts() != ESTABLISHED_FLOWS) {
                throw new IllegalStateException("established connections changed: " + table.size() + " entries, "
                        + table.inserts() + " inserts");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            rig.close();
            syns.close();
            acks.close();
        }
    }

    @State(Scope.Thread)
    public static class NewConnections {
        FrameSet syns;
        ForwardingRig rig;
        /** Connections opened in this iteration: the next SYN's client key. */
        int nextKey;
        private final Ipv4Flyweight ip = new Ipv4Flyweight();
        private final TcpFlyweight tcp = new TcpFlyweight();

        @Setup(Level.Trial)
        public void makeFrames() {
            syns = new FrameSet(FRAMES_PER_CYCLE);
            for (int i = 0; i < FRAMES_PER_CYCLE; i++) {
                syns.tcp(i, FRONT_MAC, UPSTREAM_MAC, CLIENT_NETWORK, 1_024, VIP, VIP_PORT, TcpFlyweight.SYN);
            }
        }

        @Setup(Level.Iteration)
        public void openEmptyWorker() {
            rig = new ForwardingRig(NEW_CONNECTION_CAPACITY);
            rig.front.replay(syns, FRAMES_PER_CYCLE);
            nextKey = 0;
        }

        /** Gives each of the cycle's SYNs a client address and port no earlier SYN of this iteration had. */
        void stampFreshClients() {
            if (nextKey > NEW_CONNECTION_KEYS - FRAMES_PER_CYCLE) {
                throw new IllegalStateException("ran out of distinct client keys: make the iteration shorter");
            }
            for (int i = 0; i < FRAMES_PER_CYCLE; i++) {
                int key = nextKey++;
                long at = syns.offset(i);
                ip.wrap(syns.segment(), at + FrameSet.IP_OFFSET, Ipv4Flyweight.MIN_HEADER_LENGTH)
                        .sourceAddress(CLIENT_NETWORK | (key & 0xFF));
                tcp.wrap(syns.segment(), at + FrameSet.TCP_OFFSET, FrameSet.TCP_HEADER_BYTES)
                        .sourcePort(key >>> 8);
            }
        }

        @TearDown(Level.Iteration)
        public void checkAndClose() {
            try {
                rig.checkEveryFrameForwarded();
                ConnectionTable table = rig.forwarder.table();
                long synsReceived = rig.counter(WorkerCounters.RX_FRAMES);
                if (table.size() != synsReceived || table.insertFailuresFull() != 0) {
                    throw new IllegalStateException(synsReceived + " SYNs made " + table.size()
                            + " connections (" + table.insertFailuresFull() + " refused): not all were new");
                }
            } finally {
                rig.close();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            syns.close();
        }
    }

    @State(Scope.Thread)
    public static class ArpRequests {
        ForwardingRig rig;
        FrameSet requests;

        @Setup(Level.Trial)
        public void open() {
            rig = new ForwardingRig(DEFAULT_CAPACITY);
            requests = new FrameSet(FRAMES_PER_CYCLE);
            for (int i = 0; i < FRAMES_PER_CYCLE; i++) {
                requests.arpRequest(i, UPSTREAM_MAC, UPSTREAM_ADDRESS, VIP);
            }
            replayOnce(rig, requests);
            check();
        }

        /** Throws unless every request received was answered with a reply to the requester. */
        @TearDown(Level.Iteration)
        public void check() {
            long received = rig.counter(WorkerCounters.RX_FRAMES);
            long replies = rig.counter(WorkerCounters.ARP_REPLIES_SENT);
            if (replies != received || rig.front.framesCommitted() != received || rig.totalDrops() != 0) {
                throw new IllegalStateException(received + " ARP requests got " + replies + " replies");
            }
            ForwardingRig.checkLastSent(rig.front, UPSTREAM_MAC, UPSTREAM_MAC);
            int operation = new ArpFlyweight().wrap(rig.front.txBuffer(),
                    rig.front.lastCommittedOffset() + EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH).operation();
            if (operation != ArpFlyweight.OP_REPLY) {
                throw new IllegalStateException("the answer is ARP operation " + operation + ", not a reply");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            rig.close();
            requests.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_CYCLE)
    public int establishedConnectionHit(EstablishedConnections state) {
        return state.rig.cycle();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_CYCLE)
    public int newConnectionSyn(NewConnections state) {
        state.stampFreshClients();
        return state.rig.cycle();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_CYCLE)
    public int arpRequestAnswered(ArpRequests state) {
        return state.rig.cycle();
    }

    /** Delivers every frame of {@code frames} once, a cycle at a time, checking each cycle's frame count. */
    private static void replayOnce(ForwardingRig rig, FrameSet frames) {
        rig.front.replay(frames, FRAMES_PER_CYCLE);
        for (int delivered = 0; delivered < frames.count(); delivered += FRAMES_PER_CYCLE) {
            long before = rig.front.framesDelivered();
            rig.cycle();
            if (rig.front.framesDelivered() - before != FRAMES_PER_CYCLE) {
                throw new IllegalStateException("a duty cycle received " + (rig.front.framesDelivered() - before)
                        + " frames, not " + FRAMES_PER_CYCLE + ": the per-frame score would be wrong");
            }
        }
    }
}
