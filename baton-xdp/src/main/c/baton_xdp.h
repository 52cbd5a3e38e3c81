// The XDP program's map keys and values, flags and counters (baton_xdp.c). Mirrored by Java layouts
// (dev.baton.xdp.XdpLayouts, XdpCounter) and pinned by XdpLayoutsTest, which compiles this header with gcc and compares
// every offset, size and value. Addresses and ports are kept in network byte order, as on the wire.
#ifndef BATON_XDP_H
#define BATON_XDP_H

#include <linux/types.h>

// Sizes are the defaults; the loader sets each map's max_entries from the configuration before loading.
#define BATON_DEFAULT_FLOWS 65536
#define BATON_DEFAULT_SERVERS 4096
#define BATON_DEFAULT_SERVICES 1024
#define BATON_DEFAULT_VIPS 256
#define BATON_DEFAULT_PORTS 64

// baton_vip.flags
#define BATON_VIP_FORWARDS 1u
// baton_server.flags
#define BATON_SERVER_USABLE 1u

struct baton_flow_key {
    __u32 client_address;
    __u32 vip_address;
    __u16 client_port;
    __u16 vip_port;
    __u8 protocol;
    __u8 padding[3]; // always zero: the key is hashed byte for byte
};

struct baton_flow {
    __u64 last_seen_ns; // CLOCK_MONOTONIC (bpf_ktime_get_coarse_ns), the clock of Java's System.nanoTime
    __u32 server;       // index into baton_servers and baton_server_traffic (the Java forwarder's server id)
    __u32 service;      // index into baton_service_traffic (the Java forwarder's service id)
};

struct baton_server {
    __u8 mac[6];        // destination: the server's MAC, from the Java neighbour table
    __u8 source_mac[6]; // source: the MAC of the port the server is reached through
    __u32 ifindex;      // that port
    __u32 flags;
    __u32 max_frame;    // the longest frame that port sends: its MTU plus the Ethernet header
};

struct baton_port {
    __u8 mac[6];
    __u16 flags;
};

struct baton_vip {
    __u32 flags;
};

struct baton_traffic {
    __u64 packets;
    __u64 bytes;
};

// Indexes of baton_counters, mirrored by dev.baton.xdp.XdpCounter.
enum baton_counter {
    BATON_RX = 0,
    BATON_FORWARDED,
    BATON_FORWARDED_BYTES,
    BATON_PASS_NOT_OURS,     // a port Baton did not open, or another host's frame
    BATON_PASS_NOT_IPV4,     // ARP, IPv6, VLAN-tagged, ...
    BATON_PASS_IP_SLOW,      // IP options, fragment, not TCP/UDP, or malformed: the Java checks decide
    BATON_PASS_NOT_FORWARDED_VIP, // not a VIP, or one this router does not forward now
    BATON_PASS_TCP_CONTROL,  // SYN, FIN or RST
    BATON_PASS_NO_FLOW,
    BATON_PASS_SERVER_NOT_USABLE,
    BATON_PASS_TOO_LONG,     // longer than the egress port sends (a GSO super-frame in generic mode): the slow path
                             // forwards it with its offload header
    BATON_REDIRECT_FAILED,   // no egress entry for the server's port: up to the slow path, which forwards it
    BATON_COUNTER_LIMIT
};

#endif
