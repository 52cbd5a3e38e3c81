package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;

/**
 * Each server's standing as the workers schedule by it, as gauges labelled {@code service} and {@code server}: its
 * health-check verdict ({@code server_health}: 0 none, 1 up, 2 down, the {@link ServerHealthBoard} codes), whether an
 * operator drained it, the weight in force (an operator's, else the configured one) and whether a reload removed it
 * while it still carries connections (departing). Read on the caller's thread: the board is written with release
 * stores and read with acquire loads. A reload registers the next configuration's group in its place.
 */
final class ServerStateGroup {

    private ServerStateGroup() {
    }

    static CounterRegistry.Group register(CounterRegistry registry, ServiceMap services, ServerHealthBoard board) {
        CounterRegistry.Group group = registry.group("the servers' health board", CounterRegistry.Owner.ANY_THREAD);
        int servers = 0;
        for (int s = 0; s < services.serviceCount(); s++) {
            Label service = new Label("service", services.name(s));
            for (int i = 0; i < services.serverCount(s); i++) {
                Label server = new Label("server", Ipv4.format(services.serverAddress(services.serverId(s, i))));
                group.add("server_health", Type.GAUGE, "the server's health-check verdict: 0 none (no check, or none yet), 1 up, 2 down",
                        service, server);
                group.add("server_drained", Type.GAUGE, "1 while an operator has drained the server (ctl drain)", service, server);
                group.add("server_weight", Type.GAUGE, "the weight new connections are scheduled by (an operator's, else the file's)",
                        service, server);
                group.add("server_departing", Type.GAUGE, "1 while a reload has removed the server and its connections go on",
                        service, server);
                servers++;
            }
        }
        int count = servers;
        group.reader(values -> {
            int at = 0;
            for (int s = 0; s < services.serviceCount() && at < 4 * count; s++) {
                for (int i = 0; i < services.serverCount(s); i++) {
                    int id = services.serverId(s, i);
                    int override = board.weightOverride(id);
                    values[at++] = board.health(id);
                    values[at++] = board.drained(id) ? 1 : 0;
                    values[at++] = override >= 0 ? override : services.serverWeight(id);
                    values[at++] = services.isDeparting(id) ? 1 : 0;
                }
            }
        });
        return group;
    }
}
