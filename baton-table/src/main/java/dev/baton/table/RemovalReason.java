package dev.baton.table;

/**
 * Why an entry left a table. The codes are explicit because they travel to standby routers in the change
 * stream ({@link ConnectionListener#onRemove}); never derive them from declaration order.
 */
public final class RemovalReason {

    /** Removed on request: an operator command, or a removal learned from the active router. */
    public static final int REMOVED = 1;
    /** Idle for longer than its timeout: found by the expiry sweep, by a lookup, or by the capacity policy. */
    public static final int EXPIRED = 2;
    /** Evicted by the capacity policy to make room while not yet expired. */
    public static final int EVICTED = 3;
    /** Overwritten by an entry learned from a peer that maps the same key to a different server. */
    public static final int REPLACED = 4;

    /** One more than the highest code: the size of an array indexed by reason. */
    static final int CODE_LIMIT = 5;

    private RemovalReason() {
    }

    /** Whether {@code reason} is one of the codes above. */
    public static boolean isValid(int reason) {
        return reason >= REMOVED && reason <= REPLACED;
    }

    /** A stable lower-case label for counters, logs and {@code ctl} output. */
    public static String label(int reason) {
        return switch (reason) {
            case REMOVED -> "removed";
            case EXPIRED -> "expired";
            case EVICTED -> "evicted";
            case REPLACED -> "replaced";
            default -> throw new IllegalArgumentException("unknown removal reason " + reason);
        };
    }
}
