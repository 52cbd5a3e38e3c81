package dev.baton.probe;

import dev.baton.nativeio.LibC;

/**
 * A probe socket shared by every target that sends from it (one raw ICMP socket per source address, one ARP
 * socket per interface), counted so that the last target removed closes it. A socket that could not be opened
 * keeps why, and every probe through it fails with that cause. Engine thread only.
 */
abstract class SharedSocket implements AutoCloseable {

    private final LibC libc;
    private int fd;
    private String openFailure;
    private int users;

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

    /** Closes the socket for good: every probe through it fails with {@code why} from now on. */
    final void fail(String why) {
        close();
        openFailure = why;
    }

    @Override
    public final void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
