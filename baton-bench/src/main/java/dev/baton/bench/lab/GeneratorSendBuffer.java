package dev.baton.bench.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A larger send buffer for trafgen's packet socket, for the moment it creates it: {@code net.core.wmem_default} raised
 * (to at most {@code net.core.wmem_max}) while trafgen starts, and put back as soon as its socket exists.
 *
 * <p>Why: a frame trafgen sends stays charged to its socket until the frame is freed, and through the lab's veths and
 * bridges the same skb travels to the router and, forwarded by the kernel or by generic XDP, on to the sinks; a receive
 * backlog of 1,000 frames on the way holds more than the default 208 KiB. trafgen then gets EAGAIN flushing its ring and
 * gives up ("Flushing TX_RING failed"), ending the measurement. trafgen would raise the machine's limits itself for its
 * whole run; {@code --no-sock-mem} stops that, and this raises only the default, only for the instant its socket is
 * created ({@code sock_init_data} copies it). The sysctl is the machine's (a network namespace cannot set its own).
 */
final class GeneratorSendBuffer implements AutoCloseable {

    private static final Path DEFAULT = Path.of("/proc/sys/net/core/wmem_default");
    private static final Path MAX = Path.of("/proc/sys/net/core/wmem_max");
    /**
     * The send buffer trafgen's socket gets: 2 MiB, about 2,700 frames of 768 bytes' truesize, more than the two receive
     * backlogs of 1,000 frames a frame can wait in. (This kernel refused 4 MiB with EINVAL although {@code wmem_max} was
     * 4 MiB.)
     */
    static final long WANTED_BYTES = 2L << 20;

    private final long previous;
    private boolean closed;

    private GeneratorSendBuffer(long previous) {
        this.previous = previous;
    }

    /** Raises {@code net.core.wmem_default} to {@link #WANTED_BYTES}, or {@code wmem_max} if that is lower. */
    static GeneratorSendBuffer raise() {
        long previous = read(DEFAULT);
        long target = Math.min(WANTED_BYTES, read(MAX));
        if (target > previous) {
            write(DEFAULT, target);
        }
        return new GeneratorSendBuffer(previous);
    }

    /** Puts the previous default back; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            write(DEFAULT, previous);
        }
    }

    private static long read(Path file) {
        try {
            // Not Files.readString: it reads an empty-sized file a byte first, then from offset 1, which an integer
            // sysctl answers with nothing ("2" of "212992").
            return Long.parseLong(String.join("", Files.readAllLines(file)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void write(Path file, long value) {
        try {
            Files.writeString(file, Long.toString(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
