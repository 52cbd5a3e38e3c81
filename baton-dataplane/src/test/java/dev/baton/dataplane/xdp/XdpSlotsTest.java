package dev.baton.dataplane.xdp;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceConfig.PortRange;
import dev.baton.config.ServiceConfig.Protocol;
import dev.baton.config.ServiceConfig.SchedulerKind;
import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.service.ServerRemap;
import dev.baton.dataplane.service.ServiceMap;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The XDP program's slots across reloads: a server that stays keeps its slot whatever its new id (so no flow in the
 * map ever names another server), a new one takes a slot nobody held in this configuration or the previous one.
 */
class XdpSlotsTest {

    static ServiceMap services(String... servers) {
        return ServiceMap.of(List.of(new ServiceConfig("echo", Ipv4.parse("192.0.2.10"), Protocol.TCP, List.of(new PortRange(7000, 7000)),
                SchedulerKind.WRR, Duration.ZERO, Arrays.stream(servers).map(a -> new ServerConfig(Ipv4.parse(a), 1)).toList())));
    }

    @Test
    void aServerKeepsItsSlotWhenItsIdChangesAndANewOneTakesAFreshSlot() {
        ServiceMap start = services("198.51.100.11", "198.51.100.12");
        XdpSlots slots = XdpSlots.identity(start);
        // 198.51.100.13 first: the others move to ids 1 and 2.
        ServiceMap inserted = services("198.51.100.13", "198.51.100.11", "198.51.100.12");
        XdpSlots next = slots.next(ServerRemap.between(start, inserted), inserted, 256, 64);
        assertEquals(0, next.server(1), "198.51.100.11 keeps slot 0 under id 1");
        assertEquals(1, next.server(2), "198.51.100.12 keeps slot 1 under id 2");
        assertEquals(2, next.server(0), "the new server takes the first slot nobody held");
        assertEquals(0, next.service(0));
        assertArrayEquals(new int[0], slots.serverSlotsFreedBy(next));

        // 198.51.100.13 leaves, another comes: slot 2 was held by the configuration before, so not given again now.
        ServiceMap replaced = services("198.51.100.14", "198.51.100.11", "198.51.100.12");
        XdpSlots after = next.next(ServerRemap.between(inserted, replaced), replaced, 256, 64);
        assertEquals(3, after.server(0));
        assertArrayEquals(new int[] {2}, next.serverSlotsFreedBy(after), "the removed server's slot is marked unusable");
        // A reload later, slot 2 is free again.
        ServiceMap again = services("198.51.100.14", "198.51.100.11", "198.51.100.12", "198.51.100.15");
        assertEquals(2, after.next(ServerRemap.between(replaced, again), again, 256, 64).server(3));
    }

    @Test
    void noSlotBeyondTheMapsCapacity() {
        ServiceMap start = services("198.51.100.11", "198.51.100.12");
        ServiceMap more = services("198.51.100.11", "198.51.100.12", "198.51.100.13");
        assertNull(XdpSlots.identity(start).next(ServerRemap.between(start, more), more, 2, 64), "the maps hold 2 servers");
        assertEquals(2, XdpSlots.identity(start).next(ServerRemap.between(start, more), more, 3, 64).server(2));
    }
}
