/**
 * High availability (US 6,148,410 FIG. 2 and FIG. 3): the {@link dev.baton.ha.HaAgent} thread
 * drives one {@link dev.baton.monitor.ServiceMonitor} per VIP, the keep-alive manager and the peer transport,
 * and carries out the monitors' actions (VIP ownership, gratuitous ARP, peer notices); a
 * {@link dev.baton.ha.ReplicationShard} per worker runs table synchronization inside the worker that owns the
 * table shard, joined to the agent by {@link dev.baton.ha.MessageRing}s (single producer, single consumer,
 * preallocated).
 *
 * <p>Threads: the agent's fields belong to the agent thread (others use {@code HaAgent.query}); a shard's
 * fields belong to its worker thread (the agent uses {@code Forwarder.submit} and the rings).
 */
package dev.baton.ha;
