package dev.baton.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP server on loopback for the engine's tests: one platform thread accepts, and each connection reads the
 * request (up to its blank line, at most 8 KiB, 5 s) and then plays the current {@link Behaviour}. Every socket is
 * closed by {@link #close()}; every loop is bounded. The same over TLS ({@link #tls}), and a raw server that plays
 * its behaviour as soon as the client's first bytes come, whatever they are ({@link #raw}: a ClientHello to a
 * server that does not speak TLS, or to one that speaks it badly).
 */
final class ScriptedHttpServer implements AutoCloseable {

    /** What the server does with one connection after reading its request. */
    @FunctionalInterface
    interface Behaviour {
        void respond(Socket socket, OutputStream out) throws IOException, InterruptedException;
    }

    static Behaviour replying(String response) {
        return (socket, out) -> {
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    /** Sends the first part, waits, then the rest: the response arrives in two reads. */
    static Behaviour inTwoParts(String first, String second) {
        return (socket, out) -> {
            out.write(first.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(30);
            out.write(second.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    /** Holds the connection open and says nothing until the engine closes it (or 5 s pass). */
    static final Behaviour SILENT = (socket, out) -> {
        while (socket.getInputStream().read() >= 0) {
            // nothing is expected after the request; read until the engine's RST or the 5 s read timeout
        }
    };

    /** Closes the connection at once: for TCP connect probes, which reset it anyway. */
    static final Behaviour CLOSE = (socket, out) -> {
    };

    /** A status line, then up to 10 MB of header bytes that never end (the write fails once the engine resets). */
    static final Behaviour ENDLESS = (socket, out) -> {
        out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
        byte[] filler = "X-Filler: 0123456789abcdef\r\n".repeat(1_000).getBytes(StandardCharsets.ISO_8859_1);
        for (long sent = 0; sent < 10_000_000; sent += filler.length) {
            out.write(filler);
        }
    };

    /** Part of a status line, then a reset (linger 0). */
    static final Behaviour RESET_MIDWAY = (socket, out) -> {
        out.write("HTTP/1.1 20".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(20);
        socket.setSoLinger(true, 0);
        socket.close();
    };

    private final ServerSocket listener;
    private final boolean readsRequest;
    private final Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** TLS: per connection that got as far as its request, the server names the client sent (SNI) and the protocol. */
    final List<List<String>> serverNames = new CopyOnWriteArrayList<>();
    final List<String> protocols = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour;
    private volatile boolean closed;

    ScriptedHttpServer(Behaviour behaviour) throws IOException {
        this(behaviour, 0);
    }

    /** A server on {@code port} of loopback (0: any free port). */
    ScriptedHttpServer(Behaviour behaviour, int port) throws IOException {
        this(behaviour, new ServerSocket(), port, true);
    }

    /** An HTTPS server with {@code context}'s certificate, speaking only {@code protocols} (none given: the JDK's). */
    static ScriptedHttpServer tls(Behaviour behaviour, SSLContext context, String... protocols) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        if (protocols.length > 0) {
            listener.setEnabledProtocols(protocols);
        }
        return new ScriptedHttpServer(behaviour, listener, 0, true);
    }

    /** A server that plays {@code behaviour} once the first bytes of a connection came, without reading a request. */
    static ScriptedHttpServer raw(Behaviour behaviour) throws IOException {
        return new ScriptedHttpServer(behaviour, new ServerSocket(), 0, false);
    }

    private ScriptedHttpServer(Behaviour behaviour, ServerSocket unbound, int port, boolean readsRequest)
            throws IOException {
        this.behaviour = behaviour;
        this.readsRequest = readsRequest;
        this.listener = unbound;
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        this.acceptor = Thread.ofPlatform().daemon().name("scripted-http").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    void behaviour(Behaviour next) {
        this.behaviour = next;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                // As servers for the web do: the JDK's TLS server writes a flight in pieces, and Nagle's algorithm
                // would hold each next piece for the probe's delayed acknowledgement (40 ms a handshake).
                socket.setTcpNoDelay(true);
                connections.add(socket);
                Thread.ofPlatform().daemon().name("scripted-http-connection").start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            byte[] request = new byte[8_192];
            int length = 0;
            while (length < request.length) {
                int read = in.read(request, length, request.length - length);
                if (read < 0) {
                    break;
                }
                length += read;
                if (!readsRequest || new String(request, 0, length, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    break;
                }
            }
            requests.add(new String(request, 0, length, StandardCharsets.ISO_8859_1));
            if (socket instanceof SSLSocket tls && tls.getSession() instanceof ExtendedSSLSession session) {
                serverNames.add(session.getRequestedServerNames().stream()
                        .map(name -> name instanceof SNIHostName host ? host.getAsciiName() : name.toString()).toList());
                protocols.add(session.getProtocol());
            }
            behaviour.respond(socket, socket.getOutputStream());
        } catch (IOException | InterruptedException e) {
            // the engine closed (or reset) the connection first: expected in most scripts
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
        acceptor.join(TimeUnit.SECONDS.toMillis(5));
    }
}
