package dev.baton.probe;

import dev.baton.nativeio.LibC;

/**
 * A probe socket shared by every target that sends from it (one raw ICMP socket per source address, one ARP
 * socket per interface), counted so that the last target removed closes it. A socket that could not be opened
 * keeps why, and every probe through it fails with that cause until it can be opened again (an interface or an
 * address that did not exist yet at the start). Engine thread only.
 */
abstract class SharedSocket implements AutoCloseable {

    private final LibC libc;
    private int fd;
    private String openFailure;
    private int users;
    /** While unusable: when the next attempt to open it again may be made (see {@link DatagramProbes#REOPEN_AFTER_MS}). */
    private long reopenAtMs = Long.MIN_VALUE;

    SharedSocket(LibC libc, int fd, String openFailure) {
        this.libc = libc;
        this.fd = fd;
        this.openFailure = openFailure;
    }

    /** Why the socket could not be opened, or null when it is usable. */
    final String openFailure() {
        return openFailure;
    }

    final boolean usable() {
        return fd >= 0;
    }

    final int fd() {
        return fd;
    }

    final LibC libc() {
        return libc;
    }

    /** One more target sends from this socket. */
    final void retain() {
        users++;
    }

    /** One target fewer; whether none is left. */
    final boolean release() {
        return --users == 0;
    }

    /** Closes the socket: every probe through it fails with {@code why} until it is opened again. */
    final void fail(String why) {
        close();
        openFailure = why;
    }

    /** Whether an unusable socket may be opened again at {@code nowMs}; if so, the next attempt waits {@code backoffMs}. */
    final boolean reopenDue(long nowMs, long backoffMs) {
        if (usable() || nowMs < reopenAtMs) {
            return false;
        }
        reopenAtMs = nowMs + backoffMs;
        return true;
    }

    /**
     * Takes over {@code fresh}'s descriptor, or its failure when it could not be opened either: every target that
     * sends from this socket goes on through the same object.
     */
    final void takeOver(SharedSocket fresh) {
        close();
        fd = fresh.fd;
        openFailure = fresh.openFailure;
        fresh.fd = -1;
        tookOver(fresh);
    }

    /** What a kind of socket learns when it opens (an interface's index and address) taken from {@code fresh}. */
    void tookOver(SharedSocket fresh) {
    }

    @Override
    public final void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
