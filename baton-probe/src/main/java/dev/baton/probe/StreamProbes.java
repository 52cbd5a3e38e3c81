package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;

import dev.baton.codec.NetworkOrder;
import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.KernelStructs.Linger;
import dev.baton.nativeio.KernelStructs.SockaddrIn;
import dev.baton.nativeio.KernelStructs.SockaddrIn6;
import dev.baton.nativeio.LibC;

/**
 * A {@link ProbeEngine}'s TCP connect, HTTP GET and HTTPS GET probes: each probe its own non-blocking socket in the
 * engine's {@link Epoll} set, opened at the probe's start in the namespace of the engine's thread and closed on every
 * path (answer, failure, timeout, removal, close).
 *
 * <p>Plain sockets through FFM, not NIO channels: a channel, its file descriptor object and its selection key cost
 * 728 bytes and four more system calls per connect (ProbeAllocationTest). A target's socket addresses and an HTTP
 * target's request are native segments made when it is added ({@link #sockaddr}, {@link #nativeCopy}), and every
 * call on a probe's success path skips errno capture; a failed call is repeated with capture to learn why.
 *
 * <p>An HTTP response is read through {@link HttpResponseScanner}: at most
 * {@value HttpResponseScanner#MAX_HEADER_BYTES} bytes of status line and headers and
 * {@value HttpResponseScanner#MAX_BODY_SCAN_BYTES} of body, {@value ProbeEngine#READ_BUFFER_BYTES} per target per
 * cycle. An HTTPS probe's connection, once connected, is {@link TlsProbes}' to drive. Engine thread only.
 */
final class StreamProbes {

    private static final String CONNECTED = "connected";
    private static final String REFUSED = "connection refused";
    private static final String RESET = "connection reset";
    private static final String NO_ROUTE = "no route to host";
    private static final String CLOSED = "connection closed before the handshake finished";

    private final ProbeEngine engine;
    private final LibC libc;
    private final Epoll epoll;
    private final ErrnoCauses causes;
    private final MemorySegment readSegment;
    private final ByteBuffer readBuffer;
    /** SO_LINGER on with a zero time: close() resets (see {@link #connect}). */
    private final MemorySegment lingerReset;
    /** An int 1: TCP_NODELAY on, for HTTPS (see {@link #connect}). */
    private final MemorySegment one;
    private final MemorySegment socketError;
    private final MemorySegment socketErrorLength;
    private final TlsProbes tls;

    /**
     * Buffers come from {@code arena}, which the engine closes with its sockets; {@code trustedCertificates} is what
     * HTTPS checks that verify certificates trust (null: the JDK's default trust store).
     */
    StreamProbes(ProbeEngine engine, LibC libc, Epoll epoll, ErrnoCauses causes, Arena arena,
                 KeyStore trustedCertificates) {
        this.engine = engine;
        this.libc = libc;
        this.epoll = epoll;
        this.causes = causes;
        this.readSegment = arena.allocate(ProbeEngine.READ_BUFFER_BYTES);
        this.readBuffer = readSegment.asByteBuffer();
        this.lingerReset = arena.allocate(Linger.LAYOUT);
        this.one = arena.allocate(ValueLayout.JAVA_INT);
        one.set(ValueLayout.JAVA_INT, 0, 1);
        this.socketError = arena.allocate(ValueLayout.JAVA_INT);
        this.socketErrorLength = arena.allocate(ValueLayout.JAVA_INT);
        lingerReset.set(ValueLayout.JAVA_INT, Linger.ON_OFFSET, 1);
        lingerReset.set(ValueLayout.JAVA_INT, Linger.SECONDS_OFFSET, 0);
        this.tls = new TlsProbes(this, libc, epoll, causes, trustedCertificates);
    }

    /**
     * Opens a non-blocking TCP socket from the target's source and starts its connect; the outcome comes through
     * the epoll set. Linger 0: close() sends a RST instead of a FIN, so the closing side (this router, after a
     * connect check or a read verdict) does not keep a TIME_WAIT entry for 60 s per probe. At one probe a second to
     * each of thousands of servers from one source address, TIME_WAIT entries would pile up by the hundred thousand
     * and use up the source's ephemeral ports (28,232 by default). HAProxy's checks do the same. An HTTPS probe's
     * socket also has TCP_NODELAY: it sends whole TLS flights, and a flight held back by Nagle's algorithm until the
     * server's delayed acknowledgement of the last one (TLS 1.3's compatibility ChangeCipherSpec, RFC 8446 §D.4)
     * would wait 40 ms.
     */
    void connect(TargetState target, long nowMs) {
        int family = target.ipv6 ? KernelConstants.AF_INET6 : KernelConstants.AF_INET;
        int type = KernelConstants.SOCK_STREAM | KernelConstants.SOCK_NONBLOCK | KernelConstants.SOCK_CLOEXEC;
        int fd = LibC.socketUncaptured(family, type, KernelConstants.IPPROTO_TCP);
        if (fd < 0) {
            fd = libc.socket(family, type, KernelConstants.IPPROTO_TCP);
            if (fd < 0) {
                engine.finishFailure(target, nowMs, causes.of(ErrnoCauses.OPEN, libc.errno()));
                return;
            }
        }
        target.fd = fd;
        target.requestSent = 0;
        int errno = 0;
        int action;
        if (LibC.setsockoptUncaptured(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_LINGER, lingerReset, Linger.SIZE) < 0
                && libc.setsockopt(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_LINGER, lingerReset, Linger.SIZE) < 0) {
            action = ErrnoCauses.SET_LINGER;
            errno = libc.errno();
        } else if (target.tls != null && libc.setsockopt(fd, KernelConstants.IPPROTO_TCP, KernelConstants.TCP_NODELAY,
                one, Integer.BYTES) < 0) {
            action = ErrnoCauses.SET_NO_DELAY;
            errno = libc.errno();
        } else if (LibC.bindUncaptured(fd, target.sourceSockaddr, target.addressLength) < 0
                && libc.bind(fd, target.sourceSockaddr, target.addressLength) < 0) {
            action = ErrnoCauses.BIND;
            errno = libc.errno();
        } else {
            // -1 is nearly always EINPROGRESS, a connect under way; one that failed at once shows in onEvent.
            LibC.connectUncaptured(fd, target.remoteSockaddr, target.addressLength);
            action = ErrnoCauses.WATCH;
            errno = epoll.add(fd, KernelConstants.EPOLLOUT, eventWord(target));
        }
        if (errno != 0) {
            close(target);
            engine.finishFailure(target, nowMs, causes.of(action, errno));
        }
    }

    /** The HTTPS side: what runs over the socket once an HTTPS probe's connect is done. */
    TlsProbes tls() {
        return tls;
    }

    /** The event word of a target's TCP socket: its slot and the number of the probe the socket belongs to. */
    static long eventWord(TargetState target) {
        return (long) target.slot << 32 | (target.probesStarted & 0xFFFF_FFFFL);
    }

    /** The slot of the target whose socket has the event word {@code word}. */
    static int slotOf(long word) {
        return (int) (word >>> 32);
    }

    /**
     * A TCP probe's socket is ready: its connect has finished, its request can go on, or its response came.
     *
     * @return whether the event was the target's probe in flight (and was handled)
     */
    boolean onEvent(TargetState target, long word, int eventMask, long nowMs) {
        // A word from a finished probe cannot come (closing a socket drops its events), but check anyway.
        if (target.fd < 0 || (int) word != (int) target.probesStarted) {
            return false;
        }
        if (!target.connected) {
            int error = pendingError(target.fd);
            if (error == 0 && (eventMask & (KernelConstants.EPOLLERR | KernelConstants.EPOLLHUP)) != 0) {
                // Closed with no pending error: the connect failed at once (no route, no source port). Asking again
                // names why; a connect now under way instead (the cause went away) counts as this probe failing.
                int again = libc.connect(target.fd, target.remoteSockaddr, target.addressLength) < 0 ? libc.errno() : 0;
                close(target);
                boolean unknown = again == 0 || again == KernelConstants.EINPROGRESS || again == KernelConstants.EALREADY;
                engine.finishFailure(target, nowMs, unknown ? CLOSED : connectCause(ErrnoCauses.CONNECT, again));
            } else if (error != 0) {
                close(target);
                engine.finishFailure(target, nowMs, connectCause(ErrnoCauses.CONNECT, error));
            } else if ((eventMask & KernelConstants.EPOLLOUT) != 0) {
                connected(target, nowMs);
            }
        } else if (target.tls != null) {
            judgeTls(target, tls.pump(target, eventMask), nowMs);
        } else if (target.requestSent < target.request.byteSize()) {
            writeRequest(target, nowMs);
        } else {
            readResponse(target, eventMask, nowMs);
        }
        return true;
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

    private void connected(TargetState target, long nowMs) {
        target.connected = true;
        if (target.scanner == null) {
            close(target);
            engine.finishSuccess(target, nowMs, CONNECTED);
            return;
        }
        target.scanner.reset();
        if (target.tls != null) {
            judgeTls(target, tls.start(target), nowMs); // awaiting the response once the handshake is done
            return;
        }
        target.awaitingResponse = true;
        writeRequest(target, nowMs);
    }

    /**
     * Ends an HTTPS probe that has its verdict: the cause is the TLS side's when it failed there, else the response
     * scanner's. A close_notify goes out first when the connection got as far as the response.
     */
    private void judgeTls(TargetState target, int verdict, long nowMs) {
        if (verdict == HttpResponseScanner.MORE) {
            return;
        }
        String cause = target.tls.cause != null ? target.tls.cause : target.scanner.cause();
        if (target.tls.cause == null) {
            tls.closeNotify(target);
        }
        close(target);
        if (verdict == HttpResponseScanner.PASSED) {
            engine.finishSuccess(target, nowMs, cause);
        } else {
            engine.finishFailure(target, nowMs, cause);
        }
    }

    /** Sends what is left of the HTTP request (it fits one send nearly always), then waits for the response. */
    private void writeRequest(TargetState target, long nowMs) {
        int remaining = (int) target.request.byteSize() - target.requestSent;
        // The rest of a request a full send buffer cut short (rare: it is one small segment) is a slice.
        MemorySegment rest = target.requestSent == 0 ? target.request : target.request.asSlice(target.requestSent);
        int flags = KernelConstants.MSG_DONTWAIT | KernelConstants.MSG_NOSIGNAL;
        long sent = LibC.sendUncaptured(target.fd, rest, remaining, flags);
        // Repeated to learn why: a failed send consumed nothing (a reset socket fails with EPIPE again).
        if (sent < 0 && libc.send(target.fd, rest, remaining, flags) < 0 && libc.errno() != KernelConstants.EAGAIN) {
            int errno = libc.errno();
            close(target);
            engine.finishFailure(target, nowMs, connectCause(ErrnoCauses.SEND, errno));
            return;
        }
        target.requestSent += (int) Math.max(sent, 0);
        if (target.requestSent == target.request.byteSize()) {
            int errno = epoll.modify(target.fd, KernelConstants.EPOLLIN, eventWord(target));
            if (errno != 0) {
                close(target);
                engine.finishFailure(target, nowMs, causes.of(ErrnoCauses.WATCH, errno));
            }
        }
    }

    /**
     * Reads what the server sent. A socket error (a reset) is read first when epoll reports one, because a recv
     * would report it once and clear it; the data that came before it is still read and judged, so a whole
     * response followed by a reset passes, and a partial one fails with the error as its cause.
     */
    private void readResponse(TargetState target, int eventMask, long nowMs) {
        HttpResponseScanner scanner = target.scanner;
        int error = (eventMask & KernelConstants.EPOLLERR) != 0 ? pendingError(target.fd) : 0;
        int verdict = HttpResponseScanner.MORE;
        // One read per cycle while the connection is sound; after an error, what is left in the queue at once
        // (the scanner's bounds end it).
        do {
            long read = LibC.recvfromUncaptured(target.fd, readSegment,
                    Math.min(ProbeEngine.READ_BUFFER_BYTES, scanner.bytesWanted()), KernelConstants.MSG_DONTWAIT,
                    MemorySegment.NULL, MemorySegment.NULL);
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
                close(target);
                engine.finishFailure(target, nowMs, connectCause(ErrnoCauses.RECEIVE, error));
            }
            return;
        }
        close(target);
        if (verdict == HttpResponseScanner.PASSED) {
            engine.finishSuccess(target, nowMs, scanner.cause());
        } else {
            engine.finishFailure(target, nowMs, scanner.cause());
        }
    }

    /**
     * Closes a TCP probe's socket (a reset: linger 0), which also takes it out of the epoll set. Nothing for a
     * target with no socket open.
     */
    void close(TargetState target) {
        if (target.fd >= 0) {
            LibC.closeUncaptured(target.fd);
            target.fd = -1;
        }
        target.connected = false;
        if (target.tls != null) {
            tls.end(target.tls);
        }
    }

    /** The words an operator knows for the usual refusals; the errno's name and text for the rest. */
    String connectCause(int action, int errno) {
        return switch (errno) {
            case KernelConstants.ECONNREFUSED -> REFUSED;
            case KernelConstants.ECONNRESET, KernelConstants.EPIPE -> RESET;
            case KernelConstants.EHOSTUNREACH -> NO_ROUTE;
            default -> causes.of(action, errno);
        };
    }

    /**
     * {@code address:port} as a sockaddr_in or sockaddr_in6, in native memory the garbage collector frees with
     * its target: written once, so a probe's bind and connect pass it as it is.
     */
    static MemorySegment sockaddr(InetAddress address, int port) {
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

    /** An HTTP target's request as native memory the garbage collector frees with its target, sent as it is. */
    static MemorySegment nativeCopy(byte[] bytes) {
        MemorySegment request = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(bytes, 0, request, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return request;
    }
}
