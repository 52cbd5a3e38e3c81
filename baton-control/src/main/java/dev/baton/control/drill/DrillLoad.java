package dev.baton.control.drill;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The drill's client side: {@code connections} long-lived TCP connections to the target and a fresh probe connection
 * every probe interval, all on one thread around one {@link Selector}.
 *
 * <ul>
 *   <li><b>echo</b>: a message every interval on each connection ({@link EchoLedger}); every byte that comes back is
 *   checked against what was sent. Kept: established, never broken, nothing different, every message echoed.</li>
 *   <li><b>keepalive</b>: for a service that is not an echo (HTTP, SSH, a database), connections that send nothing
 *   and are kept alive by the kernel's TCP keep-alive probes, one a second ({@code SO_KEEPALIVE},
 *   {@code TCP_KEEPIDLE} = {@code TCP_KEEPINTVL} = 1 s, {@code TCP_KEEPCNT} = {@value #KEEPALIVE_COUNT}). A probe is a
 *   segment through the router like any other, so after the switch each connection's next probe goes through the
 *   new active: a connection it does not hold is dropped there ({@code tcp-no-connection}) and the kernel gives up
 *   after {@value #KEEPALIVE_COUNT} unanswered probes (ETIMEDOUT); one sent to a server that does not know it is
 *   answered with a reset (ECONNRESET); a server that closes sends a FIN. The selector reports each of them as
 *   readiness on the socket at once, so watching costs nothing between events: no read or poll per interval.
 *   Whatever the server sends is counted and discarded (its protocol is not known). Kept: open to the end.
 *   Without data, no stall is measured.</li>
 * </ul>
 *
 * <p>Connections open at most {@value #OPENED_PER_MS} a millisecond (a burst of SYNs would overflow a server's accept
 * queue). The measured {@code duration} starts once every connection is up (in echo mode: has had its first echo),
 * or the set-up timeout passed; then the drain lets outstanding echoes and probes arrive. Bounded: at most
 * {@value #MAX_CONNECTIONS} connections, at most {@value #MAX_OPEN_PROBES} probes open at once, every phase with a
 * deadline, reads of at most 64 KiB a time and {@value #READS_PER_EVENT} reads per connection per wake-up. A network
 * error ends its connection or probe, counted with its text; it never leaves the loop.
 *
 * <p>Threads: started by the drill's thread; the loop runs on {@code baton-drill-load}; {@link #outcome()} is read
 * after {@link #awaitEnd} returned true.
 */
public final class DrillLoad implements AutoCloseable {

    public static final int MAX_CONNECTIONS = 2000;
    public static final int MAX_OPEN_PROBES = 64;
    public static final int KEEPALIVE_COUNT = 3;
    static final int OPENED_PER_MS = 2;
    static final int READS_PER_EVENT = 4;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    public enum Mode {
        ECHO, KEEPALIVE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What to run.
     *
     * @param target        the VIP and port
     * @param mode          echo or keepalive
     * @param connections   1..{@value #MAX_CONNECTIONS}
     * @param interval      between two messages on a connection (echo mode)
     * @param duration      measured, from the moment every connection is up
     * @param probeInterval between two probe connections
     * @param probeTimeout  a probe not done within it failed
     * @param setupTimeout  every connection must be up within it
     * @param drain         after the duration, outstanding echoes and probes get this long
     */
    public record Settings(InetSocketAddress target, Mode mode, int connections, Duration interval, Duration duration,
                           Duration probeInterval, Duration probeTimeout, Duration setupTimeout, Duration drain) {

        public Settings {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(mode, "mode");
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections " + connections + " is outside 1.." + MAX_CONNECTIONS);
            }
            for (Duration d : List.of(interval, duration, probeInterval, probeTimeout, setupTimeout, drain)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("every duration must be positive: " + d);
                }
            }
        }

        /** Probes the run can open: one per probe interval over the duration and the drain, and one more. */
        int probeCapacity() {
            return (int) Math.min(100_000, duration.plus(drain).toNanos() / probeInterval.toNanos() + 1);
        }
    }

    private final Settings settings;
    private final LongSupplier clockNs;
    private final Connection[] connections;
    private final ProbeOutage probes;
    private final List<Probe> openProbes = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private Selector selector;
    private Thread thread;
    private volatile boolean stopRequested;
    private volatile long readyNs;
    private volatile int notReady;
    private volatile Throwable failure;
    private long endNs;
    private long maxLatenessNs;
    private int probesSkipped;
    /** The first few probe failures in words, for the report. */
    private final List<String> probeErrors = new ArrayList<>();
    static final int PROBE_ERRORS_KEPT = 5;

    /** @param clockNs {@link System#nanoTime} in production: the loop reads it once per wake-up */
    public DrillLoad(Settings settings, LongSupplier clockNs) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        this.connections = new Connection[settings.connections()];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Connection(i, settings.mode());
        }
        this.probes = new ProbeOutage(settings.probeCapacity());
    }

    /** Starts the loop on its own thread. */
    public void start() throws IOException {
        selector = Selector.open();
        thread = Thread.ofPlatform().name("baton-drill-load").daemon(true).start(this::run);
    }

    /**
     * Waits, at most {@code timeout}, until every connection is up or the set-up timeout passed.
     *
     * @return whether the load got there (then {@link #notReady()} says how many connections did not come up)
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** When the measured duration began ({@link System#nanoTime} scale); valid after {@link #awaitReady}. */
    public long readyNs() {
        return readyNs;
    }

    /** Connections not up when the duration began. */
    public int notReady() {
        return notReady;
    }

    /** Waits, at most {@code timeout}, for the loop to end (the duration and the drain, or a stop). */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the duration now (the drain still runs): the drill stops early when the switch-over failed. */
    public void stopEarly() {
        stopRequested = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /**
     * What the clients saw, times relative to {@code originNs} (the switch-over command; {@link System#nanoTime}
     * scale). Only after {@link #awaitEnd} returned true.
     */
    public LoadOutcome outcome(long originNs) {
        if (ended.getCount() != 0) {
            throw new IllegalStateException("the load is still running");
        }
        List<LoadOutcome.Broken> broken = new ArrayList<>();
        List<Long> stallsNs = new ArrayList<>();
        long sent = 0;
        long echoed = 0;
        long awaited = 0;
        long received = 0;
        int mismatches = 0;
        int kept = 0;
        for (Connection c : connections) {
            sent += c.ledger.messagesSent();
            echoed += c.ledger.messagesEchoed();
            awaited += c.ledger.messagesAwaited();
            received += c.ledger.bytesReceived() + c.discardedBytes;
            if (c.ledger.mismatch() != null) {
                mismatches++;
            }
            if (settings.mode() == Mode.ECHO && c.ledger.stall().started()) {
                stallsNs.add(c.ledger.stall().longestNs());
            }
            String why = c.whyNotKept(settings.mode());
            if (why == null) {
                kept++;
            } else {
                broken.add(new LoadOutcome.Broken(c.id, why, c.endedNs == 0 ? 0 : c.endedNs - originNs));
            }
        }
        return new LoadOutcome(settings.mode(), connections.length, kept, List.copyOf(broken), sent, echoed, awaited,
                mismatches, received, List.copyOf(stallsNs), probes.result(originNs), List.copyOf(probeErrors), probesSkipped,
                maxLatenessNs, failure);
    }

    @Override
    public void close() {
        abort();
    }

    /** Stops the loop at once (no drain) and waits up to 5 s for its thread: a load that overran its deadline. */
    public void abort() {
        stopEarly();
        Thread t = thread;
        if (t != null && t.isAlive()) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the loop

    private void run() {
        try {
            loop();
        } catch (Throwable t) {
            failure = t;
        } finally {
            for (Connection c : connections) {
                c.close();
            }
            for (Probe p : openProbes) {
                p.close();
            }
            try {
                selector.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
            ready.countDown();
            ended.countDown();
        }
    }

    private void loop() throws IOException {
        long beginNs = clockNs.getAsLong();
        long intervalNs = settings.interval().toNanos();
        long setupDeadlineNs = beginNs + settings.setupTimeout().toNanos();
        long nextTickNs = beginNs;
        // nanoTime may be negative: no sentinel values, flags say which deadlines are set.
        long nextProbeNs = 0;
        boolean probing = false;
        long drainDeadlineNs = 0;
        boolean sending = true;
        int opened = 0;
        boolean measuring = false;
        while (true) {
            long nowNs = clockNs.getAsLong();
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            // Set-up: connections open at a bounded rate until every one is up or the set-up time is over.
            int allowed = (int) Math.min(connections.length, 20 + (nowNs - beginNs) / 1_000_000 * OPENED_PER_MS);
            while (opened < allowed) {
                connections[opened++].open(nowNs);
            }
            if (!measuring && opened == connections.length && (allUp() || nowNs - setupDeadlineNs >= 0)) {
                measuring = true;
                startMeasuring(nowNs);
                endNs = nowNs + settings.duration().toNanos();
                nextProbeNs = nowNs + settings.probeInterval().toNanos();
                probing = true;
            }
            if (measuring && sending && (nowNs - endNs >= 0 || stopRequested)) {
                sending = false;
                drainDeadlineNs = nowNs + settings.drain().toNanos();
                probing = false;
            }
            if (!sending && (nowNs - drainDeadlineNs >= 0 || drained())) {
                finish(nowNs);
                return;
            }
            if (sending && nowNs - nextTickNs >= 0) {
                if (measuring) {
                    maxLatenessNs = Math.max(maxLatenessNs, nowNs - nextTickNs);
                }
                // A late loop skips ticks rather than bursting: never more than one message per interval.
                while (nowNs - nextTickNs >= 0) {
                    nextTickNs += intervalNs;
                }
                if (settings.mode() == Mode.ECHO) {
                    for (int i = 0; i < opened; i++) {
                        connections[i].sendIfDue();
                    }
                }
            }
            if (probing && nowNs - nextProbeNs >= 0) {
                openProbe(nowNs);
                while (nowNs - nextProbeNs >= 0) {
                    nextProbeNs += settings.probeInterval().toNanos();
                }
            }
            expireProbes(nowNs);
            // Waits as differences from now (never comparing raw nanoTime values): at most 10 ms while probes are open
            // (their deadlines), 1 ms while connections are still to be opened.
            long waitNs = (sending ? nextTickNs : drainDeadlineNs) - nowNs;
            if (probing) {
                waitNs = Math.min(waitNs, nextProbeNs - nowNs);
            }
            if (!measuring) {
                waitNs = Math.min(waitNs, Math.min(setupDeadlineNs - nowNs, 1_000_000));
            }
            if (!openProbes.isEmpty()) {
                waitNs = Math.min(waitNs, 10_000_000);
            }
            long waitMs = Math.max(0, waitNs / 1_000_000);
            int selected = waitMs == 0 ? selector.selectNow() : selector.select(waitMs);
            if (selected > 0) {
                long eventNs = clockNs.getAsLong();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.attachment() instanceof Connection c) {
                        c.onReady(key, eventNs);
                    } else if (key.attachment() instanceof Probe p) {
                        p.onReady(key, eventNs);
                    }
                }
            }
        }
    }

    private boolean allUp() {
        for (Connection c : connections) {
            if (!c.up(settings.mode()) && c.endedNs == 0) {
                return false;
            }
        }
        return true;
    }

    /** The duration begins: connections not up fail; the stall meters start. */
    private void startMeasuring(long nowNs) {
        int missing = 0;
        for (Connection c : connections) {
            if (!c.up(settings.mode())) {
                missing++;
                c.fail(c.endedNs == 0 ? "not up within the set-up time of " + settings.setupTimeout().toMillis() + " ms" : c.error, nowNs);
            } else {
                c.ledger.stall().start(nowNs);
            }
        }
        notReady = missing;
        readyNs = nowNs;
        ready.countDown();
    }

    private boolean drained() {
        if (!openProbes.isEmpty()) {
            return false;
        }
        for (Connection c : connections) {
            if (c.endedNs == 0 && c.ledger.messagesAwaited() > 0) {
                return false;
            }
        }
        return true;
    }

    private void finish(long nowNs) {
        for (Connection c : connections) {
            c.ledger.stall().finish(c.endedNs == 0 ? nowNs : c.endedNs, c.ledger.messagesAwaited() > 0);
        }
        for (Probe p : List.copyOf(openProbes)) {
            p.fail("no answer before the drill ended", nowNs);
        }
    }

    private void openProbe(long nowNs) {
        if (openProbes.size() >= MAX_OPEN_PROBES) {
            probesSkipped++;
            return;
        }
        int index = probes.open(nowNs);
        if (index < 0) {
            probesSkipped++;
            return;
        }
        Probe probe = new Probe(index, nowNs + settings.probeTimeout().toNanos());
        openProbes.add(probe);
        probe.open();
    }

    private void expireProbes(long nowNs) {
        for (int i = openProbes.size() - 1; i >= 0; i--) {
            Probe p = openProbes.get(i);
            if (nowNs - p.deadlineNs >= 0) {
                p.fail("not done within " + settings.probeTimeout().toMillis() + " ms", nowNs);
            }
        }
    }

    /** Opens a non-blocking channel to the target; the keep-alive options in keepalive mode. */
    private SocketChannel connect(boolean keepAlive) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (keepAlive) {
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                channel.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_COUNT);
            }
            channel.connect(settings.target());
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An I/O error in words for the report. */
    static String describe(String what, Exception e) {
        String message = e.getMessage();
        return what + ": " + (message == null ? e.getClass().getSimpleName() : message);
    }

    // ------------------------------------------------------------------------------------------ a connection

    /** One long-lived connection. */
    private final class Connection {
        final int id;
        final EchoLedger ledger;
        /** Bytes handed over for sending and not yet taken by the kernel (echo mode), in write mode. */
        final ByteBuffer unsent;
        SocketChannel channel;
        SelectionKey key;
        boolean connected;
        long endedNs;
        String error;
        long discardedBytes;

        Connection(int id, Mode mode) {
            this.id = id;
            this.ledger = new EchoLedger(id);
            this.unsent = ByteBuffer.allocate(mode == Mode.ECHO ? EchoLedger.MAX_OUTSTANDING_BYTES + EchoLedger.MAX_MESSAGE_BYTES : 0);
        }

        void open(long nowNs) {
            try {
                channel = connect(settings.mode() == Mode.KEEPALIVE);
                key = channel.register(selector, SelectionKey.OP_CONNECT, this);
            } catch (IOException | RuntimeException e) {
                fail(describe("connect", e), nowNs);
            }
        }

        boolean up(Mode mode) {
            return endedNs == 0 && connected && (mode == Mode.KEEPALIVE || ledger.messagesEchoed() > 0);
        }

        void sendIfDue() {
            if (!connected || endedNs != 0 || !ledger.maySend()) {
                return;
            }
            unsent.put(ledger.nextMessage());
            flush(clockNs.getAsLong());
        }

        void flush(long nowNs) {
            if (unsent.position() == 0 || endedNs != 0) {
                return;
            }
            unsent.flip();
            try {
                channel.write(unsent);
            } catch (IOException e) {
                unsent.compact();
                fail(describe("send", e), nowNs);
                return;
            }
            unsent.compact();
            key.interestOps(SelectionKey.OP_READ | (unsent.position() > 0 ? SelectionKey.OP_WRITE : 0));
        }

        void onReady(SelectionKey k, long nowNs) {
            if (endedNs != 0 || !k.isValid()) {
                return;
            }
            if (k.isConnectable()) {
                try {
                    channel.finishConnect();
                } catch (IOException e) {
                    fail(describe("connect", e), nowNs);
                    return;
                }
                connected = true;
                key.interestOps(SelectionKey.OP_READ);
                if (settings.mode() == Mode.ECHO && ledger.messagesSent() == 0) {
                    sendIfDue(); // the first echo tells the set-up this connection is up
                }
                return;
            }
            if (k.isWritable()) {
                flush(nowNs);
            }
            if (endedNs == 0 && k.isReadable()) {
                read(nowNs);
            }
        }

        private void read(long nowNs) {
            for (int i = 0; i < READS_PER_EVENT && endedNs == 0; i++) {
                readBuffer.clear();
                int n;
                try {
                    n = channel.read(readBuffer);
                } catch (IOException e) {
                    fail(describe("receive", e), nowNs);
                    return;
                }
                if (n < 0) {
                    fail("closed by the server (FIN) with " + ledger.messagesAwaited() + " messages awaiting their echo", nowNs);
                    return;
                }
                if (n == 0) {
                    return;
                }
                readBuffer.flip();
                if (settings.mode() == Mode.KEEPALIVE) {
                    discardedBytes += n;
                } else if (!ledger.accept(readBuffer, nowNs)) {
                    fail("echo mismatch: " + ledger.mismatch(), nowNs);
                    return;
                }
            }
        }

        void fail(String why, long nowNs) {
            if (endedNs == 0) {
                error = why;
                endedNs = nowNs;
            }
            close();
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing: nothing more to learn from it
                }
            }
        }

        /** Null when kept, else why not. */
        String whyNotKept(Mode mode) {
            if (error != null) {
                return error;
            }
            if (!connected) {
                return "never connected";
            }
            if (mode == Mode.ECHO && ledger.messagesAwaited() > 0) {
                return ledger.messagesAwaited() + " messages never echoed";
            }
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ a probe

    /** A fresh connection: connected (and in echo mode its one message echoed) within the probe timeout, or failed. */
    private final class Probe {
        final int index;
        final long deadlineNs;
        final EchoLedger ledger;
        SocketChannel channel;
        SelectionKey key;
        boolean done;

        Probe(int index, long deadlineNs) {
            this.index = index;
            this.deadlineNs = deadlineNs;
            this.ledger = new EchoLedger(index);
        }

        void open() {
            try {
                channel = connect(false);
                key = channel.register(selector, SelectionKey.OP_CONNECT, this);
            } catch (IOException | RuntimeException e) {
                fail(describe("connect", e), 0);
            }
        }

        void onReady(SelectionKey k, long nowNs) {
            if (done || !k.isValid()) {
                return;
            }
            try {
                if (k.isConnectable()) {
                    channel.finishConnect();
                    if (settings.mode() == Mode.KEEPALIVE) {
                        succeed();
                        return;
                    }
                    // One short message: it fits any socket buffer, so one write takes it.
                    ByteBuffer message = ByteBuffer.wrap(ledger.nextMessage());
                    channel.write(message);
                    if (message.hasRemaining()) {
                        fail("its message did not fit the socket buffer", nowNs);
                        return;
                    }
                    key.interestOps(SelectionKey.OP_READ);
                    return;
                }
                if (k.isReadable()) {
                    readBuffer.clear();
                    int n = channel.read(readBuffer);
                    if (n < 0) {
                        fail("closed by the server (FIN) before its echo", nowNs);
                    } else if (n > 0) {
                        readBuffer.flip();
                        if (!ledger.accept(readBuffer, nowNs)) {
                            fail("echo mismatch: " + ledger.mismatch(), nowNs);
                        } else if (ledger.messagesAwaited() == 0) {
                            succeed();
                        }
                    }
                }
            } catch (IOException e) {
                fail(describe("probe", e), nowNs);
            }
        }

        void succeed() {
            probes.succeeded(index);
            end();
        }

        void fail(String why, long nowNs) {
            probes.failed(index);
            if (probeErrors.size() < PROBE_ERRORS_KEPT) {
                probeErrors.add("probe " + (index + 1) + ": " + why);
            }
            end();
        }

        private void end() {
            done = true;
            openProbes.remove(this);
            close();
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing: nothing more to learn from it
                }
            }
        }
    }
}
