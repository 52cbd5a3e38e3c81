package dev.baton.control.drill;

import java.util.List;

/**
 * What the drill's clients saw ({@link DrillLoad#outcome()}).
 *
 * @param mode             echo or keepalive
 * @param connections      long-lived connections the drill opened
 * @param kept             of them, those that carried on to the end intact (see {@link DrillLoad})
 * @param broken           the others, each with why and when it ended (ns after the origin; 0 if it never did)
 * @param messagesSent     echo mode: messages sent on the long-lived connections
 * @param messagesEchoed   of them, echoed intact
 * @param messagesAwaited  sent and never echoed when the drill ended (lost)
 * @param mismatches       connections on which a byte came back different
 * @param bytesReceived    every byte read from the long-lived connections (echo and keepalive)
 * @param stallsNs         echo mode: each measured connection's longest gap between echoes
 * @param probes           the new-connection probes, times relative to the origin
 * @param probeErrors      the first few probe failures in words
 * @param probesSkipped    probes not opened (too many open at once, or the record full)
 * @param maxLatenessNs    how late the client's own loop ran at worst: a stall the client caused itself
 * @param failure          an error that ended the load's loop (a bug), or null
 */
public record LoadOutcome(DrillLoad.Mode mode, int connections, int kept, List<Broken> broken, long messagesSent,
                          long messagesEchoed, long messagesAwaited, int mismatches, long bytesReceived, List<Long> stallsNs,
                          ProbeOutage.Result probes, List<String> probeErrors, int probesSkipped, long maxLatenessNs,
                          Throwable failure) {

    /** A connection that was not kept: its number (from 0), why, and when it ended, ns after the origin (the switch-over). */
    public record Broken(int connection, String why, long atNs) {
    }

    /** Whether nothing was lost: every connection kept, every message echoed intact, the loop ended by itself. */
    public boolean nothingLost() {
        return failure == null && kept == connections && messagesAwaited == 0 && mismatches == 0;
    }
}
