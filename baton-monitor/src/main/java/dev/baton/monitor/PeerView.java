package dev.baton.monitor;

/**
 * What a peer router said about itself for one service in its last keep-alive.
 *
 * @param routerId its id
 * @param role     its configured function for the service
 * @param priority its configured priority (higher wins a tie between two actives)
 * @param state    its state
 * @param inSync   whether it is a synchronized standby
 * @param term     the service's term as it knows it: the term of its own takeover while it is active, else the
 *                 highest it has heard (see {@link ServiceMonitor#term()})
 * @param linksUp  whether every local link the service needs is up there: a standby with a link down takes
 *                 nothing over
 */
public record PeerView(String routerId, Role role, int priority, MonitorState state, boolean inSync, long term,
                       boolean linksUp) {

    /** A peer at term 0 with its links up: what a router says before any takeover it knows of. */
    public PeerView(String routerId, Role role, int priority, MonitorState state, boolean inSync) {
        this(routerId, role, priority, state, inSync, 0, true);
    }

    /**
     * Whether it is a synchronized standby that could take the service over now: in STANDBY, or in PREEMPT
     * (asking the active for it, and taking it when t3 expires if the answer is lost). Not counting a
     * preempting one, a router that had just handed the VIP over and not yet followed the new active took it
     * at t2, when the new active went standby for the preempting router whose accept was lost: without the
     * connections the active had opened since (the simulation found it).
     */
    public boolean readyToTakeOver() {
        return (state == MonitorState.STANDBY || state == MonitorState.PREEMPT) && inSync && linksUp;
    }

    /**
     * Whether a router with {@code (role, priority, routerId)} takes precedence over {@code other}: the
     * deterministic answer when two actives of the same term meet after a partition heals. Primary beats
     * backup, then the higher priority, then the lower router id, so both sides reach the same verdict.
     */
    public static boolean precedes(Role role, int priority, String routerId, PeerView other) {
        if (role != other.role()) {
            return role == Role.PRIMARY;
        }
        if (priority != other.priority()) {
            return priority > other.priority();
        }
        return routerId.compareTo(other.routerId()) < 0;
    }
}
