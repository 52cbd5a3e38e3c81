package dev.baton.table;

/**
 * Receives connection-table entries one by one, as primitives: for a full dump to a standby router, for
 * {@code ctl} listings and for refresh batches. Runs on the table's owner thread; must not modify the
 * table it visits.
 */
@FunctionalInterface
public interface ConnectionVisitor {

    /**
     * @param state      a {@link TcpState} code
     * @param lastSeenMs when the client last sent a segment, on the owner's clock
     */
    void visit(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
               int serviceId, int serverId, int state, long lastSeenMs);
}
