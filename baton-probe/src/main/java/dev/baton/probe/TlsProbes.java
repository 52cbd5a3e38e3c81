package dev.baton.probe;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.LibC;

/**
 * A {@link ProbeEngine}'s HTTPS probes: TLS 1.3 or 1.2 through the JDK's {@link SSLEngine}, driven over the
 * non-blocking socket {@link StreamProbes} connected, in the engine's epoll set, within the probe's timeout. No NIO
 * channel and no blocking: each socket event runs {@link #pump} once, which sends what the engine wrapped, unwraps
 * what came, runs the engine's delegated tasks on this thread (certificate checks: CPU only, as the JDK checks no
 * revocation and fetches no certificate unless told to), and then waits for the socket again.
 *
 * <h2>Bounds</h2>
 * A probe reads at most {@value #MAX_HANDSHAKE_BYTES} bytes in its handshake and {@value #MAX_RESPONSE_BYTES} after it
 * (the response itself within {@link HttpResponseScanner}'s bounds), and at most one read per socket event, of at
 * most one TLS packet. The JDK refuses a handshake message over {@code jdk.tls.maxHandshakeMessageSize} (32 KiB) and a
 * chain of more than {@code jdk.tls.maxCertificateChainLength} certificates (10) on its own. A server that sends
 * garbage, an alert, a truncated record, plain HTTP or a handshake that never ends fails the probe with a cause; no
 * exception leaves {@link #pump}.
 *
 * <h2>Allocation</h2>
 * Unlike the other probes, an HTTPS probe allocates: its {@link SSLEngine} and the handshake's keys, messages and
 * certificates (ProbeAllocationTest prints the figure). What can be reused is: one context per kind of check (not
 * verified, verified) for the whole engine, made at the first target that needs it, and each target's record buffers
 * ({@link TlsState}). Sessions are not resumed: each probe is a full handshake, so a verified check verifies the
 * certificate every time and no session cache grows.
 *
 * <p>Engine thread only.
 */
final class TlsProbes {

    /** Bytes a probe may receive before its handshake is done: real chains are a few KiB, so 64 KiB is ample. */
    static final int MAX_HANDSHAKE_BYTES = 65_536;
    /** Bytes a probe may receive after its handshake: the response's bounds and room for records around it. */
    static final int MAX_RESPONSE_BYTES = 65_536;
    /** Engine steps in a row that consume and produce nothing before the probe is failed instead of spinning. */
    private static final int MAX_IDLE_STEPS = 16;

    static final String PLAIN_HTTP = "not TLS: the server answered in plain HTTP";
    static final String CLOSED_IN_HANDSHAKE = "closed during the TLS handshake";
    static final String HANDSHAKE_TOO_LONG = "TLS handshake exceeds " + MAX_HANDSHAKE_BYTES + " bytes";
    static final String RESPONSE_TOO_LONG = "TLS response exceeds " + MAX_RESPONSE_BYTES + " bytes without a verdict";
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** {@link #drive}'s results besides the scanner's verdicts: go on, or wait for the socket (readable, writable). */
    private static final int GO_ON = 10;
    private static final int WAIT_READABLE = 11;
    private static final int WAIT_WRITABLE = 12;

    private final StreamProbes stream;
    private final LibC libc;
    private final Epoll epoll;
    private final ErrnoCauses causes;
    /** What a verified check trusts: null for the JDK's default trust store (cacerts). */
    private final KeyStore trustedCertificates;

    private SSLContext unverified;
    private SSLContext verified;
    private String verifiedFailure;
    private int packetBufferBytes;
    /** Plaintext out of one record: fed to the target's scanner at once, so one buffer serves every target. */
    private ByteBuffer plaintext;

    TlsProbes(StreamProbes stream, LibC libc, Epoll epoll, ErrnoCauses causes, KeyStore trustedCertificates) {
        this.stream = stream;
        this.libc = libc;
        this.epoll = epoll;
        this.causes = causes;
        this.trustedCertificates = trustedCertificates;
    }

    // ------------------------------------------------------------------ targets

    /**
     * An HTTPS target's TLS side: its context (made now if it is the first of its kind; a verified one that cannot
     * be made, say an unreadable trust store, fails each of the target's probes with why) and its buffers.
     */
    TlsState prepare(ProbeTarget.Https https) {
        SSLContext context;
        String failure = null;
        if (https.verifyCertificate()) {
            if (verified == null && verifiedFailure == null) {
                try {
                    TrustManagerFactory factory =
                            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    factory.init(trustedCertificates);
                    if (trustsNoCertificate(factory.getTrustManagers())) {
                        // Said once here rather than as "trustAnchors parameter must be non-empty" at each handshake.
                        verifiedFailure = "cannot verify certificates: the trust store holds no certificate";
                    } else {
                        verified = context(factory.getTrustManagers());
                    }
                } catch (GeneralSecurityException | RuntimeException e) {
                    verifiedFailure = "cannot load the trust store to verify certificates: " + describe(e);
                }
            }
            context = verified;
            failure = verifiedFailure;
        } else {
            if (unverified == null) {
                try {
                    unverified = context(new TrustManager[] {new TrustingAnyCertificate()});
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("every Java platform has TLS (SSLContext \"TLS\")", e);
                }
            }
            context = unverified;
        }
        return new TlsState(https, context, failure, packetBufferBytes, PROTOCOLS);
    }

    private static boolean trustsNoCertificate(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509TrustManager x509 && x509.getAcceptedIssuers().length > 0) {
                return false;
            }
        }
        return true;
    }

    private SSLContext context(TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        // Engines are made with no peer port (see start), so no session is ever looked up; the cache holds the last.
        context.getClientSessionContext().setSessionCacheSize(1);
        SSLEngine sizing = context.createSSLEngine();
        sizing.setUseClientMode(true);
        packetBufferBytes = Math.max(packetBufferBytes, sizing.getSession().getPacketBufferSize());
        int plaintextBytes = sizing.getSession().getApplicationBufferSize();
        if (plaintext == null || plaintext.capacity() < plaintextBytes) {
            plaintext = ByteBuffer.allocate(plaintextBytes);
        }
        return context;
    }

    // ------------------------------------------------------------------ one probe

    /**
     * The probe's TCP connection is up: makes its engine and starts the handshake.
     *
     * @return {@link HttpResponseScanner#MORE} to wait for the socket, {@link HttpResponseScanner#PASSED} or
     * {@link HttpResponseScanner#FAILED} (then the cause is the scanner's or {@link TlsState#cause})
     */
    int start(TargetState target) {
        TlsState tls = target.tls;
        tls.netIn.clear();
        tls.netOut.clear();
        tls.request.rewind();
        tls.handshakeDone = false;
        tls.bytesReceived = 0;
        tls.watching = KernelConstants.EPOLLOUT; // as StreamProbes.connect registered the socket
        tls.cause = null;
        if (tls.context == null) {
            return fail(tls, tls.contextFailure);
        }
        try {
            // A peer port of -1 names no session to resume (SSLSessionContextImpl keys its cache by host and port and
            // never caches one without a port): every probe is a full handshake. The host still goes to the trust
            // manager, which verifies the certificate against it.
            SSLEngine engine = tls.context.createSSLEngine(tls.peerHost, -1);
            engine.setUseClientMode(true);
            engine.setSSLParameters(tls.parameters);
            engine.beginHandshake();
            tls.engine = engine;
        } catch (SSLException | RuntimeException e) {
            return fail(tls, "cannot start TLS: " + describe(e));
        }
        return pump(target, 0);
    }

    /**
     * Takes the probe as far as it goes now: the socket had {@code eventMask} (0 right after the connect).
     *
     * @return as {@link #start}
     */
    int pump(TargetState target, int eventMask) {
        TlsState tls = target.tls;
        int result;
        try {
            result = drive(target, tls, eventMask);
        } catch (SSLException e) {
            return fail(tls, (tls.handshakeDone ? "TLS failed: " : "TLS handshake failed: ") + describe(e));
        } catch (RuntimeException e) {
            // The JDK reports a peer's bad input as SSLException; anything else is this probe's failure too, never
            // an exception out of the engine's thread.
            return fail(tls, "TLS failed: " + e.getClass().getSimpleName() + ": " + describe(e));
        }
        if (result == WAIT_READABLE || result == WAIT_WRITABLE) {
            int events = result == WAIT_READABLE ? KernelConstants.EPOLLIN : KernelConstants.EPOLLOUT;
            if (tls.watching != events) {
                int errno = epoll.modify(target.fd, events, StreamProbes.eventWord(target));
                if (errno != 0) {
                    return fail(tls, causes.of(ErrnoCauses.WATCH, errno));
                }
                tls.watching = events;
            }
            return HttpResponseScanner.MORE;
        }
        return result;
    }

    /**
     * One pass: do what the engine needs (a task, a wrap, an unwrap; after the handshake the request, then the
     * response) until it needs the socket or a verdict comes. What is wrapped is sent when the engine needs the
     * server's next bytes (or the buffer is full), so that a flight of records (TLS 1.3's ChangeCipherSpec, the
     * client's Finished and the request) goes out in one send.
     */
    private int drive(TargetState target, TlsState tls, int eventMask) throws SSLException {
        boolean mayRead =
                (eventMask & (KernelConstants.EPOLLIN | KernelConstants.EPOLLERR | KernelConstants.EPOLLHUP)) != 0;
        int idle = 0;
        while (true) {
            SSLEngine engine = tls.engine;
            SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
            if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                Runnable task;
                boolean ran = false;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                    ran = true;
                }
                idle = ran ? 0 : idle + 1;
                if (idle > MAX_IDLE_STEPS) {
                    return fail(tls, "TLS engine made no progress (" + status + ")");
                }
                continue;
            }
            if (!tls.handshakeDone && (status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    || status == SSLEngineResult.HandshakeStatus.FINISHED)) {
                tls.handshakeDone = true;
                tls.bytesReceived = 0;
                target.awaitingResponse = true;
            }
            boolean wraps = status == SSLEngineResult.HandshakeStatus.NEED_WRAP || tls.handshakeDone
                    && status != SSLEngineResult.HandshakeStatus.NEED_UNWRAP && tls.request.hasRemaining();
            SSLEngineResult result = wraps ? wrap(tls, tls.handshakeDone ? tls.request : NOTHING) : unwrap(tls);
            if (wraps && result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && tls.netOut.position() > 0) {
                int flushed = flush(target, tls); // the flight fills a packet: what is wrapped goes first
                if (flushed != GO_ON) {
                    return flushed;
                }
                continue;
            }
            int verdict = judge(target, tls, result, !wraps);
            boolean progress = result.bytesConsumed() > 0 || result.bytesProduced() > 0;
            if (verdict == WAIT_READABLE) {
                if (tls.netOut.position() > 0) {
                    int flushed = flush(target, tls); // the server answers what it has not got yet
                    if (flushed != GO_ON) {
                        return flushed;
                    }
                }
                if (!mayRead) {
                    return WAIT_READABLE;
                }
                mayRead = false; // one read per event: a busy server does not hold the engine's thread
                verdict = read(target, tls);
                progress = true;
            }
            if (verdict != GO_ON) {
                return verdict;
            }
            idle = progress ? 0 : idle + 1;
            if (idle > MAX_IDLE_STEPS) {
                return fail(tls, "TLS engine made no progress (" + engine.getHandshakeStatus() + ")");
            }
        }
    }

    private SSLEngineResult wrap(TlsState tls, ByteBuffer source) throws SSLException {
        return tls.engine.wrap(source, tls.netOut);
    }

    private SSLEngineResult unwrap(TlsState tls) throws SSLException {
        tls.netIn.flip();
        try {
            return tls.engine.unwrap(tls.netIn, plaintext.clear());
        } finally {
            tls.netIn.compact();
        }
    }

    /** What a wrap or an unwrap's result means for the probe: go on, read, or a verdict. */
    private int judge(TargetState target, TlsState tls, SSLEngineResult result, boolean unwrapped) {
        switch (result.getStatus()) {
            case OK -> {
                if (unwrapped && result.bytesProduced() > 0) {
                    int verdict = target.scanner.feed(plaintext.flip());
                    if (verdict != HttpResponseScanner.MORE) {
                        return verdict;
                    }
                }
                return GO_ON;
            }
            case BUFFER_UNDERFLOW -> {
                // A record is not complete: read more, unless the buffer is full (a record larger than a TLS packet:
                // the JDK refuses those first, so this is a second bound).
                return tls.netIn.hasRemaining() ? WAIT_READABLE
                        : fail(tls, "a TLS record exceeds " + tls.netIn.capacity() + " bytes");
            }
            case BUFFER_OVERFLOW -> {
                // The record buffers are a packet long and emptied before each wrap, the plaintext buffer before each
                // unwrap: only an engine wanting more than its session said comes here.
                return fail(tls, "a TLS record exceeds the buffers (" + tls.netOut.capacity() + " bytes)");
            }
            default -> {
                // CLOSED: the server's close_notify. Before the handshake ended that is a refusal; after it, the end
                // of the response, as when a plain HTTP server closes.
                return tls.handshakeDone ? target.scanner.endOfStream() : fail(tls, CLOSED_IN_HANDSHAKE);
            }
        }
    }

    /** Sends the wrapped records: {@link #GO_ON} when all went, else waits for room or fails. */
    private int flush(TargetState target, TlsState tls) {
        int pending = tls.netOut.position();
        int flags = KernelConstants.MSG_DONTWAIT | KernelConstants.MSG_NOSIGNAL;
        // With errno capture at once (an HTTPS probe allocates anyway): a failed send or recv clears the socket's
        // error, so a second call would no longer say why.
        long sent = libc.send(target.fd, tls.netOutSegment, pending, flags);
        if (sent < 0) {
            int errno = libc.errno();
            return errno == KernelConstants.EAGAIN ? WAIT_WRITABLE
                    : fail(tls, stream.connectCause(ErrnoCauses.SEND, errno));
        }
        if (sent == pending) {
            tls.netOut.clear();
            return GO_ON;
        }
        tls.netOut.flip().position((int) sent);
        tls.netOut.compact();
        return WAIT_WRITABLE;
    }

    /** One read into the target's record buffer, within the phase's bound. */
    private int read(TargetState target, TlsState tls) {
        int bound = tls.handshakeDone ? MAX_RESPONSE_BYTES : MAX_HANDSHAKE_BYTES;
        if (tls.bytesReceived >= bound) {
            return fail(tls, tls.handshakeDone ? RESPONSE_TOO_LONG : HANDSHAKE_TOO_LONG);
        }
        int at = tls.netIn.position();
        int room = Math.min(tls.netIn.remaining(), bound - tls.bytesReceived + 1);
        MemorySegment into = tls.netInSegment.asSlice(at, room);
        // Data that came before a reset is read first; the reset is the next call's error.
        long read = libc.recvfrom(target.fd, into, room, KernelConstants.MSG_DONTWAIT, MemorySegment.NULL,
                MemorySegment.NULL);
        if (read < 0) {
            int errno = libc.errno();
            return errno == KernelConstants.EAGAIN ? WAIT_READABLE
                    : fail(tls, stream.connectCause(ErrnoCauses.RECEIVE, errno));
        }
        if (read == 0) {
            return tls.handshakeDone ? target.scanner.endOfStream() : fail(tls, CLOSED_IN_HANDSHAKE);
        }
        if (!tls.handshakeDone && tls.bytesReceived == 0 && read >= 5 && startsWithHttp(tls.netInSegment)) {
            return fail(tls, PLAIN_HTTP); // what a plain server says to a ClientHello, often "400 Bad Request"
        }
        tls.bytesReceived += (int) read;
        tls.netIn.position(at + (int) read);
        return GO_ON;
    }

    private static boolean startsWithHttp(MemorySegment bytes) {
        return bytes.get(ValueLayout.JAVA_BYTE, 0) == 'H' && bytes.get(ValueLayout.JAVA_BYTE, 1) == 'T'
                && bytes.get(ValueLayout.JAVA_BYTE, 2) == 'T' && bytes.get(ValueLayout.JAVA_BYTE, 3) == 'P'
                && bytes.get(ValueLayout.JAVA_BYTE, 4) == '/';
    }

    /**
     * The probe has its verdict and its handshake was done: a close_notify (RFC 8446 §6.1) goes out if it fits the
     * socket now, so a server that logs abrupt closes does not log each check; the socket is then reset as for every
     * stream probe. Nothing is waited for and nothing fails here.
     */
    void closeNotify(TargetState target) {
        TlsState tls = target.tls;
        if (tls.engine == null || !tls.handshakeDone || tls.netOut.position() > 0 || target.fd < 0) {
            return;
        }
        try {
            tls.engine.closeOutbound();
            tls.engine.wrap(NOTHING, tls.netOut);
        } catch (SSLException | RuntimeException e) {
            return;
        }
        LibC.sendUncaptured(target.fd, tls.netOutSegment, tls.netOut.position(),
                KernelConstants.MSG_DONTWAIT | KernelConstants.MSG_NOSIGNAL);
        tls.netOut.clear();
    }

    /** The probe ended: its engine goes. */
    void end(TlsState tls) {
        tls.engine = null;
    }

    private static int fail(TlsState tls, String cause) {
        tls.cause = cause;
        return HttpResponseScanner.FAILED;
    }

    /**
     * The words for a TLS failure: the certificate problems an operator acts on by name, else the JDK's message,
     * printable and at most 200 characters (it may quote what the server sent).
     */
    static String describe(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; depth < 8 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        if (root instanceof CertificateExpiredException) {
            return "the server's certificate has expired (" + printable(root.getMessage()) + ")";
        }
        if (root instanceof CertificateNotYetValidException) {
            return "the server's certificate is not yet valid (" + printable(root.getMessage()) + ")";
        }
        if (root instanceof CertPathBuilderException || root instanceof CertPathValidatorException) {
            return "the server's certificate is not trusted: " + printable(root.getMessage());
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (root != failure && root.getMessage() != null && !message.contains(root.getMessage())) {
            // "(internal_error) Unhandled exception" says little; what the engine could not handle says more
            message = message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return printable(message);
    }

    private static String printable(String text) {
        if (text == null) {
            return "no detail";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return text.length() > 200 ? out.append("...").toString() : out.toString();
    }

    /**
     * A check's default: any certificate is accepted (as HAProxy's {@code check-ssl verify none}), since the check
     * asks whether the server answers. An {@link X509ExtendedTrustManager}, so the JDK adds no checks of its own.
     */
    private static final class TrustingAnyCertificate extends X509ExtendedTrustManager {
        private static final X509Certificate[] NONE = new X509Certificate[0];

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a probe is a client");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a probe is a client");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a probe is a client");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return NONE;
        }
    }
}
