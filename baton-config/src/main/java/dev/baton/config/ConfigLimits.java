package dev.baton.config;

import java.time.Duration;

/**
 * The ranges {@link ConfigLoader} accepts, in one place (docs/configuration.md lists them with reasons).
 * Bounds are inclusive.
 */
public final class ConfigLimits {

    public static final int MIN_WORKERS = 1;
    /** PACKET_FANOUT groups have at most 65,536 members, but more than 64 workers would only contend. */
    public static final int MAX_WORKERS = 64;
    /**
     * Distinct VIPs a router with high availability may serve: one keep-alive carries every VIP's state in one
     * unfragmented datagram, 40 bytes each (baton-peer's {@code MessageType.KEEPALIVE.maxRecords()}, pinned
     * equal by a test in baton-ha).
     */
    public static final int MAX_HA_VIPS = 35;

    /** x86_64 page size: the kernel requires ring blocks to be page-aligned (packet_set_ring). */
    public static final int PAGE_SIZE_BYTES = 4096;
    public static final int MIN_BLOCK_SIZE_BYTES = PAGE_SIZE_BYTES;
    public static final int MAX_BLOCK_SIZE_BYTES = 64 << 20;
    public static final int MIN_BLOCK_COUNT = 1;
    public static final int MAX_BLOCK_COUNT = 65_536;
    public static final int MIN_BLOCK_TIMEOUT_MS = 1;
    public static final int MAX_BLOCK_TIMEOUT_MS = 1000;
    /** A TX slot must hold a full 1,514-byte Ethernet frame after its 48-byte header and alignment. */
    public static final int MIN_TX_FRAME_SIZE_BYTES = 2048;
    public static final int MAX_TX_FRAME_SIZE_BYTES = 1 << 20;
    /** TPACKET_ALIGNMENT (include/uapi/linux/if_packet.h): frame sizes are multiples of it. */
    public static final int TX_FRAME_ALIGNMENT_BYTES = 16;
    /**
     * A V2 RX slot is a kernel ring block of its own (one slot per block), so it is whole pages
     * (packet_set_ring refuses a block that is not page-aligned) within the block limits, but need not be a power
     * of two. One page holds a full 1,514-byte Ethernet frame behind the 76 bytes the kernel puts before it in a
     * slot (tpacket2_hdr, sockaddr_ll, alignment and the virtio-net header).
     */
    public static final int MIN_RX_FRAME_SIZE_BYTES = PAGE_SIZE_BYTES;
    /** The block limit; the fewest slots a V2 ring may have ({@value #MIN_RX_FRAME_COUNT}) of this size fill the 1 GiB a ring may map. */
    public static final int MAX_RX_FRAME_SIZE_BYTES = MAX_BLOCK_SIZE_BYTES;
    public static final int MIN_RX_FRAME_COUNT = 16;
    public static final int MAX_RX_FRAME_COUNT = 65_536;
    public static final int MIN_TX_FRAME_COUNT = 1;
    public static final int MAX_TX_FRAME_COUNT = 65_536;
    /** One RX or TX ring maps at most this much memory (the kernel's tpacket_req fields are 32-bit). */
    public static final long MAX_RING_BYTES = 1L << 30;

    public static final int MIN_TABLE_CAPACITY = 1;
    public static final int MAX_TABLE_CAPACITY = 100_000_000;
    /** {@code table.per-source-limit}: 0 turns the quota off. */
    public static final int MIN_TABLE_PER_SOURCE_LIMIT = 0;
    public static final int MAX_TABLE_PER_SOURCE_LIMIT = MAX_TABLE_CAPACITY;
    public static final Duration MIN_TABLE_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TABLE_TIMEOUT = Duration.ofHours(168);

    public static final Duration MIN_NEIGHBOUR_REFRESH = Duration.ofSeconds(1);
    public static final Duration MAX_NEIGHBOUR_REFRESH = Duration.ofHours(1);
    /** Not below 100 ms: an unresolved server must not turn into an ARP storm. */
    public static final Duration MIN_NEIGHBOUR_RETRY = Duration.ofMillis(100);
    public static final Duration MAX_NEIGHBOUR_RETRY = Duration.ofMinutes(1);
    public static final Duration MIN_NEIGHBOUR_STALE_AFTER = Duration.ofSeconds(1);
    public static final Duration MAX_NEIGHBOUR_STALE_AFTER = Duration.ofHours(24);

    public static final Duration MIN_PERSISTENCE = Duration.ZERO;
    public static final Duration MAX_PERSISTENCE = Duration.ofHours(24);
    public static final int MIN_WEIGHT = 0;
    public static final int MAX_WEIGHT = ServiceConfig.ServerConfig.MAX_WEIGHT;

    /** Interface prefixes shorter than /8 would claim far more than an attached segment. */
    public static final int MIN_INTERFACE_PREFIX_LENGTH = 8;
    /** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
    public static final int MAX_INTERFACE_NAME_LENGTH = 15;
    public static final int MAX_ROUTER_ID_LENGTH = 63;
    public static final int MAX_SERVICE_NAME_LENGTH = 32;
    /** sun_path in sockaddr_un is 108 bytes including the terminating NUL (unix(7)). */
    public static final int MAX_CONTROL_SOCKET_PATH_BYTES = 107;

    /** A service's priority is an unsigned 16-bit number on the wire. */
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 65_535;

    /** Router numbers are unsigned 32-bit on the wire; 0 is "no router". */
    public static final long MIN_ROUTER_NUMBER = 1;
    public static final long MAX_ROUTER_NUMBER = 0xFFFF_FFFFL;
    public static final int MIN_PEER_PORT = 1;
    public static final int MAX_PEER_PORT = 65_535;
    /** t4: below 1 ms the keep-alives would cost more than the forwarding they protect. */
    public static final Duration MIN_UPDATE_INTERVAL = Duration.ofMillis(1);
    /** t4 above 10 s means failover in tens of seconds: keepalived's default territory, not Baton's. */
    public static final Duration MAX_UPDATE_INTERVAL = Duration.ofSeconds(10);
    /** t1, the listen time: a router may be told to wait long at start (e.g. for its links to come up). */
    public static final Duration MIN_LISTEN_TIMEOUT = Duration.ofMillis(1);
    public static final Duration MAX_LISTEN_TIMEOUT = Duration.ofMinutes(10);
    /** t2, t3 and the link failure time. */
    public static final Duration MIN_HA_TIMEOUT = Duration.ofMillis(1);
    public static final Duration MAX_HA_TIMEOUT = Duration.ofMinutes(1);
    /** A timeout must cover at least this many update intervals, or one lost keep-alive fails a peer. */
    public static final int MIN_UPDATE_INTERVALS_PER_TIMEOUT = 2;
    public static final Duration MIN_HANDOVER_DRAIN = Duration.ZERO;
    public static final Duration MAX_HANDOVER_DRAIN = Duration.ofMinutes(1);
    /** 0s: no hand-over at shutdown, GAVE_UP at once. A stop should not wait more than a minute. */
    public static final Duration MIN_SHUTDOWN_HANDOVER_TIMEOUT = Duration.ZERO;
    public static final Duration MAX_SHUTDOWN_HANDOVER_TIMEOUT = Duration.ofMinutes(1);
    /**
     * {@code notify.timeout}: a script run on a state change may take this long before it is killed. Under 100 ms
     * a script that forks a shell and logs a line is killed on a busy host; over a minute, one hung script holds
     * back every later notification for that long (they run one at a time, in order).
     */
    public static final Duration MIN_NOTIFY_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_NOTIFY_TIMEOUT = Duration.ofMinutes(1);
    /** A script path: PATH_MAX (4096 bytes with its terminating NUL, limits.h). */
    public static final int MAX_SCRIPT_PATH_BYTES = 4095;
    public static final int MIN_GRATUITOUS_ARP_COUNT = 1;
    /** More than 100 announcements per takeover is an ARP storm, not an announcement. */
    public static final int MAX_GRATUITOUS_ARP_COUNT = 100;
    public static final Duration MIN_GRATUITOUS_ARP_INTERVAL = Duration.ofMillis(1);
    public static final Duration MAX_GRATUITOUS_ARP_INTERVAL = Duration.ofSeconds(10);
    /** A periodic re-announcement, when on (0s is off), at most once a second: ARP caches hold entries for minutes. */
    public static final Duration MIN_GRATUITOUS_ARP_REANNOUNCE = Duration.ofSeconds(1);
    public static final Duration MAX_GRATUITOUS_ARP_REANNOUNCE = Duration.ofHours(1);
    public static final int MIN_SYNC_WINDOW = 1;
    public static final int MAX_SYNC_WINDOW = 1024;
    public static final Duration MIN_SYNC_RETRANSMIT_TIMEOUT = Duration.ofMillis(1);
    public static final Duration MAX_SYNC_RETRANSMIT_TIMEOUT = Duration.ofMinutes(1);

    /** Probe intervals: fast enough for sub-second detection, not so fast that 1,000 targets flood a segment. */
    public static final Duration MIN_PROBE_INTERVAL = Duration.ofMillis(50);
    public static final Duration MAX_PROBE_INTERVAL = Duration.ofHours(1);
    public static final Duration MIN_PROBE_TIMEOUT = Duration.ofMillis(10);
    public static final Duration MAX_PROBE_TIMEOUT = Duration.ofMinutes(1);
    public static final int MIN_RISE_FALL = 1;
    public static final int MAX_RISE_FALL = 100;
    public static final int MIN_HTTP_STATUS = 100;
    public static final int MAX_HTTP_STATUS = 599;
    /** An HTTP path or Host header: one request line, no control characters. */
    public static final int MAX_HTTP_TEXT_LENGTH = 1024;
    /** The Host header of a check: a DNS name is at most 253 characters; the prober takes 255 (with a port, say). */
    public static final int MAX_HTTP_HOST_LENGTH = 255;
    /** Found within the first 16 KiB of the body (the prober reads no further). */
    public static final int MAX_EXPECT_BODY_LENGTH = 256;
    /** Alternate addresses of one multi-homed server (address substitution). */
    public static final int MAX_ALTERNATES = 8;
    /** The reachability set travels in peer reports of at most 1,024 elements. */
    public static final int MAX_REACHABILITY_TARGETS = 1024;
    /** An element name travels in a 24-byte field of the peer report. */
    public static final int MAX_TARGET_NAME_LENGTH = 24;
    public static final long MIN_IMPROVEMENT = 1;
    public static final long MAX_IMPROVEMENT = 1_000_000;
    public static final Duration MIN_REACHABILITY_HOLD = Duration.ZERO;
    public static final Duration MAX_REACHABILITY_HOLD = Duration.ofHours(1);
    public static final Duration MIN_REPORT_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_REPORT_INTERVAL = Duration.ofMinutes(1);
    public static final int MIN_TARGET_WEIGHT = 1;
    public static final int MAX_TARGET_WEIGHT = 1000;
    /** A subnet element: as short a prefix as an interface's (a /8 is already 16 million hosts). */
    public static final int MIN_SUBNET_PREFIX_LENGTH = MIN_INTERFACE_PREFIX_LENGTH;
    /** The hosts one subnet element probes: a server cluster, not a sweep of the subnet. */
    public static final int MAX_SUBNET_MEMBERS = 64;
    /**
     * The members of all subnet elements together: at the shortest interval (50 ms) 4,096 members are 80,000 probes a
     * second, and with the servers' checks they stay far inside one probe engine (65,536 targets).
     */
    public static final int MAX_SUBNET_MEMBERS_TOTAL = 4096;

    private ConfigLimits() {
    }
}
