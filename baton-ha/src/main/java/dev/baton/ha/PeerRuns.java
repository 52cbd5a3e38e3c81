package dev.baton.ha;

/**
 * Per peer, which run of it this router hears and whether that run has heard this one: the incarnation
 * handshake that keeps replayed datagrams from counting, and the ordering of state claims. Pure bookkeeping
 * on the header fields of authenticated messages; agent thread only.
 *
 * <p>Each keep-alive echoes the newest incarnation its sender has authenticated from the receiver. A datagram
 * captured before this router restarted echoes an older incarnation (or none), and so does every message its
 * sender sent before it heard this run: all are ignored, liveness included, since a replayed keep-alive must
 * neither hold this router in standby nor make it take over, and a replayed GAVE_UP must not count. The first
 * keep-alive that echoes this router's incarnation opens its sender's run (that incarnation) from its sequence
 * number on: the sender numbers every message of a run from one counter, so anything it sent from that
 * sequence on was sent after it heard this run; notices and sync messages carry no echo and count from that
 * sequence on too. A peer that restarts starts a new incarnation, which again counts only once it echoes.
 * Until a live peer answers, this router behaves as if alone; two routers starting together each echo the
 * other after one keep-alive round trip (one update interval).
 */
final class PeerRuns {

    /** What a message may do, by its header. */
    enum Admission {
        /** Counts; and it is the keep-alive that opened its sender's run (log the handshake). */
        OPENS_RUN,
        /** Counts. */
        COUNTS,
        /** Its sender had not echoed this router's incarnation when it sent it: ignored. */
        BEFORE_ECHO
    }

    private final long ownIncarnation;
    /** Per peer: the newest incarnation authenticated from it, 0 if none: what this router echoes to it. */
    private final long[] heard;
    /** Per peer: whether a keep-alive of run {@link #echoedRun} echoed this router's incarnation. */
    private final boolean[] echoed;
    private final long[] echoedRun;
    /** Per peer: the lowest sequence, in that run, of a keep-alive that echoed this router's incarnation. */
    private final long[] countsFromSequence;
    /** Per peer: incarnation and sequence of the newest state claim (keep-alive or notice) acted on. */
    private final long[] claimIncarnation;
    private final long[] claimSequence;
    private long ignoredBeforeEcho;
    private long staleStateClaims;

    PeerRuns(int peers, long ownIncarnation) {
        this.ownIncarnation = ownIncarnation;
        this.heard = new long[peers];
        this.echoed = new boolean[peers];
        this.echoedRun = new long[peers];
        this.countsFromSequence = new long[peers];
        this.claimIncarnation = new long[peers];
        this.claimSequence = new long[peers];
    }

    /**
     * Records the incarnation of an authenticated message (the verifier already rejected older ones).
     *
     * @return whether it is a new run of a peer heard before: the peer restarted
     */
    boolean restarted(int peer, long incarnation) {
        boolean restarted = heard[peer] != 0 && heard[peer] != incarnation;
        heard[peer] = incarnation;
        return restarted;
    }

    /**
     * Whether a message counts.
     *
     * @param hasEcho whether the message is a valid keep-alive, which echoes an incarnation
     * @param echo    the incarnation it echoes
     */
    Admission admit(int peer, long incarnation, long sequence, boolean hasEcho, long echo) {
        if (hasEcho && echo == ownIncarnation) {
            if (!echoed[peer] || echoedRun[peer] != incarnation) {
                echoed[peer] = true;
                echoedRun[peer] = incarnation;
                countsFromSequence[peer] = sequence;
                return Admission.OPENS_RUN;
            }
            if (Long.compareUnsigned(sequence, countsFromSequence[peer]) < 0) {
                countsFromSequence[peer] = sequence; // an earlier echo that arrived late: still after this run began
            }
            return Admission.COUNTS;
        }
        if (echoed[peer] && echoedRun[peer] == incarnation && Long.compareUnsigned(sequence, countsFromSequence[peer]) >= 0) {
            return Admission.COUNTS;
        }
        ignoredBeforeEcho++;
        return Admission.BEFORE_ECHO;
    }

    /**
     * Whether a keep-alive or notice is the newest word from its sender about its state. Every message a
     * router sends, on any link, takes the next sequence number of one counter; copies on several links arrive
     * in any order (each link's socket is drained in turn), so an older keep-alive saying "active" may arrive
     * after the GAVE_UP that followed it. Acting on it would undo the takeover.
     */
    boolean newestClaim(int peer, long incarnation, long sequence) {
        if (incarnation == claimIncarnation[peer] && sequence < claimSequence[peer]) {
            staleStateClaims++;
            return false;
        }
        if (incarnation != claimIncarnation[peer] || sequence > claimSequence[peer]) {
            claimIncarnation[peer] = incarnation;
            claimSequence[peer] = sequence;
        }
        return true;
    }

    /** The newest incarnation authenticated from the peer, 0 if none: what this router echoes to it. */
    long heard(int peer) {
        return heard[peer];
    }

    /** Whether the peer's current run has echoed this router's incarnation. */
    boolean echoedThisRun(int peer) {
        return echoed[peer] && echoedRun[peer] == heard[peer];
    }

    /** The sequence from which the peer's messages count (meaningful once it echoed). */
    long countsFromSequence(int peer) {
        return countsFromSequence[peer];
    }

    long ignoredBeforeEcho() {
        return ignoredBeforeEcho;
    }

    long staleStateClaims() {
        return staleStateClaims;
    }
}
