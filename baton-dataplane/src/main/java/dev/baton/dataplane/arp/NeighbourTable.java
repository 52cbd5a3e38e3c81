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
 *
 * <h2>What an ARP may change</h2>
 * The caller passes only unicast sender MACs equal to the frame's Ethernet source (the worker's
 * {@link dev.baton.dataplane.forward.ArpHandler} checks and counts the rest). The first MAC of a server is
 * taken as it comes. A <em>different</em> MAC for a
 * server already resolved is not applied: it is held as a candidate and the server is probed at once (an
 * ARP request to its address). The change is made when, one retry interval after the probe, the candidate
 * answered after the probe and the known MAC did not speak at all since the candidate appeared; an ARP
 * from the known MAC abandons the change ({@link #REFUTED}), as does silence from the candidate. So:
 * <ul>
 *   <li>a server that really moved (a new NIC, a VM migrated, a failed-over bond) is followed within a
 *       retry interval of its first announcement;</li>
 *   <li>a host on the server segment cannot take a live server's traffic by ARP: the server answers the
 *       probe from its known MAC. It can take it while the server is down or not answering ARP, and it
 *       can win a server's first resolution (before any reply is known) &mdash; ARP carries no proof of
 *       identity, so only a segment the operator controls (switch port security, static entries) closes
 *       those; and by announcing MACs without end it can keep a real change pending.</li>
 * </ul>
 */
public final class NeighbourTable {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long VALID = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final long NO_CANDIDATE = -1;
    private static final long NOT_PROBED = Long.MIN_VALUE;

    /** {@link #learn} results. */
    public static final int NOT_A_NEIGHBOUR = 0;
    public static final int LEARNED = 1;
    public static final int REFUTED = 2;
    public static final int HELD = 3;
    /** {@link #settleNextChange} results. */
    public static final int NONE = -1;
    public static final int CHANGED = 1;
    public static final int UNANSWERED = 2;

    private final int[] addresses;
    private final int[] interfaceIndex;
    /** MAC in the low 48 bits, VALID in bit 63 once any reply arrived. */
    private final long[] macs;
    private final long[] lastReplyMs;
    private final long[] nextProbeMs;
    /** Owner thread only: a different MAC held until a probe confirms it, or {@link #NO_CANDIDATE}. */
    private final long[] candidateMacs;
    /** Owner thread only: when the probe about the candidate went out, or {@link #NOT_PROBED}. */
    private final long[] changeProbeSentMs;
    /** Owner thread only: whether the candidate spoke after that probe. */
    private final boolean[] candidateAnswered;
    /** Owner thread only: when the last probe about any change went out (one per retry interval at most). */
    private final long[] lastChangeProbeMs;
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
        this.candidateMacs = new long[addresses.length];
        this.changeProbeSentMs = new long[addresses.length];
        this.candidateAnswered = new boolean[addresses.length];
        this.lastChangeProbeMs = new long[addresses.length];
        Arrays.fill(lastChangeProbeMs, Long.MIN_VALUE / 2);
        Arrays.fill(candidateMacs, NO_CANDIDATE);
        Arrays.fill(changeProbeSentMs, NOT_PROBED);
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

    /**
     * After a reload: each address this table shares with {@code previous} takes the MAC, last reply and next probe
     * time it had there, so a server the reload kept stays resolved (its connections keep flowing, new ones keep
     * coming) instead of waiting for its next ARP reply. A pending MAC change is not carried: it is probed again if
     * the other MAC shows up again. The owner thread of {@code previous} (worker 0), before this table is published.
     */
    public void carryOver(NeighbourTable previous) {
        for (int i = 0; i < addresses.length; i++) {
            int j = previous.indexOf(addresses[i]);
            if (j >= 0) {
                LONGS.setRelease(macs, i, (long) LONGS.getAcquire(previous.macs, j));
                LONGS.setOpaque(lastReplyMs, i, (long) LONGS.getOpaque(previous.lastReplyMs, j));
                nextProbeMs[i] = previous.nextProbeMs[j];
                lastChangeProbeMs[i] = previous.lastChangeProbeMs[j];
            }
        }
    }

    /**
     * Takes note of an ARP (reply or request) sent by {@code address} from {@code mac}, which the caller has
     * checked is a unicast MAC equal to the frame's Ethernet source. Owner thread only.
     *
     * @return {@link #NOT_A_NEIGHBOUR}, {@link #LEARNED} (the first MAC, or the known one again),
     *         {@link #REFUTED} (the known one again, abandoning a pending change) or {@link #HELD} (a different
     *         MAC, held until a probe confirms it)
     */
    public int learn(int address, long mac, long nowMs) {
        int i = indexOf(address);
        if (i < 0) {
            return NOT_A_NEIGHBOUR;
        }
        mac &= MAC_MASK;
        long known = mac(i);
        if (known < 0 || known == mac) {
            LONGS.setRelease(macs, i, VALID | mac);
            LONGS.setOpaque(lastReplyMs, i, nowMs);
            nextProbeMs[i] = nowMs + refreshIntervalMs;
            if (candidateMacs[i] != NO_CANDIDATE) {
                clearCandidate(i);
                return REFUTED;
            }
            return LEARNED;
        }
        if (candidateMacs[i] != mac) {
            // A new candidate, or another one than pending: (re)start the confirmation with a probe, now
            // unless a change probe went out within a retry interval: ARP with ever new MACs must not turn
            // into a broadcast per frame on the server segment.
            candidateMacs[i] = mac;
            candidateAnswered[i] = false;
            changeProbeSentMs[i] = NOT_PROBED;
            nextProbeMs[i] = Math.min(nextProbeMs[i], Math.max(nowMs, lastChangeProbeMs[i] + retryIntervalMs));
        } else if (changeProbeSentMs[i] != NOT_PROBED) {
            candidateAnswered[i] = true;
        }
        return HELD;
    }

    /**
     * Settles the next pending MAC change whose probe has had a retry interval to be answered: the candidate
     * replaces the known MAC if it answered, else it is dropped. Call until it returns {@link #NONE}.
     * Owner thread only.
     *
     * @return {@link #CHANGED}, {@link #UNANSWERED}, or {@link #NONE} when no change is due
     */
    public int settleNextChange(long nowMs) {
        for (int i = 0; i < addresses.length; i++) {
            long probedMs = changeProbeSentMs[i];
            if (candidateMacs[i] == NO_CANDIDATE || probedMs == NOT_PROBED || nowMs - probedMs < retryIntervalMs) {
                continue;
            }
            boolean answered = candidateAnswered[i];
            if (answered) {
                LONGS.setRelease(macs, i, VALID | candidateMacs[i]);
                LONGS.setOpaque(lastReplyMs, i, nowMs);
                nextProbeMs[i] = nowMs + refreshIntervalMs;
            }
            clearCandidate(i);
            return answered ? CHANGED : UNANSWERED;
        }
        return NONE;
    }

    /** Whether a different MAC for neighbour {@code i} is held, waiting for a probe's answer. Owner thread. */
    public boolean changePending(int i) {
        return candidateMacs[i] != NO_CANDIDATE;
    }

    private void clearCandidate(int i) {
        candidateMacs[i] = NO_CANDIDATE;
        changeProbeSentMs[i] = NOT_PROBED;
        candidateAnswered[i] = false;
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
                if (candidateMacs[i] != NO_CANDIDATE && changeProbeSentMs[i] == NOT_PROBED) {
                    // Only answers after this probe count for the pending change.
                    changeProbeSentMs[i] = nowMs;
                    lastChangeProbeMs[i] = nowMs;
                }
                return i;
            }
        }
        return -1;
    }
}
