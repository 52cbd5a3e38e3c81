package dev.baton.dataplane.health;

import dev.baton.probe.Health;

/** Hands a probe's verdict to {@link HealthChecks} as the engine does when it drains a change: no network, a set time. */
final class Verdicts {

    private Verdicts() {
    }

    /** Target {@code name}'s new health and why, at {@code atMs}. */
    static void hand(HealthChecks checks, String name, Health health, long atMs, String cause) {
        for (int id = 0; id < checks.engine().capacity(); id++) {
            if (checks.engine().has(id) && checks.engine().spec(id).name().equals(name)) {
                checks.onChange(id, checks.engine().spec(id), health, atMs, cause);
                return;
            }
        }
        throw new AssertionError("no probe named " + name);
    }
}
