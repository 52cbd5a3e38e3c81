/**
 * Server selection for new connections: which server of a service (the patent's cluster behind a VIP)
 * receives a connection the router has not seen before. Established connections never come here; the
 * connection table keeps them on their server.
 *
 * <p>What lives here: {@link dev.baton.scheduling.ServerSet}, the view of a service's servers a scheduler
 * reads (weight, availability, active connections), with its mutable implementation
 * {@link dev.baton.scheduling.Servers}; the {@link dev.baton.scheduling.Scheduler} interface and its
 * algorithms {@link dev.baton.scheduling.WeightedRoundRobin} and
 * {@link dev.baton.scheduling.WeightedLeastConnections}.
 *
 * <p>Threading: a scheduler and the server set it selects from belong to one forwarding thread, which is
 * the only thread that calls them (single writer, no locks). Selection allocates nothing.
 */
package dev.baton.scheduling;
