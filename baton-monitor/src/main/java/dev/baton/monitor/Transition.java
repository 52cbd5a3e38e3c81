package dev.baton.monitor;

/**
 * One entry of the event history ({@code baton ctl events}): a state change, or an event that changed
 * nothing but is worth knowing (a refused switch-over, a rejected preemption).
 *
 * @param atMs      monotonic time of the event
 * @param service   the service (VIP) the monitor serves
 * @param from      state before
 * @param to        state after (equal to {@code from} when nothing changed)
 * @param syncFrom  sub-state before
 * @param syncTo    sub-state after
 * @param reference the patent's numeral for the transition or action (e.g. 348), or 0
 * @param reason    why, in words
 */
public record Transition(long atMs, String service, MonitorState from, MonitorState to, SyncState syncFrom, SyncState syncTo,
                         int reference, String reason) {

    public boolean changedState() {
        return from != to;
    }

    @Override
    public String toString() {
        String ref = reference == 0 ? "" : " [" + reference + "]";
        String sync = syncFrom == syncTo ? "" : " sync " + syncFrom + "->" + syncTo;
        return service + ": " + from.name() + " -> " + to.name() + sync + ref + ": " + reason;
    }
}
