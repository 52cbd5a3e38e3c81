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
    static final List<Key> ROOT_KEYS = List.of(ROUTER, INTERFACES, TABLE, NEIGHBOURS, SERVICES);

    static final Key ROUTER_ID = new Key("id", "id: baton-1");
    static final Key CONTROL_SOCKET = new Key("control-socket", "control-socket: /run/baton/baton-1.sock");
    static final Key WORKERS = new Key("workers", "workers: 2");
    static final Key RING = new Key("ring", "ring: { block-size: 1MiB, block-count: 16 }");
    static final List<Key> ROUTER_KEYS = List.of(ROUTER_ID, CONTROL_SOCKET, WORKERS, RING);

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
    static final List<Key> TABLE_KEYS = List.of(CAPACITY, TIMEOUTS);

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
    static final List<Key> SERVICE_KEYS = List.of(SERVICE_NAME, VIP, PROTOCOL, PORTS, SCHEDULER, PERSISTENCE, SERVERS);

    static final Key SERVER_ADDRESS = new Key("address", "address: 198.51.100.11");
    static final Key WEIGHT = new Key("weight", "weight: 10");
    static final List<Key> SERVER_KEYS = List.of(SERVER_ADDRESS, WEIGHT);

    /** A correct list item, shown when an item of {@code interfaces}, {@code services} or {@code servers} is not a mapping. */
    static final String INTERFACE_ITEM_EXAMPLE = "- { name: eth0, role: both, address: 192.0.2.2/24 }";
    static final String SERVICE_ITEM_EXAMPLE = "- { name: web, vip: 192.0.2.10, ports: [80], servers: [{ address: 192.0.2.11 }] }";
    static final String SERVER_ITEM_EXAMPLE = "- { address: 198.51.100.11, weight: 3 }";
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
