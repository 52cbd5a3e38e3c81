package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated router configuration: everything {@code baton run} needs, checked as a whole before anything
 * starts (see {@link ConfigLoader}). Immutable; the patent's "configuration table" (FIG. 1, 107).
 *
 * @param source     the file it was read from, for messages
 * @param router     settings of this router process
 * @param interfaces the router's interfaces (client side and server side may be one interface or two)
 * @param table      connection table capacity and idle timeouts
 * @param neighbours how server MAC addresses are resolved and refreshed
 * @param services   the virtual services (the patent's VECs), in file order
 * @param highAvailability how this router works with its peers; empty when it serves alone and owns every VIP
 * @param reachability the reachability set this router must reach and how routers are compared (RM 230); empty
 *                     when it has none (then reachability never moves a VIP)
 * @param notifyScript the {@code notify} section: the script run on every state change of a VIP; empty without one
 * @param metrics    where the Prometheus endpoint listens (docs/metrics.md); empty: no HTTP listener
 */
public record BatonConfig(
        Path source,
        RouterSettings router,
        List<InterfaceConfig> interfaces,
        TableSettings table,
        NeighbourSettings neighbours,
        List<ServiceConfig> services,
        Optional<HighAvailabilitySettings> highAvailability,
        Optional<ReachabilitySettings> reachability,
        Optional<NotifySettings> notifyScript,
        Optional<MetricsSettings> metrics) {

    /** Names the canonical text of {@link #servicesDigest()}; a new version if its form ever changes. */
    private static final String SERVICES_DIGEST_VERSION = "baton-services-digest v1";

    public BatonConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(neighbours, "neighbours");
        Objects.requireNonNull(highAvailability, "highAvailability");
        Objects.requireNonNull(reachability, "reachability");
        Objects.requireNonNull(notifyScript, "notifyScript");
        Objects.requireNonNull(metrics, "metrics");
        interfaces = List.copyOf(interfaces);
        services = List.copyOf(services);
    }

    /** A configuration without a notify script. */
    public BatonConfig(Path source, RouterSettings router, List<InterfaceConfig> interfaces, TableSettings table,
                       NeighbourSettings neighbours, List<ServiceConfig> services,
                       Optional<HighAvailabilitySettings> highAvailability, Optional<ReachabilitySettings> reachability) {
        this(source, router, interfaces, table, neighbours, services, highAvailability, reachability, Optional.empty());
    }

    /** A configuration without a reachability set. */
    public BatonConfig(Path source, RouterSettings router, List<InterfaceConfig> interfaces, TableSettings table,
                       NeighbourSettings neighbours, List<ServiceConfig> services,
                       Optional<HighAvailabilitySettings> highAvailability) {
        this(source, router, interfaces, table, neighbours, services, highAvailability, Optional.empty());
    }

    /** A configuration without a metrics listener. */
    public BatonConfig(Path source, RouterSettings router, List<InterfaceConfig> interfaces, TableSettings table,
                       NeighbourSettings neighbours, List<ServiceConfig> services,
                       Optional<HighAvailabilitySettings> highAvailability, Optional<ReachabilitySettings> reachability,
                       Optional<NotifySettings> notifyScript) {
        this(source, router, interfaces, table, neighbours, services, highAvailability, reachability, notifyScript,
                Optional.empty());
    }

    /** Interfaces that face clients (role client or both), in file order. */
    public List<InterfaceConfig> clientInterfaces() {
        List<InterfaceConfig> result = new ArrayList<>();
        for (InterfaceConfig candidate : interfaces) {
            if (candidate.role().facesClients()) {
                result.add(candidate);
            }
        }
        return List.copyOf(result);
    }

    /** Interfaces that face servers (role server or both), in file order. */
    public List<InterfaceConfig> serverInterfaces() {
        List<InterfaceConfig> result = new ArrayList<>();
        for (InterfaceConfig candidate : interfaces) {
            if (candidate.role().facesServers()) {
                result.add(candidate);
            }
        }
        return List.copyOf(result);
    }

    /**
     * The server-facing interface whose subnet holds {@code serverAddress}: where frames for that server
     * leave and where its MAC is resolved. Always present for a server of a loaded configuration.
     */
    public Optional<InterfaceConfig> serverInterfaceFor(int serverAddress) {
        for (InterfaceConfig candidate : interfaces) {
            if (candidate.role().facesServers() && candidate.address().contains(serverAddress)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The service with this name, if any. */
    public Optional<ServiceConfig> service(String name) {
        for (ServiceConfig candidate : services) {
            if (candidate.name().equals(name)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A 64-bit digest of what two peers must agree on to replicate their connection tables: the worker
     * count (a connection's shard), the table's idle timeouts, and each service in order with its name, VIP,
     * protocol, ports, scheduler, persistence and servers (address and weight). Peers compare it before
     * synchronizing. It leaves out what may rightly differ between peers:
     * role, priority and failback, interfaces, router id, table capacity, peers and file paths.
     *
     * <p>Stable across JVM runs and versions: the first 8 bytes (big-endian) of the SHA-256 of a canonical
     * text that spells every value out (names as written in the file, durations in nanoseconds), never
     * {@code hashCode()} or {@code ordinal()}.
     */
    public long servicesDigest() {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(servicesDigestText().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256 (MessageDigest)", e);
        }
        long digest = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            digest = (digest << 8) | (hash[i] & 0xFF);
        }
        return digest;
    }

    /**
     * The canonical text {@link #servicesDigest()} hashes: one {@code key=value} per line, names prefixed
     * with their length so that no name can imitate the lines after it.
     */
    String servicesDigestText() {
        StringBuilder text = new StringBuilder(SERVICES_DIGEST_VERSION).append('\n');
        text.append("router.workers=").append(router.workers()).append('\n');
        line(text, "table.timeouts.tcp-syn-ns", table.tcpSynTimeout());
        line(text, "table.timeouts.tcp-established-ns", table.tcpEstablishedTimeout());
        line(text, "table.timeouts.tcp-closing-ns", table.tcpClosingTimeout());
        line(text, "table.timeouts.tcp-closed-ns", table.tcpClosedTimeout());
        line(text, "table.timeouts.udp-ns", table.udpTimeout());
        for (ServiceConfig service : services) {
            text.append("service=").append(service.name().length()).append(':').append(service.name()).append('\n');
            text.append(" vip=").append(Ipv4.format(service.vip())).append('\n');
            text.append(" protocol=").append(service.protocol().configName()).append('\n');
            text.append(" ports=");
            for (int i = 0; i < service.ports().size(); i++) {
                text.append(i == 0 ? "" : ",").append(service.ports().get(i));
            }
            text.append('\n');
            text.append(" scheduler=").append(service.scheduler().configName()).append('\n');
            line(text, " persistence-ns", service.persistence());
            for (ServiceConfig.ServerConfig server : service.servers()) {
                text.append(" server=").append(Ipv4.format(server.address())).append(" weight=").append(server.weight()).append('\n');
            }
            // Fallback servers take the indexes after the servers', and a replicated connection names its server
            // by index: both routers must list the same ones. Left out when there are none, so that the digest of
            // a file without them is what it always was. Health checks, alternates and the reachability set are
            // each router's own (FIG. 6: two routers may reach differently).
            for (ServiceConfig.ServerConfig server : service.fallback()) {
                text.append(" fallback=").append(Ipv4.format(server.address())).append(" weight=").append(server.weight()).append('\n');
            }
        }
        return text.toString();
    }

    private static void line(StringBuilder text, String key, Duration value) {
        text.append(key).append('=').append(value.toNanos()).append('\n');
    }
}
