package dev.baton.dataplane.xdp;

import dev.baton.dataplane.service.ServerRemap;
import dev.baton.dataplane.service.ServiceMap;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Where each server and service of one configuration sits in the XDP program's maps: the index of its entry in
 * {@code baton_servers} and {@code baton_server_traffic} (a server's slot), and in {@code baton_service_traffic} (a
 * service's). A flow in the program's map names its server and service by slot.
 *
 * <p>Why not the Java ids: a reload renumbers servers (file order), and the program reads the servers map and the flow
 * map at its own pace; rewriting every flow and every server entry to new ids leaves a moment when a flow's old id
 * already names another server there, and its frames go to a server that resets them (measured in ReloadLabTest:
 * 18 of 100 echo connections reset). So a server keeps its slot for as long as it is configured, whatever its id; a new
 * server takes a slot no server of this or the previous configuration held (a slot freed by a reload is taken again
 * at the reload after the next at the earliest, when no flow can still name it). Flows are never rewritten.
 */
public final class XdpSlots {

    private final int[] serverSlot;
    private final int[] serviceSlot;

    private XdpSlots(int[] serverSlot, int[] serviceSlot) {
        this.serverSlot = serverSlot;
        this.serviceSlot = serviceSlot;
    }

    /** At start: each slot is the id. */
    public static XdpSlots identity(ServiceMap services) {
        int[] servers = new int[services.totalServers()];
        Arrays.setAll(servers, i -> i);
        int[] serviceSlots = new int[services.serviceCount()];
        Arrays.setAll(serviceSlots, i -> i);
        return new XdpSlots(servers, serviceSlots);
    }

    /**
     * The slots of {@code next}, whose ids {@code remap} gives from this configuration's: a server or service that
     * stays keeps its slot; a new one takes the lowest slot held neither here nor in {@code next}. Null when that needs
     * a slot at or beyond {@code serverCapacity} or {@code serviceCapacity} (the maps were sized at start).
     */
    public XdpSlots next(ServerRemap remap, ServiceMap next, int serverCapacity, int serviceCapacity) {
        int[] servers = new int[next.totalServers()];
        Arrays.fill(servers, -1);
        BitSet taken = new BitSet();
        for (int slot : serverSlot) {
            taken.set(slot); // this configuration's: not given to a new server now
        }
        for (int id = 0; id < remap.oldServers(); id++) {
            int to = remap.server(id);
            if (to != ServerRemap.GONE) {
                servers[to] = serverSlot[id];
            }
        }
        if (!allocate(servers, taken, serverCapacity)) {
            return null;
        }
        int[] serviceSlots = new int[next.serviceCount()];
        Arrays.fill(serviceSlots, -1);
        BitSet servicesTaken = new BitSet();
        for (int slot : serviceSlot) {
            servicesTaken.set(slot);
        }
        for (int s = 0; s < remap.oldServices(); s++) {
            int to = remap.service(s);
            if (to != ServerRemap.GONE) {
                serviceSlots[to] = serviceSlot[s];
            }
        }
        if (!allocate(serviceSlots, servicesTaken, serviceCapacity)) {
            return null;
        }
        return new XdpSlots(servers, serviceSlots);
    }

    private static boolean allocate(int[] slots, BitSet taken, int capacity) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] >= 0) {
                taken.set(slots[i]);
            }
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] < 0) {
                int free = taken.nextClearBit(0);
                if (free >= capacity) {
                    return false;
                }
                slots[i] = free;
                taken.set(free);
            }
        }
        return true;
    }

    /** Server {@code serverId}'s slot. */
    public int server(int serverId) {
        return serverSlot[serverId];
    }

    /** Service {@code serviceId}'s slot. */
    public int service(int serviceId) {
        return serviceSlot[serviceId];
    }

    /** The server slots this configuration holds and {@code next} does not: their entries are marked unusable. */
    public int[] serverSlotsFreedBy(XdpSlots next) {
        BitSet kept = new BitSet();
        for (int slot : next.serverSlot) {
            kept.set(slot);
        }
        return Arrays.stream(serverSlot).filter(slot -> !kept.get(slot)).toArray();
    }
}
