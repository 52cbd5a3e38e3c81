package dev.baton.peer;

import java.util.random.RandomGenerator;

/**
 * A router's incarnation: a 64-bit number chosen once when it starts, carried in every message so that
 * peers recognise a restart (and reset their replay window for it) and reject anything from before it.
 *
 * <pre>
 *  high 48 bits: start time, ms since the epoch     low 16 bits: random
 * </pre>
 *
 * <p>Why not purely random: peers must tell a newer incarnation from an older one, or a replayed message
 * from before a restart would look like yet another restart. The start time orders incarnations; the random
 * bits tell apart two starts within the same millisecond. 48 bits of milliseconds last until the year
 * 10889. It relies on the wall clock not going back across a restart by more than the restart took (NTP
 * steps are far smaller); a router whose clock went back is rejected as STALE_INCARNATION, visibly, until
 * its clock passes its previous start or its peers restart.
 */
public final class Incarnation {

    private Incarnation() {
    }

    /** A new incarnation for a router starting at {@code startEpochMs}. */
    public static long next(long startEpochMs, RandomGenerator random) {
        return (startEpochMs << 16) | (random.nextInt() & 0xFFFFL);
    }

    /** The start time, ms since the epoch, an incarnation was made from. */
    public static long startEpochMs(long incarnation) {
        return incarnation >>> 16;
    }
}
