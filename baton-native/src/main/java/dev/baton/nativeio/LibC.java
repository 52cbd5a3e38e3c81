package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls Baton needs, bound once through {@link Linker#nativeLinker()} and its default
 * lookup (no JNI, no JNA).
 *
 * <p>Every call that can fail captures {@code errno} with {@code Linker.Option.captureCallState}
 * into a segment owned by this instance, so reading the error costs no allocation and no second
 * native call. The method handles are shared by all instances; the capture segment is not, which
 * makes an instance <b>single-threaded</b>: give each thread (each {@link PacketSocket}) its own.
 *
 * <p>{@link #sendUncaptured}, {@link #pollUncaptured}, {@link #sendtoUncaptured} and {@link #recvfromUncaptured} are the exception: the per-batch calls skip
 * the capture, because capturing allocates whenever the JIT does not inline the whole downcall; their
 * callers repeat a failed call through the capturing variant to learn the errno.
 *
 * <p>The methods return the raw C result ({@code -1} on failure for most calls) so hot-path callers
 * can treat {@code EAGAIN} or {@code EINTR} as ordinary outcomes; {@link #orThrow(int, String)} turns
 * a failure into a {@link NativeException} for set-up code.
 */
// Binding libc and reading C strings are the restricted FFM operations this class exists for.
@SuppressWarnings("restricted")
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET =
            downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND =
            downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
            downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP =
            downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL =
            downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND =
            downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // The same two calls without errno capture, for the per-batch hot path: a capturing downcall
    // slices the capture segment on every call (SharedUtils.checkCaptureSegment), which allocates
    // whenever the JIT does not inline the whole call chain. See sendUncaptured/pollUncaptured.
    private static final MethodHandle SEND_UNCAPTURED = LINKER.downcallHandle(symbol("send"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL_UNCAPTURED = LINKER.downcallHandle(symbol("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    // The probe engine's receive polls a non-blocking socket every duty cycle, where nearly every call is
    // EAGAIN: without capture it never allocates (see sendUncaptured).
    private static final MethodHandle RECVFROM_UNCAPTURED = LINKER.downcallHandle(symbol("recvfrom"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO_UNCAPTURED = LINKER.downcallHandle(symbol("sendto"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT =
            downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // A TCP health check opens, binds and connects a socket per probe and learns the outcome from SO_ERROR: the
    // uncaptured calls keep that allocation-free before the JIT has inlined the capturing ones. A failure is
    // repeated through the capturing call to learn its errno (each of these fails the same way again).
    private static final MethodHandle SOCKET_UNCAPTURED = LINKER.downcallHandle(symbol("socket"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT_UNCAPTURED = LINKER.downcallHandle(symbol("setsockopt"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT_UNCAPTURED = LINKER.downcallHandle(symbol("getsockopt"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BIND_UNCAPTURED = LINKER.downcallHandle(symbol("bind"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT_UNCAPTURED = LINKER.downcallHandle(symbol("connect"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE_UNCAPTURED = LINKER.downcallHandle(symbol("close"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL_UNCAPTURED = LINKER.downcallHandle(symbol("epoll_ctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_CREATE1 =
            downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL =
            downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    // The probe engine asks every duty cycle, and nearly every answer is "nothing": without capture (see
    // sendUncaptured). -1 is EINTR or a broken descriptor, both "nothing now".
    private static final MethodHandle EPOLL_WAIT_UNCAPTURED = LINKER.downcallHandle(symbol("epoll_wait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX =
            downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SETNS =
            downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // open(2) and ioctl(2) are variadic in C: the System V ABI wants the variadic part declared
    // as such (the caller sets %al), hence firstVariadicArg.
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETPRIORITY =
            downcall("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SCHED_SETSCHEDULER =
            downcall("sched_setscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SCHED_GETSCHEDULER =
            downcall("sched_getscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPAGESIZE =
            LINKER.downcallHandle(symbol("getpagesize"), FunctionDescriptor.of(JAVA_INT));
    // glibc >= 2.32; optional so that another libc degrades to "errno N" instead of failing to load.
    private static final Optional<MethodHandle> STRERRORNAME_NP = optional("strerrorname_np");
    private static final Optional<MethodHandle> STRERRORDESC_NP = optional("strerrordesc_np");

    private final MemorySegment callState;

    /** Creates an instance with its own errno capture segment (freed when the instance is unreachable). */
    public LibC() {
        this.callState = Arena.ofAuto().allocate(CALL_STATE_LAYOUT);
    }

    /** {@code errno} as left by the last call made through this instance. */
    public int errno() {
        return (int) ERRNO.get(callState, 0L);
    }

    /**
     * Returns {@code result} unless it is negative, in which case the {@code errno} of the last call
     * becomes a {@link NativeException} naming {@code callName}.
     */
    public int orThrow(int result, String callName) {
        if (result < 0) {
            throw failure(callName);
        }
        return result;
    }

    /** A {@link NativeException} for the last call through this instance, named {@code callName}. */
    public NativeException failure(String callName) {
        return failure(callName, errno());
    }

    /** A {@link NativeException} for {@code callName} having failed with {@code errno}. */
    public static NativeException failure(String callName, int errno) {
        return new NativeException(callName, errno, errnoName(errno), errnoText(errno));
    }

    /** {@code int socket(int domain, int type, int protocol)}: a descriptor, or -1. */
    public int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(callState, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}: 0, or -1. */
    public int bind(int fd, MemorySegment address, int addressLength) {
        try {
            return (int) BIND.invokeExact(callState, fd, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)}: 0, or -1; {@code addressLength}
     * points to a 4-byte in/out length.
     */
    public int getsockname(int fd, MemorySegment address, MemorySegment addressLength) {
        try {
            return (int) GETSOCKNAME.invokeExact(callState, fd, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}: 0, or -1. */
    public int setsockopt(int fd, int level, int optionName, MemorySegment value, int valueLength) {
        try {
            return (int) SETSOCKOPT.invokeExact(callState, fd, level, optionName, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}: 0, or -1;
     * {@code valueLength} points to a 4-byte in/out length.
     */
    public int getsockopt(int fd, int level, int optionName, MemorySegment value, MemorySegment valueLength) {
        try {
            return (int) GETSOCKOPT.invokeExact(callState, fd, level, optionName, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)}: the
     * mapping as a zero-length segment, or a segment whose address is {@code -1} (MAP_FAILED).
     */
    public MemorySegment mmap(MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(callState, address, length, protection, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int munmap(void *addr, size_t len)}: 0, or -1. */
    public int munmap(MemorySegment address, long length) {
        try {
            return (int) MUNMAP.invokeExact(callState, address, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout)}: ready descriptors, 0 on timeout, or -1. */
    public int poll(MemorySegment pollFds, long count, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(callState, pollFds, count, timeoutMs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ssize_t send(int fd, const void *buf, size_t len, int flags)}: bytes queued, or -1. */
    public long send(int fd, MemorySegment buffer, long length, int flags) {
        try {
            return (long) SEND.invokeExact(callState, fd, buffer, length, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code send} without errno capture, so it never allocates: for the per-batch TX kick. On -1 the
     * errno is <em>not</em> available; call {@link #send} to repeat the call and learn it (a transient
     * error may be gone by then, a persistent one repeats).
     */
    public static long sendUncaptured(int fd, MemorySegment buffer, long length, int flags) {
        try {
            return (long) SEND_UNCAPTURED.invokeExact(fd, buffer, length, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code poll} without errno capture, so it never allocates: for the RX wait. On -1 the errno is
     * not available; repeat with {@link #poll} (timeout 0) to learn it.
     */
    public static int pollUncaptured(MemorySegment pollFds, long count, int timeoutMs) {
        try {
            return (int) POLL_UNCAPTURED.invokeExact(pollFds, count, timeoutMs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
     * socklen_t tolen)}: bytes sent, or -1.
     */
    public long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(callState, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code sendto} without errno capture, so it never allocates; on -1 repeat through {@link #sendto} to learn
     * the errno (a datagram that failed to leave is not on the wire, so the repeat sends it at most once).
     */
    public static long sendtoUncaptured(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                                        int addressLength) {
        try {
            return (long) SENDTO_UNCAPTURED.invokeExact(fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)}:
     * bytes received (at most {@code length}; a longer datagram is truncated), or -1. {@code address} and
     * {@code addressLength} (a 4-byte in/out length) may be {@link MemorySegment#NULL}.
     */
    public long recvfrom(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                         MemorySegment addressLength) {
        try {
            return (long) RECVFROM.invokeExact(callState, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code recvfrom} without errno capture, so it never allocates: for polling a non-blocking socket, where -1
     * is nearly always {@code EAGAIN}. The errno is not available; repeat through {@link #recvfrom} to learn it.
     */
    public static long recvfromUncaptured(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                                          MemorySegment addressLength) {
        try {
            return (long) RECVFROM_UNCAPTURED.invokeExact(fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}: 0, or -1. On a non-blocking stream
     * socket -1 with {@code EINPROGRESS} is the usual start: the outcome comes later through {@code SO_ERROR}.
     */
    public int connect(int fd, MemorySegment address, int addressLength) {
        try {
            return (int) CONNECT.invokeExact(callState, fd, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #socket} without errno capture: never allocates. */
    public static int socketUncaptured(int domain, int type, int protocol) {
        try {
            return (int) SOCKET_UNCAPTURED.invokeExact(domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #setsockopt} without errno capture: never allocates. */
    public static int setsockoptUncaptured(int fd, int level, int optionName, MemorySegment value, int valueLength) {
        try {
            return (int) SETSOCKOPT_UNCAPTURED.invokeExact(fd, level, optionName, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #getsockopt} without errno capture: never allocates. */
    public static int getsockoptUncaptured(int fd, int level, int optionName, MemorySegment value,
                                           MemorySegment valueLength) {
        try {
            return (int) GETSOCKOPT_UNCAPTURED.invokeExact(fd, level, optionName, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #bind} without errno capture: never allocates. */
    public static int bindUncaptured(int fd, MemorySegment address, int addressLength) {
        try {
            return (int) BIND_UNCAPTURED.invokeExact(fd, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@link #connect} without errno capture: never allocates. On a non-blocking socket -1 then means "in
     * progress" or "failed at once", told apart later: a socket whose connect failed at once is closed (epoll
     * reports a hang-up with no pending error), and a second connect names the errno.
     */
    public static int connectUncaptured(int fd, MemorySegment address, int addressLength) {
        try {
            return (int) CONNECT_UNCAPTURED.invokeExact(fd, address, addressLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #close} without errno capture: never allocates. */
    public static int closeUncaptured(int fd) {
        try {
            return (int) CLOSE_UNCAPTURED.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link #epollCtl} without errno capture: never allocates. */
    public static int epollCtlUncaptured(int epollFd, int operation, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL_UNCAPTURED.invokeExact(epollFd, operation, fd, event);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int epoll_create1(int flags)}: an epoll descriptor, or -1. */
    public int epollCreate1(int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(callState, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}: 0, or -1. */
    public int epollCtl(int epollFd, int operation, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(callState, epollFd, operation, fd, event);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} without errno
     * capture, so it never allocates: the number of events written, 0 when none came within {@code timeoutMs}, or
     * -1 (interrupted, or a bad descriptor).
     */
    public static int epollWaitUncaptured(int epollFd, MemorySegment events, int maxEvents, int timeoutMs) {
        try {
            return (int) EPOLL_WAIT_UNCAPTURED.invokeExact(epollFd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int close(int fd)}: 0, or -1. */
    public int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int setpriority(int which, id_t who, int prio)}: 0, or -1. With {@code PRIO_PROCESS} and
     * {@code who} 0 it sets the nice value of the <em>calling thread</em> only: on Linux the nice value is a
     * per-thread attribute (setpriority(2), BUGS). Lowering it below 0 needs {@code CAP_SYS_NICE}.
     */
    public int setpriority(int which, int who, int nice) {
        try {
            return (int) SETPRIORITY.invokeExact(callState, which, who, nice);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)}: 0, or -1. With
     * {@code pid} 0 it sets the policy of the <em>calling thread</em> only. A real-time policy needs
     * {@code CAP_SYS_NICE}.
     */
    public int schedSetscheduler(int pid, int policy, MemorySegment param) {
        try {
            return (int) SCHED_SETSCHEDULER.invokeExact(callState, pid, policy, param);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int sched_getscheduler(pid_t pid)}: the policy ({@code pid} 0: the calling thread), or -1. */
    public int schedGetscheduler(int pid) {
        try {
            return (int) SCHED_GETSCHEDULER.invokeExact(callState, pid);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code unsigned if_nametoindex(const char *name)}: the index, or 0 (errno set). Resolved in the
     * network namespace of the calling thread.
     */
    public int ifNameToIndex(MemorySegment cName) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(callState, cName);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int setns(int fd, int nstype)}: 0, or -1. Moves the <em>calling thread</em> only. */
    public int setns(int fd, int namespaceType) {
        try {
            return (int) SETNS.invokeExact(callState, fd, namespaceType);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int open(const char *path, int flags)} (mode 0): a descriptor, or -1. */
    public int open(MemorySegment cPath, int flags) {
        try {
            return (int) OPEN.invokeExact(callState, cPath, flags, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code int ioctl(int fd, unsigned long request, void *arg)}: usually 0, or -1. */
    public int ioctl(int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(callState, fd, request, argument);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The size of a memory page in bytes ({@code getpagesize()}); ring blocks must be multiples of it. */
    public static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The symbolic name of {@code errno}, e.g. {@code "EINVAL"}, or {@code "errno 22"} if unknown. */
    public static String errnoName(int errno) {
        String name = STRERRORNAME_NP.map(handle -> cString(handle, errno)).orElse(null);
        return name != null ? name : "errno " + errno;
    }

    /** The C library's description of {@code errno}, e.g. {@code "Invalid argument"}. */
    public static String errnoText(int errno) {
        String text = STRERRORDESC_NP.map(handle -> cString(handle, errno)).orElse(null);
        return text != null ? text : "unknown error " + errno;
    }

    private static String cString(MethodHandle stringForErrno, int errno) {
        try {
            MemorySegment text = (MemorySegment) stringForErrno.invokeExact(errno);
            // The glibc tables are static strings; NULL means "not a known errno".
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc symbol " + name));
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = symbol(name);
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static Optional<MethodHandle> optional(String name) {
        return LIBC.find(name).map(symbol -> LINKER.downcallHandle(symbol, FunctionDescriptor.of(ADDRESS, JAVA_INT)));
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}
