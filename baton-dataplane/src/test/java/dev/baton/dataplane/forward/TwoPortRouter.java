package dev.baton.dataplane.forward;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;

import java.time.Duration;
import java.util.List;

/**
 * The router the forwarding tests drive over memory ports: a client-facing port towards the upstream router
 * and a server-facing port towards the servers, one VIP. Kept in one place so every test speaks of the same
 * addresses, and a test states only what it changes (services, ports, capacity, ARP retry). Addresses are
 * documentation ranges (RFC 5737), MACs locally administered.
 */
final class TwoPortRouter {

    // The client side: every client's frame reaches the router's front port from the upstream router.
    static final long ROUTER_FRONT_MAC = 0x02_00_00_00_00_01L;
    static final int ROUTER_FRONT_IP = Ipv4.parse("192.0.2.2");
    static final long UPSTREAM_MAC = 0x02_00_00_00_00_aaL;
    static final int UPSTREAM_IP = Ipv4.parse("192.0.2.1");
    static final int VIP = Ipv4.parse("192.0.2.10");
    static final int CLIENT = Ipv4.parse("203.0.113.10");

    // The server side: the back port and the first server (tests that need more servers add their own).
    static final long ROUTER_BACK_MAC = 0x02_00_00_00_00_02L;
    static final int ROUTER_BACK_IP = Ipv4.parse("198.51.100.2");
    static final long S0_MAC = 0x02_00_00_00_00_b0L;
    static final int S0 = Ipv4.parse("198.51.100.11");

    /** A resolved server is asked again after this long, and forgotten after {@link #ARP_STALE_AFTER_MS}. */
    static final long ARP_REFRESH_MS = 30_000;
    static final long ARP_STALE_AFTER_MS = 90_000;

    private TwoPortRouter() {
    }

    static MemoryPacketPort frontPort() {
        return new MemoryPacketPort("front", ROUTER_FRONT_MAC);
    }

    static MemoryPacketPort backPort() {
        return new MemoryPacketPort("back", ROUTER_BACK_MAC);
    }

    /** The service "web": TCP to VIP:80, weighted round robin, no persistence. */
    static ServiceConfig web(ServerConfig... servers) {
        return new ServiceConfig("web", VIP, Protocol.TCP, List.of(new PortRange(80, 80)), SchedulerKind.WRR, Duration.ZERO,
                List.of(servers));
    }

    /** Every server of {@code services} on the one server-facing interface; unresolved ones are asked every {@code arpRetryMs}. */
    static NeighbourTable neighbours(ServiceMap services, long arpRetryMs) {
        return new NeighbourTable(services.neighbourAddresses(), new int[services.neighbourAddresses().length],
                ARP_REFRESH_MS, arpRetryMs, ARP_STALE_AFTER_MS);
    }

    /**
     * A forwarder with {@code front} facing the clients and {@code back} facing the servers; the caller adds
     * what its test is about (capacity, per-source limit) and builds it.
     */
    static ForwarderBuilder forwarder(ServiceMap services, NeighbourTable neighbours, VipOwnership ownership,
                                      MemoryPacketPort front, MemoryPacketPort back) {
        return new ForwarderBuilder().services(services).neighbours(neighbours).ownership(ownership)
                .port(front, true, false, ROUTER_FRONT_IP).port(back, false, true, ROUTER_BACK_IP);
    }
}
