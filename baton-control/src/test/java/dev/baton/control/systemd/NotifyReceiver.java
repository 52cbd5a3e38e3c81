package dev.baton.control.systemd;

import dev.baton.nativeio.UnixDatagramSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What systemd would be in these tests: a datagram socket bound to an abstract name, read by the test. */
public final class NotifyReceiver implements AutoCloseable {

    public final String address = "@baton-notify-test-" + ProcessHandle.current().pid() + "-"
            + ThreadLocalRandom.current().nextInt(1 << 30);
    private final UnixDatagramSocket socket = UnixDatagramSocket.bind(address);

    /** The next datagram as text, or null when none comes within {@code timeoutMs}. */
    public String next(int timeoutMs) {
        byte[] datagram = socket.receive(65_536, timeoutMs);
        return datagram == null ? null : new String(datagram, StandardCharsets.UTF_8);
    }

    /** Every datagram already queued. */
    public List<String> drain() {
        List<String> all = new ArrayList<>();
        for (String m = next(50); m != null; m = next(50)) {
            all.add(m);
        }
        return all;
    }

    @Override
    public void close() {
        socket.close();
    }
}
