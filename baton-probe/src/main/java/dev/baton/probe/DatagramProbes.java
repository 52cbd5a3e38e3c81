package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import dev.baton.nativeio.Epoll;
import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.LibC;

/**
 * The probes of one kind that go out as one datagram through a socket their targets share ({@link EchoProbes}: a
 * raw ICMP socket per source address; {@link ArpProbes}: a packet socket per interface). The sockets are opened when
 * the first target that needs one is added, in the calling thread's namespace, and watched in the engine's
 * {@link Epoll} set; the last target removed closes its socket. One that could not be opened is tried again by a
 * probe through it at most every {@link #REOPEN_AFTER_MS}. A probe sends one datagram; the replies are read when
 * epoll reports the socket, at most {@value ProbeEngine#RECEIVES_PER_SOCKET} per socket per cycle, and matched to the
 * targets by the kind. Engine thread only.
 */
abstract sealed class DatagramProbes<S extends SharedSocket> permits EchoProbes, ArpProbes {

    private static final int RECEIVE_BUFFER_BYTES = 2_048;
    /**
     * A socket that could not be opened (its interface or source address did not exist yet, or it went away) is
     * opened again by the first probe through it at most this often: a second's wait for a host that came up, and
     * not a system call per probe while it stays away.
     */
    static final long REOPEN_AFTER_MS = 1_000;

    final ProbeEngine engine;
    final LibC libc;
    final ErrnoCauses causes;
    /** The datagram a probe sends, written by {@link #writeProbe}. */
    final MemorySegment sendBuffer;
    final MemorySegment receiveBuffer;
    /** Where a probe's datagram goes, written by {@link #writeProbe}; where a reply came from, if it is asked for. */
    final MemorySegment peerAddress;
    private final MemorySegment peerAddressLength;
    private final boolean readsPeerAddress;
    private final Epoll epoll;
    /** What the engine's dispatch needs in the event word of this kind's sockets (the descriptor is added). */
    private final long eventWord;
    private final List<S> sockets = new ArrayList<>();

    /**
     * @param peerAddressBytes the size of this kind's socket address
     * @param readsPeerAddress whether a receive asks where the datagram came from (into {@link #peerAddress})
     * @param eventWord        the bits the engine's dispatch reads in this kind's event words
     * @param arena            where the buffers come from: the engine closes it with its sockets
     */
    DatagramProbes(ProbeEngine engine, LibC libc, Epoll epoll, ErrnoCauses causes, Arena arena, int peerAddressBytes,
                   boolean readsPeerAddress, long eventWord) {
        this.engine = engine;
        this.libc = libc;
        this.epoll = epoll;
        this.causes = causes;
        this.eventWord = eventWord;
        this.readsPeerAddress = readsPeerAddress;
        this.sendBuffer = arena.allocate(64);
        this.receiveBuffer = arena.allocate(RECEIVE_BUFFER_BYTES);
        this.peerAddress = arena.allocate(peerAddressBytes, 8);
        this.peerAddressLength = arena.allocate(ValueLayout.JAVA_INT);
    }

    /** The socket {@code target}'s probes go through. */
    abstract S socketOf(TargetState target);

    /** Whether {@code socket} is the one {@code target}'s probes go through. */
    abstract boolean serves(S socket, TargetState target);

    /** Opens the socket for {@code target}; one that cannot be opened is returned unusable, with why. */
    abstract S open(TargetState target);

    /** Writes the probe into {@link #sendBuffer} and its destination into {@link #peerAddress}; returns its length. */
    abstract int writeProbe(TargetState target, S socket);

    /** Handles a datagram of {@code length} bytes read from {@code socket} into {@link #receiveBuffer}. */
    abstract void onDatagram(S socket, int length, long nowMs);

    /**
     * The socket {@code target}'s probes go through, counted as one user more: one already open for another target,
     * or one opened now and added to the epoll set. If the socket cannot be opened or watched, it is kept unusable
     * with why, and each probe through it fails with that cause.
     */
    final S retain(TargetState target) {
        for (int i = 0; i < sockets.size(); i++) {
            S socket = sockets.get(i);
            if (serves(socket, target)) {
                socket.retain();
                return socket;
            }
        }
        S socket = open(target);
        watch(socket);
        sockets.add(socket);
        socket.retain();
        return socket;
    }

    /** Adds a socket that opened to the epoll set; one that cannot be watched is closed, with why. */
    private void watch(S socket) {
        if (socket.usable()) {
            int errno = epoll.add(socket.fd(), KernelConstants.EPOLLIN, eventWord | (socket.fd() & 0xFFFF_FFFFL));
            if (errno != 0) {
                socket.fail(causes.of(ErrnoCauses.WATCH, errno));
            }
        }
    }

    /** One target fewer on {@code socket} (nothing for null); the last one closes it. */
    final void release(S socket) {
        if (socket != null && socket.release()) {
            sockets.remove(socket);
            socket.close();
        }
    }

    /** Sends {@code target}'s probe; a socket that cannot be used or a send that fails is the probe's failure. */
    final void start(TargetState target, long nowMs) {
        S socket = socketOf(target);
        if (!socket.usable() && socket.reopenDue(nowMs, REOPEN_AFTER_MS)) {
            S fresh = open(target);
            watch(fresh);
            socket.takeOver(fresh);
        }
        if (!socket.usable()) {
            engine.finishFailure(target, nowMs, socket.openFailure());
            return;
        }
        int length = writeProbe(target, socket);
        long sent = LibC.sendtoUncaptured(socket.fd(), sendBuffer, length, KernelConstants.MSG_DONTWAIT, peerAddress,
                (int) peerAddress.byteSize());
        if (sent < 0) {
            // Repeat with errno capture to learn why (rare: no route, a full send buffer).
            sent = libc.sendto(socket.fd(), sendBuffer, length, KernelConstants.MSG_DONTWAIT, peerAddress,
                    (int) peerAddress.byteSize());
            if (sent < 0) {
                int errno = libc.errno();
                String cause = causes.of(ErrnoCauses.SEND, errno);
                if (errno == KernelConstants.ENXIO || errno == KernelConstants.ENODEV) {
                    // The socket's interface is gone (a packet socket is bound to its index): opened again later,
                    // it finds the interface as it is then.
                    socket.fail(cause);
                }
                engine.finishFailure(target, nowMs, cause);
            }
        }
    }

    /** Reads the datagrams waiting on this kind's socket with descriptor {@code fd}; returns how many. */
    final int receiveOn(int fd, long nowMs) {
        for (int i = 0; i < sockets.size(); i++) {
            S socket = sockets.get(i);
            if (socket.fd() == fd) {
                return receive(socket, nowMs);
            }
        }
        return 0;
    }

    private int receive(S socket, long nowMs) {
        if (!socket.usable()) {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < ProbeEngine.RECEIVES_PER_SOCKET; i++) {
            long length;
            if (readsPeerAddress) {
                peerAddressLength.set(ValueLayout.JAVA_INT, 0, (int) peerAddress.byteSize());
                length = LibC.recvfromUncaptured(socket.fd(), receiveBuffer, RECEIVE_BUFFER_BYTES,
                        KernelConstants.MSG_DONTWAIT, peerAddress, peerAddressLength);
            } else {
                length = LibC.recvfromUncaptured(socket.fd(), receiveBuffer, RECEIVE_BUFFER_BYTES,
                        KernelConstants.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            }
            if (length < 0) {
                break;
            }
            work++;
            onDatagram(socket, (int) length, nowMs);
        }
        return work;
    }

    /** Closes every socket of this kind. */
    final void close() {
        for (S socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }
}
