package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each rule of the loader as a row: a change to a valid configuration, and the exact messages it must
 * produce (file:line:column: key path: message; for example: ...). Lines and columns are 1-based and
 * refer to {@link #VALID} with the change applied.
 */
class ConfigLoaderRejectionTest {

    /** Valid as it is (see {@link #validConfigurationLoads()}); line numbers in the rows refer to it. */
    static final String VALID = """
            router:
              id: baton-1
              workers: 1
              ring: { block-size: 1MiB, tx-frame-size: 65664 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            table:
              capacity: 1000
              timeouts: { tcp-syn: 30s, udp: 5m }
            neighbours: { refresh: 30s, stale-after: 90s }
            services:
              - name: web
                vip: 192.0.2.10
                protocol: tcp
                ports: [80, "8000-8010"]
                scheduler: wrr
                persistence: 0s
                servers:
                  - { address: 198.51.100.11, weight: 3 }
                  - { address: 198.51.100.12 }
              - name: dns
                vip: 192.0.2.10
                protocol: udp
                ports: [53]
                servers:
                  - { address: 198.51.100.21 }
            """;

    private static final Path FILE = Path.of("t.yaml");
    private static final String HOSTNAME = "host-1";

    @Test
    void validConfigurationLoads() throws ConfigException {
        BatonConfig config = ConfigLoader.load(VALID, FILE, HOSTNAME);
        assertEquals(2, config.services().size());
    }

    static Stream<Arguments> rejections() {
        return Stream.of(
                // ---- router
                row("workers out of range", "  workers: 1", "  workers: 65",
                        "t.yaml:3:12: router.workers: 65 is out of range (1..64); for example: workers: 2"),
                row("workers not a number", "  workers: 1", "  workers: two",
                        "t.yaml:3:12: router.workers: 'two' is not a whole number; for example: workers: 2"),
                row("unknown data path", "  workers: 1", "  workers: 1\n  datapath: dpdk",
                        "t.yaml:4:13: router.datapath: 'dpdk' is not one of xdp, af-packet; for example: datapath: af-packet"),
                row("unknown XDP mode", "  workers: 1", "  workers: 1\n  xdp-mode: offload",
                        "t.yaml:4:13: router.xdp-mode: 'offload' is not one of auto, native, generic; for example: xdp-mode: generic"),
                row("router id with a space", "  id: baton-1", "  id: baton 1",
                        "t.yaml:2:7: router.id: 'baton 1' is not a valid id (1..63 letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit); for example: id: baton-1"),
                row("relative control socket", "  id: baton-1", "  id: baton-1\n  control-socket: baton.sock",
                        "t.yaml:3:19: router.control-socket: 'baton.sock' is not an absolute path; "
                                + "for example: control-socket: /run/baton/baton-1.sock"),
                row("control socket longer than sun_path", "  id: baton-1", "  id: baton-1\n  control-socket: /" + "s".repeat(107),
                        "t.yaml:3:19: router.control-socket: '/" + "s".repeat(107) + "' is longer than 107 bytes, the limit of a "
                                + "Unix socket path; for example: control-socket: /run/baton/baton-1.sock"),
                row("ring is not a mapping", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }", "  ring: 1MiB",
                        "t.yaml:4:9: router.ring: expected a mapping (key: value), found '1MiB'; "
                                + "for example: ring: { block-size: 1MiB, block-count: 16 }"),
                row("block size not a power of two", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-size: 96KiB, tx-frame-size: 2048 }",
                        "t.yaml:4:23: router.ring.block-size: 96KiB is not a power of two (4KiB, 8KiB, ... 1MiB, 2MiB, ...); "
                                + "for example: block-size: 1MiB"),
                row("block size below a page", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-size: 2048 }",
                        "t.yaml:4:23: router.ring.block-size: 2048 is out of range (4KiB..64MiB); for example: block-size: 1MiB"),
                row("block size in decimal units", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-size: 1MB }",
                        "t.yaml:4:23: router.ring.block-size: '1MB' is not a size (bytes, or a whole number followed by KiB, "
                                + "MiB or GiB); for example: block-size: 1MiB"),
                row("tx frame size not 16-byte aligned", "tx-frame-size: 65664", "tx-frame-size: 65610",
                        "t.yaml:4:44: router.ring.tx-frame-size: 65610 is not a multiple of 16 (TPACKET_ALIGNMENT); "
                                + "for example: tx-frame-size: 65664"),
                row("tx frame size below 2048", "tx-frame-size: 65664", "tx-frame-size: 1024",
                        "t.yaml:4:44: router.ring.tx-frame-size: 1024 is out of range (2KiB..1MiB); for example: tx-frame-size: 65664"),
                row("block smaller than a tx frame", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-size: 64KiB }",
                        "t.yaml:4:23: router.ring.block-size: 64KiB is smaller than tx-frame-size (65664 bytes): an RX block "
                                + "must hold the largest frame a TX slot can send; for example: block-size: 128KiB"),
                row("RX ring above 1 GiB", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-size: 64MiB, block-count: 32 }",
                        "t.yaml:4:43: router.ring.block-count: 32 blocks of 64MiB make a 2GiB RX ring, more than the 1GiB a "
                                + "ring may map; for example: block-count: 16"),
                row("TX ring above 1 GiB", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { tx-frame-size: 1MiB, tx-frame-count: 2048 }",
                        "t.yaml:4:48: router.ring.tx-frame-count: 2048 slots of 1MiB make a 2GiB TX ring, more than the 1GiB "
                                + "a ring may map; for example: tx-frame-count: 1024"),
                row("rx frame size below a page", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { version: v2, rx-frame-size: 2KiB }",
                        "t.yaml:4:39: router.ring.rx-frame-size: 2KiB is out of range (4KiB..64MiB); for example: rx-frame-size: 69632"),
                row("rx frame size beyond the block limit", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { version: v2, rx-frame-size: 65540KiB }",
                        "t.yaml:4:39: router.ring.rx-frame-size: 65540KiB is out of range (4KiB..64MiB); "
                                + "for example: rx-frame-size: 69632"),
                row("block timeout without unit", "  ring: { block-size: 1MiB, tx-frame-size: 65664 }",
                        "  ring: { block-timeout: 2 }",
                        "t.yaml:4:26: router.ring.block-timeout: '2' has no unit (ms, s, m or h); for example: block-timeout: 2ms"),
                // ---- interfaces
                row("unknown role with a suggestion", "role: client,", "role: clint,",
                        "t.yaml:6:25: interfaces[0].role: 'clint' is not one of client, server, both; did you mean 'client'?; "
                                + "for example: role: client"),
                row("interface address without prefix", "address: 192.0.2.2/24", "address: 192.0.2.2",
                        "t.yaml:6:42: interfaces[0].address: '192.0.2.2' has no prefix length (address/length, such as "
                                + "192.0.2.2/24); for example: address: 192.0.2.2/24"),
                row("interface prefix longer than 32", "address: 192.0.2.2/24", "address: 192.0.2.2/33",
                        "t.yaml:6:42: interfaces[0].address: '192.0.2.2/33' has a prefix length out of range (8..32); "
                                + "for example: address: 192.0.2.2/24"),
                row("interface prefix shorter than 8", "address: 192.0.2.2/24", "address: 192.0.2.2/4",
                        "t.yaml:6:42: interfaces[0].address: '192.0.2.2/4' has a prefix length out of range (8..32); "
                                + "for example: address: 192.0.2.2/24"),
                row("interface address is the network address", "address: 192.0.2.2/24", "address: 192.0.2.0/24",
                        "t.yaml:6:42: interfaces[0].address: 192.0.2.0/24 is the network address of 192.0.2.0/24, not a host "
                                + "address; for example: address: 192.0.2.2/24"),
                row("interface address is loopback", "address: 192.0.2.2/24", "address: 127.0.0.2/8",
                        "t.yaml:6:42: interfaces[0].address: 127.0.0.2/8 is a loopback address (127.0.0.0/8) and cannot be an "
                                + "interface address; for example: address: 192.0.2.2/24"),
                row("interface name longer than IFNAMSIZ", "name: eth0,", "name: eth0123456789abc,",
                        "t.yaml:6:13: interfaces[0].name: 'eth0123456789abc' is not a Linux interface name (1..15 characters, "
                                + "no '/', ':' or spaces); for example: name: eth0"),
                row("duplicate interface name", "name: eth1,", "name: eth0,",
                        "t.yaml:7:13: interfaces[1].name: 'eth0' is already the name of interfaces[0] (line 6)"),
                row("overlapping interface subnets", "address: 192.0.2.2/24", "address: 198.51.100.3/24",
                        "t.yaml:7:42: interfaces[1].address: 198.51.100.2/24 overlaps eth0's subnet 198.51.100.0/24 (line 6); "
                                + "each interface needs a subnet of its own"),
                row("no interface faces servers", "role: server,", "role: client,",
                        "t.yaml:6:3: interfaces: no interface faces servers (role server or both); for example: role: server"),
                row("no interface faces clients", "role: client,", "role: server,",
                        "t.yaml:6:3: interfaces: no interface faces clients (role client or both); for example: role: client",
                        "t.yaml:14:10: services[0].vip: 192.0.2.10 is on eth0's subnet 192.0.2.0/24, which faces only servers; "
                                + "clients would not reach it there",
                        "t.yaml:23:10: services[1].vip: 192.0.2.10 is on eth0's subnet 192.0.2.0/24, which faces only servers; "
                                + "clients would not reach it there"),
                row("interfaces missing", """
                        interfaces:
                          - { name: eth0, role: client, address: 192.0.2.2/24 }
                          - { name: eth1, role: server, address: 198.51.100.2/24 }
                        """, "",
                        "t.yaml:1:1: interfaces: is missing; for example: interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]"),
                row("interfaces empty", """
                        interfaces:
                          - { name: eth0, role: client, address: 192.0.2.2/24 }
                          - { name: eth1, role: server, address: 198.51.100.2/24 }
                        """, "interfaces: []\n",
                        "t.yaml:5:13: interfaces: needs at least one interface; "
                                + "for example: interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]"),
                row("interface that is not a mapping", "  - { name: eth0, role: client, address: 192.0.2.2/24 }", "  - eth0",
                        "t.yaml:6:5: interfaces[0]: expected a mapping (key: value), found 'eth0'; "
                                + "for example: - { name: eth0, role: both, address: 192.0.2.2/24 }"),
                // ---- table and neighbours
                row("capacity out of range", "  capacity: 1000", "  capacity: 100000001",
                        "t.yaml:9:13: table.capacity: 100000001 is out of range (1..100000000); for example: capacity: 1000000"),
                row("timeout without unit", "tcp-syn: 30s", "tcp-syn: 30",
                        "t.yaml:10:24: table.timeouts.tcp-syn: '30' has no unit (ms, s, m or h); for example: tcp-syn: 30s"),
                row("timeout with a fraction", "tcp-syn: 30s", "tcp-syn: 1.5s",
                        "t.yaml:10:24: table.timeouts.tcp-syn: '1.5s' is not a duration (a whole number followed by ms, s, m "
                                + "or h); for example: tcp-syn: 30s"),
                row("timeout with an unknown unit", "udp: 5m", "udp: 5min",
                        "t.yaml:10:34: table.timeouts.udp: '5min' has an unknown unit 'min' (ms, s, m or h); for example: udp: 5m"),
                row("timeout out of range", "udp: 5m", "udp: 200h",
                        "t.yaml:10:34: table.timeouts.udp: 200h is out of range (1s..168h); for example: udp: 5m"),
                row("stale-after not longer than refresh", "stale-after: 90s", "stale-after: 20s",
                        "t.yaml:11:42: neighbours.stale-after: 20s must be longer than refresh (30s), or a server that answers "
                                + "every refresh still turns stale between two; for example: stale-after: 90s"),
                row("retry below 100 ms", "neighbours: { refresh: 30s, stale-after: 90s }", "neighbours: { retry: 10ms }",
                        "t.yaml:11:22: neighbours.retry: 10ms is out of range (100ms..1m); for example: retry: 1s"),
                row("section that is not a mapping", "neighbours: { refresh: 30s, stale-after: 90s }", "neighbours: 30s",
                        "t.yaml:11:13: neighbours: expected a mapping (key: value), found '30s'; "
                                + "for example: neighbours: { refresh: 30s, retry: 1s, stale-after: 90s }"),
                // ---- keys
                row("misspelt key", "{ address: 198.51.100.12 }", "{ address: 198.51.100.12, wieght: 2 }",
                        "t.yaml:21:35: services[0].servers[1]: unknown key 'wieght'; did you mean 'weight'?; for example: weight: 10"),
                row("misspelt top-level key", "neighbours: {", "neighbors: {",
                        "t.yaml:11:1: unknown key 'neighbors'; did you mean 'neighbours'?; "
                                + "for example: neighbours: { refresh: 30s, retry: 1s, stale-after: 90s }"),
                row("unknown key without a close match", "table:\n", "colour: blue\ntable:\n",
                        "t.yaml:8:1: unknown key 'colour' (known here: router, interfaces, table, neighbours, services, "
                                + "high-availability, reachability, notify, metrics)"),
                row("duplicate key", "    protocol: tcp\n", "    protocol: tcp\n    protocol: udp\n",
                        "t.yaml:16:5: services[0]: duplicate key 'protocol' (first at line 15)"),
                // ---- services
                row("weight out of range", "{ address: 198.51.100.11, weight: 3 }", "{ address: 198.51.100.11, weight: 5000 }",
                        "t.yaml:20:43: services[0].servers[0].weight: 5000 is out of range (0..1000); for example: weight: 10"),
                row("negative weight", "{ address: 198.51.100.11, weight: 3 }", "{ address: 198.51.100.11, weight: -1 }",
                        "t.yaml:20:43: services[0].servers[0].weight: -1 is out of range (0..1000); for example: weight: 10"),
                row("VIP not an IPv4 address", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 192.0.2.300\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: '192.0.2.300' is not an IPv4 address (300 > 255); for example: vip: 192.0.2.10"),
                row("VIP with a leading zero", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 192.0.2.010\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: '192.0.2.010' is not an IPv4 address (bad part '010'); "
                                + "for example: vip: 192.0.2.10"),
                row("loopback VIP", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 127.0.0.1\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 127.0.0.1 is a loopback address (127.0.0.0/8) and cannot be a VIP; "
                                + "for example: vip: 192.0.2.10"),
                row("multicast VIP", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 224.0.0.18\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 224.0.0.18 is a multicast address (224.0.0.0/4) and cannot be a VIP; "
                                + "for example: vip: 192.0.2.10"),
                row("VIP equal to an interface address", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 192.0.2.2\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 192.0.2.2 is the address of interface eth0; a VIP must be an address of its own"),
                row("VIP equal to a server address", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 198.51.100.21\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 198.51.100.21 is also the address of the server services[1].servers[0] "
                                + "(line 27); a VIP must be an address of its own"),
                row("VIP on a server-only subnet", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: 198.51.100.10\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 198.51.100.10 is on eth1's subnet 198.51.100.0/24, which faces only "
                                + "servers; clients would not reach it there"),
                row("VIP is the client subnet's broadcast address", "    vip: 192.0.2.10\n    protocol: tcp",
                        "    vip: 192.0.2.255\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: 192.0.2.255 is the broadcast address of eth0's subnet 192.0.2.0/24"),
                row("VIP given as a list", "    vip: 192.0.2.10\n    protocol: tcp", "    vip: [192.0.2.10]\n    protocol: tcp",
                        "t.yaml:14:10: services[0].vip: expected a single value, found a list; for example: vip: 192.0.2.10"),
                row("VIP without value", "    vip: 192.0.2.10\n    protocol: tcp", "    vip:\n    protocol: tcp",
                        "t.yaml:14:9: services[0].vip: has no value; for example: vip: 192.0.2.10"),
                row("VIP missing", "    vip: 192.0.2.10\n    protocol: tcp\n", "    protocol: tcp\n",
                        "t.yaml:13:5: services[0].vip: is missing; for example: vip: 192.0.2.10"),
                row("same VIP, protocol and port in two services", "    protocol: udp\n    ports: [53]", "    protocol: tcp\n    ports: [53, 80]",
                        "t.yaml:25:17: services[1].ports[1]: 192.0.2.10:80/tcp is already served by service 'web' (line 16)"),
                row("overlapping port ranges in two services", "    protocol: udp\n    ports: [53]",
                        "    protocol: TCP\n    ports: [\"8005-8020\"]",
                        "t.yaml:25:13: services[1].ports[0]: 192.0.2.10:8005-8020/tcp overlaps 8000-8010 of service 'web' (line 16)"),
                row("port listed twice in a service", "    ports: [80, \"8000-8010\"]", "    ports: [80, 80]",
                        "t.yaml:16:17: services[0].ports[1]: port 80 is listed twice (first at line 16)"),
                row("overlapping ports in a service", "    ports: [80, \"8000-8010\"]", "    ports: [80, \"8000-8010\", 8005]",
                        "t.yaml:16:30: services[0].ports[2]: 8005 overlaps 8000-8010 (line 16)"),
                row("port zero", "    ports: [80, \"8000-8010\"]", "    ports: [0]",
                        "t.yaml:16:13: services[0].ports[0]: 0 is out of range (1..65535); for example: ports: [80, 443, \"8000-8010\"]"),
                row("port above 65535", "    ports: [80, \"8000-8010\"]", "    ports: [\"65000-70000\"]",
                        "t.yaml:16:13: services[0].ports[0]: 70000 is out of range (1..65535); for example: ports: [80, 443, \"8000-8010\"]"),
                row("port range backwards", "    ports: [80, \"8000-8010\"]", "    ports: [8010-8000]",
                        "t.yaml:16:13: services[0].ports[0]: '8010-8000' runs backwards (8010 > 8000); "
                                + "for example: ports: [80, 443, \"8000-8010\"]"),
                row("port by service name", "    ports: [80, \"8000-8010\"]", "    ports: [http]",
                        "t.yaml:16:13: services[0].ports[0]: 'http' is not a port or a port range (such as 80 or 8000-8010); "
                                + "for example: ports: [80, 443, \"8000-8010\"]"),
                row("no ports", "    ports: [80, \"8000-8010\"]", "    ports: []",
                        "t.yaml:16:12: services[0].ports: needs at least one port; for example: ports: [80, 443, \"8000-8010\"]"),
                row("ports as a mapping", "    ports: [80, \"8000-8010\"]", "    ports: { http: 80 }",
                        "t.yaml:16:12: services[0].ports: expected a list, found a mapping; for example: ports: [80, 443, \"8000-8010\"]"),
                row("duplicate service name", "  - name: dns", "  - name: web",
                        "t.yaml:22:11: services[1].name: 'web' is already the name of services[0] (line 13)"),
                row("service name with a space", "  - name: web", "  - name: web site",
                        "t.yaml:13:11: services[0].name: 'web site' is not a valid name (1..32 letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit); for example: name: web"),
                row("unknown protocol", "    protocol: tcp", "    protocol: sctp",
                        "t.yaml:15:15: services[0].protocol: 'sctp' is not one of tcp, udp; did you mean 'tcp'?; for example: protocol: tcp"),
                row("misspelt scheduler", "    scheduler: wrr", "    scheduler: wrl",
                        "t.yaml:17:16: services[0].scheduler: 'wrl' is not one of wrr, wlc; did you mean 'wrr'?; for example: scheduler: wlc"),
                row("persistence without unit", "    persistence: 0s", "    persistence: 300",
                        "t.yaml:18:18: services[0].persistence: '300' has no unit (ms, s, m or h); for example: persistence: 300s"),
                row("persistence above a day", "    persistence: 0s", "    persistence: 25h",
                        "t.yaml:18:18: services[0].persistence: 25h is out of range (0s..24h); for example: persistence: 300s"),
                row("server listed twice", "{ address: 198.51.100.12 }", "{ address: 198.51.100.11 }",
                        "t.yaml:21:20: services[0].servers[1].address: 198.51.100.11 is listed twice in this service (first at line 20)"),
                row("server outside every attached subnet", "{ address: 198.51.100.12 }", "{ address: 203.0.113.5 }",
                        "t.yaml:21:20: services[0].servers[1].address: 203.0.113.5 is not on any server-facing subnet "
                                + "(198.51.100.0/24 on eth1); Baton reaches servers only on an attached segment; "
                                + "for example: address: 198.51.100.11"),
                row("server on a client-only subnet", "{ address: 198.51.100.12 }", "{ address: 192.0.2.20 }",
                        "t.yaml:21:20: services[0].servers[1].address: 192.0.2.20 is on eth0's subnet 192.0.2.0/24, which faces "
                                + "only clients (role client); for example: address: 198.51.100.11"),
                row("server is the router itself", "{ address: 198.51.100.12 }", "{ address: 198.51.100.2 }",
                        "t.yaml:21:20: services[0].servers[1].address: 198.51.100.2 is the address of interface eth1; "
                                + "a server cannot be the router itself"),
                row("server is the broadcast address", "{ address: 198.51.100.12 }", "{ address: 198.51.100.255 }",
                        "t.yaml:21:20: services[0].servers[1].address: 198.51.100.255 is the broadcast address of eth1's "
                                + "subnet 198.51.100.0/24"),
                row("server without address", "{ address: 198.51.100.12 }", "{ weight: 2 }",
                        "t.yaml:21:9: services[0].servers[1].address: is missing; for example: address: 198.51.100.11"),
                row("service without servers", """
                            servers:
                              - { address: 198.51.100.11, weight: 3 }
                              - { address: 198.51.100.12 }
                        """, "",
                        "t.yaml:13:5: services[0].servers: is missing; "
                                + "for example: servers: [{ address: 198.51.100.11, weight: 3 }]"),
                // ---- the document
                row("syntax error: tab indentation", "    scheduler: wrr", "\tscheduler: wrr",
                        "t.yaml:17:1: YAML syntax error: found character '\\t(TAB)' that cannot start any token. "
                                + "(Do not use \\t(TAB) for indentation) (while scanning for the next token)"),
                row("syntax error: unclosed flow mapping", "{ address: 198.51.100.12 }", "{ address: 198.51.100.12",
                        "t.yaml:22:9: YAML syntax error: expected ',' or '}', but got : (while parsing a flow mapping at line 21)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithExactMessage(String name, String yaml, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, HOSTNAME));
        assertEquals(expected, thrown.getMessage());
    }

    static Stream<Arguments> wholeDocumentRejections() {
        return Stream.of(
                Arguments.of("empty file", "",
                        "t.yaml:1:1: the file has no configuration; "
                                + "for example: interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]"),
                Arguments.of("only comments", "# nothing yet\n",
                        "t.yaml:1:1: the file has no configuration; "
                                + "for example: interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]"),
                Arguments.of("a list at the top", "- eth0\n- eth1\n",
                        "t.yaml:1:1: expected a mapping (key: value), found a list; "
                                + "for example: interfaces: [{ name: eth0, role: both, address: 192.0.2.2/24 }]"),
                Arguments.of("two documents", "interfaces: []\n---\nservices: []\n",
                        "t.yaml:2:1: YAML syntax error: found another document (expected a single document in the stream at line 1)"),
                Arguments.of("a control character", "services: \"a\u0001b\"\n",
                        "t.yaml:1:13: YAML syntax error: character U+0001 is not allowed in YAML"),
                Arguments.of("an undefined alias", "services: *web\n",
                        "t.yaml:1:11: YAML syntax error: found undefined alias web"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeDocumentRejections")
    void rejectsDocumentWithExactMessage(String name, String yaml, String expected) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, HOSTNAME));
        assertEquals(expected, thrown.getMessage());
    }

    /** The valid configuration with {@code original} (which must occur exactly once) replaced. */
    private static Arguments row(String name, String original, String replacement, String... expected) {
        return RejectionRows.row(VALID, name, original, replacement, expected);
    }
}
