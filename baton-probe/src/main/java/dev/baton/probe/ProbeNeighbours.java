package dev.baton.probe;

import java.util.Arrays;

/**
 * The MAC addresses of one {@link ProbeLink}'s on-link targets, learned from ARP (RFC 826) by the link itself: the
 * kernel's neighbour table knows only the hosts the kernel talked to, and ring probes go around the kernel. (The
 * data plane's {@code dev.baton.dataplane.arp.NeighbourTable} holds the servers' MACs for the workers; it knows
 * servers only, not the previous-hop routers and hosts a reachability set probes, and it lives on worker 0.)
 * As that table does, this one does not let an unsolicited ARP move a known neighbour: a different MAC is taken
 * only while a request of ours is unanswered ({@link #asking}).
 *
 * <p>An open-addressing table keyed by IPv4 address, sized once; a hostile or busy link cannot grow it. Per neighbour:
 * its MAC (or unknown), when an answer from that MAC last confirmed it, when an ARP request last went out, and
 * whether a probe to it failed since (so the next probe asks again, as the kernel's STALE → PROBE does).
 *
 * <p>Bounds: at most {@code capacity / 2} neighbours (the engine's target capacity: a link has at most one
 * neighbour per target); a full table (targets removed and added under new addresses, over and over) is emptied
 * and learns again. Engine thread only.
 */
final class ProbeNeighbours {

    static final long UNKNOWN = -1;
    /** "Never": far enough in the past that {@code nowMs - NEVER} cannot overflow. */
    private static final long NEVER = Long.MIN_VALUE / 4;

    private final int mask;
    private final int limit;
    private final int[] address;
    private final boolean[] used;
    private final long[] mac;
    private final long[] confirmedAtMs;
    private final long[] requestedAtMs;
    private final boolean[] suspect;
    private int count;

    /** @param neighbours the most neighbours, 1..65,536 */
    ProbeNeighbours(int neighbours) {
        int capacity = Integer.highestOneBit(Math.max(8, neighbours) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.limit = capacity / 2;
        this.address = new int[capacity];
        this.used = new boolean[capacity];
        this.mac = new long[capacity];
        this.confirmedAtMs = new long[capacity];
        this.requestedAtMs = new long[capacity];
        this.suspect = new boolean[capacity];
    }

    /** The entry of {@code ipv4}, made (MAC unknown) if there is none. */
    int entry(int ipv4) {
        int at = find(ipv4);
        if (at >= 0) {
            return at;
        }
        if (count == limit) {
            clear();
        }
        at = spread(ipv4) & mask;
        while (used[at]) {
            at = (at + 1) & mask;
        }
        used[at] = true;
        address[at] = ipv4;
        mac[at] = UNKNOWN;
        confirmedAtMs[at] = NEVER;
        requestedAtMs[at] = NEVER;
        suspect[at] = false;
        count++;
        return at;
    }

    /** The entry of {@code ipv4}, or -1. */
    int find(int ipv4) {
        int at = spread(ipv4) & mask;
        while (used[at]) {
            if (address[at] == ipv4) {
                return at;
            }
            at = (at + 1) & mask;
        }
        return -1;
    }

    long mac(int entry) {
        return mac[entry];
    }

    /**
     * {@code ipv4} answered from {@code newMac} at {@code nowMs} (an ARP reply, or a probe's answer): the entry is
     * confirmed. Returns whether its MAC was unknown or different before.
     */
    boolean confirm(int entry, long newMac, long nowMs) {
        boolean changed = mac[entry] != newMac;
        mac[entry] = newMac;
        confirmedAtMs[entry] = nowMs;
        suspect[entry] = false;
        return changed;
    }

    /** Whether an ARP request for the entry went out after its last confirmation: an answer with a new MAC is awaited. */
    boolean asking(int entry) {
        return requestedAtMs[entry] > confirmedAtMs[entry];
    }

    /** A probe to the entry's MAC went unanswered: the next probe asks ARP again. */
    void suspect(int entry) {
        suspect[entry] = true;
    }

    /**
     * Whether a probe to the entry at {@code nowMs} should send an ARP request first: its MAC is unknown, a
     * probe failed since the last confirmation, or the confirmation is older than {@code confirmedForMs}; and no
     * request went out in the last {@code requestEveryMs} (RFC 1122 §2.3.2.1: at most one a second per
     * destination, however many targets share it). Marks the request as sent when it says yes.
     */
    boolean requestDue(int entry, long nowMs, long confirmedForMs, long requestEveryMs) {
        boolean needed = mac[entry] == UNKNOWN || suspect[entry] || nowMs - confirmedAtMs[entry] >= confirmedForMs;
        if (!needed || nowMs - requestedAtMs[entry] < requestEveryMs) {
            return false;
        }
        requestedAtMs[entry] = nowMs;
        return true;
    }

    int size() {
        return count;
    }

    private void clear() {
        Arrays.fill(used, false);
        count = 0;
    }

    private static int spread(int ipv4) {
        int h = ipv4 * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }
}
