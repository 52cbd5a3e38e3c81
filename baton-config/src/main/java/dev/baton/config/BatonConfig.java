package dev.baton.config;

import java.nio.file.Path;
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
 */
public record BatonConfig(
        Path source,
        RouterSettings router,
        List<InterfaceConfig> interfaces,
        TableSettings table,
        NeighbourSettings neighbours,
        List<ServiceConfig> services) {

    public BatonConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(neighbours, "neighbours");
        interfaces = List.copyOf(interfaces);
        services = List.copyOf(services);
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
}
