package dev.baton.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The value of every key that a configuration file may leave out (docs/configuration.md explains each
 * choice). {@link ConfigLoader} applies them; other code may use them to build configurations by hand.
 */
public final class ConfigDefaults {

    /** Forwarding threads. One is enough for the 2-CPU lab; more need as many spare CPUs. */
    public static final int WORKERS = 1;
    /** Established flows in the driver where the interface takes the XDP program (issue #10). */
    public static final RouterSettings.Datapath DATAPATH = RouterSettings.Datapath.XDP;
    /** In the driver where it can run there and nothing else is needed of the host (not on a veth). */
    public static final RouterSettings.XdpMode XDP_MODE = RouterSettings.XdpMode.AUTO;

    /**
     * RX block size: 1 MiB holds about 16 full 64 KiB GSO frames or ~8,000 small ones, so a block is handed
     * over many packets at a time (fewer ring walks) while 16 of them bound the RX ring at 16 MiB.
     */
    public static final int RING_BLOCK_SIZE_BYTES = 1 << 20;
    /** RX blocks per ring. */
    public static final int RING_BLOCK_COUNT = 16;
    /**
     * RX block retire timeout. At low packet rates a block is handed over only when this expires, so it
     * bounds the latency Baton adds; 2 ms is two orders of magnitude below TCP's minimum retransmission
     * timeout (200 ms on Linux) and costs nothing at high rates, where blocks fill first. The kernel's own
     * default (0) derives it from link speed and block size (8 ms when the speed is unknown); an explicit
     * value behaves the same on every link.
     */
    public static final int RING_BLOCK_TIMEOUT_MS = 2;
    /**
     * TX slot size: a 64 KiB GSO super-frame (65,536 bytes of IP packet) plus up to 128 bytes for the slot
     * header (48 bytes before the frame data in TPACKET_V3), the virtio-net header (10-12 bytes) and the
     * Ethernet header with a VLAN tag (18 bytes), rounded to the 16-byte TPACKET_ALIGNMENT.
     */
    public static final int RING_TX_FRAME_SIZE_BYTES = 65_664;
    /** TX slots per ring: 256 x 65,664 bytes = 16.03 MiB, matching the RX ring. */
    public static final int RING_TX_FRAME_COUNT = 256;
    /** V2 RX slot: a 64 KiB GSO super-frame, its virtio header and the slot header, in whole pages (17). */
    public static final int RING_RX_FRAME_SIZE_BYTES = 69_632;
    /**
     * V2 RX slots: 512 x 68 KiB = 34 MiB mapped per worker and interface; the kernel allocates each block as a
     * power of two of pages (af_packet's alloc_pg_vec), so 128 KiB each: 64 MiB of kernel memory.
     */
    public static final int RING_RX_FRAME_COUNT = 512;
    public static final RingSettings.Version RING_VERSION = RingSettings.Version.V3;
    /** Ring geometry with all the defaults above. */
    public static final RingSettings RING = new RingSettings(
            RING_BLOCK_SIZE_BYTES, RING_BLOCK_COUNT, RING_BLOCK_TIMEOUT_MS, RING_TX_FRAME_SIZE_BYTES, RING_TX_FRAME_COUNT);

    /**
     * Where the HA agent keeps its incarnation counter ({@code high-availability.state-directory}): the FHS
     * place for state a program keeps across restarts.
     */
    public static final Path STATE_DIRECTORY = Path.of("/var/lib/baton");

    /** {@code notify.timeout}: keepalived's default for its scripts' {@code timeout} is 5 s too. */
    public static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(5);

    /** Directory of the control socket when {@code router.control-socket} is not given. */
    public static final Path CONTROL_SOCKET_DIRECTORY = Path.of("/run/baton");

    /** Connection table entries across all workers: one million concurrent connections. */
    public static final int TABLE_CAPACITY = 1_000_000;
    /**
     * Embryonic TCP (only the client's SYN seen): longer than the gaps between a Linux client's first SYN
     * retransmissions (1, 2, 4, 8, 16 s); a later retry simply creates a new entry.
     */
    public static final Duration TCP_SYN_TIMEOUT = Duration.ofSeconds(30);
    /** Established TCP idle: 15 minutes, as IPVS (net/netfilter/ipvs/ip_vs_proto_tcp.c). */
    public static final Duration TCP_ESTABLISHED_TIMEOUT = Duration.ofMinutes(15);
    /** TCP after the client's FIN: 2 minutes, as IPVS's FIN_WAIT. */
    public static final Duration TCP_CLOSING_TIMEOUT = Duration.ofMinutes(2);
    /** TCP after the client's RST: 10 s, as IPVS's CLOSE, so segments still in flight reach the same server. */
    public static final Duration TCP_CLOSED_TIMEOUT = Duration.ofSeconds(10);
    /** UDP flow idle: 5 minutes, as IPVS. */
    public static final Duration UDP_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Connection entries one client address may hold in its worker's shard (against blind floods). Workers shard
     * by client address, so this is the most one address holds at all. 1,024 leaves room for a NAT gateway
     * of a couple of hundred browsers (six connections each, RFC 9112 §9.4's old advice) while one address
     * can fill at most 1/1,000 of the default table; carrier-grade NAT in front of a popular site may need
     * more (or 0, off).
     */
    public static final int TABLE_PER_SOURCE_LIMIT = 1_024;
    /** Table settings with all the defaults above. */
    public static final TableSettings TABLE = new TableSettings(TABLE_CAPACITY, TCP_SYN_TIMEOUT,
            TCP_ESTABLISHED_TIMEOUT, TCP_CLOSING_TIMEOUT, TCP_CLOSED_TIMEOUT, UDP_TIMEOUT, TABLE_PER_SOURCE_LIMIT);

    /** Re-ask a resolved server every 30 s, as the kernel's base_reachable_time (30 s, ip-sysctl.rst). */
    public static final Duration NEIGHBOUR_REFRESH = Duration.ofSeconds(30);
    /** Ask an unresolved server every second (the kernel's retrans_time_ms is 1 s). */
    public static final Duration NEIGHBOUR_RETRY = Duration.ofSeconds(1);
    /** A server silent for three refreshes is unresolved again. */
    public static final Duration NEIGHBOUR_STALE_AFTER = Duration.ofSeconds(90);
    /** Neighbour settings with all the defaults above. */
    public static final NeighbourSettings NEIGHBOURS = new NeighbourSettings(NEIGHBOUR_REFRESH, NEIGHBOUR_RETRY, NEIGHBOUR_STALE_AFTER);

    /** A service's protocol. */
    public static final ServiceConfig.Protocol PROTOCOL = ServiceConfig.Protocol.TCP;
    /** A service's scheduler. */
    public static final ServiceConfig.SchedulerKind SCHEDULER = ServiceConfig.SchedulerKind.WRR;
    /** A service's client-address affinity: off. */
    public static final Duration PERSISTENCE = Duration.ZERO;
    /** A server's weight. */
    public static final int WEIGHT = 1;

    /** A service's function when all is well (the patent's PRIMARY / BACKUP): backup, so nothing preempts by accident. */
    public static final ServiceConfig.ServiceRole SERVICE_ROLE = ServiceConfig.ServiceRole.BACKUP;
    /** A service's priority between two actives of the same role. */
    public static final int PRIORITY = 100;
    /** A recovered primary takes its VIP back once synchronized (transition 346). */
    public static final ServiceConfig.Failback FAILBACK = ServiceConfig.Failback.AUTOMATIC;

    /** UDP port of the peer protocol, the same on every link. */
    public static final int PEER_PORT = 7480;
    /**
     * t4, the update interval: keep-alives and update batches every 20 ms, so a standby timeout of three
     * intervals (60 ms) keeps the forwarding outage within the 100 ms target with room for the takeover.
     */
    public static final Duration UPDATE_INTERVAL = Duration.ofMillis(20);
    /**
     * t2, the standby timeout: three update intervals. Two keep-alives in a row may be lost before a standby
     * takes over; at 80 ms the measured outage (t2 plus the takeover, docs/benchmarks.md) reached 108 ms, at
     * 60 ms it stays within 100 ms and below TCP's 200 ms minimum retransmission timeout.
     */
    public static final Duration STANDBY_TIMEOUT = Duration.ofMillis(60);
    /** t1, the listen time: a starting router hears an active one 25 times over before it may become active. */
    public static final Duration LISTEN_TIMEOUT = Duration.ofMillis(500);
    /** t3, the preempt timeout: an active answers a switch-over query within one update interval plus slack. */
    public static final Duration PREEMPT_TIMEOUT = Duration.ofMillis(100);
    /** After handing a VIP over, keep forwarding this long: frames still sent to the old MAC are not lost. */
    public static final Duration HANDOVER_DRAIN = Duration.ofMillis(500);
    /**
     * On SIGTERM, how long the active waits for a synchronized standby to accept its VIPs before it gives them
     * up (GAVE_UP): a flush, an acknowledgement and a switch-over take a few round trips, milliseconds on a
     * LAN; 300 ms leaves room for a busy peer and keeps a stop prompt.
     */
    public static final Duration SHUTDOWN_HANDOVER_TIMEOUT = Duration.ofMillis(300);
    /** Gratuitous ARP announcements per takeover: a switch or client that misses one gets the next. */
    public static final int GRATUITOUS_ARP_COUNT = 3;
    /** Between two announcements: one update interval. */
    public static final Duration GRATUITOUS_ARP_INTERVAL = Duration.ofMillis(20);
    /** Periodic re-announcement while active: off. */
    public static final Duration GRATUITOUS_ARP_REANNOUNCE = Duration.ZERO;
    /** Gratuitous ARP settings with all the defaults above. */
    public static final GratuitousArpSettings GRATUITOUS_ARP =
            new GratuitousArpSettings(GRATUITOUS_ARP_COUNT, GRATUITOUS_ARP_INTERVAL, GRATUITOUS_ARP_REANNOUNCE);
    /** SYNC_BATCH messages in flight during a full dump. */
    public static final int SYNC_WINDOW = 32;
    /** A sync batch not acknowledged within this is sent again. */
    public static final Duration SYNC_RETRANSMIT_TIMEOUT = Duration.ofMillis(200);
    /** Sync window settings with the defaults above. */
    public static final SyncWindowSettings SYNC = new SyncWindowSettings(SYNC_WINDOW, SYNC_RETRANSMIT_TIMEOUT);

    /**
     * A server is checked every 2 s and may take 1 s to answer: with fall 3 a dead server gets new connections
     * for at most about 6 s, while a server that misses one check under load (a full accept queue, a GC pause)
     * keeps its traffic. Rise 2: one lucky answer does not bring a crashing server back.
     */
    public static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(2);
    public static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(1);
    public static final int HEALTH_CHECK_RISE = 2;
    public static final int HEALTH_CHECK_FALL = 3;
    public static final String HEALTH_CHECK_PATH = "/";
    public static final int HEALTH_CHECK_EXPECT_STATUS = 200;
    /** An HTTPS check verifies no certificate unless told to: it asks whether the server answers. */
    public static final boolean HEALTH_CHECK_TLS_VERIFY = false;
    /** What happens to a failed server's established connections: they keep going to it (they may still complete). */
    public static final ServiceConfig.OnServerDown ON_SERVER_DOWN = ServiceConfig.OnServerDown.KEEP;

    /** Every element counts the same: the router that reaches more of its set is better. */
    public static final ReachabilitySettings.Compare REACHABILITY_COMPARE = ReachabilitySettings.Compare.COUNT;
    /** One element (or one unit of weight) better is enough... */
    public static final long REACHABILITY_MIN_IMPROVEMENT = 1;
    /**
     * ...once it has lasted 3 s: three reporting intervals, and longer than a flapping element stays on either
     * side, so the VIP does not follow the flaps (keepalived #2469 is a VIP flapping with its checks).
     */
    public static final Duration REACHABILITY_HOLD = Duration.ofSeconds(3);
    /** Each router's report goes to its peers every second, and at once when an element changes. */
    public static final Duration REACHABILITY_REPORT_INTERVAL = Duration.ofSeconds(1);
    /** An element is probed every second and may take 500 ms. */
    public static final Duration REACHABILITY_INTERVAL = Duration.ofSeconds(1);
    public static final Duration REACHABILITY_TIMEOUT = Duration.ofMillis(500);
    public static final int REACHABILITY_RISE = 2;
    public static final int REACHABILITY_FALL = 3;
    public static final int REACHABILITY_WEIGHT = 1;
    /** A service or subnet element is reachable while at least one of its servers (members) is up. */
    public static final int REACHABILITY_MIN_UP = 1;

    private ConfigDefaults() {
    }

    /** The control socket of router {@code routerId} when none is configured: {@code /run/baton/<id>.sock}. */
    public static Path controlSocketFor(String routerId) {
        return CONTROL_SOCKET_DIRECTORY.resolve(routerId + ".sock");
    }
}
