package dev.baton.table;

/**
 * The change stream of a {@link ConnectionTable}: every change to the table's content is announced here,
 * on the table's owner thread, after the change is made (for a removal: just before the entry's slot is
 * reused, with its fields intact). It is what replication to standby routers sends (the patent's
 * synchronization manager, FIG. 2), and what keeps per-server connection counts.
 *
 * <p>Every mutation is announced, including those learned from a peer ({@link ConnectionTable#upsert});
 * the receiver decides by its role whether to forward an event. Refreshes of the last-seen time alone
 * are not events (that would be one per packet): see {@link ConnectionTable#forEachRefreshed}.
 *
 * <p>Arguments are primitives so that no event allocates. An implementation must not call back into the
 * table that announces the event, and should return quickly: it runs on the forwarding path.
 */
public interface ConnectionListener {

    /** A listener that ignores every event. */
    ConnectionListener NONE = new ConnectionListener() {
        @Override
        public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, long lastSeenMs) {
        }

        @Override
        public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                  int serviceId, int serverId, int oldState, int newState, long nowMs) {
        }

        @Override
        public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, int reason) {
        }
    };

    /**
     * An entry was added, scheduled locally or learned from a peer.
     *
     * @param state      a {@link TcpState} code
     * @param lastSeenMs the entry's last-seen time (the insert time unless learned)
     */
    void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                  int serviceId, int serverId, int state, long lastSeenMs);

    /** An entry's {@link TcpState} changed at {@code nowMs}. */
    void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                       int serviceId, int serverId, int oldState, int newState, long nowMs);

    /**
     * An entry is being removed.
     *
     * @param state  its last {@link TcpState}
     * @param reason a {@link RemovalReason} code
     */
    void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                  int serviceId, int serverId, int state, int reason);
}
