package dev.baton.dataplane.service;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a reload's ids map: services by name, servers by service and address; departing servers after the configured. */
class ServerRemapTest {

    static final int VIP = Ipv4.parse("192.0.2.10");

    static ServiceConfig service(String name, int port, String... servers) {
        return new ServiceConfig(name, VIP, Protocol.TCP, List.of(new PortRange(port, port)), SchedulerKind.WRR, Duration.ZERO,
                Arrays.stream(servers).map(a -> new ServerConfig(Ipv4.parse(a), 1)).toList());
    }

    @Test
    void servicesByNameServersByAddressAndWhatLeftIsGone() {
        ServiceMap old = ServiceMap.of(List.of(service("web", 80, "198.51.100.11", "198.51.100.12"),
                service("api", 8080, "198.51.100.12")));
        ServiceMap next = ServiceMap.of(List.of(service("api", 8080, "198.51.100.13", "198.51.100.12"),
                service("web", 80, "198.51.100.12")));
        ServerRemap remap = ServerRemap.between(old, next);
        assertFalse(remap.identity());
        assertEquals(1, remap.service(0), "web");
        assertEquals(0, remap.service(1), "api");
        assertEquals(ServerRemap.GONE, remap.server(0), "web's 198.51.100.11 left");
        assertEquals(2, remap.server(1), "web's 198.51.100.12: web's first server, after api's two");
        assertEquals(1, remap.server(2), "api's 198.51.100.12 is api's second now");
        assertTrue(ServerRemap.between(old, old).identity());
    }

    @Test
    void departingServersComeAfterEveryConfiguredOneWithWeightZeroAndKeepTheirIdentity() {
        List<ServiceConfig> services = List.of(service("web", 80, "198.51.100.12"), service("api", 8080, "198.51.100.12"));
        ServiceMap next = ServiceMap.of(services, List.of(
                new ServiceMap.DepartingServer("web", Ipv4.parse("198.51.100.11")),
                new ServiceMap.DepartingServer("web", Ipv4.parse("198.51.100.12")), // listed again: not departing
                new ServiceMap.DepartingServer("gone", Ipv4.parse("198.51.100.14")))); // its service left: nothing to keep
        assertEquals(3, next.totalServers());
        assertEquals(2, next.configuredTotalServers());
        assertEquals(2, next.serverCount(0));
        assertEquals(1, next.configuredServerCount(0));
        int departing = next.serverId(0, 1);
        assertEquals(2, departing, "after every configured id, so the file's ids are the same on every router");
        assertTrue(next.isDeparting(departing));
        assertFalse(next.isFallback(departing));
        assertEquals(0, next.serverWeight(departing));
        assertEquals(Ipv4.parse("198.51.100.11"), next.serverAddress(departing));
        assertEquals(2, next.neighbourAddresses().length, "its address still has a neighbour entry: its connections need its MAC");

        ServiceMap old = ServiceMap.of(List.of(service("web", 80, "198.51.100.11", "198.51.100.12"),
                service("api", 8080, "198.51.100.12")));
        ServerRemap remap = ServerRemap.between(old, next);
        assertEquals(departing, remap.server(0), "the removed server's connections follow it to its departing id");
        // Listed again by a later reload: it is a configured server again.
        ServiceMap back = ServiceMap.of(List.of(service("web", 80, "198.51.100.12", "198.51.100.11"),
                service("api", 8080, "198.51.100.12")));
        assertEquals(1, ServerRemap.between(next, back).server(departing));
    }
}
