package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Unix domain datagram socket ({@code AF_UNIX}, {@code SOCK_DGRAM}) through the FFM API: what systemd's
 * notification protocol needs ({@code sd_notify(3)}: one datagram per message to {@code $NOTIFY_SOCKET}), which
 * {@code java.nio} does not offer (its Unix domain sockets are stream sockets only).
 *
 * <p>An address is written as systemd writes it in {@code $NOTIFY_SOCKET}: an absolute path ({@code /run/systemd/notify}),
 * or {@code @name} for an abstract socket, whose {@code sun_path} is a NUL byte and then the name, its length given
 * by the address length alone, no terminating NUL (unix(7), "Abstract sockets"). Either is at most 107 bytes.
 *
 * <p>Sends never block ({@code MSG_DONTWAIT}) and never raise SIGPIPE ({@code MSG_NOSIGNAL}): a caller that must not
 * stall (a router reporting to its service manager) gets {@code EAGAIN} back instead. One instance belongs to one
 * thread at a time (its {@link LibC} keeps the errno capture); callers from several threads synchronize.
 */
public final class UnixDatagramSocket implements AutoCloseable {

    /** The longest path or abstract name: {@code sun_path} is 108 bytes, one of them the NUL. */
    public static final int MAX_NAME_BYTES = KernelStructs.SockaddrUn.PATH_LENGTH - 1;

    private final LibC libc = new LibC();
    private final int fd;
    private boolean closed;

    private UnixDatagramSocket(int fd) {
        this.fd = fd;
    }

    /** An unbound socket, to send from. */
    public static UnixDatagramSocket open() {
        LibC libc = new LibC();
        int fd = libc.socket(KernelConstants.AF_UNIX, KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_CLOEXEC, 0);
        return new UnixDatagramSocket(libc.orThrow(fd, "socket(AF_UNIX, SOCK_DGRAM)"));
    }

    /**
     * A socket bound to {@code address} (a path, or {@code @name} for an abstract name), to receive on: a path must
     * not exist yet. The receiving end of a notification socket, in tests.
     */
    public static UnixDatagramSocket bind(String address) {
        UnixDatagramSocket socket = open();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment sockaddr = call.allocate(KernelStructs.SockaddrUn.LAYOUT);
            int length = write(address, sockaddr);
            socket.libc.orThrow(socket.libc.bind(socket.fd, sockaddr, length), "bind(" + address + ")");
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Checks {@code address} as {@link #write} would and returns why it is not one, or null when it is: for a caller
     * that validates a value from its environment before it uses it.
     */
    public static String problem(String address) {
        if (address == null || address.isEmpty()) {
            return "empty";
        }
        boolean isAbstract = address.charAt(0) == '@';
        if (!isAbstract && address.charAt(0) != '/') {
            return "'" + printable(address) + "' is neither an absolute path nor an abstract name ('@name')";
        }
        byte[] name = (isAbstract ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        if (isAbstract && name.length == 0) {
            return "'@' names no abstract socket";
        }
        if (name.length > MAX_NAME_BYTES) {
            return "'" + printable(address) + "' is " + name.length + " bytes long; sun_path holds at most " + MAX_NAME_BYTES;
        }
        if (!isAbstract && indexOf(name, (byte) 0) >= 0) {
            return "'" + printable(address) + "' holds a NUL byte";
        }
        return null;
    }

    /**
     * Writes {@code address} as a {@code struct sockaddr_un} into {@code sockaddr} (at least
     * {@link KernelStructs.SockaddrUn#SIZE} bytes) and returns the address length to pass with it: for a path the
     * family, the path and its NUL; for an abstract name the family, the NUL and the name (unix(7)).
     *
     * @throws IllegalArgumentException when {@link #problem} finds one
     */
    public static int write(String address, MemorySegment sockaddr) {
        String problem = problem(address);
        if (problem != null) {
            throw new IllegalArgumentException("not a Unix socket address: " + problem);
        }
        boolean isAbstract = address.charAt(0) == '@';
        byte[] name = (isAbstract ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        MemorySegment path = sockaddr.asSlice(KernelStructs.SockaddrUn.PATH_OFFSET, KernelStructs.SockaddrUn.PATH_LENGTH);
        path.fill((byte) 0);
        sockaddr.set(ValueLayout.JAVA_SHORT, KernelStructs.SockaddrUn.FAMILY_OFFSET, (short) KernelConstants.AF_UNIX);
        MemorySegment.copy(name, 0, path, ValueLayout.JAVA_BYTE, isAbstract ? 1 : 0, name.length);
        // An abstract name is exactly as long as the address says: a trailing NUL would be part of the name.
        return (int) KernelStructs.SockaddrUn.PATH_OFFSET + 1 + name.length;
    }

    /**
     * Sends {@code message} as one datagram to {@code sockaddr} ({@code length} bytes of it, from {@link #write}),
     * without blocking.
     *
     * @return 0 when the whole datagram was queued, else the errno ({@code EAGAIN} when the receiver's queue is full,
     * {@code ECONNREFUSED} when nobody is bound there, {@code ENOENT} for a missing path, ...)
     */
    public int send(byte[] message, MemorySegment sockaddr, int length) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, buffer, ValueLayout.JAVA_BYTE, 0, message.length);
            long sent = libc.sendto(fd, buffer, message.length, KernelConstants.MSG_DONTWAIT | KernelConstants.MSG_NOSIGNAL,
                    sockaddr, length);
            if (sent < 0) {
                return libc.errno();
            }
            // A datagram goes whole or not at all; a short count would be a kernel surprise, reported as EMSGSIZE.
            return sent == message.length ? 0 : KernelConstants.EMSGSIZE;
        }
    }

    /**
     * Waits up to {@code timeoutMs} for one datagram and returns it (at most {@code maxBytes}; a longer one is cut),
     * or null when none came.
     */
    public byte[] receive(int maxBytes, int timeoutMs) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment pollFd = call.allocate(KernelStructs.PollFd.LAYOUT);
            pollFd.set(ValueLayout.JAVA_INT, KernelStructs.PollFd.FD_OFFSET, fd);
            pollFd.set(ValueLayout.JAVA_SHORT, KernelStructs.PollFd.EVENTS_OFFSET, (short) KernelConstants.POLLIN);
            int ready = libc.poll(pollFd, 1, timeoutMs);
            if (ready < 0 && libc.errno() != KernelConstants.EINTR) {
                throw libc.failure("poll(AF_UNIX)");
            }
            if (ready <= 0) {
                return null;
            }
            MemorySegment buffer = call.allocate(Math.max(1, maxBytes));
            long received = libc.recvfrom(fd, buffer, maxBytes, KernelConstants.MSG_DONTWAIT, MemorySegment.NULL,
                    MemorySegment.NULL);
            if (received < 0) {
                if (libc.errno() == KernelConstants.EAGAIN) {
                    return null;
                }
                throw libc.failure("recvfrom(AF_UNIX)");
            }
            return Arrays.copyOf(buffer.toArray(ValueLayout.JAVA_BYTE), (int) received);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        libc.close(fd);
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** A value from the environment in a message: control characters escaped, at most 120 characters. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 120; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return text.length() > 120 ? out + "..." : out.toString();
    }
}
