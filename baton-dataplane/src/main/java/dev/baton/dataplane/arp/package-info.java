/**
 * Baton's own ARP (RFC 826) for server MAC addresses: the {@link dev.baton.dataplane.arp.NeighbourTable},
 * written by worker 0 (which receives every ARP frame through the fanout program) and read by all workers
 * through release/acquire publication. The per-worker side (ARP frames in and out: replies for VIPs,
 * learning, probes, gratuitous ARP) is {@link dev.baton.dataplane.forward.ArpHandler}, a stage of the
 * forwarding worker that sends through the worker's ports.
 */
package dev.baton.dataplane.arp;
