/**
 * Baton's configuration: the immutable model ({@link dev.baton.config.BatonConfig} and the records it is
 * made of), and {@link dev.baton.config.ConfigLoader}, which reads the YAML file, applies the defaults
 * ({@link dev.baton.config.ConfigDefaults}) within the limits ({@link dev.baton.config.ConfigLimits}) and
 * reports every problem with file, line and column ({@link dev.baton.config.ConfigException}).
 * {@link dev.baton.config.HighAvailabilitySettings} and the records it holds describe a router's peers and
 * the patent's timers t1..t4 (US 6,148,410, FIG. 3); {@link dev.baton.config.BatonConfig#servicesDigest()}
 * is what peers compare before replicating tables. {@link dev.baton.config.ConfigReload} reads the file again for a
 * running router and refuses what only a restart can change; {@link dev.baton.config.ConfigChanges} says what a
 * reload changes in place.
 *
 * <p>Threads: loading runs on whichever thread starts or reloads the router (main or control), never on a
 * forwarding thread. A loaded configuration is deeply immutable and may be shared with any thread.
 * Reference: docs/configuration.md.
 */
package dev.baton.config;
