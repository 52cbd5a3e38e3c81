package dev.baton.probe;

import java.lang.foreign.Arena;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.KeyStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.baton.agent.Agent;
import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.NativeException;

/**
 * Probes targets (TCP connect, HTTP or HTTPS GET, ICMP echo, ARP who-has) and keeps each one's health with
 * {@link RiseFall}: the engine the reachability manager (RM 230, US 6,148,410 FIG. 4) and server health checks
 * run on. An {@link Agent}: one thread, non-blocking, driven by {@link #doWork(long)} with the time handed in; it
 * never reads a clock, so tests step it. The engine keeps the targets, their schedule and their results; how a probe
 * of each kind is sent and answered is {@link RingProbes}' (TCP and ICMP echo of on-link targets of an interface
 * given to {@link #addLink}, as frames through its packet rings), {@link StreamProbes}' (other TCP, HTTP, and HTTPS
 * with {@link TlsProbes}), {@link EchoProbes}' (other ICMP echo) and {@link ArpProbes}' (ARP).
 *
 * <h2>Schedule</h2>
 * A target's probes start every {@code intervalMs}, the first one {@link #staggerMs staggered} across the interval
 * by the target's id (golden-ratio spacing: any number of targets added together are spread evenly, so 1,000
 * targets do not all fire in the same millisecond). A probe fails when {@code timeoutMs} passes without an answer;
 * the timeout is shorter than the interval, so a target has at most one probe in flight. If the engine was held
 * up for longer than an interval, the missed starts are skipped, not fired in a burst.
 *
 * <h2>One duty cycle</h2>
 * <ol>
 *   <li>The answers in every link's RX ring are read (no system call).</li>
 *   <li>One {@code epoll_wait} (no wait; none when no target goes through a socket) on the engine's {@link Epoll},
 *       which watches every socket: each TCP, HTTP or
 *       HTTPS probe's own socket, each raw ICMP socket (one per source address) and each packet socket for ARP (one per
 *       interface). Only the sockets it reports are touched: a ready TCP socket is handled once, and at most
 *       {@value #RECEIVES_PER_SOCKET} datagrams are read from a ready ICMP or ARP socket.</li>
 *   <li>When the earliest deadline has come: probes past their timeout fail, and probes that are due start.</li>
 *   <li>Every link's TX ring is kicked once for the frames the cycle wrote.</li>
 * </ol>
 * Answers are read before timeouts are judged, so an answer that came while the thread was held up counts.
 *
 * <h2>Bounds</h2>
 * At most {@code maxTargets} targets. Buffers are allocated once (an HTTPS target's when it is added). Of an HTTP
 * response, at most {@value #READ_BUFFER_BYTES} bytes are read per target per cycle, within
 * {@link HttpResponseScanner}'s bounds; of an HTTPS connection, one TLS packet per cycle within {@link TlsProbes}'.
 * Nothing a peer sends throws out of {@link #doWork}: every I/O error becomes the probe's failure cause. Sockets are
 * closed on every path (answer, failure, timeout, {@link #remove}, {@link #onClose}).
 *
 * <h2>Allocation</h2>
 * Probes allocate nothing, HTTPS apart: causes are made when a target is added (or the first time an errno or a MAC
 * is seen), and every call on a probe's success path skips errno capture (a capturing downcall allocates until the JIT
 * has inlined it); a failed call is repeated with capture to learn why. What this asks of TCP and HTTP probes is in
 * {@link StreamProbes}. An HTTPS probe allocates its TLS engine and handshake; what it reuses is in {@link TlsProbes}.
 *
 * <h2>Threads</h2>
 * Everything, {@link #add}, {@link #remove}, the getters and {@link #drainChanges} included, runs on the engine's
 * thread. Sockets are opened in the network namespace of that thread (TCP at each probe, ICMP and ARP at
 * {@link #add}).
 */
public final class ProbeEngine implements Agent {

    /** The most targets an engine takes: 4,096 servers and peer-router links are far more than a router has. */
    public static final int MAX_CAPACITY = 65_536;
    /** The most datagrams read from one ICMP or ARP socket in one duty cycle. */
    public static final int RECEIVES_PER_SOCKET = 64;
    /** Bytes read from one HTTP connection in one duty cycle. */
    public static final int READ_BUFFER_BYTES = 4_096;
    /** The most socket events handled in one duty cycle; the rest wait for the next (epoll is level-triggered). */
    public static final int EVENTS_PER_CYCLE = 256;

    /** The longest the thread idles between cycles ({@link #idleMs()}). */
    public static final long MAX_IDLE_MS = 50;

    private static final double GOLDEN_RATIO_FRACTION = 0.6180339887498949;
    private static final AtomicInteger ENGINES = new AtomicInteger();

    /** An event's word: set for a shared (ICMP or ARP) socket, whose descriptor is the low 32 bits. */
    private static final long SHARED_SOCKET = 1L << 63;
    /** With {@link #SHARED_SOCKET}: an ARP packet socket, not a raw ICMP socket. */
    private static final long ARP_SOCKET = 1L << 62;

    private final String roleName;
    private final int capacity;
    private final int icmpIdentifier;
    private final TargetState[] targets;
    private int targetCount;
    private int highestSlot = -1;
    /** Each target's next deadline: only the targets whose deadline has come are visited. */
    private final DeadlineHeap deadlines;
    private boolean closed;

    private final LibC libc = new LibC();
    private final Epoll epoll;
    private final Arena arena = Arena.ofShared();
    private final StreamProbes streamProbes;
    private final EchoProbes echoProbes;
    private final ArpProbes arpProbes;
    private final RingProbes ringProbes;
    /** The shortest timeout of any target: how long the thread may idle ({@link #idleMs()}). */
    private long shortestTimeoutMs = Long.MAX_VALUE;
    /** Targets whose probes go through kernel sockets, not rings: with none, a cycle makes no epoll_wait. */
    private int socketTargets;

    // Health changes not yet drained: a ring, oldest first; the oldest is dropped (and counted) when it is full.
    private final int[] changeTarget;
    private final ProbeSpec[] changeSpec;
    private final Health[] changeHealth;
    private final long[] changeAtMs;
    private final String[] changeCause;
    private int changeHead;
    private int changeCount;

    private long probesStarted;
    private long answers;
    private long failures;
    private long timeouts;
    private long changesDropped;

    /** An engine for up to {@code maxTargets} targets whose ICMP identifier is drawn from the process id. */
    public ProbeEngine(String roleName, int maxTargets) {
        this(roleName, maxTargets, (int) (ProcessHandle.current().pid() * 31 + ENGINES.getAndIncrement()) & 0xFFFF);
    }

    /**
     * @param roleName       names the engine's thread, e.g. "probes"
     * @param maxTargets     the most targets at once, 1..{@value #MAX_CAPACITY}
     * @param icmpIdentifier the identifier of this engine's echo requests (RFC 792), 0..65535; engines in one
     *                       namespace should differ so that each ignores the other's replies cheaply
     */
    public ProbeEngine(String roleName, int maxTargets, int icmpIdentifier) {
        this(roleName, maxTargets, icmpIdentifier, null);
    }

    /**
     * As {@link #ProbeEngine(String, int, int)}, with what HTTPS checks that verify certificates trust: null for the
     * JDK's default trust store (what a router uses); tests give a store of their own.
     */
    ProbeEngine(String roleName, int maxTargets, int icmpIdentifier, KeyStore trustedCertificates) {
        this.roleName = Objects.requireNonNull(roleName, "roleName");
        if (maxTargets < 1 || maxTargets > MAX_CAPACITY) {
            throw new IllegalArgumentException("maxTargets must be within 1.." + MAX_CAPACITY + ": " + maxTargets);
        }
        if (icmpIdentifier < 0 || icmpIdentifier > 0xFFFF) {
            throw new IllegalArgumentException("the ICMP identifier is 16 bits: " + icmpIdentifier);
        }
        this.capacity = maxTargets;
        this.icmpIdentifier = icmpIdentifier;
        this.targets = new TargetState[maxTargets];
        this.deadlines = new DeadlineHeap(maxTargets);
        int changeCapacity = Math.max(16, 2 * maxTargets);
        this.changeTarget = new int[changeCapacity];
        this.changeSpec = new ProbeSpec[changeCapacity];
        this.changeHealth = new Health[changeCapacity];
        this.changeAtMs = new long[changeCapacity];
        this.changeCause = new String[changeCapacity];
        try {
            this.epoll = Epoll.open(libc, EVENTS_PER_CYCLE);
        } catch (NativeException e) {
            arena.close();
            throw e;
        }
        ErrnoCauses causes = new ErrnoCauses();
        this.streamProbes = new StreamProbes(this, libc, epoll, causes, arena, trustedCertificates);
        this.echoProbes = new EchoProbes(this, libc, epoll, causes, arena, icmpIdentifier, SHARED_SOCKET);
        this.arpProbes = new ArpProbes(this, libc, epoll, causes, arena, SHARED_SOCKET | ARP_SOCKET);
        this.ringProbes = new RingProbes(this, icmpIdentifier, maxTargets);
    }

    /**
     * Probes the TCP and ICMP targets on the subnet of {@code interfaceName}, sent from its {@code address}, as
     * frames through that interface's rings ({@link RingProbes}) instead of kernel sockets: the targets added
     * after this call. A router gives every interface it forwards on.
     *
     * @param address      the interface's IPv4 address, the targets' source
     * @param prefixLength its subnet's prefix length, 0..32
     */
    public void addLink(String interfaceName, InetAddress address, int prefixLength) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (!(address instanceof Inet4Address) || prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("a link is an IPv4 address and a prefix length 0..32: " + address
                    + "/" + prefixLength);
        }
        byte[] b = address.getAddress();
        ringProbes.addRoute(interfaceName, (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF),
                prefixLength);
    }

    @Override
    public String roleName() {
        return roleName;
    }

    // ------------------------------------------------------------------ targets

    /**
     * Adds a target; its first probe starts at {@code nowMs} plus its {@link #staggerMs stagger}. For ICMP the raw
     * socket of its source address, for ARP the packet socket of its interface is opened now if no other target
     * uses it yet (in the calling thread's namespace); if that fails, the target stays and each of its probes fails
     * with the reason.
     *
     * @return the target's id (its slot), 0..maxTargets-1, until {@link #remove}d
     * @throws IllegalStateException when the engine already has maxTargets targets, or is closed
     */
    public int add(ProbeSpec spec, long nowMs) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("the probe engine is closed");
        }
        int slot = -1;
        for (int i = 0; i < capacity; i++) {
            if (targets[i] == null) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            throw new IllegalStateException("the probe engine is full: " + capacity + " targets");
        }
        TargetState target = new TargetState(slot, spec);
        target.link = ringProbes.retain(target);
        switch (spec.target()) {
            case ProbeTarget.IcmpEcho echo -> target.icmpSocket = target.link != null ? null : echoProbes.retain(target);
            case ProbeTarget.Arp arpTarget -> target.arpSocket = arpProbes.retain(target);
            case ProbeTarget.Https https -> target.tls = streamProbes.tls().prepare(https);
            default -> {
            }
        }
        target.nextStartMs = nowMs + staggerMs(slot, spec.intervalMs());
        targets[slot] = target;
        targetCount++;
        highestSlot = Math.max(highestSlot, slot);
        deadlines.set(slot, target.nextStartMs);
        shortestTimeoutMs = Math.min(shortestTimeoutMs, spec.timeoutMs());
        socketTargets += target.link == null ? 1 : 0;
        return slot;
    }

    /** Removes a target: a probe in flight is abandoned and its socket closed. Unknown ids are ignored. */
    public void remove(int targetId) {
        TargetState target = targetOrNull(targetId);
        if (target == null) {
            return;
        }
        abandon(target);
        echoProbes.release(target.icmpSocket);
        arpProbes.release(target.arpSocket);
        socketTargets -= target.link == null ? 1 : 0;
        ringProbes.release(target.link);
        targets[targetId] = null;
        deadlines.remove(targetId);
        targetCount--;
        while (highestSlot >= 0 && targets[highestSlot] == null) {
            highestSlot--;
        }
        shortestTimeoutMs = Long.MAX_VALUE;
        for (int slot = 0; slot <= highestSlot; slot++) {
            if (targets[slot] != null) {
                shortestTimeoutMs = Math.min(shortestTimeoutMs, targets[slot].spec.timeoutMs());
            }
        }
    }

    /**
     * Where in its interval a target's first probe starts: the fractional part of {@code slot} times the golden
     * ratio, times the interval. Consecutive slots land far apart and any prefix of slots covers the interval
     * evenly (the three-distance theorem), whatever the number of targets.
     */
    public static long staggerMs(int slot, long intervalMs) {
        double fraction = (slot * GOLDEN_RATIO_FRACTION) % 1.0;
        return (long) (fraction * intervalMs);
    }

    // ------------------------------------------------------------------ duty cycle

    @Override
    public int doWork(long nowMs) {
        if (closed) {
            return 0;
        }
        int work = ringProbes.receive(nowMs);
        int ready = socketTargets > 0 ? epoll.poll(0) : 0;
        for (int i = 0; i < ready; i++) {
            long word = epoll.eventData(i);
            if ((word & SHARED_SOCKET) == 0) {
                TargetState target = targetOrNull(StreamProbes.slotOf(word));
                if (target != null && streamProbes.onEvent(target, word, epoll.eventMask(i), nowMs)) {
                    work++;
                }
            } else if ((word & ARP_SOCKET) != 0) {
                work += arpProbes.receiveOn((int) word, nowMs);
            } else {
                work += echoProbes.receiveOn((int) word, nowMs);
            }
        }
        if (nowMs >= deadlines.minKey()) {
            work += scan(nowMs);
        }
        ringProbes.flush(nowMs);
        return work;
    }

    /**
     * How long the engine's thread may idle after a cycle with nothing to do: a quarter of the shortest timeout,
     * at most {@value #MAX_IDLE_MS} ms, at least 1. A wake costs more than the probes it starts (a virtual CPU woken
     * from idle runs its first hundred µs on cold caches and TLBs: docs/benchmarks.md, "Probes"), so the thread
     * wakes rarely and starts the probes that came due meanwhile together, one kick of a ring for all. A probe
     * starts at most that late and a timeout is judged at most that late; answers are read before timeouts are
     * judged, so neither changes a result, and a failure is seen at most that much later.
     */
    public long idleMs() {
        return Math.clamp(shortestTimeoutMs / 4, 1, MAX_IDLE_MS);
    }

    /**
     * Fails the probes past their timeout and starts the probes that are due: only the targets whose deadline has
     * come. A target's key may be early (its probe was answered before the timeout it was filed under): it is
     * then filed again under its next start, one extra step per probe.
     */
    private int scan(long nowMs) {
        int work = 0;
        while (deadlines.minKey() <= nowMs) {
            TargetState target = targets[deadlines.minSlot()];
            if (target.inFlight && nowMs - target.startedAtMs >= target.spec.timeoutMs()) {
                String cause = target.timeoutCauseNow();
                ringProbes.timedOut(target);
                abandon(target);
                timeouts++;
                fail(target, nowMs, cause);
                work++;
            }
            if (!target.inFlight && nowMs >= target.nextStartMs) {
                target.nextStartMs += target.spec.intervalMs();
                if (target.nextStartMs <= nowMs) {
                    target.nextStartMs = nowMs + target.spec.intervalMs();
                }
                start(target, nowMs);
                work++;
            }
            // start may have finished the probe already (a refused connect, a send error): both cases are covered.
            // In flight, the target waits for its probe's end; a next start that has come already (a probe started
            // late, by a held-up cycle, whose next start kept its phase) waits for that end too. Every deadline filed
            // here is later than now, so the loop ends.
            long end = target.startedAtMs + target.spec.timeoutMs();
            long deadline = !target.inFlight ? target.nextStartMs
                    : target.nextStartMs > nowMs ? Math.min(end, target.nextStartMs) : end;
            deadlines.set(target.slot, deadline);
        }
        return work;
    }

    private void start(TargetState target, long nowMs) {
        target.inFlight = true;
        target.awaitingResponse = false;
        target.startedAtMs = nowMs;
        target.probesStarted++;
        probesStarted++;
        switch (target.spec.target()) {
            case ProbeTarget.Tcp tcp -> {
                if (target.link != null) {
                    ringProbes.start(target, nowMs);
                } else {
                    streamProbes.connect(target, nowMs);
                }
            }
            case ProbeTarget.Http http -> streamProbes.connect(target, nowMs);
            case ProbeTarget.Https https -> streamProbes.connect(target, nowMs);
            case ProbeTarget.IcmpEcho echo -> {
                if (target.link != null) {
                    ringProbes.start(target, nowMs);
                } else {
                    echoProbes.start(target, nowMs);
                }
            }
            case ProbeTarget.Arp request -> arpProbes.start(target, nowMs);
        }
    }

    // ------------------------------------------------------------------ results

    /** A probe in flight was answered: {@code cause} says how. For the kinds of probe, on the engine's thread. */
    void finishSuccess(TargetState target, long nowMs, String cause) {
        target.inFlight = false;
        target.awaitingResponse = false;
        target.lastRoundTripMs = nowMs - target.startedAtMs;
        target.successes++;
        answers++;
        if (target.riseFall.success(nowMs, cause)) {
            recordChange(target, nowMs);
        }
    }

    /** A probe in flight failed: {@code cause} says why. For the kinds of probe, on the engine's thread. */
    void finishFailure(TargetState target, long nowMs, String cause) {
        target.inFlight = false;
        target.awaitingResponse = false;
        fail(target, nowMs, cause);
    }

    private void fail(TargetState target, long nowMs, String cause) {
        target.failures++;
        failures++;
        if (target.riseFall.failure(nowMs, cause)) {
            recordChange(target, nowMs);
        }
    }

    /** Ends a probe in flight without a result: its socket closed, a late answer ignored. */
    private void abandon(TargetState target) {
        streamProbes.close(target);
        ringProbes.abandon(target);
        target.inFlight = false;
        target.awaitingResponse = false;
    }

    private void recordChange(TargetState target, long nowMs) {
        int capacityOfRing = changeTarget.length;
        if (changeCount == capacityOfRing) {
            changeHead = (changeHead + 1) % capacityOfRing;
            changeCount--;
            changesDropped++;
        }
        int at = (changeHead + changeCount) % capacityOfRing;
        changeTarget[at] = target.slot;
        changeSpec[at] = target.spec;
        changeHealth[at] = target.riseFall.health();
        changeAtMs[at] = nowMs;
        changeCause[at] = target.riseFall.cause();
        changeCount++;
    }

    /**
     * Hands the health changes since the last call to {@code handler}, oldest first, and forgets them. The ring
     * holds twice maxTargets changes; if more came between two calls the oldest were dropped
     * ({@link #changesDropped()}), and the targets' current health is still right.
     *
     * @return the changes handed over
     */
    public int drainChanges(HealthChangeHandler handler) {
        int drained = 0;
        while (changeCount > 0) {
            int at = changeHead;
            int targetId = changeTarget[at];
            ProbeSpec spec = changeSpec[at];
            Health health = changeHealth[at];
            long atMs = changeAtMs[at];
            String cause = changeCause[at];
            changeSpec[at] = null;
            changeCause[at] = null;
            changeHead = (changeHead + 1) % changeTarget.length;
            changeCount--;
            drained++;
            handler.onHealthChange(targetId, spec, health, atMs, cause);
        }
        return drained;
    }

    // ------------------------------------------------------------------ close

    /** Closes every socket and the epoll set. The engine does nothing afterwards. */
    @Override
    public void onClose() {
        if (closed) {
            return;
        }
        closed = true;
        for (int slot = 0; slot <= highestSlot; slot++) {
            if (targets[slot] != null) {
                abandon(targets[slot]);
            }
        }
        echoProbes.close();
        arpProbes.close();
        ringProbes.close();
        epoll.close();
        arena.close();
    }

    // ------------------------------------------------------------------ what the owner reads

    /** The target {@code targetId}, or null if there is none. */
    TargetState targetOrNull(int targetId) {
        return targetId >= 0 && targetId < capacity ? targets[targetId] : null;
    }

    /** The highest slot a target holds, or -1: the kinds of probe that look for a target visit the slots up to it. */
    int highestSlot() {
        return highestSlot;
    }

    private TargetState target(int targetId) {
        TargetState target = targetOrNull(targetId);
        if (target == null) {
            throw new IllegalArgumentException("no target " + targetId);
        }
        return target;
    }

    public int capacity() {
        return capacity;
    }

    public int targetCount() {
        return targetCount;
    }

    /** Whether {@code targetId} is a target now. */
    public boolean has(int targetId) {
        return targetOrNull(targetId) != null;
    }

    public ProbeSpec spec(int targetId) {
        return target(targetId).spec;
    }

    public Health health(int targetId) {
        return target(targetId).riseFall.health();
    }

    /** What the target's last result said ("connected", "timed out after 500 ms", ...). */
    public String cause(int targetId) {
        return target(targetId).riseFall.cause();
    }

    /** When the target's health last changed; {@link Long#MIN_VALUE} while unknown. */
    public long changedAtMs(int targetId) {
        return target(targetId).riseFall.changedAtMs();
    }

    public int successesInARow(int targetId) {
        return target(targetId).riseFall.successesInARow();
    }

    public int failuresInARow(int targetId) {
        return target(targetId).riseFall.failuresInARow();
    }

    public long probesStarted(int targetId) {
        return target(targetId).probesStarted;
    }

    public long successes(int targetId) {
        return target(targetId).successes;
    }

    public long failures(int targetId) {
        return target(targetId).failures;
    }

    /** The round trip of the target's last answered probe in ms (at the engine's cycle granularity), or -1. */
    public long lastRoundTripMs(int targetId) {
        return target(targetId).lastRoundTripMs;
    }

    /** Whether the target has a probe in flight. */
    public boolean inFlight(int targetId) {
        return target(targetId).inFlight;
    }

    /** When the target's next probe is due to start. */
    public long nextStartMs(int targetId) {
        return target(targetId).nextStartMs;
    }

    public int icmpIdentifier() {
        return icmpIdentifier;
    }

    public long probesStarted() {
        return probesStarted;
    }

    public long answers() {
        return answers;
    }

    /** Probes that failed, timeouts included. */
    public long failures() {
        return failures;
    }

    public long timeouts() {
        return timeouts;
    }

    /** Health changes dropped because the ring was full when they came. */
    public long changesDropped() {
        return changesDropped;
    }

    /** ICMP datagrams read that answered no probe in flight (others' replies, late or forged ones). */
    public long icmpIgnored() {
        return echoProbes.ignored();
    }

    /**
     * nftables rules for the {@code netdev} family's ingress hook of every interface given to {@link #addLink}: they
     * drop the answers to ring probes (TCP to the probe ports, ICMP echo replies carrying a ring probe's payload) after
     * the probe rings' packet socket has seen them (packet taps run before ingress hooks) and before the router's
     * own kernel does. Without them the kernel processes every answer a second time and resets each SYN-ACK itself
     * (the probe has already reset it): a third of the probes' CPU (docs/benchmarks.md, "Probes"). The router's
     * host guard installs them; no kernel socket of the router uses a probe port (docs/operations.md).
     */
    public static List<String> ringAnswerIngressRules() {
        return List.of(
                "tcp dport " + RingProbes.FIRST_PROBE_PORT + "-" + (RingProbes.FIRST_PROBE_PORT + RingProbes.PROBE_PORTS - 1),
                "icmp type echo-reply @th,64,32 0x" + Integer.toHexString(EchoMessage.MAGIC_RING));
    }

    /** Frames the probe rings received that answered no probe in flight (malformed, late, others', forged). */
    public long ringIgnored() {
        return ringProbes.ignored();
    }

    /** Probe frames not sent because an interface's TX ring stayed full. */
    public long ringFull() {
        return ringProbes.ringFull();
    }

    /** ARP packets read that answered no probe in flight (requests, our own, replies nobody asked for). */
    public long arpIgnored() {
        return arpProbes.ignored();
    }

    /** ARP packets dropped as malformed: short, or not Ethernet/IPv4 types and lengths. */
    public long arpMalformed() {
        return arpProbes.malformed();
    }
}
