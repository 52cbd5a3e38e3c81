package dev.baton.peer;

/**
 * Anti-replay state for one sender: its current incarnation and a sliding window over its sequence
 * numbers, as RFC 4303 §3.4.3 (IPsec ESP) describes — the highest sequence seen so far is the window's
 * right edge; a sequence above it is new and slides the window; one inside it is accepted once (its bit
 * then set); one left of it is rejected as too old. The bitmap is a ring indexed by sequence modulo
 * {@link #WINDOW_SIZE} (RFC 6479's layout), so sliding clears bits instead of shifting them.
 *
 * <p>A newer incarnation (the sender restarted: {@link IncarnationStore}) resets the window; an older one is
 * rejected, so messages captured before a restart cannot be replayed after it.
 *
 * <p>{@link #check} changes nothing; {@link #record} applies a message already checked and authenticated.
 * That split is what lets {@link MessageVerifier} leave all state untouched on any rejection. Sequences
 * and incarnations are unsigned 64-bit. Not thread-safe: owned by the receive thread.
 */
public final class ReplayWindow {

    /** Sequence numbers the window spans: out-of-order arrival up to this far back is accepted once. */
    public static final int WINDOW_SIZE = 1_024;
    private static final int WORDS = WINDOW_SIZE / Long.SIZE;

    private final long[] bitmap = new long[WORDS];
    private boolean seenAny;
    private long incarnation;
    private long highestSequence;

    /**
     * The verdict for a message with these numbers: {@link Verdict#ACCEPTED}, {@link Verdict#STALE_INCARNATION},
     * {@link Verdict#REPLAYED} or {@link Verdict#TOO_OLD}. Changes nothing.
     */
    public Verdict check(long incarnation, long sequence) {
        if (sequence == 0) {
            return Verdict.TOO_OLD; // sequences start at 1 (RFC 4303 §3.3.3); 0 is never sent
        }
        if (!seenAny) {
            return Verdict.ACCEPTED;
        }
        int incarnationOrder = Long.compareUnsigned(incarnation, this.incarnation);
        if (incarnationOrder < 0) {
            return Verdict.STALE_INCARNATION;
        }
        if (incarnationOrder > 0 || Long.compareUnsigned(sequence, highestSequence) > 0) {
            return Verdict.ACCEPTED;
        }
        long behind = highestSequence - sequence;
        if (Long.compareUnsigned(behind, WINDOW_SIZE) >= 0) {
            return Verdict.TOO_OLD;
        }
        return bitSet(sequence) ? Verdict.REPLAYED : Verdict.ACCEPTED;
    }

    /** Records a message {@link #check} accepted (and whose tag verified): resets, slides and marks. */
    public void record(long incarnation, long sequence) {
        if (!seenAny || incarnation != this.incarnation) {
            java.util.Arrays.fill(bitmap, 0L);
            seenAny = true;
            this.incarnation = incarnation;
            highestSequence = sequence;
        } else if (Long.compareUnsigned(sequence, highestSequence) > 0) {
            long advance = sequence - highestSequence;
            if (Long.compareUnsigned(advance, WINDOW_SIZE) >= 0) {
                java.util.Arrays.fill(bitmap, 0L);
            } else {
                for (long cleared = highestSequence + 1; cleared != sequence; cleared++) {
                    clearBit(cleared);
                }
            }
            highestSequence = sequence;
        }
        setBit(sequence);
    }

    /** Whether any message has been recorded. */
    public boolean seenAny() {
        return seenAny;
    }

    /** The sender's incarnation last recorded (meaningless before {@link #seenAny()}). */
    public long incarnation() {
        return incarnation;
    }

    /** The right edge of the window: the highest sequence recorded in the current incarnation. */
    public long highestSequence() {
        return highestSequence;
    }

    private boolean bitSet(long sequence) {
        int bit = (int) (sequence & (WINDOW_SIZE - 1));
        return (bitmap[bit >>> 6] & (1L << bit)) != 0;
    }

    private void setBit(long sequence) {
        int bit = (int) (sequence & (WINDOW_SIZE - 1));
        bitmap[bit >>> 6] |= 1L << bit;
    }

    private void clearBit(long sequence) {
        int bit = (int) (sequence & (WINDOW_SIZE - 1));
        bitmap[bit >>> 6] &= ~(1L << bit);
    }
}
