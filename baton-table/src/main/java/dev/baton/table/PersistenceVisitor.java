package dev.baton.table;

/**
 * Receives persistence-table entries one by one, as primitives (full dumps, refresh batches, listings).
 * Runs on the table's owner thread; must not modify the table it visits.
 */
@FunctionalInterface
public interface PersistenceVisitor {

    void visit(int serviceId, int clientAddress, int serverId, long lastUsedMs, int timeoutMs);
}
