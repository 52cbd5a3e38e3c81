/**
 * The patent's monitoring manager (MM 240): the finite state machine of FIG. 3, one
 * {@link dev.baton.monitor.ServiceMonitor} per service. Pure: it takes events with their time and returns
 * the actions to carry out, so tests step it with a hand-advanced clock. Driven by the HA agent's thread.
 */
package dev.baton.monitor;
