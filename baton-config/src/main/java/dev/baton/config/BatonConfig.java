package dev.baton.config;

import java.nio.file.Path;
import java.util.List;

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
        interfaces = List.copyOf(interfaces);
        services = List.copyOf(services);
    }
}
