package dev.baton.monitor;

/**
 * What a peer router said about itself for one service in its last keep-alive or update.
 *
 * @param routerId its id
 * @param role     its configured function for the service
 * @param priority its configured priority (higher wins a tie between two actives)
 * @param state    its state
 * @param inSync   whether it is a synchronized standby
 */
public record PeerView(String routerId, Role role, int priority, MonitorState state, boolean inSync) {

    /**
     * Whether a router with {@code (role, priority, routerId)} takes precedence over {@code other}: the
     * deterministic answer when two actives meet after a partition heals. Primary beats backup, then the
     * higher priority, then the lower router id, so both sides reach the same verdict.
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
