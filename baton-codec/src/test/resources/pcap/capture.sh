#!/usr/bin/env bash
# Recipe for the pcap fixtures beside this file. Run as root from this directory:
#
#     sudo ./capture.sh            # writes *.pcap and a tcpdump -nn -vvv -S -X -e dump (*.txt) of each
#
# It builds three network namespaces (client, router, server) joined by two veth pairs, all addressed
# from 203.0.113.0/24 (RFC 5737 TEST-NET-3) only, runs tcpdump on the client's interface and generates
# real traffic with ping, curl, python3 -m http.server and bash's /dev/udp. Namespace and interface names
# carry a random per-run prefix; a trap removes everything (and stops only the processes this script
# started, by PID) however the script ends.
#
#   client ns                    router ns                          server ns
#   [P c0] 203.0.113.10/25 ---- [P r0] 203.0.113.1/25
#                                [P r1] 203.0.113.129/25 ---------- [P s0] 203.0.113.130/25
#                                        (MTU 1280 on this link: source of ICMP fragmentation-needed)
# Needs: iproute2, ethtool, tcpdump, iputils-ping, curl, python3 (Debian: apt-get install -y tcpdump iputils-ping).
set -euo pipefail

OUT_DIR="$(cd "$(dirname "$0")" && pwd)"
PREFIX="bc$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
NS_CLIENT="${PREFIX}c"
NS_ROUTER="${PREFIX}r"
NS_SERVER="${PREFIX}s"
IF_CLIENT="${PREFIX}c0"
IF_ROUTER_CLIENT_SIDE="${PREFIX}r0"
IF_ROUTER_SERVER_SIDE="${PREFIX}r1"
IF_SERVER="${PREFIX}s0"
CLIENT_ADDRESS=203.0.113.10
ROUTER_CLIENT_SIDE_ADDRESS=203.0.113.1
ROUTER_SERVER_SIDE_ADDRESS=203.0.113.129
SERVER_ADDRESS=203.0.113.130
HTTP_PORT=8080
UDP_OPEN_PORT=4000
UDP_CLOSED_PORT=4001
WORK_DIR="$(mktemp -d)"
STARTED_PIDS=()

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$NS_CLIENT" 2>/dev/null || true
    ip netns del "$NS_ROUTER" 2>/dev/null || true
    ip netns del "$NS_SERVER" 2>/dev/null || true
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT INT TERM

# Runs a command in a namespace. Background jobs call `ip netns exec` directly instead, so that $! is
# the process itself (a backgrounded shell function would be a subshell that inherits the trap).
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# Waits (bounded) until a command prints something: used for "socket is listening" checks.
wait_until_output() {
    local attempt
    for attempt in $(seq 1 50); do
        if [[ -n "$("$@" 2>/dev/null)" ]]; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# --- topology ---------------------------------------------------------------------------------
for ns in "$NS_CLIENT" "$NS_ROUTER" "$NS_SERVER"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    # Keep IPv6 chatter (router solicitations, MLD) out of the captures.
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    in_ns "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$IF_CLIENT" netns "$NS_CLIENT" address 02:00:00:00:01:0a type veth \
    peer name "$IF_ROUTER_CLIENT_SIDE" netns "$NS_ROUTER" address 02:00:00:00:01:01
ip link add "$IF_ROUTER_SERVER_SIDE" netns "$NS_ROUTER" address 02:00:00:00:02:01 mtu 1280 type veth \
    peer name "$IF_SERVER" netns "$NS_SERVER" address 02:00:00:00:02:0a mtu 1280

in_ns "$NS_CLIENT" ip addr add "$CLIENT_ADDRESS/25" dev "$IF_CLIENT"
in_ns "$NS_ROUTER" ip addr add "$ROUTER_CLIENT_SIDE_ADDRESS/25" dev "$IF_ROUTER_CLIENT_SIDE"
in_ns "$NS_ROUTER" ip addr add "$ROUTER_SERVER_SIDE_ADDRESS/25" dev "$IF_ROUTER_SERVER_SIDE"
in_ns "$NS_SERVER" ip addr add "$SERVER_ADDRESS/25" dev "$IF_SERVER"
in_ns "$NS_CLIENT" ip link set "$IF_CLIENT" up
in_ns "$NS_ROUTER" ip link set "$IF_ROUTER_CLIENT_SIDE" up
in_ns "$NS_ROUTER" ip link set "$IF_ROUTER_SERVER_SIDE" up
in_ns "$NS_SERVER" ip link set "$IF_SERVER" up
in_ns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
# Routes only towards the other lab subnet: nothing can leave the lab.
in_ns "$NS_CLIENT" ip route add 203.0.113.128/25 via "$ROUTER_CLIENT_SIDE_ADDRESS"
in_ns "$NS_SERVER" ip route add 203.0.113.0/25 via "$ROUTER_SERVER_SIDE_ADDRESS"

# Checksums computed in software on every sender, so the captured checksums are the real ones
# (with offload on, a veth sender hands over CHECKSUM_PARTIAL: only the pseudo-header sum is in the field).
set_tx_checksum_offload() {
    in_ns "$NS_CLIENT" ethtool -K "$IF_CLIENT" tx "$1" >/dev/null
    in_ns "$NS_ROUTER" ethtool -K "$IF_ROUTER_CLIENT_SIDE" tx "$1" >/dev/null
    in_ns "$NS_ROUTER" ethtool -K "$IF_ROUTER_SERVER_SIDE" tx "$1" >/dev/null
    in_ns "$NS_SERVER" ethtool -K "$IF_SERVER" tx "$1" >/dev/null
}
set_tx_checksum_offload off

# --- capture helpers -------------------------------------------------------------------------
CAPTURE_PID=""
start_capture() { # name filter [extra tcpdump options]
    local name="$1" filter="$2"; shift 2
    # -Z root: tcpdump would otherwise drop to user tcpdump, which cannot write the private work directory.
    ip netns exec "$NS_CLIENT" tcpdump -Z root -i "$IF_CLIENT" --immediate-mode -U -s 0 "$@" -w "$WORK_DIR/$name.pcap" "$filter" \
        2>"$WORK_DIR/$name.log" &
    CAPTURE_PID=$!
    STARTED_PIDS+=("$CAPTURE_PID")
    wait_until_output grep -l "listening on" "$WORK_DIR/$name.log"
}
stop_capture() { # name
    local name="$1"
    sleep 0.3 # let the last frames reach the capture socket
    kill -TERM "$CAPTURE_PID" # tcpdump flushes and closes the file on SIGTERM
    wait "$CAPTURE_PID" || true
    cp "$WORK_DIR/$name.pcap" "$OUT_DIR/$name.pcap"
    tcpdump -nn -vvv -S -X -e --time-stamp-precision=nano -r "$OUT_DIR/$name.pcap" >"$OUT_DIR/$name.txt" 2>/dev/null
    echo "$name.pcap: $(tcpdump -r "$OUT_DIR/$name.pcap" 2>/dev/null | wc -l) frames"
}

# --- scenarios --------------------------------------------------------------------------------
# ARP request + reply: the client's first ping to its gateway has to resolve the gateway's MAC.
in_ns "$NS_CLIENT" ip neigh flush dev "$IF_CLIENT"
start_capture arp "arp"
in_ns "$NS_CLIENT" ping -n -c 1 -W 2 "$ROUTER_CLIENT_SIDE_ADDRESS" >/dev/null
stop_capture arp

# ICMP echo request + reply, routed through the router (TTL 63 on the reply).
start_capture icmp-echo "icmp"
in_ns "$NS_CLIENT" ping -n -c 1 -W 2 -p 6261746f6e "$SERVER_ADDRESS" >/dev/null
stop_capture icmp-echo

# TCP: handshake, HTTP request and response, FIN from both sides (http.server speaks HTTP/1.0 and closes).
mkdir -p "$WORK_DIR/www"
printf 'baton codec fixture\n' >"$WORK_DIR/www/hello.txt"
ip netns exec "$NS_SERVER" python3 -m http.server "$HTTP_PORT" --bind "$SERVER_ADDRESS" --directory "$WORK_DIR/www" \
    >/dev/null 2>&1 &
STARTED_PIDS+=("$!")
wait_until_output in_ns "$NS_SERVER" ss -Hltn "sport = :$HTTP_PORT"
start_capture tcp-http "tcp port $HTTP_PORT"
in_ns "$NS_CLIENT" curl -s -o /dev/null --max-time 5 "http://$SERVER_ADDRESS:$HTTP_PORT/hello.txt"
stop_capture tcp-http

# UDP datagram to a listening socket; nanosecond timestamps (magic a1b23c4d) to exercise that format.
ip netns exec "$NS_SERVER" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$SERVER_ADDRESS', $UDP_OPEN_PORT))
s.settimeout(5)
s.recvfrom(2048)
" &
UDP_LISTENER_PID=$!
STARTED_PIDS+=("$UDP_LISTENER_PID")
wait_until_output in_ns "$NS_SERVER" ss -Hlun "sport = :$UDP_OPEN_PORT"
start_capture udp "udp" --time-stamp-precision=nano
in_ns "$NS_CLIENT" bash -c "printf 'baton udp probe' >/dev/udp/$SERVER_ADDRESS/$UDP_OPEN_PORT"
wait "$UDP_LISTENER_PID" || true
stop_capture udp

# ICMP destination unreachable (port unreachable): UDP to a port nobody listens on.
start_capture icmp-port-unreachable "udp or icmp"
in_ns "$NS_CLIENT" bash -c "printf 'nobody home' >/dev/udp/$SERVER_ADDRESS/$UDP_CLOSED_PORT"
stop_capture icmp-port-unreachable

# ICMP fragmentation needed: DF-set 1428-byte echo towards a 1280-byte MTU link (RFC 1191).
start_capture icmp-frag-needed "icmp"
in_ns "$NS_CLIENT" ping -n -c 1 -W 2 -M do -s 1400 "$SERVER_ADDRESS" >/dev/null 2>&1 || true
stop_capture icmp-frag-needed

# TCP again with tx checksum offload ON at the client: the client's segments are captured as the kernel
# hands them to the device, CHECKSUM_PARTIAL, with only the pseudo-header sum in the checksum field.
set_tx_checksum_offload on
start_capture tcp-csum-partial "tcp port $HTTP_PORT"
in_ns "$NS_CLIENT" curl -s -o /dev/null --max-time 5 "http://$SERVER_ADDRESS:$HTTP_PORT/hello.txt"
stop_capture tcp-csum-partial
