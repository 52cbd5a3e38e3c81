package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.baton.nativeio.KernelStructs.EpollEvent;

/**
 * One epoll instance (epoll(7)) and the array its events are read into: many non-blocking descriptors watched
 * with one system call per duty cycle instead of one per descriptor. Level-triggered: a descriptor that is still
 * ready is reported again at the next {@link #poll}.
 *
 * <p>Each registration carries a 64-bit word of the caller's ({@code data}) that comes back with its events, so
 * the caller finds what an event is about without a lookup by descriptor. Closing a descriptor removes its
 * registration (when no duplicate of it is open), and the events of a closed descriptor that were not yet read
 * are never reported.
 *
 * <p>Allocates nothing after {@link #open}: {@link #poll} goes through the non-capturing {@code epoll_wait}, and
 * {@link #add}/{@link #modify} write one preallocated {@code epoll_event}. Owned by one thread (its {@link LibC}
 * and its segments are).
 */
public final class Epoll implements AutoCloseable {

    private final LibC libc;
    private final int fd;
    private final int capacity;
    private final Arena arena;
    private final MemorySegment request;
    private final MemorySegment events;
    private boolean closed;

    private Epoll(LibC libc, int fd, int capacity, Arena arena) {
        this.libc = libc;
        this.fd = fd;
        this.capacity = capacity;
        this.arena = arena;
        this.request = arena.allocate(EpollEvent.LAYOUT);
        this.events = arena.allocate((long) EpollEvent.SIZE * capacity, Integer.BYTES);
    }

    /**
     * Opens an epoll instance that reports at most {@code capacity} events per {@link #poll}.
     *
     * @throws NativeException when {@code epoll_create1} fails (out of descriptors or memory)
     */
    public static Epoll open(LibC libc, int capacity) {
        if (capacity < 1 || capacity > 65_536) {
            throw new IllegalArgumentException("capacity must be within 1..65536: " + capacity);
        }
        int fd = libc.orThrow(libc.epollCreate1(KernelConstants.EPOLL_CLOEXEC), "epoll_create1");
        return new Epoll(libc, fd, capacity, Arena.ofShared());
    }

    /**
     * Watches {@code watched} for {@code eventMask} ({@code EPOLLIN}, {@code EPOLLOUT}; errors and hang-ups are
     * always reported), reporting {@code data} with its events.
     *
     * @return 0, or the errno of the failure ({@code EEXIST}, {@code ENOMEM}, {@code ENOSPC} ...)
     */
    public int add(int watched, int eventMask, long data) {
        return control(KernelConstants.EPOLL_CTL_ADD, watched, eventMask, data);
    }

    /** Changes what a registered descriptor is watched for and the word it reports. @return 0, or the errno */
    public int modify(int watched, int eventMask, long data) {
        return control(KernelConstants.EPOLL_CTL_MOD, watched, eventMask, data);
    }

    /** Stops watching a descriptor that stays open. @return 0, or the errno */
    public int remove(int watched) {
        return control(KernelConstants.EPOLL_CTL_DEL, watched, 0, 0);
    }

    private int control(int operation, int watched, int eventMask, long data) {
        request.set(ValueLayout.JAVA_INT, EpollEvent.EVENTS_OFFSET, eventMask);
        request.set(ValueLayout.JAVA_LONG_UNALIGNED, EpollEvent.DATA_OFFSET, data);
        if (LibC.epollCtlUncaptured(fd, operation, watched, request) == 0) {
            return 0;
        }
        // Repeated to learn why: a failed epoll_ctl changed nothing, so it fails the same way again.
        return libc.epollCtl(fd, operation, watched, request) < 0 ? libc.errno() : 0;
    }

    /**
     * Reads the events ready now, waiting up to {@code timeoutMs} for one (0: not at all). Read them with
     * {@link #eventMask} and {@link #eventData}, index 0 up to the returned count, before the next poll.
     *
     * @return how many events were read, at most the capacity; 0 when none, or when interrupted
     */
    public int poll(int timeoutMs) {
        int ready = LibC.epollWaitUncaptured(fd, events, capacity, timeoutMs);
        return Math.max(ready, 0);
    }

    /** The {@code EPOLL*} mask of event {@code index} of the last poll. */
    public int eventMask(int index) {
        return events.get(ValueLayout.JAVA_INT, (long) index * EpollEvent.SIZE + EpollEvent.EVENTS_OFFSET);
    }

    /** The registered word of event {@code index} of the last poll. */
    public long eventData(int index) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) index * EpollEvent.SIZE + EpollEvent.DATA_OFFSET);
    }

    /** The most events one poll reports. */
    public int capacity() {
        return capacity;
    }

    /** Closes the epoll descriptor (not the descriptors it watches). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
            arena.close();
        }
    }
}
