package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One virtual service: the patent's virtual encapsulated cluster (VEC), a VIP with ports and a cluster of
 * servers.
 *
 * @param name        unique name, used in counters and commands
 * @param vip         the virtual IP (int, see {@link Ipv4})
 * @param protocol    TCP or UDP
 * @param ports       the ports served on the VIP
 * @param scheduler   how a new connection picks a server
 * @param persistence client-address affinity timeout; {@link Duration#ZERO} for none
 * @param servers     the servers, in file order
 * @param role        the patent's function (PRIMARY / BACKUP): who should be active for the VIP when all is
 *                    well; meaningful only with high availability
 * @param priority    0..65535: between two actives of the same role after a partition heals, the higher
 *                    stays active (then the router number decides)
 * @param failback    whether a recovered primary takes its VIP back once synchronized (transition 346) or
 *                    waits for an operator's switchover (347)
 * @param healthCheck how this router checks the servers ({@link HealthCheckSettings#NONE} for no check)
 * @param onServerDown what happens to the established connections of a server that fails its check
 * @param fallback    servers that get new connections only while every server in {@code servers} is down; empty for none
 */
public record ServiceConfig(
        String name,
        int vip,
        Protocol protocol,
        List<PortRange> ports,
        SchedulerKind scheduler,
        Duration persistence,
        List<ServerConfig> servers,
        ServiceRole role,
        int priority,
        Failback failback,
        HealthCheckSettings healthCheck,
        OnServerDown onServerDown,
        List<ServerConfig> fallback) {

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(persistence, "persistence");
        if (persistence.isNegative()) {
            throw new IllegalArgumentException("persistence " + persistence + " is negative");
        }
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(failback, "failback");
        if (priority < ConfigLimits.MIN_PRIORITY || priority > ConfigLimits.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority " + priority + " is not within "
                    + ConfigLimits.MIN_PRIORITY + ".." + ConfigLimits.MAX_PRIORITY);
        }
        ports = List.copyOf(ports);
        servers = List.copyOf(servers);
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(onServerDown, "onServerDown");
        fallback = List.copyOf(fallback);
    }

    /** A service without health checks or fallback servers. */
    public ServiceConfig(String name, int vip, Protocol protocol, List<PortRange> ports, SchedulerKind scheduler,
                         Duration persistence, List<ServerConfig> servers, ServiceRole role, int priority, Failback failback) {
        this(name, vip, protocol, ports, scheduler, persistence, servers, role, priority, failback,
                HealthCheckSettings.NONE, ConfigDefaults.ON_SERVER_DOWN, List.of());
    }

    /**
     * A service with the default role, priority and failback ({@link ConfigDefaults#SERVICE_ROLE},
     * {@link ConfigDefaults#PRIORITY}, {@link ConfigDefaults#FAILBACK}): what a router serving alone needs.
     */
    public ServiceConfig(String name, int vip, Protocol protocol, List<PortRange> ports, SchedulerKind scheduler,
                         Duration persistence, List<ServerConfig> servers) {
        this(name, vip, protocol, ports, scheduler, persistence, servers,
                ConfigDefaults.SERVICE_ROLE, ConfigDefaults.PRIORITY, ConfigDefaults.FAILBACK);
    }

    public boolean servesPort(int port) {
        for (PortRange range : ports) {
            if (range.contains(port)) {
                return true;
            }
        }
        return false;
    }

    /** Whether client-address affinity is on ({@code persistence} above zero). */
    public boolean persistent() {
        return !persistence.isZero();
    }

    /**
     * Transport protocol with its IP protocol number (RFC 790, "Assigned Numbers"; the IANA protocol
     * numbers registry). Written in the file as {@link #configName()}.
     */
    public enum Protocol {
        TCP(6, "tcp"), UDP(17, "udp");

        public final int ipProtocol;
        private final String configName;

        Protocol(int ipProtocol, String configName) {
            this.ipProtocol = ipProtocol;
            this.configName = configName;
        }

        /** The word used for this protocol in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /** Scheduling algorithm for new connections. Written in the file as {@link #configName()}. */
    public enum SchedulerKind {
        /** Weighted round robin: connections in proportion to the weights. */
        WRR("wrr"),
        /** Weighted least connections: the server with the fewest active connections per unit of weight. */
        WLC("wlc");

        private final String configName;

        SchedulerKind(String configName) {
            this.configName = configName;
        }

        /** The word used for this scheduler in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /**
     * The patent's function of a router for a VIP (US 6,148,410, FIG. 3): the primary should be active when
     * all is well, a backup stands by. Written in the file as {@link #configName()}.
     */
    public enum ServiceRole {
        PRIMARY("primary"), BACKUP("backup");

        private final String configName;

        ServiceRole(String configName) {
            this.configName = configName;
        }

        /** The word used for this role in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /** What a recovered primary does once it is a synchronized standby. Written in the file as {@link #configName()}. */
    public enum Failback {
        /** Takes its VIP back by preemption, but only once synchronized (transition 346). */
        AUTOMATIC("automatic"),
        /** Stays standby until an operator switches over ({@code baton ctl switchover}, transition 347). */
        MANUAL("manual");

        private final String configName;

        Failback(String configName) {
            this.configName = configName;
        }

        /** The word used for this strategy in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /** What a server's failed health check does to its established connections. Written in the file as {@link #configName()}. */
    public enum OnServerDown {
        /** They keep going to it: a server that fails its check may still complete them. */
        KEEP("keep"),
        /** They are removed (and counted): their clients' next packets get a new server or a reset. */
        DROP("drop");

        private final String configName;

        OnServerDown(String configName) {
            this.configName = configName;
        }

        /** The word used for this in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /** An inclusive port range, 1..65535; a single port has {@code first == last}. */
    public record PortRange(int first, int last) {

        public PortRange {
            if (first < 1 || last > 65535 || first > last) {
                throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 1..65535 in order");
            }
        }

        public boolean contains(int port) {
            return port >= first && port <= last;
        }

        /** Whether this range and {@code other} share a port. */
        public boolean overlaps(PortRange other) {
            return first <= other.last && other.first <= last;
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    /**
     * A real server.
     *
     * @param address    its IPv4 address on a server-facing subnet
     * @param weight     relative share of new connections, 0..1000; 0 drains it (no new connections)
     * @param alternates other addresses of the same multi-homed host (the patent's address substitution, RM 230):
     *                   when {@code address} stops answering and one of these answers, its connections go there
     */
    public record ServerConfig(int address, int weight, List<Integer> alternates) {

        /** The largest weight a server may have. */
        public static final int MAX_WEIGHT = 1000;

        public ServerConfig {
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight " + weight + " is not within 0.." + MAX_WEIGHT);
            }
            alternates = List.copyOf(alternates);
        }

        /** A server without alternate addresses. */
        public ServerConfig(int address, int weight) {
            this(address, weight, List.of());
        }
    }
}
