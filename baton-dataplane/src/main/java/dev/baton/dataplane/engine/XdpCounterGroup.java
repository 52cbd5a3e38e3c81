package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.xdp.XdpCounter;
import dev.baton.xdp.XdpObject;

/**
 * The XDP program's counters in the {@link CounterRegistry}, labelled {@code worker="xdp"}: its frames by outcome, and
 * the frames and bytes it forwarded, in total and per service and server, under the workers' own names
 * ({@code rx_frames}, {@code forwarded_frames}, {@code service_packets}, {@code server_bytes}...), so that
 * {@code ctl stats}, which sums over workers, shows one set of figures whichever path a frame took. The program's per-CPU values are summed here; reading them is a map
 * lookup, a system call the kernel serializes, on the reader's own thread.
 */
final class XdpCounterGroup {

    private XdpCounterGroup() {
    }

    static void register(CounterRegistry registry, XdpObject program, ServiceMap services) {
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
        group.reader(values -> {
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
                values[at++] = program.sumPerCpu(program.serviceTraffic(), s, XdpObject.TRAFFIC_PACKETS_OFFSET);
                values[at++] = program.sumPerCpu(program.serviceTraffic(), s, XdpObject.TRAFFIC_BYTES_OFFSET);
                for (int i = 0; i < services.serverCount(s); i++) {
                    int id = services.serverId(s, i);
                    values[at++] = program.sumPerCpu(program.serverTraffic(), id, XdpObject.TRAFFIC_PACKETS_OFFSET);
                    values[at++] = program.sumPerCpu(program.serverTraffic(), id, XdpObject.TRAFFIC_BYTES_OFFSET);
                }
            }
        });
    }
}
