package dev.baton.control.router;

import dev.baton.config.ConfigException;

import java.util.Map;

/**
 * Re-reads the router's configuration file and changes what it can in place ({@code RouterDaemon} implements it):
 * services, servers, weights, health checks and timers. The router's identity and its resources (router.*,
 * interfaces, table.capacity, table.per-source-limit, high-availability, reachability, metrics, notify, the set of
 * VIPs and their role, priority and failback) need a restart.
 *
 * <p>Called by the control socket's {@code reload} command ({@code baton ctl reload}) and, on SIGHUP, by the thread
 * of {@code dev.baton.control.systemd.ReloadSignal}; an implementation serializes concurrent calls.
 */
@FunctionalInterface
public interface ConfigReloader {

    /**
     * Reloads the configuration file.
     *
     * @return the control protocol's answer: {@code outcome} ({@code "reloaded"} or {@code "unchanged"}),
     *         {@code config} (the file's path), {@code changes} (one sentence each, e.g. {@code "service web: server
     *         198.51.100.13 added (weight 10)"}) and {@code config_digest} (hex)
     * @throws ConfigException when the file cannot be used: every problem with its file:line; the running
     *                         configuration stays
     */
    Map<String, Object> reload() throws ConfigException;
}
