/**
 * The forwarding agent: {@link dev.baton.dataplane.forward.Forwarder} parses each frame with flyweights,
 * answers ARP for owned VIPs, finds or creates the connection, and copies the frame to the server with new
 * Ethernet addresses (direct server return). One instance per worker thread; nothing on its per-frame path
 * allocates, locks or makes a system call.
 */
package dev.baton.dataplane.forward;
