package dev.baton.reachability;

import java.util.Objects;

/**
 * A peer router as the active RM of a VIP sees it: its last report, and whether it could take the VIP over
 * now. Only a synchronized standby with its links up can (transition 345 is refused anywhere else, like an
 * operator's switch-over); a better router that cannot is shown in the order and waited for.
 *
 * @param report   its last complete report
 * @param ready    whether it is a synchronized standby for the VIP with its links up
 * @param notReady why not, when not ready ("standby, not synchronized (SYNC-IN)"); ignored when ready
 */
public record Candidate(ReachabilityReport report, boolean ready, String notReady) {

    public Candidate {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(notReady, "notReady");
    }

    public String router() {
        return report.router();
    }
}
