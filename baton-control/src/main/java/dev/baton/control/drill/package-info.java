/**
 * {@code baton drill}: the failover proof an operator runs against a live pair before going live. A client load
 * of long-lived connections through a VIP ({@link DrillLoad}, one NIO thread), a switch-over of the pair through
 * the routers' control sockets ({@link PairControl}), and what the clients saw ({@link DrillReport}).
 *
 * <p>The measurement maths is in plain classes with no clock of their own, stepped by tests: {@link EchoLedger}
 * (every echoed byte against what was sent), {@link StallMeter} (the longest gap between a connection's echoes),
 * {@link ProbeOutage} (the new-connection outage from the probes).
 *
 * <p>Threads: the command's thread runs the drill and talks to the control sockets; the load runs on its own
 * thread ({@code baton-drill-load}) and is read only after it ended ({@link Thread#join}).
 */
package dev.baton.control.drill;
