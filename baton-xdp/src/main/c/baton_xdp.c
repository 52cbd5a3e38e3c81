// Baton's XDP fast path (issue #10): frames of established flows forwarded in the driver; everything else goes up to
// the Java forwarder (AF_PACKET rings), which stays the authority. The Java side fills the maps; this program only
// reads them, but for the last-seen time of a flow and the counters.
//
// A frame is forwarded here only when ALL of these hold, otherwise XDP_PASS (the slow path sees it unchanged):
//   - it arrived on a port Baton opened (baton_ports) and is addressed to that port's MAC;
//   - untagged IPv4, version 4, a 20-byte header (no options), total length within the frame, not a fragment;
//   - to a VIP this router forwards now (baton_vips: FORWARDS; a standby's entries say no);
//   - TCP without SYN, FIN or RST (those change the connection's state: the Java table must see them), or UDP,
//     with a valid transport header;
//   - its 5-tuple is in baton_flows (the Java forwarder put it there once the connection was ESTABLISHED, or a UDP
//     flow) and its server is usable (baton_servers: USABLE; MAC resolved, not to be dropped).
// Then only the Ethernet addresses change (direct server return, as in Forwarder.transmit): destination the server's
// MAC, source the egress port's. Same port: XDP_TX; another: a redirect through baton_egress.
//
// The maps' keys and values are in baton_xdp.h, shared with the Java side's layout test.

#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "baton_xdp.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, BATON_DEFAULT_FLOWS);
    __type(key, struct baton_flow_key);
    __type(value, struct baton_flow);
} baton_flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BATON_DEFAULT_SERVERS);
    __type(key, __u32);
    __type(value, struct baton_server);
} baton_servers SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, BATON_DEFAULT_VIPS);
    __type(key, __u32);
    __type(value, struct baton_vip);
} baton_vips SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, BATON_DEFAULT_PORTS);
    __type(key, __u32); // ifindex
    __type(value, struct baton_port);
} baton_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, BATON_DEFAULT_PORTS);
    __type(key, __u32);   // ifindex
    __type(value, __u32); // the same ifindex
} baton_egress SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, BATON_COUNTER_LIMIT);
    __type(key, __u32);
    __type(value, __u64);
} baton_counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, BATON_DEFAULT_SERVERS);
    __type(key, __u32);
    __type(value, struct baton_traffic);
} baton_server_traffic SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, BATON_DEFAULT_SERVICES);
    __type(key, __u32);
    __type(value, struct baton_traffic);
} baton_service_traffic SEC(".maps");

static __always_inline void count(__u32 index, __u64 amount) {
    __u64 *counter = bpf_map_lookup_elem(&baton_counters, &index);
    if (counter) {
        *counter += amount; // per CPU: no atomics needed
    }
}

static __always_inline int pass(__u32 reason) {
    count(reason, 1);
    return XDP_PASS;
}

static __always_inline void add_traffic(void *map, __u32 index, __u64 bytes) {
    struct baton_traffic *traffic = bpf_map_lookup_elem(map, &index);
    if (traffic) {
        traffic->packets++;
        traffic->bytes += bytes;
    }
}

static __always_inline int same_mac(const __u8 *a, const __u8 *b) {
    return *(const __u32 *) a == *(const __u32 *) b && *(const __u16 *) (a + 4) == *(const __u16 *) (b + 4);
}

SEC("xdp")
int baton_fast_path(struct xdp_md *ctx) {
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    // The helper, not data_end - data: subtracting two packet pointers is allowed only with CAP_PERFMON
    // (allow_ptr_leaks), which the router need not have (contrib/systemd/baton.service). It counts a multi-buffer
    // frame's fragments too, which is the frame's true length for the MTU check; headers are read from the linear
    // part only, each access bounded by data_end.
    __u64 frame_length = bpf_xdp_get_buff_len(ctx);
    count(BATON_RX, 1);

    __u32 ingress = ctx->ingress_ifindex;
    struct baton_port *port = bpf_map_lookup_elem(&baton_ports, &ingress);
    struct ethhdr *eth = data;
    if ((void *) (eth + 1) > data_end) {
        return pass(BATON_PASS_IP_SLOW);
    }
    if (!port || !same_mac(eth->h_dest, port->mac)) {
        return pass(BATON_PASS_NOT_OURS);
    }
    if (eth->h_proto != bpf_htons(ETH_P_IP)) {
        return pass(BATON_PASS_NOT_IPV4);
    }
    struct iphdr *ip = (void *) (eth + 1);
    if ((void *) (ip + 1) > data_end) {
        return pass(BATON_PASS_IP_SLOW);
    }
    // Options, fragments (first ones too: their transport header may be cut) and short or over-long datagrams
    // are rare; the Java forwarder's checks decide them.
    __u16 total_length = bpf_ntohs(ip->tot_len);
    if (ip->version != 4 || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)) != 0
            || total_length < sizeof(struct iphdr) || total_length > frame_length - sizeof(struct ethhdr)) {
        return pass(BATON_PASS_IP_SLOW);
    }
    __u32 vip_address = ip->daddr;
    struct baton_vip *vip = bpf_map_lookup_elem(&baton_vips, &vip_address);
    if (!vip || !(vip->flags & BATON_VIP_FORWARDS)) {
        return pass(BATON_PASS_NOT_FORWARDED_VIP);
    }
    __u32 transport_length = total_length - sizeof(struct iphdr);
    struct baton_flow_key key = {};
    key.client_address = ip->saddr;
    key.vip_address = vip_address;
    key.protocol = ip->protocol;
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = (void *) (ip + 1);
        if ((void *) (tcp + 1) > data_end || transport_length < sizeof(struct tcphdr)) {
            return pass(BATON_PASS_IP_SLOW);
        }
        if (tcp->doff < 5 || tcp->doff * 4u > transport_length) {
            return pass(BATON_PASS_IP_SLOW);
        }
        if (tcp->syn || tcp->fin || tcp->rst) {
            return pass(BATON_PASS_TCP_CONTROL);
        }
        key.client_port = tcp->source;
        key.vip_port = tcp->dest;
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = (void *) (ip + 1);
        if ((void *) (udp + 1) > data_end || transport_length < sizeof(struct udphdr)
                || bpf_ntohs(udp->len) < sizeof(struct udphdr)) {
            return pass(BATON_PASS_IP_SLOW);
        }
        key.client_port = udp->source;
        key.vip_port = udp->dest;
    } else {
        return pass(BATON_PASS_IP_SLOW);
    }

    struct baton_flow *flow = bpf_map_lookup_elem(&baton_flows, &key);
    if (!flow) {
        return pass(BATON_PASS_NO_FLOW);
    }
    __u32 server_index = flow->server;
    struct baton_server *server = bpf_map_lookup_elem(&baton_servers, &server_index);
    if (!server || !(server->flags & BATON_SERVER_USABLE)) {
        return pass(BATON_PASS_SERVER_NOT_USABLE);
    }
    // The coarse clock ticks once a jiffy: one store per flow per tick at most, not one per frame, so a busy flow's
    // entry is not written from every CPU's frames.
    __u64 now = bpf_ktime_get_coarse_ns();
    if (flow->last_seen_ns != now) {
        flow->last_seen_ns = now;
    }
    if (server->ifindex != ingress) {
        // A redirect drops a frame longer than the egress port's MTU (generic XDP hands the program whole GSO
        // super-frames); the slow path forwards those with their virtio header. XDP_TX has no such limit.
        if (frame_length > server->max_frame) {
            return pass(BATON_PASS_TOO_LONG);
        }
        // Asked first, so that a frame with no way out goes up unchanged. A missing egress entry is the loader's
        // bug: counted, and the slow path forwards the frame instead.
        if (bpf_redirect_map(&baton_egress, server->ifindex, XDP_PASS) != XDP_REDIRECT) {
            return pass(BATON_REDIRECT_FAILED);
        }
    }
    __builtin_memcpy(eth->h_dest, server->mac, ETH_ALEN);
    __builtin_memcpy(eth->h_source, server->source_mac, ETH_ALEN);
    add_traffic(&baton_server_traffic, server_index, frame_length);
    add_traffic(&baton_service_traffic, flow->service, frame_length);
    count(BATON_FORWARDED, 1);
    count(BATON_FORWARDED_BYTES, frame_length);
    return server->ifindex == ingress ? XDP_TX : XDP_REDIRECT;
}

char _license[] SEC("license") = "Dual MIT/GPL";
