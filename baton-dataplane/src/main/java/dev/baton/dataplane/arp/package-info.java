/**
 * Baton's own ARP (RFC 826) for server MAC addresses: the {@link dev.baton.dataplane.arp.NeighbourTable},
 * written by worker 0 (which receives every ARP frame through the fanout program) and read by all workers
 * through release/acquire publication. ARP replies for VIPs are built by the forwarder itself.
 */
package dev.baton.dataplane.arp;
