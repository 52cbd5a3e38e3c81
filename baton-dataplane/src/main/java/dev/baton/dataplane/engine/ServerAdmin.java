package dev.baton.dataplane.engine;

import dev.baton.codec.Ipv4;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An operator's commands on one server of a service ({@code baton ctl drain}, {@code undrain}, {@code weight}):
 * a drained server gets no new connections while its established ones finish; a weight changes its share of new
 * connections from the next selection on. This class checks the command and names the server; a {@link Settings}
 * carries it out: on a router that serves alone, straight onto the shared {@link ServerHealthBoard}, where every
 * worker reads drains and weights at each duty cycle; with peers, on the HA agent's thread, which also sends it to
 * every peer so that a takeover keeps it. Runs on the control socket's threads.
 */
public final class ServerAdmin {

    /** Where an operator's setting of a server goes. Each call returns once the workers will see it. */
    public interface Settings {
        void drain(int serverId, boolean drained);

        /** @param weight 0..{@link ServiceConfig.ServerConfig#MAX_WEIGHT} */
        void weight(int serverId, int weight);
    }

    private final Dataplane dataplane;
    private final Settings settings;

    /** For a router that serves alone: settings go straight onto the board, one command at a time. */
    public ServerAdmin(Dataplane dataplane) {
        this(dataplane, onTheBoard(dataplane));
    }

    public ServerAdmin(Dataplane dataplane, Settings settings) {
        this.dataplane = dataplane;
        this.settings = settings;
    }

    /**
     * Settings written onto the data plane's current board by whichever control thread runs the command: the board
     * has one writer per array, so commands from two clients at once take turns, and take turns with a reload too
     * ({@link Dataplane#reconfigure} holds the same lock while it carries the board over), so none is lost.
     */
    public static Settings onTheBoard(Dataplane dataplane) {
        return new Settings() {
            @Override
            public void drain(int serverId, boolean drained) {
                synchronized (dataplane) {
                    dataplane.health().drained(serverId, drained);
                }
            }

            @Override
            public void weight(int serverId, int weight) {
                synchronized (dataplane) {
                    dataplane.health().weightOverride(serverId, weight);
                }
            }
        };
    }

    /** No new connections to {@code server} of {@code service}; its established ones go on. */
    public Map<String, Object> drain(String service, String server) {
        synchronized (dataplane) { // the id is named and used before a reload can renumber the servers
            int id = serverId(service, server);
            settings.drain(id, true);
            return outcome(id, "drained: no new connections; its established connections continue");
        }
    }

    /** Ends a drain: the server takes new connections again (when its health check and MAC allow). */
    public Map<String, Object> undrain(String service, String server) {
        synchronized (dataplane) {
            int id = serverId(service, server);
            settings.drain(id, false);
            return outcome(id, "undrained: it takes new connections again");
        }
    }

    /** Sets the server's weight (0..1000; 0 takes no new connections, like a drain). */
    public Map<String, Object> weight(String service, String server, int weight) {
        if (weight < 0 || weight > ServiceConfig.ServerConfig.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " is not within 0.." + ServiceConfig.ServerConfig.MAX_WEIGHT
                    + "; for example: baton ctl weight " + service + " " + server + " 10");
        }
        synchronized (dataplane) {
            int id = serverId(service, server);
            settings.weight(id, weight);
            return outcome(id, "weight " + weight + " (configured " + dataplane.services().serverWeight(id) + ")");
        }
    }

    private Map<String, Object> outcome(int id, String what) {
        ServiceMap services = dataplane.services();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("service", services.name(services.serviceOfServer(id)));
        answer.put("server", Ipv4.format(services.serverAddress(id)));
        answer.put("outcome", what);
        return answer;
    }

    /**
     * The server id of {@code server} (an address) in {@code service}.
     *
     * @throws IllegalArgumentException naming what is wrong and what exists
     */
    int serverId(String service, String server) {
        ServiceMap services = dataplane.services();
        List<String> names = new ArrayList<>();
        for (int s = 0; s < services.serviceCount(); s++) {
            names.add(services.name(s));
            if (!services.name(s).equals(service)) {
                continue;
            }
            int address;
            try {
                address = Ipv4.parse(server);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + server + "' is not a server address; for example: baton ctl drain "
                        + service + " " + Ipv4.format(services.serverAddress(services.serverId(s, 0))));
            }
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < services.configuredServerCount(s); i++) {
                int id = services.serverId(s, i);
                if (services.serverAddress(id) == address) {
                    return id;
                }
                addresses.add(Ipv4.format(services.serverAddress(id)));
            }
            throw new IllegalArgumentException(server + " is not a server of " + service + " (" + String.join(", ", addresses) + ")");
        }
        throw new IllegalArgumentException("no service '" + service + "' (" + String.join(", ", names) + ")");
    }
}
