package dev.baton.control.metrics;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.MetricsSettings;
import dev.baton.control.cli.Baton;
import dev.baton.dataplane.engine.Dataplane;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.logging.Logger;

/** The metrics listener of a running router ({@code baton run}), when its configuration has a {@code metrics} section. */
public final class RouterMetrics {

    private static final Logger LOG = Logger.getLogger(RouterMetrics.class.getName());

    private RouterMetrics() {
    }

    /**
     * Starts serving {@code dataplane}'s counters (every group registered by then and later) on {@code metrics.listen};
     * {@code null} when the configuration has no {@code metrics} section.
     *
     * @throws IOException naming the file and key when the address cannot be bound
     */
    public static MetricsServer start(BatonConfig config, Dataplane dataplane) throws IOException {
        return start(config, dataplane, null);
    }

    /** The same, with the status page ({@code page}, may be null) at {@code /} on the same listener. */
    public static MetricsServer start(BatonConfig config, Dataplane dataplane, com.sun.net.httpserver.HttpHandler page) throws IOException {
        if (config.metrics().isEmpty()) {
            return null;
        }
        MetricsSettings settings = config.metrics().get();
        MetricsServer server;
        try {
            server = MetricsServer.start(settings.socketAddress(), new RouterCollector(dataplane.counters()::snapshot,
                    facts(config, dataplane.fastPath().active()), dataplane.clock()), page);
        } catch (IOException e) {
            throw new IOException(config.source() + ": metrics.listen: cannot listen on " + settings.listenText() + ": "
                    + e.getMessage() + " (an address of this host and a free port, e.g. listen: 127.0.0.1:9477)", e);
        }
        LOG.info(() -> "metrics: GET http://" + settings.listenText() + MetricsServer.PATH
                + (page == null ? "" : "; status page: http://" + settings.listenText() + "/"));
        return server;
    }

    /** What the metrics say beside the counters. */
    static RouterFacts facts(BatonConfig config, boolean xdp) {
        List<String> idle = new ArrayList<>();
        if (config.highAvailability().isEmpty()) {
            LinkedHashSet<String> vips = new LinkedHashSet<>();
            config.services().forEach(service -> vips.add(Ipv4.format(service.vip())));
            idle.addAll(vips);
        }
        return new RouterFacts(config.router().id(), version(), xdp ? "xdp" : "af-packet", config.table().capacity(), idle);
    }

    /** Baton's version, as {@code baton --version} says it ("baton 0.1.0"). */
    static String version() {
        String[] version = Baton.class.getAnnotation(picocli.CommandLine.Command.class).version();
        String text = version.length == 0 ? "unknown" : version[0];
        return text.startsWith("baton ") ? text.substring("baton ".length()) : text;
    }
}
