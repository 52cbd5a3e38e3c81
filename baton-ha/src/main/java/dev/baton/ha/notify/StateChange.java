package dev.baton.ha.notify;

import java.util.Objects;

/**
 * One state change of a VIP as the notify script receives it.
 *
 * @param vip       the VIP, dotted quad ({@code 192.0.2.10})
 * @param oldState  the FIG. 3 state it left: {@code IDLE}, {@code LISTEN}, {@code STANDBY}, {@code PREEMPT} or
 *                  {@code ACTIVE} ({@link dev.baton.monitor.MonitorState}'s names)
 * @param newState  the state it entered
 * @param reason    why, in the words {@code baton ctl events} shows
 * @param reference the patent's numeral of the transition (e.g. 348), or 0
 */
public record StateChange(String vip, String oldState, String newState, String reason, int reference) {

    /** A reason longer than this is cut: it becomes an argument and an environment variable. */
    static final int MAX_REASON_CHARS = 1_024;

    public StateChange {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(oldState, "oldState");
        Objects.requireNonNull(newState, "newState");
        Objects.requireNonNull(reason, "reason");
        // A NUL cannot be passed in an argument (execve(2) ends each at the first), and a line break would let one
        // reason pass for two lines in a script's log.
        reason = reason.replace('\0', ' ').replace('\n', ' ').replace('\r', ' ');
        if (reason.length() > MAX_REASON_CHARS) {
            reason = reason.substring(0, MAX_REASON_CHARS);
        }
    }

    @Override
    public String toString() {
        return vip + " " + oldState + " -> " + newState + (reference == 0 ? "" : " [" + reference + "]") + ": " + reason;
    }
}
