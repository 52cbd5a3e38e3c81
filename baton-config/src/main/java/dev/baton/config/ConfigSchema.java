package dev.baton.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys allowed at each level of the file, each with a correct line shown after "for example:" when
 * that key has a problem. The single list of keys: the reader, the did-you-mean suggestions and the test
 * that docs/configuration.md describes every key all use it.
 */
final class ConfigSchema {

    /** A key of a mapping and a line to copy from. */
    record Key(String name, String example) {
    }

    static final Key ROUTER = new Key("router", "router: { id: baton-1, workers: 1 }");
    static final Key INTERFACES = new Key("interfaces", "interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]");
    static final Key TABLE = new Key("table", "table: { capacity: 1000000 }");
    static final Key NEIGHBOURS = new Key("neighbours", "neighbours: { refresh: 30s, retry: 1s, stale-after: 90s }");
    static final Key SERVICES = new Key("services",
            "services: [{ name: web, vip: 192.0.2.10, ports: [80], servers: [{ address: 192.0.2.11 }] }]");
    static final Key HIGH_AVAILABILITY = new Key("high-availability",
            "high-availability: { router-number: 1, key-file: /etc/baton/peer.key, peers: [{ name: baton-2, router-number: 2, "
                    + "links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }] }");
    static final Key REACHABILITY = new Key("reachability",
            "reachability: { compare: count, targets: [{ name: upstream, address: 192.0.2.1, probe: arp }] }");
    static final Key NOTIFY = new Key("notify", "notify: { on-state-change: /etc/baton/notify.sh, timeout: 5s }");
    static final Key METRICS = new Key("metrics", "metrics: { listen: 127.0.0.1:9477 }");
    static final List<Key> ROOT_KEYS = List.of(ROUTER, INTERFACES, TABLE, NEIGHBOURS, SERVICES, HIGH_AVAILABILITY, REACHABILITY,
            NOTIFY, METRICS);

    static final Key ROUTER_ID = new Key("id", "id: baton-1");
    static final Key CONTROL_SOCKET = new Key("control-socket", "control-socket: /run/baton/baton-1.sock");
    static final Key WORKERS = new Key("workers", "workers: 2");
    static final Key DATAPATH = new Key("datapath", "datapath: af-packet");
    static final Key XDP_MODE = new Key("xdp-mode", "xdp-mode: generic");
    static final Key RING = new Key("ring", "ring: { block-size: 1MiB, block-count: 16 }");
    static final List<Key> ROUTER_KEYS = List.of(ROUTER_ID, CONTROL_SOCKET, WORKERS, DATAPATH, XDP_MODE, RING);

    static final Key BLOCK_SIZE = new Key("block-size", "block-size: 1MiB");
    static final Key BLOCK_COUNT = new Key("block-count", "block-count: 16");
    static final Key BLOCK_TIMEOUT = new Key("block-timeout", "block-timeout: 2ms");
    static final Key TX_FRAME_SIZE = new Key("tx-frame-size", "tx-frame-size: 65664");
    static final Key TX_FRAME_COUNT = new Key("tx-frame-count", "tx-frame-count: 256");
    static final Key RING_VERSION = new Key("version", "version: v2");
    static final Key RX_FRAME_SIZE = new Key("rx-frame-size", "rx-frame-size: 69632");
    static final Key RX_FRAME_COUNT = new Key("rx-frame-count", "rx-frame-count: 512");
    static final List<Key> RING_KEYS = List.of(BLOCK_SIZE, BLOCK_COUNT, BLOCK_TIMEOUT, TX_FRAME_SIZE, TX_FRAME_COUNT,
            RING_VERSION, RX_FRAME_SIZE, RX_FRAME_COUNT);

    static final Key INTERFACE_NAME = new Key("name", "name: eth0");
    static final Key INTERFACE_ROLE = new Key("role", "role: client");
    static final Key INTERFACE_ADDRESS = new Key("address", "address: 192.0.2.2/24");
    static final List<Key> INTERFACE_KEYS = List.of(INTERFACE_NAME, INTERFACE_ROLE, INTERFACE_ADDRESS);

    static final Key CAPACITY = new Key("capacity", "capacity: 1000000");
    static final Key TIMEOUTS = new Key("timeouts", "timeouts: { tcp-established: 15m, udp: 5m }");
    static final Key PER_SOURCE_LIMIT = new Key("per-source-limit", "per-source-limit: 1024");
    static final List<Key> TABLE_KEYS = List.of(CAPACITY, TIMEOUTS, PER_SOURCE_LIMIT);

    static final Key TCP_SYN = new Key("tcp-syn", "tcp-syn: 30s");
    static final Key TCP_ESTABLISHED = new Key("tcp-established", "tcp-established: 15m");
    static final Key TCP_CLOSING = new Key("tcp-closing", "tcp-closing: 2m");
    static final Key TCP_CLOSED = new Key("tcp-closed", "tcp-closed: 10s");
    static final Key UDP = new Key("udp", "udp: 5m");
    static final List<Key> TIMEOUT_KEYS = List.of(TCP_SYN, TCP_ESTABLISHED, TCP_CLOSING, TCP_CLOSED, UDP);

    static final Key REFRESH = new Key("refresh", "refresh: 30s");
    static final Key RETRY = new Key("retry", "retry: 1s");
    static final Key STALE_AFTER = new Key("stale-after", "stale-after: 90s");
    static final List<Key> NEIGHBOUR_KEYS = List.of(REFRESH, RETRY, STALE_AFTER);

    static final Key SERVICE_NAME = new Key("name", "name: web");
    static final Key VIP = new Key("vip", "vip: 192.0.2.10");
    static final Key PROTOCOL = new Key("protocol", "protocol: tcp");
    static final Key PORTS = new Key("ports", "ports: [80, 443, \"8000-8010\"]");
    static final Key SCHEDULER = new Key("scheduler", "scheduler: wlc");
    static final Key PERSISTENCE = new Key("persistence", "persistence: 300s");
    static final Key SERVERS = new Key("servers", "servers: [{ address: 198.51.100.11, weight: 3 }]");
    static final Key SERVICE_ROLE = new Key("role", "role: primary");
    static final Key PRIORITY = new Key("priority", "priority: 100");
    static final Key FAILBACK = new Key("failback", "failback: automatic");
    static final Key HEALTH_CHECK = new Key("health-check", "health-check: { type: http, path: /health, interval: 2s }");
    static final Key ON_SERVER_DOWN = new Key("on-server-down", "on-server-down: keep");
    static final Key FALLBACK = new Key("fallback", "fallback: [{ address: 198.51.100.99 }]");
    static final List<Key> SERVICE_KEYS = List.of(SERVICE_NAME, VIP, PROTOCOL, PORTS, SCHEDULER, PERSISTENCE, SERVERS,
            SERVICE_ROLE, PRIORITY, FAILBACK, HEALTH_CHECK, ON_SERVER_DOWN, FALLBACK);

    static final Key CHECK_TYPE = new Key("type", "type: http");
    static final Key CHECK_PORT = new Key("port", "port: 8080");
    static final Key CHECK_PATH = new Key("path", "path: /health");
    static final Key CHECK_HOST = new Key("host", "host: www.example.com");
    static final Key CHECK_EXPECT_STATUS = new Key("expect-status", "expect-status: 200");
    static final Key CHECK_EXPECT_BODY = new Key("expect-body", "expect-body: ok");
    static final Key CHECK_TLS_VERIFY = new Key("tls-verify", "tls-verify: true");
    static final Key PROBE_INTERVAL = new Key("interval", "interval: 2s");
    static final Key PROBE_TIMEOUT = new Key("timeout", "timeout: 1s");
    static final Key RISE = new Key("rise", "rise: 2");
    static final Key FALL = new Key("fall", "fall: 3");
    static final List<Key> HEALTH_CHECK_KEYS = List.of(CHECK_TYPE, CHECK_PORT, CHECK_PATH, CHECK_HOST, CHECK_EXPECT_STATUS,
            CHECK_EXPECT_BODY, PROBE_INTERVAL, PROBE_TIMEOUT, RISE, FALL, CHECK_TLS_VERIFY);

    static final Key COMPARE = new Key("compare", "compare: required");
    static final Key MIN_IMPROVEMENT = new Key("min-improvement", "min-improvement: 1");
    static final Key HOLD = new Key("hold", "hold: 3s");
    static final Key REPORT_INTERVAL = new Key("report-interval", "report-interval: 1s");
    static final Key TARGETS = new Key("targets", "targets: [{ name: upstream, address: 192.0.2.1, probe: arp }]");
    static final List<Key> REACHABILITY_KEYS = List.of(COMPARE, MIN_IMPROVEMENT, HOLD, REPORT_INTERVAL, TARGETS);

    static final Key TARGET_NAME = new Key("name", "name: upstream");
    static final Key TARGET_ADDRESS = new Key("address", "address: 192.0.2.1");
    static final Key TARGET_SERVICE = new Key("service", "service: web");
    static final Key TARGET_SUBNET = new Key("subnet", "subnet: 198.51.100.0/24");
    static final Key TARGET_ADDRESSES = new Key("addresses", "addresses: [198.51.100.11, 198.51.100.12]");
    static final Key TARGET_PROBE = new Key("probe", "probe: icmp");
    static final Key TARGET_PORT = new Key("port", "port: 80");
    static final Key MIN_UP = new Key("min-up", "min-up: 1");
    static final Key TARGET_WEIGHT = new Key("weight", "weight: 10");
    static final Key REQUIRED = new Key("required", "required: true");
    static final List<Key> TARGET_KEYS = List.of(TARGET_NAME, TARGET_ADDRESS, TARGET_SERVICE, TARGET_SUBNET, TARGET_ADDRESSES,
            TARGET_PROBE, TARGET_PORT, MIN_UP, PROBE_INTERVAL, PROBE_TIMEOUT, RISE, FALL, TARGET_WEIGHT, REQUIRED);

    static final Key SERVER_ADDRESS = new Key("address", "address: 198.51.100.11");
    static final Key WEIGHT = new Key("weight", "weight: 10");
    static final Key ALTERNATES = new Key("alternates", "alternates: [198.51.100.111]");
    static final List<Key> SERVER_KEYS = List.of(SERVER_ADDRESS, WEIGHT, ALTERNATES);

    static final Key METRICS_LISTEN = new Key("listen", "listen: 127.0.0.1:9477");
    static final List<Key> METRICS_KEYS = List.of(METRICS_LISTEN);

    static final Key ROUTER_NUMBER = new Key("router-number", "router-number: 1");
    static final Key KEY_FILE = new Key("key-file", "key-file: /etc/baton/peer.key");
    static final Key PEER_PORT = new Key("port", "port: 7480");
    static final Key LISTEN_TIMEOUT = new Key("listen-timeout", "listen-timeout: 500ms");
    static final Key STANDBY_TIMEOUT = new Key("standby-timeout", "standby-timeout: 60ms");
    static final Key PREEMPT_TIMEOUT = new Key("preempt-timeout", "preempt-timeout: 100ms");
    static final Key UPDATE_INTERVAL = new Key("update-interval", "update-interval: 20ms");
    static final Key LINK_FAILURE_TIME = new Key("link-failure-time", "link-failure-time: 60ms");
    static final Key HANDOVER_DRAIN = new Key("handover-drain", "handover-drain: 500ms");
    static final Key SHUTDOWN_HANDOVER_TIMEOUT = new Key("shutdown-handover-timeout", "shutdown-handover-timeout: 300ms");
    static final Key STATE_DIRECTORY = new Key("state-directory", "state-directory: /var/lib/baton");
    static final Key GRATUITOUS_ARP = new Key("gratuitous-arp", "gratuitous-arp: { count: 3, interval: 20ms, reannounce: 0s }");
    static final Key SYNC = new Key("sync", "sync: { window: 32, retransmit-timeout: 200ms }");
    static final Key PEERS = new Key("peers",
            "peers: [{ name: baton-2, router-number: 2, links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }]");
    static final List<Key> HIGH_AVAILABILITY_KEYS = List.of(ROUTER_NUMBER, KEY_FILE, PEER_PORT, LISTEN_TIMEOUT, STANDBY_TIMEOUT,
            PREEMPT_TIMEOUT, UPDATE_INTERVAL, LINK_FAILURE_TIME, HANDOVER_DRAIN, SHUTDOWN_HANDOVER_TIMEOUT, STATE_DIRECTORY, GRATUITOUS_ARP, SYNC,
            PEERS);

    static final Key GRATUITOUS_ARP_COUNT = new Key("count", "count: 3");
    static final Key GRATUITOUS_ARP_INTERVAL = new Key("interval", "interval: 20ms");
    static final Key GRATUITOUS_ARP_REANNOUNCE = new Key("reannounce", "reannounce: 30s");
    static final List<Key> GRATUITOUS_ARP_KEYS = List.of(GRATUITOUS_ARP_COUNT, GRATUITOUS_ARP_INTERVAL, GRATUITOUS_ARP_REANNOUNCE);

    static final Key SYNC_WINDOW = new Key("window", "window: 32");
    static final Key SYNC_RETRANSMIT_TIMEOUT = new Key("retransmit-timeout", "retransmit-timeout: 200ms");
    static final List<Key> SYNC_KEYS = List.of(SYNC_WINDOW, SYNC_RETRANSMIT_TIMEOUT);

    static final Key PEER_NAME = new Key("name", "name: baton-2");
    static final Key PEER_ROUTER_NUMBER = new Key("router-number", "router-number: 2");
    static final Key LINKS = new Key("links", "links: [{ local: 203.0.113.1, peer: 203.0.113.2 }]");
    static final List<Key> PEER_KEYS = List.of(PEER_NAME, PEER_ROUTER_NUMBER, LINKS);

    static final Key ON_STATE_CHANGE = new Key("on-state-change", "on-state-change: /etc/baton/notify.sh");
    static final Key NOTIFY_TIMEOUT = new Key("timeout", "timeout: 5s");
    static final List<Key> NOTIFY_KEYS = List.of(ON_STATE_CHANGE, NOTIFY_TIMEOUT);

    static final Key LINK_LOCAL = new Key("local", "local: 203.0.113.1");
    static final Key LINK_PEER = new Key("peer", "peer: 203.0.113.2");
    static final List<Key> LINK_KEYS = List.of(LINK_LOCAL, LINK_PEER);

    /** A correct list item, shown when an item of a list of mappings is not a mapping. */
    static final String INTERFACE_ITEM_EXAMPLE = "- { name: eth0, role: both, address: 192.0.2.2/24 }";
    static final String SERVICE_ITEM_EXAMPLE = "- { name: web, vip: 192.0.2.10, ports: [80], servers: [{ address: 192.0.2.11 }] }";
    static final String SERVER_ITEM_EXAMPLE = "- { address: 198.51.100.11, weight: 3 }";
    static final String TARGET_ITEM_EXAMPLE = "- { name: upstream, address: 192.0.2.1, probe: arp }";
    static final String PEER_ITEM_EXAMPLE = "- { name: baton-2, router-number: 2, links: [{ local: 203.0.113.1, peer: 203.0.113.2 }] }";
    static final String LINK_ITEM_EXAMPLE = "- { local: 203.0.113.1, peer: 203.0.113.2 }";
    /** Shown when the document is empty or not a mapping. */
    static final String DOCUMENT_EXAMPLE = "interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]";

    private ConfigSchema() {
    }

    /** Every level of the document by a name for it, e.g. {@code services[].servers[]}, with its keys. */
    static Map<String, List<Key>> levels() {
        Map<String, List<Key>> levels = new LinkedHashMap<>();
        levels.put("(top)", ROOT_KEYS);
        levels.put("router", ROUTER_KEYS);
        levels.put("router.ring", RING_KEYS);
        levels.put("interfaces[]", INTERFACE_KEYS);
        levels.put("table", TABLE_KEYS);
        levels.put("table.timeouts", TIMEOUT_KEYS);
        levels.put("neighbours", NEIGHBOUR_KEYS);
        levels.put("services[]", SERVICE_KEYS);
        levels.put("services[].servers[]", SERVER_KEYS);
        levels.put("services[].health-check", HEALTH_CHECK_KEYS);
        levels.put("services[].fallback[]", SERVER_KEYS);
        levels.put("high-availability", HIGH_AVAILABILITY_KEYS);
        levels.put("high-availability.gratuitous-arp", GRATUITOUS_ARP_KEYS);
        levels.put("high-availability.sync", SYNC_KEYS);
        levels.put("high-availability.peers[]", PEER_KEYS);
        levels.put("high-availability.peers[].links[]", LINK_KEYS);
        levels.put("reachability", REACHABILITY_KEYS);
        levels.put("reachability.targets[]", TARGET_KEYS);
        levels.put("notify", NOTIFY_KEYS);
        levels.put("metrics", METRICS_KEYS);
        return levels;
    }

    static List<String> names(List<Key> keys) {
        List<String> names = new ArrayList<>(keys.size());
        for (Key key : keys) {
            names.add(key.name());
        }
        return names;
    }
}
