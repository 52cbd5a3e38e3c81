package dev.baton.scheduling;

/**
 * A service's servers as a scheduler sees them, by index 0..{@code size() - 1}. Read on the forwarding
 * path: implementations must answer without allocating or locking.
 */
public interface ServerSet {

    /** The number of servers. */
    int size();

    /** Server {@code index}'s relative share of new connections; 0 means it gets none (draining). */
    int weight(int index);

    /**
     * Whether server {@code index} may receive new connections now: false while its MAC address is
     * unresolved, while it is drained, or while an operator has taken it out.
     */
    boolean available(int index);

    /** The connections currently assigned to server {@code index}. */
    int activeConnections(int index);
}
