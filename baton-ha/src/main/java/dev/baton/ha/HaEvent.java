package dev.baton.ha;

/**
 * One entry of the event history ({@code baton ctl events}): a monitor transition (with the patent's
 * numeral), a peer or link failure or recovery, a local link change, a configuration difference.
 *
 * @param atMs      the agent's monotonic clock
 * @param epochMs   wall-clock time, for people
 * @param vip       the VIP concerned, or empty for router-wide events
 * @param kind      {@code transition}, {@code note}, {@code peer}, {@code link}, {@code config}
 * @param reference the patent's numeral (e.g. 348), or 0
 * @param from      state before (transitions), or empty
 * @param to        state after (transitions), or empty
 * @param text      what happened and why
 */
public record HaEvent(long atMs, long epochMs, String vip, String kind, int reference, String from, String to, String text) {
}
