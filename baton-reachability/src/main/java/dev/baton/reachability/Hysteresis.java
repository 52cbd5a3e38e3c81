package dev.baton.reachability;

import java.time.Duration;

/**
 * What keeps a flapping element from flapping the VIP: a standby must beat the active by at least
 * {@code minImprovement} (in the compare function's units: elements, or weight) and keep beating it for
 * {@code hold} before the active RM hands it the VIP. A standby handed the VIP that does not take it is
 * asked again only after another hold.
 *
 * @param minImprovement the least margin, 1 or more
 * @param hold           how long the margin must last, 0 or more
 */
public record Hysteresis(long minImprovement, Duration hold) {

    public Hysteresis {
        if (minImprovement < 1) {
            throw new IllegalArgumentException("min-improvement " + minImprovement + " must be 1 or more");
        }
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold " + hold + " is negative");
        }
    }
}
