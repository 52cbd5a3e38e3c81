package dev.baton.control.router;

import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.Ipv4;
import dev.baton.control.socket.ControlServer;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.dataplane.engine.Inspector;
import dev.baton.dataplane.engine.MillisClock;
import dev.baton.dataplane.io.AfPacketPort;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.table.ConnectionListener;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A running router ({@code baton run}): the host guard, the data plane on AF_PACKET rings, and the control
 * socket. Started in that order and stopped in reverse, so the kernel never handles VIP traffic while
 * Baton is up, and the nftables table never outlives the process that needed it.
 */
public final class RouterDaemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RouterDaemon.class.getName());

    private final BatonConfig config;
    private final HostGuard guard;
    private final Dataplane dataplane;
    private final Inspector inspector;
    private final ControlServer control;
    private final Instant started = Instant.now();

    private RouterDaemon(BatonConfig config) throws IOException {
        this.config = config;
        checkInterfaces(config);
        this.guard = new HostGuard(config);
        guard.install();
        Dataplane plane = null;
        ControlServer server = null;
        try {
            plane = new Dataplane(config, AfPacketPort.factory(config.router().ring()), MillisClock.SYSTEM, true, ConnectionListener.NONE);
            this.inspector = new Inspector(plane);
            server = new ControlServer(config.router().controlSocket());
            register(server);
            plane.start();
            server.start();
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (plane != null) {
                plane.close();
            }
            guard.close();
            throw e;
        }
        this.dataplane = plane;
        this.control = server;
    }

    /**
     * Checks, before anything is changed on the host, that every configured interface exists here and is
     * up, so a typo fails with the configuration's words rather than a system call's.
     */
    static void checkInterfaces(BatonConfig config) throws IOException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.interfaces().size(); i++) {
            InterfaceConfig itf = config.interfaces().get(i);
            String where = config.source() + ": interfaces[" + i + "].name: ";
            try {
                NetworkInterfaces.index(itf.name());
            } catch (RuntimeException e) {
                problems.add(where + "no interface '" + itf.name() + "' on this host (see `ip link`)");
                continue;
            }
            if (!NetworkInterfaces.isUp(itf.name())) {
                problems.add(where + "interface '" + itf.name() + "' is down (ip link set " + itf.name() + " up)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(String.join("\n", problems));
        }
    }

    public static RouterDaemon start(BatonConfig config) throws IOException {
        RouterDaemon daemon = new RouterDaemon(config);
        LOG.info(() -> "router " + config.router().id() + " forwarding for " + config.services().size()
                + " service(s) with " + config.router().workers() + " worker(s); control socket " + config.router().controlSocket());
        return daemon;
    }

    private void register(ControlServer server) {
        server.handle("stats", args -> inspector.stats());
        server.handle("connections", args -> inspector.connections(intArg(args, "limit", 100)));
        server.handle("lookup", args -> inspector.lookup(
                "udp".equalsIgnoreCase(String.valueOf(args.getOrDefault("protocol", "tcp"))) ? 17 : 6,
                Ipv4.parse(String.valueOf(args.get("client"))), intArg(args, "client_port", 0),
                Ipv4.parse(String.valueOf(args.get("vip"))), intArg(args, "vip_port", 0)));
        server.handle("status", args -> status());
    }

    private Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("router", config.router().id());
        status.put("config", config.source().toString());
        status.put("uptime_s", Duration.between(started, Instant.now()).toSeconds());
        status.put("workers", config.router().workers());
        List<Object> interfaces = new ArrayList<>();
        for (InterfaceConfig itf : config.interfaces()) {
            interfaces.add(Map.of("name", itf.name(), "role", itf.role().name().toLowerCase(), "address", itf.address().toString()));
        }
        status.put("interfaces", interfaces);
        status.put("nftables_table", "netdev " + guard.tableName());
        List<Object> services = new ArrayList<>();
        for (var service : config.services()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", service.name());
            s.put("vip", Ipv4.format(service.vip()));
            s.put("ports", service.ports().toString());
            s.put("owned", dataplane.ownership().owns(service.vip()));
            services.add(s);
        }
        status.put("services", services);
        return status;
    }

    private static int intArg(Map<String, Object> args, String name, int defaultValue) {
        Object value = args.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        return Integer.parseInt(value.toString());
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    public BatonConfig config() {
        return config;
    }

    @Override
    public void close() {
        control.close();
        dataplane.close();
        guard.close();
        LOG.info(() -> "router " + config.router().id() + " stopped");
    }
}
