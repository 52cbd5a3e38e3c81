package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.xdp.XdpCounter;
import dev.baton.xdp.XdpObject;
import dev.baton.dataplane.xdp.XdpSlots;

/**
 * The XDP program's counters in the {@link CounterRegistry}, labelled {@code worker="xdp"}: its frames by outcome, and
 * the frames and bytes it forwarded, in total and per service and server, under the workers' own names
 * ({@code rx_frames}, {@code forwarded_frames}, {@code service_packets}, {@code server_bytes}...), so that
 * {@code ctl stats}, which sums over workers, shows one set of figures whichever path a frame took. The program's per-CPU values are summed here; reading them is a map
 * lookup, a system call the kernel serializes, on the reader's own thread.
 */
final class XdpCounterGroup {

    private final CounterRegistry.Group group;
    private final XdpObject program;
    private final ServiceMap services;
    /** Where each server's and service's figures are in the program's maps. */
    private final XdpSlots slots;
    /**
     * Added to the program's per-service and per-server figures: after a reload a service's or server's id may index
     * figures the program kept for another, so each series goes on from what it showed under its old id.
     */
    private final long[] serviceOffsets;
    private final long[] serverOffsets;

    private XdpCounterGroup(CounterRegistry registry, XdpObject program, ServiceMap services, XdpSlots slots,
                            XdpCounterGroup previous) {
        this.program = program;
        this.services = services;
        this.slots = slots;
        int fields = 2;
        this.serviceOffsets = new long[services.serviceCount() * fields];
        this.serverOffsets = new long[services.totalServers() * fields];
        java.util.Map<String, Long> before = previous == null ? java.util.Map.of() : previous.byLabel();
        for (int s = 0; s < services.serviceCount(); s++) {
            for (int f = 0; f < fields; f++) {
                serviceOffsets[s * fields + f] = before.getOrDefault(key(services, s, -1, f), 0L)
                        - traffic(program, program.serviceTraffic(), slots.service(s), f);
            }
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                for (int f = 0; f < fields; f++) {
                    serverOffsets[id * fields + f] = before.getOrDefault(key(services, s, id, f), 0L)
                            - traffic(program, program.serverTraffic(), slots.server(id), f);
                }
            }
        }
        this.group = describe(registry, services);
        group.reader(this::read);
    }

    static XdpCounterGroup register(CounterRegistry registry, XdpObject program, ServiceMap services, XdpSlots slots) {
        return new XdpCounterGroup(registry, program, services, slots, null);
    }

    /** The group for {@code next} after a reload, in place of this one; each series goes on from its value here. */
    XdpCounterGroup replaceFor(CounterRegistry registry, ServiceMap next, XdpSlots nextSlots) {
        group.remove();
        return new XdpCounterGroup(registry, program, next, nextSlots, this);
    }

    private static String key(ServiceMap services, int service, int serverId, int field) {
        return services.name(service) + (serverId < 0 ? "" : "/" + Ipv4.format(services.serverAddress(serverId))) + "#" + field;
    }

    /** Every per-service and per-server figure as this group shows it, by label. */
    private java.util.Map<String, Long> byLabel() {
        java.util.Map<String, Long> values = new java.util.HashMap<>();
        for (int s = 0; s < services.serviceCount(); s++) {
            for (int f = 0; f < 2; f++) {
                values.put(key(services, s, -1, f), serviceValue(s, f));
            }
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                for (int f = 0; f < 2; f++) {
                    values.put(key(services, s, id, f), serverValue(id, f));
                }
            }
        }
        return values;
    }

    private long serviceValue(int service, int field) {
        return traffic(program, program.serviceTraffic(), slots.service(service), field) + serviceOffsets[service * 2 + field];
    }

    private long serverValue(int serverId, int field) {
        return traffic(program, program.serverTraffic(), slots.server(serverId), field) + serverOffsets[serverId * 2 + field];
    }

    private static long traffic(XdpObject program, dev.baton.xdp.BpfMap map, int index, int field) {
        return program.sumPerCpu(map, index, field == 0 ? XdpObject.TRAFFIC_PACKETS_OFFSET : XdpObject.TRAFFIC_BYTES_OFFSET);
    }

    private static CounterRegistry.Group describe(CounterRegistry registry, ServiceMap services) {
        Label worker = new Label("worker", "xdp");
        CounterRegistry.Group group = registry.group("the XDP program", CounterRegistry.Owner.ANY_THREAD);
        // The frames the program forwarded never reach a ring: they count as received here, so that rx_frames summed
        // over every worker is what Baton received, whichever path a frame took (those the program passed up are
        // counted by the workers that read them).
        group.add("rx_frames", Type.COUNTER, "frames received on every port", worker);
        group.add("rx_bytes", Type.COUNTER, "bytes received on every port", worker);
        group.add("forwarded_frames", Type.COUNTER, "frames forwarded to a server", worker);
        group.add("forwarded_bytes", Type.COUNTER, "bytes forwarded to a server", worker);
        for (XdpCounter counter : XdpCounter.values()) {
            if (counter != XdpCounter.FORWARDED && counter != XdpCounter.FORWARDED_BYTES) {
                group.add(counter.counterName(), Type.COUNTER, "XDP program: " + counter.name().toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' '), worker);
            }
        }
        for (int s = 0; s < services.serviceCount(); s++) {
            Label service = new Label("service", services.name(s));
            group.add("service_packets", Type.COUNTER, "packets forwarded for the service", worker, service);
            group.add("service_bytes", Type.COUNTER, "bytes forwarded for the service", worker, service);
            for (int i = 0; i < services.serverCount(s); i++) {
                Label server = new Label("server", Ipv4.format(services.serverAddress(services.serverId(s, i))));
                group.add("server_packets", Type.COUNTER, "packets forwarded to the server", worker, service, server);
                group.add("server_bytes", Type.COUNTER, "bytes forwarded to the server", worker, service, server);
            }
        }
        return group;
    }

    private void read(long[] values) {
        int at = 0;
        long forwarded = program.counter(XdpCounter.FORWARDED);
        long forwardedBytes = program.counter(XdpCounter.FORWARDED_BYTES);
        values[at++] = forwarded;
        values[at++] = forwardedBytes;
        values[at++] = forwarded;
        values[at++] = forwardedBytes;
        for (XdpCounter counter : XdpCounter.values()) {
            if (counter != XdpCounter.FORWARDED && counter != XdpCounter.FORWARDED_BYTES) {
                values[at++] = program.counter(counter);
            }
        }
        for (int s = 0; s < services.serviceCount(); s++) {
            values[at++] = serviceValue(s, 0);
            values[at++] = serviceValue(s, 1);
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                values[at++] = serverValue(id, 0);
                values[at++] = serverValue(id, 1);
            }
        }
    }
}
