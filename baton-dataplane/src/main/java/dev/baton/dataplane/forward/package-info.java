/**
 * The forwarding agent: {@link dev.baton.dataplane.forward.Forwarder} parses each frame with flyweights,
 * finds or creates the connection, and copies the frame to the server with new Ethernet addresses (direct
 * server return); its {@link dev.baton.dataplane.forward.ArpHandler} answers ARP for owned VIPs, learns and
 * probes the servers' MACs and sends the gratuitous ARP of a takeover. Both send through the worker's
 * {@link dev.baton.dataplane.forward.WorkerPorts}: one kick per port per batch. One instance of each per
 * worker thread; nothing on their per-frame path allocates, locks or makes a system call.
 */
package dev.baton.dataplane.forward;
