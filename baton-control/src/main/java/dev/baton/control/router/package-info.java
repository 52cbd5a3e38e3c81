/**
 * A running router process ({@code baton run}): the host guard (nftables), the data plane and the control
 * socket, started and stopped in order.
 */
package dev.baton.control.router;
