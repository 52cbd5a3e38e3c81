package dev.baton.table;

/**
 * The change stream of a {@link PersistenceTable}, for replication to standby routers: every put and
 * every removal, on the table's owner thread. Refreshes of the last-used time alone are not events (see
 * {@link PersistenceTable#forEachRefreshed}). Primitive arguments: no event allocates. An implementation
 * must not call back into the table that announces the event.
 */
public interface PersistenceListener {

    /** A listener that ignores every event. */
    PersistenceListener NONE = new PersistenceListener() {
        @Override
        public void onPut(int serviceId, int clientAddress, int serverId, long lastUsedMs, int timeoutMs) {
        }

        @Override
        public void onRemove(int serviceId, int clientAddress, int serverId, int reason) {
        }
    };

    /** An affinity was added or overwritten (locally or learned from a peer). */
    void onPut(int serviceId, int clientAddress, int serverId, long lastUsedMs, int timeoutMs);

    /**
     * An affinity is being removed.
     *
     * @param reason a {@link RemovalReason} code
     */
    void onRemove(int serviceId, int clientAddress, int serverId, int reason);
}
