package dev.baton.dataplane.arp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Server MAC addresses resolved by Baton's own ARP (RFC 826), one entry per distinct server address.
 *
 * <p>Written only by the worker that owns ARP (worker 0: the fanout program sends every non-IPv4 frame
 * there), read by every worker. Each entry is published as one {@code long} with release/acquire, so a
 * reader sees either the old or the new MAC, never half of one.
 *
 * <p>An entry is <em>resolved</em> from the first reply until {@code staleAfterMs} passes without a reply;
 * only resolved servers get new connections. A stale entry keeps its last MAC, which established
 * connections keep using: servers seldom change MACs, and dropping a live flow because one refresh was lost
 * would be worse than using a MAC that was right a few seconds ago.
 */
public final class NeighbourTable {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long VALID = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private final int[] addresses;
    private final int[] interfaceIndex;
    /** MAC in the low 48 bits, VALID in bit 63 once any reply arrived. */
    private final long[] macs;
    private final long[] lastReplyMs;
    private final long[] nextProbeMs;
    private final long refreshIntervalMs;
    private final long retryIntervalMs;
    private final long staleAfterMs;

    /**
     * @param addresses      the distinct server addresses
     * @param interfaceIndex for each address, the index (in the router's server-facing port list) of the
     *                       port it is resolved on
     */
    public NeighbourTable(int[] addresses, int[] interfaceIndex, long refreshIntervalMs, long retryIntervalMs, long staleAfterMs) {
        if (addresses.length != interfaceIndex.length) {
            throw new IllegalArgumentException("one interface per address");
        }
        this.addresses = addresses.clone();
        this.interfaceIndex = interfaceIndex.clone();
        this.macs = new long[addresses.length];
        this.lastReplyMs = new long[addresses.length];
        this.nextProbeMs = new long[addresses.length];
        this.refreshIntervalMs = refreshIntervalMs;
        this.retryIntervalMs = retryIntervalMs;
        this.staleAfterMs = staleAfterMs;
        Arrays.fill(lastReplyMs, Long.MIN_VALUE / 2);
    }

    public int size() {
        return addresses.length;
    }

    public int address(int neighbour) {
        return addresses[neighbour];
    }

    public int interfaceIndex(int neighbour) {
        return interfaceIndex[neighbour];
    }

    /** Index of {@code address}, or -1. Few servers: a linear scan is cheaper than hashing here. */
    public int indexOf(int address) {
        for (int i = 0; i < addresses.length; i++) {
            if (addresses[i] == address) {
                return i;
            }
        }
        return -1;
    }

    /** Learns a MAC from an ARP reply or request sent by {@code address}. Owner thread only. */
    public boolean learn(int address, long mac, long nowMs) {
        int i = indexOf(address);
        if (i < 0) {
            return false;
        }
        LONGS.setRelease(macs, i, VALID | (mac & MAC_MASK));
        LONGS.setOpaque(lastReplyMs, i, nowMs);
        nextProbeMs[i] = nowMs + refreshIntervalMs;
        return true;
    }

    /** The last MAC learned for neighbour {@code i}, or -1 if it never resolved. Any thread. */
    public long mac(int i) {
        long v = (long) LONGS.getAcquire(macs, i);
        return (v & VALID) == 0 ? -1 : v & MAC_MASK;
    }

    /** Whether neighbour {@code i} answered within the last {@code staleAfterMs}. Any thread. */
    public boolean resolved(int i, long nowMs) {
        return mac(i) >= 0 && nowMs - (long) LONGS.getOpaque(lastReplyMs, i) <= staleAfterMs;
    }

    public long lastReplyMs(int i) {
        return (long) LONGS.getOpaque(lastReplyMs, i);
    }

    /**
     * The next neighbour due for an ARP request at {@code nowMs} (unresolved ones every retry interval,
     * resolved ones every refresh interval), marking it probed; -1 if none is due. Owner thread.
     */
    public int nextDueProbe(long nowMs) {
        for (int i = 0; i < addresses.length; i++) {
            if (nowMs >= nextProbeMs[i]) {
                nextProbeMs[i] = nowMs + (resolved(i, nowMs) ? refreshIntervalMs : retryIntervalMs);
                return i;
            }
        }
        return -1;
    }
}
