package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.baton.agent.Agent;
import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.IcmpFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.Linger;
import dev.baton.nativeio.KernelStructs.SockaddrIn;
import dev.baton.nativeio.KernelStructs.SockaddrIn6;
import dev.baton.nativeio.KernelStructs.SockaddrLl;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.NativeException;

/**
 * Probes targets (TCP connect, HTTP GET, ICMP echo, ARP who-has) and keeps each one's health with
 * {@link RiseFall}: the engine the reachability manager (RM 230, US 6,148,410 FIG. 4) and server health checks
 * run on. An {@link Agent}: one thread, non-blocking, driven by {@link #doWork(long)} with the time handed in; it
 * never reads a clock, so tests step it.
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
 *   <li>One {@code epoll_wait} (no wait) on the engine's {@link Epoll}, which watches every socket: each TCP or HTTP
 *       probe's own socket, each raw ICMP socket (one per source address) and each packet socket for ARP (one per
 *       interface). Only the sockets it reports are touched: a ready TCP socket is handled once, and at most
 *       {@value #RECEIVES_PER_SOCKET} datagrams are read from a ready ICMP or ARP socket.</li>
 *   <li>When the earliest deadline has come: probes past their timeout fail, and probes that are due start.</li>
 * </ol>
 * Answers are read before timeouts are judged, so an answer that came while the thread was held up counts.
 *
 * <h2>Bounds</h2>
 * At most {@code maxTargets} targets. Buffers are allocated once. An HTTP response is read through
 * {@link HttpResponseScanner}: at most {@value HttpResponseScanner#MAX_HEADER_BYTES} bytes of status line and
 * headers and {@value HttpResponseScanner#MAX_BODY_SCAN_BYTES} of body, {@value #READ_BUFFER_BYTES} per target per
 * cycle. Nothing a peer sends throws out of {@link #doWork}: every I/O error becomes the probe's failure cause.
 * Sockets are closed on every path (answer, failure, timeout, {@link #remove}, {@link #onClose}).
 *
 * <h2>Allocation</h2>
 * Probes allocate nothing: causes are made when a target is added (or the first time an errno or a MAC is seen),
 * a TCP target's socket addresses and an HTTP target's request are native segments made when it is added, and every
 * call on a probe's success path skips errno capture (a capturing downcall allocates until the JIT has inlined it);
 * a failed call is repeated with capture to learn why. TCP and HTTP probes are plain non-blocking sockets through
 * FFM, not NIO channels: a channel, its file descriptor object and its selection key cost 728 bytes and four more
 * system calls per connect (ProbeAllocationTest).
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

    /** The ICMP echo payload: a magic word, the target's slot, the probe's number (low 32 bits), padding. */
    static final int ECHO_MAGIC = 0x4254_4E50; // "BTNP"
    static final int ECHO_PAYLOAD_BYTES = 16;
    static final int ECHO_MESSAGE_BYTES = IcmpFlyweight.HEADER_LENGTH + ECHO_PAYLOAD_BYTES;
    private static final int RECEIVE_BUFFER_BYTES = 2_048;
    private static final double GOLDEN_RATIO_FRACTION = 0.6180339887498949;
    private static final AtomicInteger ENGINES = new AtomicInteger();

    private static final String CONNECTED = "connected";
    private static final String ECHO_REPLY = "echo reply";
    private static final String REFUSED = "connection refused";
    private static final String RESET = "connection reset";
    private static final String NO_ROUTE = "no route to host";
    private static final String CLOSED = "connection closed before the handshake finished";

    /** An event's word: set for a shared (ICMP or ARP) socket, whose descriptor is the low 32 bits. */
    private static final long SHARED_SOCKET = 1L << 63;
    /** With {@link #SHARED_SOCKET}: an ARP packet socket, not a raw ICMP socket. */
    private static final long ARP_SOCKET = 1L << 62;

    // What failed, for the causes made from an errno (cached per action and errno: no allocation once seen).
    private static final int OPEN = 0;
    private static final int BIND = 1;
    private static final int CONNECT = 2;
    private static final int SEND = 3;
    private static final int RECEIVE = 4;
    private static final int WATCH = 5;
    private static final int SET_LINGER = 6;
    private static final String[] ACTIONS = {"cannot open a TCP socket", "cannot bind to the source address",
        "cannot connect", "cannot send", "cannot receive", "cannot watch the socket", "cannot set SO_LINGER"};

    private final String roleName;
    private final int capacity;
    private final int icmpIdentifier;
    private final Target[] targets;
    private int targetCount;
    private int highestSlot = -1;
    /** Each target's next deadline: only the targets whose deadline has come are visited. */
    private final DeadlineHeap deadlines;
    private boolean closed;

    private final LibC libc = new LibC();
    private final Epoll epoll;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendBuffer = arena.allocate(64);
    private final MemorySegment readSegment = arena.allocate(READ_BUFFER_BYTES);
    private final ByteBuffer readBuffer = readSegment.asByteBuffer();
    /** SO_LINGER on with a zero time: close() resets (see {@link #connect}). */
    private final MemorySegment lingerReset = arena.allocate(Linger.LAYOUT);
    private final MemorySegment socketError = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment socketErrorLength = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment receiveBuffer = arena.allocate(RECEIVE_BUFFER_BYTES);
    private final MemorySegment peerAddress = arena.allocate(SockaddrLl.SIZE > SockaddrIn.SIZE ? SockaddrLl.SIZE : SockaddrIn.SIZE, 8);
    private final MemorySegment peerAddressLength = arena.allocate(ValueLayout.JAVA_INT);
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final List<RawIcmpSocket> icmpSockets = new ArrayList<>();
    private final List<ArpSocket> arpSockets = new ArrayList<>();
    private final String[][] errnoCauses = new String[ACTIONS.length][256];
    private int nextSequence;

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
    private long icmpIgnored;
    private long arpIgnored;
    private long arpMalformed;

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
        this.roleName = Objects.requireNonNull(roleName, "roleName");
        if (maxTargets < 1 || maxTargets > MAX_CAPACITY) {
            throw new IllegalArgumentException("maxTargets must be within 1.." + MAX_CAPACITY + ": " + maxTargets);
        }
        if (icmpIdentifier < 0 || icmpIdentifier > 0xFFFF) {
            throw new IllegalArgumentException("the ICMP identifier is 16 bits: " + icmpIdentifier);
        }
        this.capacity = maxTargets;
        this.icmpIdentifier = icmpIdentifier;
        this.targets = new Target[maxTargets];
        this.deadlines = new DeadlineHeap(maxTargets);
        int changeCapacity = Math.max(16, 2 * maxTargets);
        this.changeTarget = new int[changeCapacity];
        this.changeSpec = new ProbeSpec[changeCapacity];
        this.changeHealth = new Health[changeCapacity];
        this.changeAtMs = new long[changeCapacity];
        this.changeCause = new String[changeCapacity];
        lingerReset.set(ValueLayout.JAVA_INT, Linger.ON_OFFSET, 1);
        lingerReset.set(ValueLayout.JAVA_INT, Linger.SECONDS_OFFSET, 0);
        try {
            this.epoll = Epoll.open(libc, EVENTS_PER_CYCLE);
        } catch (NativeException e) {
            arena.close();
            throw e;
        }
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
        Target target = new Target(slot, spec);
        switch (spec.target()) {
            case ProbeTarget.IcmpEcho echo -> {
                target.icmpSocket = icmpSocketFor(ipv4(echo.source()));
                target.icmpSocket.retain();
            }
            case ProbeTarget.Arp arpTarget -> {
                target.arpSocket = arpSocketFor(arpTarget.interfaceName());
                target.arpSocket.retain();
            }
            default -> {
            }
        }
        target.nextStartMs = nowMs + staggerMs(slot, spec.intervalMs());
        targets[slot] = target;
        targetCount++;
        highestSlot = Math.max(highestSlot, slot);
        deadlines.set(slot, target.nextStartMs);
        return slot;
    }

    /** Removes a target: a probe in flight is abandoned and its socket closed. Unknown ids are ignored. */
    public void remove(int targetId) {
        Target target = targetOrNull(targetId);
        if (target == null) {
            return;
        }
        abandon(target);
        if (target.icmpSocket != null && target.icmpSocket.release()) {
            icmpSockets.remove(target.icmpSocket);
            target.icmpSocket.close();
        }
        if (target.arpSocket != null && target.arpSocket.release()) {
            arpSockets.remove(target.arpSocket);
            target.arpSocket.close();
        }
        targets[targetId] = null;
        deadlines.remove(targetId);
        targetCount--;
        while (highestSlot >= 0 && targets[highestSlot] == null) {
            highestSlot--;
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
        int work = 0;
        int ready = epoll.poll(0);
        for (int i = 0; i < ready; i++) {
            long word = epoll.eventData(i);
            if ((word & SHARED_SOCKET) != 0) {
                work += receiveOn((int) word, (word & ARP_SOCKET) != 0, nowMs);
            } else {
                Target target = targetOrNull((int) (word >>> 32));
                // A word from a finished probe cannot come (closing a socket drops its events), but check anyway.
                if (target != null && target.fd >= 0 && (int) word == (int) target.probesStarted) {
                    onStreamEvent(target, epoll.eventMask(i), nowMs);
                    work++;
                }
            }
        }
        if (nowMs >= deadlines.minKey()) {
            work += scan(nowMs);
        }
        return work;
    }

    /**
     * Fails the probes past their timeout and starts the probes that are due: only the targets whose deadline has
     * come. A target's key may be early (its probe was answered before the timeout it was filed under): it is
     * then filed again under its next start, one extra step per probe.
     */
    private int scan(long nowMs) {
        int work = 0;
        while (deadlines.minKey() <= nowMs) {
            Target target = targets[deadlines.minSlot()];
            if (target.inFlight && nowMs - target.startedAtMs >= target.spec.timeoutMs()) {
                String cause = target.awaitingResponse ? target.responseTimeoutCause : target.timeoutCause;
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
            // start may have finished the probe already (a refused connect, a send error): both cases are covered
            long deadline = target.inFlight ? Math.min(target.startedAtMs + target.spec.timeoutMs(), target.nextStartMs)
                    : target.nextStartMs;
            deadlines.set(target.slot, deadline);
        }
        return work;
    }

    private void start(Target target, long nowMs) {
        target.inFlight = true;
        target.awaitingResponse = false;
        target.startedAtMs = nowMs;
        target.probesStarted++;
        probesStarted++;
        switch (target.spec.target()) {
            case ProbeTarget.Tcp tcp -> connect(target, nowMs);
            case ProbeTarget.Http http -> connect(target, nowMs);
            case ProbeTarget.IcmpEcho echo -> sendEcho(target, nowMs);
            case ProbeTarget.Arp request -> sendArpRequest(target, nowMs);
        }
    }

    // ------------------------------------------------------------------ TCP and HTTP

    /**
     * Opens a non-blocking TCP socket from the target's source and starts its connect; the outcome comes through
     * the epoll set. Linger 0: close() sends a RST instead of a FIN, so the closing side (this router, after a
     * connect check or a read verdict) does not keep a TIME_WAIT entry for 60 s per probe. At one probe a second to
     * each of thousands of servers from one source address, TIME_WAIT entries would pile up by the hundred thousand
     * and use up the source's ephemeral ports (28,232 by default). HAProxy's checks do the same.
     */
    private void connect(Target target, long nowMs) {
        int family = target.ipv6 ? KernelConstants.AF_INET6 : KernelConstants.AF_INET;
        int type = KernelConstants.SOCK_STREAM | KernelConstants.SOCK_NONBLOCK | KernelConstants.SOCK_CLOEXEC;
        int fd = LibC.socketUncaptured(family, type, KernelConstants.IPPROTO_TCP);
        if (fd < 0) {
            fd = libc.socket(family, type, KernelConstants.IPPROTO_TCP);
            if (fd < 0) {
                finishFailure(target, nowMs, errnoCause(OPEN, libc.errno()));
                return;
            }
        }
        target.fd = fd;
        target.requestSent = 0;
        int errno = 0;
        int action;
        if (LibC.setsockoptUncaptured(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_LINGER, lingerReset, Linger.SIZE) < 0
                && libc.setsockopt(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_LINGER, lingerReset, Linger.SIZE) < 0) {
            action = SET_LINGER;
            errno = libc.errno();
        } else if (LibC.bindUncaptured(fd, target.sourceSockaddr, target.addressLength) < 0
                && libc.bind(fd, target.sourceSockaddr, target.addressLength) < 0) {
            action = BIND;
            errno = libc.errno();
        } else {
            // -1 is nearly always EINPROGRESS, a connect under way; one that failed at once shows in onStreamEvent.
            LibC.connectUncaptured(fd, target.remoteSockaddr, target.addressLength);
            action = WATCH;
            errno = epoll.add(fd, KernelConstants.EPOLLOUT, streamWord(target));
        }
        if (errno != 0) {
            closeStream(target);
            finishFailure(target, nowMs, errnoCause(action, errno));
        }
    }

    /** The event word of a target's TCP socket: its slot and the number of the probe the socket belongs to. */
    private static long streamWord(Target target) {
        return (long) target.slot << 32 | (target.probesStarted & 0xFFFF_FFFFL);
    }

    /** A TCP probe's socket is ready: its connect has finished, its request can go on, or its response came. */
    private void onStreamEvent(Target target, int eventMask, long nowMs) {
        if (!target.connected) {
            int error = pendingError(target.fd);
            if (error == 0 && (eventMask & (KernelConstants.EPOLLERR | KernelConstants.EPOLLHUP)) != 0) {
                // Closed with no pending error: the connect failed at once (no route, no source port). Asking again
                // names why; a connect now under way instead (the cause went away) counts as this probe failing.
                int again = libc.connect(target.fd, target.remoteSockaddr, target.addressLength) < 0 ? libc.errno() : 0;
                closeStream(target);
                boolean unknown = again == 0 || again == KernelConstants.EINPROGRESS || again == KernelConstants.EALREADY;
                finishFailure(target, nowMs, unknown ? CLOSED : connectCause(CONNECT, again));
            } else if (error != 0) {
                closeStream(target);
                finishFailure(target, nowMs, connectCause(CONNECT, error));
            } else if ((eventMask & KernelConstants.EPOLLOUT) != 0) {
                connected(target, nowMs);
            }
        } else if (target.requestSent < target.request.byteSize()) {
            writeRequest(target, nowMs);
        } else {
            readResponse(target, eventMask, nowMs);
        }
    }

    /** SO_ERROR: how a non-blocking connect ended (connect(2)), 0 for connected. */
    private int pendingError(int fd) {
        socketErrorLength.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
        if (LibC.getsockoptUncaptured(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_ERROR, socketError,
                socketErrorLength) < 0) {
            return libc.getsockopt(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_ERROR, socketError,
                    socketErrorLength) < 0 ? libc.errno() : socketError.get(ValueLayout.JAVA_INT, 0);
        }
        return socketError.get(ValueLayout.JAVA_INT, 0);
    }

    private void connected(Target target, long nowMs) {
        target.connected = true;
        if (target.scanner == null) {
            closeStream(target);
            finishSuccess(target, nowMs, CONNECTED);
            return;
        }
        target.awaitingResponse = true;
        target.scanner.reset();
        writeRequest(target, nowMs);
    }

    /** Sends what is left of the HTTP request (it fits one send nearly always), then waits for the response. */
    private void writeRequest(Target target, long nowMs) {
        int remaining = (int) target.request.byteSize() - target.requestSent;
        // The rest of a request a full send buffer cut short (rare: it is one small segment) is a slice.
        MemorySegment rest = target.requestSent == 0 ? target.request : target.request.asSlice(target.requestSent);
        int flags = KernelConstants.MSG_DONTWAIT | KernelConstants.MSG_NOSIGNAL;
        long sent = LibC.sendUncaptured(target.fd, rest, remaining, flags);
        // Repeated to learn why: a failed send consumed nothing (a reset socket fails with EPIPE again).
        if (sent < 0 && libc.send(target.fd, rest, remaining, flags) < 0 && libc.errno() != KernelConstants.EAGAIN) {
            int errno = libc.errno();
            closeStream(target);
            finishFailure(target, nowMs, connectCause(SEND, errno));
            return;
        }
        target.requestSent += (int) Math.max(sent, 0);
        if (target.requestSent == target.request.byteSize()) {
            int errno = epoll.modify(target.fd, KernelConstants.EPOLLIN, streamWord(target));
            if (errno != 0) {
                closeStream(target);
                finishFailure(target, nowMs, errnoCause(WATCH, errno));
            }
        }
    }

    /**
     * Reads what the server sent. A socket error (a reset) is read first when epoll reports one, because a recv
     * would report it once and clear it; the data that came before it is still read and judged, so a whole
     * response followed by a reset passes, and a partial one fails with the error as its cause.
     */
    private void readResponse(Target target, int eventMask, long nowMs) {
        HttpResponseScanner scanner = target.scanner;
        int error = (eventMask & KernelConstants.EPOLLERR) != 0 ? pendingError(target.fd) : 0;
        int verdict = HttpResponseScanner.MORE;
        // One read per cycle while the connection is sound; after an error, what is left in the queue at once
        // (the scanner's bounds end it).
        do {
            long read = LibC.recvfromUncaptured(target.fd, readSegment, Math.min(READ_BUFFER_BYTES, scanner.bytesWanted()),
                    KernelConstants.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            if (read <= 0) {
                if (error == 0 && read < 0) {
                    return; // nothing after all (EAGAIN), or an error that came since the poll: the next poll shows it
                }
                if (error == 0) {
                    verdict = scanner.endOfStream();
                }
                break;
            }
            readBuffer.clear().limit((int) read);
            verdict = scanner.feed(readBuffer);
        } while (verdict == HttpResponseScanner.MORE && error != 0);
        if (verdict == HttpResponseScanner.MORE) {
            if (error != 0) {
                closeStream(target);
                finishFailure(target, nowMs, connectCause(RECEIVE, error));
            }
            return;
        }
        closeStream(target);
        if (verdict == HttpResponseScanner.PASSED) {
            finishSuccess(target, nowMs, scanner.cause());
        } else {
            finishFailure(target, nowMs, scanner.cause());
        }
    }

    /** Closes a TCP probe's socket (a reset: linger 0), which also takes it out of the epoll set. */
    private void closeStream(Target target) {
        if (target.fd >= 0) {
            LibC.closeUncaptured(target.fd);
            target.fd = -1;
        }
        target.connected = false;
    }

    /** The words an operator knows for the usual refusals; the errno's name and text for the rest. */
    private String connectCause(int action, int errno) {
        return switch (errno) {
            case KernelConstants.ECONNREFUSED -> REFUSED;
            case KernelConstants.ECONNRESET, KernelConstants.EPIPE -> RESET;
            case KernelConstants.EHOSTUNREACH -> NO_ROUTE;
            default -> errnoCause(action, errno);
        };
    }

    // ------------------------------------------------------------------ ICMP echo

    private void sendEcho(Target target, long nowMs) {
        RawIcmpSocket socket = target.icmpSocket;
        if (!socket.usable()) {
            finishFailure(target, nowMs, socket.openFailure());
            return;
        }
        target.sequence = nextSequence++ & 0xFFFF;
        icmp.wrap(sendBuffer, 0, ECHO_MESSAGE_BYTES)
                .type(IcmpFlyweight.TYPE_ECHO_REQUEST)
                .code(0)
                .checksum(0)
                .identifier(icmpIdentifier)
                .sequenceNumber(target.sequence);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH, ECHO_MAGIC);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 4, target.slot);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 8, (int) target.probesStarted);
        sendBuffer.set(NetworkOrder.INT, IcmpFlyweight.HEADER_LENGTH + 12, 0);
        icmp.checksum(icmp.computeChecksum(ECHO_MESSAGE_BYTES));
        peerAddress.fill((byte) 0);
        peerAddress.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
        peerAddress.set(NetworkOrder.INT, SockaddrIn.ADDRESS_OFFSET, target.address4);
        long sent = LibC.sendtoUncaptured(socket.fd(), sendBuffer, ECHO_MESSAGE_BYTES, KernelConstants.MSG_DONTWAIT,
                peerAddress, SockaddrIn.SIZE);
        if (sent < 0) {
            // Repeat with errno capture to learn why (rare: no route, a full send buffer).
            sent = libc.sendto(socket.fd(), sendBuffer, ECHO_MESSAGE_BYTES, KernelConstants.MSG_DONTWAIT,
                    peerAddress, SockaddrIn.SIZE);
            if (sent < 0) {
                finishFailure(target, nowMs, errnoCause(SEND, libc.errno()));
            }
        }
    }

    private int receiveEchoReplies(RawIcmpSocket socket, long nowMs) {
        if (!socket.usable()) {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < RECEIVES_PER_SOCKET; i++) {
            long length = LibC.recvfromUncaptured(socket.fd(), receiveBuffer, RECEIVE_BUFFER_BYTES,
                    KernelConstants.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            if (length < 0) {
                break;
            }
            work++;
            Target target = matchEchoReply((int) length);
            if (target == null) {
                icmpIgnored++;
            } else {
                finishSuccess(target, nowMs, ECHO_REPLY);
            }
        }
        return work;
    }

    /** The target whose probe this datagram (IPv4 header and ICMP message) answers, or null. */
    private Target matchEchoReply(int length) {
        ipv4.wrap(receiveBuffer, 0, length);
        if (!ipv4.valid() || ipv4.protocol() != Ipv4Flyweight.PROTOCOL_ICMP || ipv4.isFragment()) {
            return null;
        }
        int icmpLength = ipv4.payloadLength();
        icmp.wrap(receiveBuffer, ipv4.payloadOffset(), icmpLength);
        if (icmpLength < ECHO_MESSAGE_BYTES || !icmp.valid() || icmp.type() != IcmpFlyweight.TYPE_ECHO_REPLY
                || icmp.code() != 0 || icmp.identifier() != icmpIdentifier || !icmp.checksumValid(icmpLength)) {
            return null;
        }
        long payload = ipv4.payloadOffset() + IcmpFlyweight.HEADER_LENGTH;
        if (receiveBuffer.get(NetworkOrder.INT, payload) != ECHO_MAGIC) {
            return null;
        }
        Target target = targetOrNull(receiveBuffer.get(NetworkOrder.INT, payload + 4));
        if (target == null || !target.inFlight || target.icmpSocket == null
                || target.sequence != icmp.sequenceNumber()
                || (int) target.probesStarted != receiveBuffer.get(NetworkOrder.INT, payload + 8)
                || target.address4 != ipv4.sourceAddress()) {
            return null;
        }
        return target;
    }

    // ------------------------------------------------------------------ ARP

    private void sendArpRequest(Target target, long nowMs) {
        ArpSocket socket = target.arpSocket;
        if (!socket.usable()) {
            finishFailure(target, nowMs, socket.openFailure());
            return;
        }
        arp.wrap(sendBuffer, 0, ArpFlyweight.LENGTH)
                .initialiseEthernetIpv4()
                .operation(ArpFlyweight.OP_REQUEST)
                .senderMac(socket.interfaceMac())
                .senderAddress(target.source4)
                .targetMac(0)
                .targetAddress(target.address4);
        socket.broadcastAddress(peerAddress);
        long sent = LibC.sendtoUncaptured(socket.fd(), sendBuffer, ArpFlyweight.LENGTH, KernelConstants.MSG_DONTWAIT,
                peerAddress, SockaddrLl.SIZE);
        if (sent < 0) {
            sent = libc.sendto(socket.fd(), sendBuffer, ArpFlyweight.LENGTH, KernelConstants.MSG_DONTWAIT,
                    peerAddress, SockaddrLl.SIZE);
            if (sent < 0) {
                finishFailure(target, nowMs, errnoCause(SEND, libc.errno()));
            }
        }
    }

    private int receiveArpReplies(ArpSocket socket, long nowMs) {
        if (!socket.usable()) {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < RECEIVES_PER_SOCKET; i++) {
            peerAddressLength.set(ValueLayout.JAVA_INT, 0, SockaddrLl.SIZE);
            long length = LibC.recvfromUncaptured(socket.fd(), receiveBuffer, RECEIVE_BUFFER_BYTES,
                    KernelConstants.MSG_DONTWAIT, peerAddress, peerAddressLength);
            if (length < 0) {
                break;
            }
            work++;
            if (peerAddress.get(ValueLayout.JAVA_BYTE, SockaddrLl.PKTTYPE_OFFSET) == KernelConstants.PACKET_OUTGOING) {
                arpIgnored++; // our own request, or the kernel's
                continue;
            }
            arp.wrap(receiveBuffer, 0, (int) length);
            if (!arp.valid()) {
                arpMalformed++;
                continue;
            }
            Target target = arp.operation() == ArpFlyweight.OP_REPLY ? arpTargetFor(socket, arp.senderAddress()) : null;
            if (target == null) {
                arpIgnored++;
                continue;
            }
            long mac = arp.senderMac();
            if (mac != target.lastMac || target.lastMacCause == null) {
                target.lastMac = mac;
                target.lastMacCause = "ARP reply from " + MacAddress.format(mac);
            }
            finishSuccess(target, nowMs, target.lastMacCause);
        }
        return work;
    }

    /** The ARP target in flight on {@code socket} asking for {@code address}, or null. */
    private Target arpTargetFor(ArpSocket socket, int address) {
        for (int slot = 0; slot <= highestSlot; slot++) {
            Target target = targets[slot];
            if (target != null && target.inFlight && target.arpSocket == socket && target.address4 == address) {
                return target;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ results

    private void finishSuccess(Target target, long nowMs, String cause) {
        target.inFlight = false;
        target.awaitingResponse = false;
        target.lastRoundTripMs = nowMs - target.startedAtMs;
        target.successes++;
        answers++;
        if (target.riseFall.success(nowMs, cause)) {
            recordChange(target, nowMs);
        }
    }

    private void finishFailure(Target target, long nowMs, String cause) {
        target.inFlight = false;
        target.awaitingResponse = false;
        fail(target, nowMs, cause);
    }

    private void fail(Target target, long nowMs, String cause) {
        target.failures++;
        failures++;
        if (target.riseFall.failure(nowMs, cause)) {
            recordChange(target, nowMs);
        }
    }

    /** Ends a probe in flight without a result: its socket closed, a late answer ignored. */
    private void abandon(Target target) {
        closeStream(target);
        target.inFlight = false;
        target.awaitingResponse = false;
    }

    private void recordChange(Target target, long nowMs) {
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

    /** "cannot connect: ETIMEDOUT (Connection timed out)": made the first time, then reused. */
    private String errnoCause(int action, int errno) {
        String[] causes = errnoCauses[action];
        int index = errno >= 0 && errno < causes.length ? errno : 0;
        String cause = causes[index];
        if (cause == null) {
            cause = ACTIONS[action] + ": " + LibC.errnoName(errno) + " (" + LibC.errnoText(errno) + ")";
            causes[index] = cause;
        }
        return cause;
    }

    // ------------------------------------------------------------------ sockets shared by targets

    private RawIcmpSocket icmpSocketFor(int sourceAddress) {
        for (RawIcmpSocket socket : icmpSockets) {
            if (socket.sourceAddress() == sourceAddress) {
                return socket;
            }
        }
        RawIcmpSocket socket = RawIcmpSocket.open(sourceAddress, libc);
        watch(socket, 0);
        icmpSockets.add(socket);
        return socket;
    }

    private ArpSocket arpSocketFor(String interfaceName) {
        for (ArpSocket socket : arpSockets) {
            if (socket.interfaceName().equals(interfaceName)) {
                return socket;
            }
        }
        ArpSocket socket = ArpSocket.open(interfaceName, libc);
        watch(socket, ARP_SOCKET);
        arpSockets.add(socket);
        return socket;
    }

    /** Adds a shared socket to the epoll set; if that fails, the socket is unusable and its probes say why. */
    private void watch(SharedSocket socket, long kind) {
        if (socket.usable()) {
            int errno = epoll.add(socket.fd(), KernelConstants.EPOLLIN, SHARED_SOCKET | kind | (socket.fd() & 0xFFFF_FFFFL));
            if (errno != 0) {
                socket.fail(errnoCause(WATCH, errno));
            }
        }
    }

    /** Reads the replies waiting on the shared socket with descriptor {@code fd}. */
    private int receiveOn(int fd, boolean arp, long nowMs) {
        if (arp) {
            for (int i = 0; i < arpSockets.size(); i++) {
                if (arpSockets.get(i).fd() == fd) {
                    return receiveArpReplies(arpSockets.get(i), nowMs);
                }
            }
        } else {
            for (int i = 0; i < icmpSockets.size(); i++) {
                if (icmpSockets.get(i).fd() == fd) {
                    return receiveEchoReplies(icmpSockets.get(i), nowMs);
                }
            }
        }
        return 0;
    }

    private static int ipv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
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
        for (RawIcmpSocket socket : icmpSockets) {
            socket.close();
        }
        icmpSockets.clear();
        for (ArpSocket socket : arpSockets) {
            socket.close();
        }
        arpSockets.clear();
        epoll.close();
        arena.close();
    }

    // ------------------------------------------------------------------ what the owner reads

    private Target targetOrNull(int targetId) {
        return targetId >= 0 && targetId < capacity ? targets[targetId] : null;
    }

    private Target target(int targetId) {
        Target target = targetOrNull(targetId);
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
        return icmpIgnored;
    }

    /** ARP packets read that answered no probe in flight (requests, our own, replies nobody asked for). */
    public long arpIgnored() {
        return arpIgnored;
    }

    /** ARP packets dropped as malformed: short, or not Ethernet/IPv4 types and lengths. */
    public long arpMalformed() {
        return arpMalformed;
    }

    /**
     * {@code address:port} as a sockaddr_in or sockaddr_in6, in native memory the garbage collector frees with
     * its target: written once, so a probe's bind and connect pass it as it is.
     */
    private static MemorySegment sockaddr(InetAddress address, int port) {
        byte[] bytes = address.getAddress();
        MemorySegment at;
        if (address instanceof Inet6Address v6) {
            at = Arena.ofAuto().allocate(SockaddrIn6.LAYOUT);
            at.set(ValueLayout.JAVA_SHORT, SockaddrIn6.FAMILY_OFFSET, (short) KernelConstants.AF_INET6);
            at.set(NetworkOrder.SHORT, SockaddrIn6.PORT_OFFSET, (short) port);
            MemorySegment.copy(bytes, 0, at, ValueLayout.JAVA_BYTE, SockaddrIn6.ADDRESS_OFFSET, bytes.length);
            at.set(ValueLayout.JAVA_INT, SockaddrIn6.SCOPE_ID_OFFSET, v6.getScopeId());
        } else {
            at = Arena.ofAuto().allocate(SockaddrIn.LAYOUT);
            at.set(ValueLayout.JAVA_SHORT, SockaddrIn.FAMILY_OFFSET, (short) KernelConstants.AF_INET);
            at.set(NetworkOrder.SHORT, SockaddrIn.PORT_OFFSET, (short) port);
            MemorySegment.copy(bytes, 0, at, ValueLayout.JAVA_BYTE, SockaddrIn.ADDRESS_OFFSET, bytes.length);
        }
        return at;
    }

    /** One target's state. Fields are the engine thread's. */
    private static final class Target {
        final int slot;
        final ProbeSpec spec;
        final RiseFall riseFall;
        final String timeoutCause;
        final String responseTimeoutCause;
        final int address4;
        final int source4;
        final boolean ipv6;
        final int addressLength;
        /** TCP and HTTP: the sockaddr a probe binds to and the one it connects to (native, freed with the target). */
        final MemorySegment sourceSockaddr;
        final MemorySegment remoteSockaddr;
        final HttpResponseScanner scanner;
        /** HTTP: the request, native, sent as it is. */
        final MemorySegment request;
        RawIcmpSocket icmpSocket;
        ArpSocket arpSocket;

        boolean inFlight;
        boolean awaitingResponse;
        long startedAtMs;
        long nextStartMs;
        long probesStarted;
        long successes;
        long failures;
        long lastRoundTripMs = -1;
        int sequence = -1;
        long lastMac = -1;
        String lastMacCause;
        /** The TCP probe's socket, or -1. */
        int fd = -1;
        boolean connected;
        int requestSent;

        Target(int slot, ProbeSpec spec) {
            this.slot = slot;
            this.spec = spec;
            this.riseFall = new RiseFall(spec.rise(), spec.fall());
            this.timeoutCause = "timed out after " + spec.timeoutMs() + " ms";
            ProbeTarget what = spec.target();
            this.address4 = what.address() instanceof Inet4Address ? ipv4(what.address()) : 0;
            this.source4 = what.source() instanceof Inet4Address ? ipv4(what.source()) : 0;
            this.ipv6 = what.address() instanceof Inet6Address;
            this.addressLength = ipv6 ? SockaddrIn6.SIZE : SockaddrIn.SIZE;
            switch (what) {
                case ProbeTarget.Tcp tcp -> {
                    sourceSockaddr = sockaddr(tcp.source(), 0);
                    remoteSockaddr = sockaddr(tcp.address(), tcp.port());
                    scanner = null;
                    request = null;
                    responseTimeoutCause = timeoutCause;
                }
                case ProbeTarget.Http http -> {
                    sourceSockaddr = sockaddr(http.source(), 0);
                    remoteSockaddr = sockaddr(http.address(), http.port());
                    scanner = new HttpResponseScanner(http.expectedStatus(), http.bodySubstring());
                    byte[] bytes = http.request();
                    request = Arena.ofAuto().allocate(bytes.length);
                    MemorySegment.copy(bytes, 0, request, ValueLayout.JAVA_BYTE, 0, bytes.length);
                    responseTimeoutCause = timeoutCause + " waiting for the response";
                }
                default -> {
                    sourceSockaddr = null;
                    remoteSockaddr = null;
                    scanner = null;
                    request = null;
                    responseTimeoutCause = timeoutCause;
                }
            }
        }
    }
}
