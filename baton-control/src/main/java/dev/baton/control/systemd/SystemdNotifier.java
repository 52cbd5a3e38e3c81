package dev.baton.control.systemd;

import dev.baton.agent.MillisClock;
import dev.baton.agent.RateLimitedLog;
import dev.baton.nativeio.KernelStructs;
import dev.baton.nativeio.LibC;
import dev.baton.nativeio.UnixDatagramSocket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the service manager what the router is doing: systemd's notification protocol ({@code sd_notify(3)}), spoken
 * through the FFM API ({@link UnixDatagramSocket}), without libsystemd. Each message is one datagram of
 * newline-separated {@code KEY=VALUE} assignments to the socket named by {@code $NOTIFY_SOCKET}, which systemd sets
 * for a unit of {@code Type=notify}: {@code READY=1} once the router forwards, {@code STATUS=} a line for
 * {@code systemctl status}, {@code WATCHDOG=1} while it is alive ({@link ServiceWatchdog}), {@code STOPPING=1} at
 * shutdown, {@code RELOADING=1} (with {@code MONOTONIC_USEC=}, as {@code Type=notify-reload} wants) for a reload.
 *
 * <p>It never stands in the router's way. Without {@code $NOTIFY_SOCKET} (not started by systemd) every call does
 * nothing; an invalid value, or a socket that cannot be opened, is said once in the log and then ignored. A send
 * never blocks ({@code MSG_DONTWAIT}) and never throws: a failure is counted and logged at most once a minute.
 * {@code STATUS=} text is cut at {@link #MAX_STATUS_CHARS} characters and its control characters become spaces, so a
 * value cannot add assignments of its own. Every method is thread-safe (the main thread, the watchdog thread and the
 * shutdown hook send).
 */
public final class SystemdNotifier implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SystemdNotifier.class.getName());

    /** The environment variable naming the notification socket. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    /** The watchdog's timeout in microseconds, set by systemd when the unit has {@code WatchdogSec=}. */
    public static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    /** The process the watchdog is for; when set and not this process, the watchdog is another's. */
    public static final String WATCHDOG_PID = "WATCHDOG_PID";
    /** The longest {@code STATUS=} text sent. */
    public static final int MAX_STATUS_CHARS = 200;
    /** At most one log line per this many milliseconds for failed sends. */
    static final long FAILURE_LOG_INTERVAL_MS = 60_000;

    private final String address;
    private final UnixDatagramSocket socket;
    private final MemorySegment sockaddr;
    private final int sockaddrLength;
    private final long watchdogUs;
    private final MillisClock clock;
    private final RateLimitedLog failureLog = new RateLimitedLog(1, FAILURE_LOG_INTERVAL_MS);
    private long sent;
    private long failed;
    private boolean closed;

    private SystemdNotifier(String address, UnixDatagramSocket socket, MemorySegment sockaddr, int sockaddrLength,
                            long watchdogUs, MillisClock clock) {
        this.address = address;
        this.socket = socket;
        this.sockaddr = sockaddr;
        this.sockaddrLength = sockaddrLength;
        this.watchdogUs = watchdogUs;
        this.clock = clock;
    }

    /** A notifier that sends nothing: not under systemd. */
    public static SystemdNotifier disabled() {
        return new SystemdNotifier(null, null, null, 0, 0, MillisClock.SYSTEM);
    }

    /**
     * The notifier {@code environment} asks for ({@link System#getenv()} in {@code baton run}), for process
     * {@code pid}: disabled, with one log line, when {@code $NOTIFY_SOCKET} is unset or not a Unix socket address.
     */
    public static SystemdNotifier fromEnvironment(Map<String, String> environment, long pid, MillisClock clock) {
        String address = environment.get(NOTIFY_SOCKET);
        if (address == null || address.isEmpty()) {
            LOG.info("not started by systemd ($" + NOTIFY_SOCKET + " is not set): no readiness or watchdog notifications");
            return disabled();
        }
        String problem = UnixDatagramSocket.problem(address);
        if (problem != null) {
            LOG.warning("$" + NOTIFY_SOCKET + " ignored: " + problem + "; systemd sets an absolute path or '@name'."
                    + " The router runs on without telling its service manager it is ready");
            return disabled();
        }
        long watchdogUs = watchdogMicros(environment, pid);
        UnixDatagramSocket socket;
        try {
            socket = UnixDatagramSocket.open();
        } catch (RuntimeException e) {
            LOG.warning("$" + NOTIFY_SOCKET + " ignored: cannot open an AF_UNIX datagram socket (" + e.getMessage()
                    + "; a unit's RestrictAddressFamilies= must allow AF_UNIX)");
            return disabled();
        }
        MemorySegment sockaddr = Arena.ofAuto().allocate(KernelStructs.SockaddrUn.LAYOUT);
        int length = UnixDatagramSocket.write(address, sockaddr);
        return new SystemdNotifier(address, socket, sockaddr, length, watchdogUs, clock);
    }

    /**
     * {@code $WATCHDOG_USEC} when it is for {@code pid}, else 0: a positive whole number of microseconds (at most
     * 18 digits); anything else is said in the log once and means no watchdog.
     */
    static long watchdogMicros(Map<String, String> environment, long pid) {
        String usec = environment.get(WATCHDOG_USEC);
        if (usec == null || usec.isEmpty()) {
            return 0;
        }
        String forPid = environment.get(WATCHDOG_PID);
        if (forPid != null && !forPid.isEmpty() && !forPid.equals(Long.toString(pid))) {
            LOG.info("$" + WATCHDOG_USEC + " is for process " + printable(forPid) + ", not this one (" + pid
                    + "): no watchdog pings");
            return 0;
        }
        if (!usec.matches("[0-9]{1,18}") || Long.parseLong(usec) == 0) {
            LOG.warning("$" + WATCHDOG_USEC + " ignored: '" + printable(usec) + "' is not a positive number of"
                    + " microseconds (e.g. 10000000 for WatchdogSec=10s): no watchdog pings");
            return 0;
        }
        return Long.parseLong(usec);
    }

    /** Whether messages go anywhere. */
    public boolean enabled() {
        return socket != null;
    }

    /** The watchdog timeout systemd asked for, in microseconds; 0 when none. */
    public long watchdogMicros() {
        return watchdogUs;
    }

    /** Where messages go ({@code $NOTIFY_SOCKET}), or null when disabled. */
    public String address() {
        return address;
    }

    /**
     * {@code READY=1} with a {@code STATUS=} line: the router forwards; after {@link #reloading}, the reload ended
     * (applied or rejected: the line says which).
     */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + statusText(status));
    }

    /** {@code STATUS=}: a line for {@code systemctl status}. */
    public void status(String status) {
        send("STATUS=" + statusText(status));
    }

    /** {@code WATCHDOG=1}: the router is alive (only when its own liveness checks pass, see {@link ServiceWatchdog}). */
    public void watchdog() {
        send("WATCHDOG=1");
    }

    /** {@code STOPPING=1} with a {@code STATUS=} line: the router is shutting down. */
    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + statusText(status));
    }

    /**
     * {@code RELOADING=1} with {@code MONOTONIC_USEC=} (CLOCK_MONOTONIC, which {@link System#nanoTime()} reads on
     * Linux) and a {@code STATUS=} line: a reload begins ({@link ReloadSignal}); {@link #ready} when it ended. systemd
     * shows the unit "reloading" in between; a {@code MONOTONIC_USEC=} lets systemd 253 and later tell this reload
     * from an earlier one, systemd 252 ignores it.
     */
    public void reloading(String status) {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1_000 + "\nSTATUS=" + statusText(status));
    }

    /** Datagrams sent so far. */
    public synchronized long sent() {
        return sent;
    }

    /** Datagrams the kernel refused so far. */
    public synchronized long failed() {
        return failed;
    }

    /** Sends {@code message} as one datagram; a failure is counted and logged at most once a minute, never thrown. */
    synchronized void send(String message) {
        if (socket == null || closed) {
            return;
        }
        int errno;
        try {
            errno = socket.send(message.getBytes(StandardCharsets.UTF_8), sockaddr, sockaddrLength);
        } catch (RuntimeException e) {
            errno = -1;
            LOG.log(Level.FINE, "sd_notify send failed", e);
        }
        if (errno == 0) {
            sent++;
            return;
        }
        failed++;
        long nowMs = clock.nowMs();
        if (failureLog.shouldLog(0, nowMs)) {
            long suppressed = failureLog.takeSuppressed(0);
            String first = message.substring(0, Math.max(0, message.indexOf('=')));
            LOG.warning("cannot notify the service manager at " + address + " (" + first + "): "
                    + (errno < 0 ? "unexpected failure" : LibC.errnoName(errno) + " " + LibC.errnoText(errno))
                    + (suppressed > 0 ? " (" + suppressed + " more failures since the last line)" : "")
                    + "; the router goes on");
        }
    }

    /** {@code status} as one line of at most {@link #MAX_STATUS_CHARS} characters: control characters become spaces. */
    static String statusText(String status) {
        String text = status == null ? "" : status;
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_STATUS_CHARS));
        for (int i = 0; i < text.length() && out.length() < MAX_STATUS_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
            out.setLength(out.length() - 1); // never half a pair
        }
        return out.toString();
    }

    private static String printable(String text) {
        return statusText(text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (socket != null) {
            socket.close();
        }
    }
}
