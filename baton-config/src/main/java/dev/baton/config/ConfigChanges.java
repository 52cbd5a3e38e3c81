package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a reload changes in place, one line a change, for the reply of {@code baton ctl reload} and the log:
 *
 * <pre>
 * table.timeouts.tcp-established: 15m -> 10m
 * service web: server 198.51.100.12 weight 10 -> 30
 * service web: server 198.51.100.13 added (weight 10)
 * service api: added (192.0.2.10 tcp 8080)
 * service old: removed
 * </pre>
 *
 * <p>Only what {@link ConfigReload} lets a reload change is described: the table's timeouts, the neighbour timers and
 * the services. Services are matched by name, servers within a service by address. The order is stable: the table,
 * the neighbours, then the services in the new file's order (each added one, or each change of one), then the
 * services removed, in the running file's order, then the new order of the services when the others come in another;
 * within a service its own keys, its servers, its fallback servers, its health check. Empty when nothing a reload
 * applies changed.
 *
 * @param lines the changes, each a line without a line break
 */
public record ConfigChanges(List<String> lines) {

    public ConfigChanges {
        lines = List.copyOf(lines);
    }

    /** Whether nothing changed (a reload of the same file). */
    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The changes from {@code running} to {@code next}, a configuration {@link ConfigReload} accepted for it. */
    public static ConfigChanges between(BatonConfig running, BatonConfig next) {
        List<String> lines = new ArrayList<>();
        TableSettings table = running.table();
        TableSettings nextTable = next.table();
        change(lines, "table.timeouts.tcp-syn:", table.tcpSynTimeout(), nextTable.tcpSynTimeout(), ConfigValues::formatDuration);
        change(lines, "table.timeouts.tcp-established:", table.tcpEstablishedTimeout(), nextTable.tcpEstablishedTimeout(),
                ConfigValues::formatDuration);
        change(lines, "table.timeouts.tcp-closing:", table.tcpClosingTimeout(), nextTable.tcpClosingTimeout(),
                ConfigValues::formatDuration);
        change(lines, "table.timeouts.tcp-closed:", table.tcpClosedTimeout(), nextTable.tcpClosedTimeout(),
                ConfigValues::formatDuration);
        change(lines, "table.timeouts.udp:", table.udpTimeout(), nextTable.udpTimeout(), ConfigValues::formatDuration);
        NeighbourSettings neighboursBefore = running.neighbours();
        NeighbourSettings neighboursAfter = next.neighbours();
        change(lines, "neighbours.refresh:", neighboursBefore.refreshInterval(), neighboursAfter.refreshInterval(),
                ConfigValues::formatDuration);
        change(lines, "neighbours.retry:", neighboursBefore.retryInterval(), neighboursAfter.retryInterval(),
                ConfigValues::formatDuration);
        change(lines, "neighbours.stale-after:", neighboursBefore.staleAfter(), neighboursAfter.staleAfter(),
                ConfigValues::formatDuration);
        for (ServiceConfig service : next.services()) {
            running.service(service.name()).ifPresentOrElse(old -> service(lines, old, service),
                    () -> lines.add("service " + service.name() + ": added (" + Ipv4.format(service.vip()) + " "
                            + service.protocol().configName() + " " + ports(service) + ")"));
        }
        for (ServiceConfig old : running.services()) {
            if (next.service(old.name()).isEmpty()) {
                lines.add("service " + old.name() + ": removed");
            }
        }
        // A service's place is its index in the data plane and in the digest peers compare (BatonConfig.servicesDigest).
        List<String> before = running.services().stream().map(ServiceConfig::name).toList();
        List<String> after = next.services().stream().map(ServiceConfig::name).toList();
        if (!inBoth(before, after).equals(inBoth(after, before))) {
            lines.add("services now in the order " + next.services().stream().map(ServiceConfig::name)
                    .collect(Collectors.joining(", ")));
        }
        return new ConfigChanges(lines);
    }

    private static void service(List<String> lines, ServiceConfig before, ServiceConfig after) {
        String prefix = "service " + after.name() + ": ";
        change(lines, prefix + "vip", before.vip(), after.vip(), Ipv4::format);
        change(lines, prefix + "protocol", before.protocol(), after.protocol(), ServiceConfig.Protocol::configName);
        change(lines, prefix + "ports", ports(before), ports(after), Function.identity());
        change(lines, prefix + "scheduler", before.scheduler(), after.scheduler(), ServiceConfig.SchedulerKind::configName);
        change(lines, prefix + "persistence", before.persistence(), after.persistence(), ConfigValues::formatDuration);
        // Only a service moved to another VIP can take other takeover settings (ConfigReload keeps each VIP's).
        change(lines, prefix + "role", before.role(), after.role(), ServiceConfig.ServiceRole::configName);
        change(lines, prefix + "priority", before.priority(), after.priority(), String::valueOf);
        change(lines, prefix + "failback", before.failback(), after.failback(), ServiceConfig.Failback::configName);
        change(lines, prefix + "on-server-down", before.onServerDown(), after.onServerDown(), ServiceConfig.OnServerDown::configName);
        servers(lines, prefix, "server", "servers", before.servers(), after.servers());
        servers(lines, prefix, "fallback server", "fallback servers", before.fallback(), after.fallback());
        healthCheck(lines, prefix + "health-check", before, after);
    }

    /**
     * Servers matched by address: those removed (in the running order), then those added or changed (in the new
     * order), then the new order when the servers in both come in another one (it changes their indexes and the
     * round robin's sequence).
     */
    private static void servers(List<String> lines, String prefix, String what, String plural,
                                List<ServiceConfig.ServerConfig> before, List<ServiceConfig.ServerConfig> after) {
        Map<Integer, ServiceConfig.ServerConfig> old = byAddress(before);
        Map<Integer, ServiceConfig.ServerConfig> now = byAddress(after);
        for (ServiceConfig.ServerConfig server : before) {
            if (!now.containsKey(server.address())) {
                lines.add(prefix + what + " " + Ipv4.format(server.address()) + " removed");
            }
        }
        for (ServiceConfig.ServerConfig server : after) {
            String name = prefix + what + " " + Ipv4.format(server.address());
            ServiceConfig.ServerConfig was = old.get(server.address());
            if (was == null) {
                lines.add(name + " added (weight " + server.weight()
                        + (server.alternates().isEmpty() ? "" : ", alternates " + addresses(server.alternates())) + ")");
            } else {
                change(lines, name + " weight", was.weight(), server.weight(), String::valueOf);
                change(lines, name + " alternates", was.alternates(), server.alternates(), ConfigChanges::addresses);
            }
        }
        if (!inBoth(old.keySet(), now.keySet()).equals(inBoth(now.keySet(), old.keySet()))) {
            lines.add(prefix + plural + " now in the order " + addresses(List.copyOf(now.keySet())));
        }
    }

    private static void healthCheck(List<String> lines, String prefix, ServiceConfig before, ServiceConfig after) {
        HealthCheckSettings was = before.healthCheck();
        HealthCheckSettings now = after.healthCheck();
        if (!was.enabled() && now.enabled()) {
            lines.add(prefix + " added (" + now.kind().configName() + ", port " + now.portFor(after) + ", every "
                    + ConfigValues.formatDuration(now.interval()) + ")");
            return;
        }
        if (was.enabled() && !now.enabled()) {
            lines.add(prefix + " removed");
            return;
        }
        if (!now.enabled()) {
            return;
        }
        change(lines, prefix + " type", was.kind(), now.kind(), HealthCheckSettings.Kind::configName);
        // The port checked, as the prober sees it: the service's first port when the check names none.
        change(lines, prefix + " port", was.portFor(before), now.portFor(after), String::valueOf);
        change(lines, prefix + " path", was.path(), now.path(), Function.identity());
        change(lines, prefix + " host", was.host(), now.host(), host -> host == null ? "(the server's address)" : host);
        change(lines, prefix + " expect-status", was.expectStatus(), now.expectStatus(), String::valueOf);
        change(lines, prefix + " expect-body", was.expectBody(), now.expectBody(), body -> body == null ? "(any)" : "'" + body + "'");
        change(lines, prefix + " interval", was.interval(), now.interval(), ConfigValues::formatDuration);
        change(lines, prefix + " timeout", was.timeout(), now.timeout(), ConfigValues::formatDuration);
        change(lines, prefix + " rise", was.rise(), now.rise(), String::valueOf);
        change(lines, prefix + " fall", was.fall(), now.fall(), String::valueOf);
        change(lines, prefix + " tls-verify", was.tlsVerify(), now.tlsVerify(), String::valueOf);
    }

    /** {@code what before -> after} when the two differ. */
    private static <T> void change(List<String> lines, String what, T before, T after, Function<? super T, String> text) {
        if (!Objects.equals(before, after)) {
            lines.add(what + " " + text.apply(before) + " -> " + text.apply(after));
        }
    }

    /** The keys of {@code order} that {@code other} has too, in {@code order}'s order: what "reordered" compares. */
    static <K> List<K> inBoth(Collection<K> order, Collection<K> other) {
        return order.stream().filter(other::contains).toList();
    }

    private static Map<Integer, ServiceConfig.ServerConfig> byAddress(List<ServiceConfig.ServerConfig> servers) {
        Map<Integer, ServiceConfig.ServerConfig> byAddress = new LinkedHashMap<>();
        servers.forEach(server -> byAddress.put(server.address(), server));
        return byAddress;
    }

    /** Ports as the added-service line writes them: {@code 80,443,8000-8010}. */
    private static String ports(ServiceConfig service) {
        return service.ports().stream().map(ServiceConfig.PortRange::toString).collect(Collectors.joining(","));
    }

    private static String addresses(List<Integer> addresses) {
        return addresses.isEmpty() ? "none" : addresses.stream().map(Ipv4::format).collect(Collectors.joining(", "));
    }
}
