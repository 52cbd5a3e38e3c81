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
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", command);
        request.put("args", args);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
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
            throw new ControlException(reply instanceof Map<?, ?> map ? String.valueOf(map.get("error")) : line);
        } catch (IOException e) {
            throw new ControlException("cannot reach the router's control socket " + socket + ": " + e.getMessage()
                    + " (is `baton run` running, and is this the socket in its router.control-socket?)");
        }
    }

    /** The router answered with an error, or could not be reached. */
    public static final class ControlException extends RuntimeException {
        public ControlException(String message) {
            super(message);
        }
    }
}
