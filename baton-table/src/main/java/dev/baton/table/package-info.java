/**
 * The patent's connection table (US 6,148,410, FIG. 1, item 106) and the client-persistence table: the
 * state a router must hold, and replicate to its standbys, so that an existing connection keeps reaching
 * the same server across a takeover.
 *
 * <p>What lives here:
 * <ul>
 *   <li>{@link dev.baton.table.ConnectionTable}: 5-tuple &rarr; (service, server), TCP state as seen from the
 *       client side ({@link dev.baton.table.TcpState}), per-state idle timeouts
 *       ({@link dev.baton.table.ConnectionTimeouts}), a capacity policy, a change stream
 *       ({@link dev.baton.table.ConnectionListener}) and snapshots
 *       ({@link dev.baton.table.ConnectionVisitor}, {@code digest()}) for replication.</li>
 *   <li>{@link dev.baton.table.PersistenceTable}: (service, client address) &rarr; server, the "sticky"
 *       affinity of a client, with the same design.</li>
 *   <li>{@code OpenAddressingTable}: the shared off-heap open-addressing core (linear probing,
 *       backward-shift deletion, incremental expiry sweep, bounded eviction scan, order-independent
 *       digest).</li>
 * </ul>
 *
 * <p>Threading: every table instance is owned by one thread, normally a forwarding worker, which is the
 * only thread that may call any method on it (single writer, no locks, no atomics). Listener and visitor
 * callbacks run on that thread. Other threads (control, sync) reach a table by handing a command to its
 * owner. The memory is allocated in a shared {@link java.lang.foreign.Arena} only so that the table may be
 * built on one thread and handed to its owner before use.
 */
package dev.baton.table;
