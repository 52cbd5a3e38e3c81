package dev.baton.control.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends one command to a router's control socket and returns its result (the server is {@code ControlServer} in
 * {@code baton-control}).
 */
public final class ControlClient {

    private ControlClient() {
    }

    /**
     * @return the command's result
     * @throws ControlException when the router answers with an error or cannot be reached
     */
    public static Object call(Path socket, String command, Map<String, Object> args) {
        return call(socket, command, args, null);
    }

    /**
     * The same, bounded: when the router has not answered within {@code timeout} (it is frozen, or its control
     * thread is stuck), the channel is closed and the call fails with the time it waited.
     *
     * @param timeout at most this long for connecting, writing and reading the answer; null waits for ever
     * @throws ControlException when the router answers with an error, cannot be reached or does not answer in time
     */
    public static Object call(Path socket, String command, Map<String, Object> args, java.time.Duration timeout) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", command);
        request.put("args", args);
        java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        Thread closer = null;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            if (timeout != null) {
                // A blocked connect, write or read ends when its channel is closed (AsynchronousCloseException).
                closer = Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(timeout);
                        timedOut.set(true);
                        channel.close();
                    } catch (InterruptedException | IOException e) {
                        // answered in time, or already closed
                    }
                });
            }
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(java.nio.ByteBuffer.wrap((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new ControlException("router at " + socket + " closed the connection without answering");
            }
            Object reply;
            try {
                reply = Json.parse(line);
            } catch (IllegalArgumentException e) {
                throw new ControlException("router at " + socket + " sent an answer that is not JSON (cut short?): " + e.getMessage());
            }
            if (reply instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("ok"))) {
                return map.get("result");
            }
            throw new ControlException(reply instanceof Map<?, ?> map ? String.valueOf(map.get("error")) : line, true);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new ControlException("router at " + socket + " did not answer '" + command + "' within "
                        + timeout.toMillis() + " ms (frozen, or its control thread is stuck)");
            }
            throw new ControlException("cannot reach the router's control socket " + socket + ": " + e.getMessage()
                    + " (is `baton run` running, and is this the socket in its router.control-socket?)");
        } finally {
            if (closer != null) {
                closer.interrupt();
            }
        }
    }

    /** The router answered with an error, or could not be reached. */
    public static final class ControlException extends RuntimeException {
        private final boolean answered;

        public ControlException(String message) {
            this(message, false);
        }

        /** @param answered the router received the request and answered it with this error */
        public ControlException(String message, boolean answered) {
            super(message);
            this.answered = answered;
        }

        /**
         * Whether the router answered the request with this error (it refused it), rather than could not be reached,
         * did not answer in time or sent no answer that parses (then whether it acted on the request is unknown).
         */
        public boolean answered() {
            return answered;
        }
    }
}
