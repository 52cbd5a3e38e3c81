/**
 * Baton as a systemd service: the notification protocol ({@link dev.baton.control.systemd.SystemdNotifier},
 * {@code READY=1}, {@code STATUS=}, {@code RELOADING=1}, {@code STOPPING=1}), the service manager's watchdog
 * ({@link dev.baton.control.systemd.ServiceWatchdog}), which pings only while the router's own threads cycle
 * ({@link dev.baton.control.systemd.RouterLiveness}), and SIGHUP's reload ({@link dev.baton.control.systemd.ReloadSignal}).
 * The unit is {@code contrib/systemd/baton.service} (docs/operations.md, "Running as a service" and "Reload").
 *
 * <p>Threads: {@code baton run}'s main thread sends {@code READY=1}, the {@code baton-systemd-watchdog} thread the
 * pings and status lines, the {@code baton-reload} thread {@code RELOADING=1} and {@code READY=1} around each reload
 * (the JVM's signal dispatch only asks it), the shutdown hook {@code STOPPING=1}; the notifier is thread-safe.
 */
package dev.baton.control.systemd;
