package dev.baton.probe;

import java.util.Objects;

/**
 * One probed target and how it is probed: every {@code intervalMs} a probe starts, which fails when no answer
 * comes within {@code timeoutMs}; {@code rise} answers in a row bring a down target up and {@code fall} failures
 * in a row take an up one down ({@link RiseFall}). The configuration layer builds these; the constructor
 * validates.
 *
 * @param name      names the target in logs and {@code ctl} output, e.g. "server web-1" or "router r2 via eth1"
 * @param target    what is probed and from which address
 * @param intervalMs time between probe starts, {@value #MIN_INTERVAL_MS}..{@value #MAX_INTERVAL_MS} ms
 * @param timeoutMs time a probe waits for its answer, 1 ms up to (not including) {@code intervalMs}, so a
 *                  target never has two probes in flight
 * @param rise      answers in a row that bring a down target up
 * @param fall      failures in a row that take an up target down
 */
public record ProbeSpec(String name, ProbeTarget target, long intervalMs, long timeoutMs, int rise, int fall) {

    /** The shortest interval: shorter would spend the engine's thread on probes and flood the targets. */
    public static final long MIN_INTERVAL_MS = 10;
    /** The longest interval: one hour. */
    public static final long MAX_INTERVAL_MS = 3_600_000;
    /** The longest name accepted. */
    public static final int MAX_NAME_LENGTH = 128;

    public ProbeSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("probe name must have 1.." + MAX_NAME_LENGTH + " characters: '" + name + "'");
        }
        if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
            throw new IllegalArgumentException(name + ": probe interval must be within " + MIN_INTERVAL_MS + ".."
                    + MAX_INTERVAL_MS + " ms: " + intervalMs);
        }
        if (timeoutMs < 1 || timeoutMs >= intervalMs) {
            throw new IllegalArgumentException(name + ": probe timeout must be at least 1 ms and shorter than the interval ("
                    + intervalMs + " ms), so that a target has at most one probe in flight: " + timeoutMs);
        }
        if (rise < 1 || rise > RiseFall.MAX_COUNT || fall < 1 || fall > RiseFall.MAX_COUNT) {
            throw new IllegalArgumentException(name + ": rise " + rise + " and fall " + fall + " must be within 1.."
                    + RiseFall.MAX_COUNT);
        }
    }
}
