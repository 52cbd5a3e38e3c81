package dev.baton.dataplane.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One forwarding worker's counters: one {@code long[]}, written only by that worker (plain increments
 * published with opaque stores, so a reader on another thread never sees a torn value) and summed over
 * workers by the control thread. No atomics, no contention on the per-packet path.
 *
 * <p>Layout: global counters, then per service {@link #SERVICE_FIELDS}, then per server {@link #SERVER_FIELDS}.
 */
public final class WorkerCounters {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Global counter ids. */
    public static final int RX_FRAMES = 0;
    public static final int RX_BYTES = 1;
    public static final int FORWARDED_FRAMES = 2;
    public static final int FORWARDED_BYTES = 3;
    public static final int ARP_REPLIES_SENT = 4;
    public static final int ARP_REQUESTS_SENT = 5;
    public static final int ARP_LEARNED = 6;
    public static final int IGNORED_OTHER_HOST = 7;
    public static final int ICMP_ERRORS_FORWARDED = 8;
    public static final int CHECKSUMS_COMPLETED = 9;
    /** A known server's MAC replaced after a probe confirmed the new one. */
    public static final int ARP_MAC_CHANGES = 10;
    /** A MAC change abandoned because the known MAC answered while it was pending. */
    public static final int ARP_MAC_CHANGES_REFUTED = 11;
    /** A MAC change abandoned because the new MAC did not answer the probe in time. */
    public static final int ARP_MAC_CHANGES_UNANSWERED = 12;
    /** A frame of another EtherType than IPv4 or ARP (IPv6, LLDP, ...): not Baton's, not a drop. */
    public static final int IGNORED_OTHER_ETHERTYPE = 13;
    public static final int DROPS = 14;
    private static final int GLOBALS = DROPS + DropReason.values().length;

    public static final int SERVICE_PACKETS = 0;
    public static final int SERVICE_BYTES = 1;
    public static final int SERVICE_CONNECTIONS = 2;
    /** First of the per-service drop counters, one per {@link DropReason} code. */
    private static final int SERVICE_DROPS_BY_REASON = 3;
    public static final int SERVICE_FIELDS = SERVICE_DROPS_BY_REASON + DropReason.values().length;

    public static final int SERVER_PACKETS = 0;
    public static final int SERVER_BYTES = 1;
    public static final int SERVER_CONNECTIONS = 2;
    public static final int SERVER_ACTIVE = 3;
    public static final int SERVER_FIELDS = 4;

    private final long[] values;
    private final int serviceBase;
    private final int serverBase;

    public WorkerCounters(int services, int servers) {
        serviceBase = GLOBALS;
        serverBase = serviceBase + services * SERVICE_FIELDS;
        values = new long[serverBase + servers * SERVER_FIELDS];
    }

    /**
     * This worker's counters for a reloaded configuration of {@code services} services and {@code servers} servers:
     * every global counter, and each service's and server's under its new id ({@code remap}), so that what Prometheus
     * scrapes keeps counting up; a service or server that left is no longer counted. Worker thread.
     */
    public WorkerCounters carriedTo(dev.baton.dataplane.service.ServerRemap remap, int services, int servers) {
        WorkerCounters next = new WorkerCounters(services, servers);
        System.arraycopy(values, 0, next.values, 0, GLOBALS);
        for (int s = 0; s < remap.oldServices(); s++) {
            int to = remap.service(s);
            if (to != dev.baton.dataplane.service.ServerRemap.GONE) {
                System.arraycopy(values, serviceBase + s * SERVICE_FIELDS, next.values, next.serviceBase + to * SERVICE_FIELDS,
                        SERVICE_FIELDS);
            }
        }
        for (int i = 0; i < remap.oldServers(); i++) {
            int to = remap.server(i);
            if (to != dev.baton.dataplane.service.ServerRemap.GONE) {
                System.arraycopy(values, serverBase + i * SERVER_FIELDS, next.values, next.serverBase + to * SERVER_FIELDS,
                        SERVER_FIELDS);
            }
        }
        java.lang.invoke.VarHandle.releaseFence();
        return next;
    }

    public void add(int id, long delta) {
        LONGS.setOpaque(values, id, values[id] + delta);
    }

    public void increment(int id) {
        LONGS.setOpaque(values, id, values[id] + 1);
    }

    public void drop(DropReason reason) {
        increment(DROPS + reason.code);
    }

    public void dropForService(DropReason reason, int service) {
        increment(DROPS + reason.code);
        increment(serviceBase + service * SERVICE_FIELDS + SERVICE_DROPS_BY_REASON + reason.code);
    }

    public void service(int service, int field, long delta) {
        add(serviceBase + service * SERVICE_FIELDS + field, delta);
    }

    public void server(int server, int field, long delta) {
        add(serverBase + server * SERVER_FIELDS + field, delta);
    }

    /** Reads a global counter from any thread. */
    public long get(int id) {
        return (long) LONGS.getOpaque(values, id);
    }

    public long drops(DropReason reason) {
        return get(DROPS + reason.code);
    }

    /** Drops for {@code reason} of packets already matched to {@code service}. Any thread. */
    public long serviceDrops(int service, DropReason reason) {
        return get(serviceBase + service * SERVICE_FIELDS + SERVICE_DROPS_BY_REASON + reason.code);
    }

    public long service(int service, int field) {
        return get(serviceBase + service * SERVICE_FIELDS + field);
    }

    public long server(int server, int field) {
        return get(serverBase + server * SERVER_FIELDS + field);
    }
}
