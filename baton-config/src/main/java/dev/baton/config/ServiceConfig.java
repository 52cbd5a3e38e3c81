package dev.baton.config;

import java.time.Duration;
import java.util.List;

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
 */
public record ServiceConfig(
        String name,
        int vip,
        Protocol protocol,
        List<PortRange> ports,
        SchedulerKind scheduler,
        Duration persistence,
        List<ServerConfig> servers) {

    public ServiceConfig {
        ports = List.copyOf(ports);
        servers = List.copyOf(servers);
    }

    public boolean servesPort(int port) {
        for (PortRange range : ports) {
            if (range.contains(port)) {
                return true;
            }
        }
        return false;
    }

    /** Transport protocol with its IP protocol number (RFC 790). */
    public enum Protocol {
        TCP(6), UDP(17);

        public final int ipProtocol;

        Protocol(int ipProtocol) {
            this.ipProtocol = ipProtocol;
        }
    }

    /** Scheduling algorithm for new connections. */
    public enum SchedulerKind {
        /** Weighted round robin: connections in proportion to the weights. */
        WRR,
        /** Weighted least connections: the server with the fewest active connections per unit of weight. */
        WLC
    }

    /** An inclusive port range; a single port has {@code first == last}. */
    public record PortRange(int first, int last) {
        public boolean contains(int port) {
            return port >= first && port <= last;
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    /**
     * A real server.
     *
     * @param address its IPv4 address on a server-facing subnet
     * @param weight  relative share of new connections, 0..1000; 0 drains it (no new connections)
     */
    public record ServerConfig(int address, int weight) {
    }
}
