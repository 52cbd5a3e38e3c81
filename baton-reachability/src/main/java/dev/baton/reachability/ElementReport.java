package dev.baton.reachability;

import dev.baton.probe.Health;

import java.util.Objects;

/**
 * One element of a router's reachability set with its current state: the unit of the patent's "current
 * reach-ability information" (FIG. 4).
 *
 * @param name     the element's name, unique in its router's set (what {@code ctl reachability} and the events show)
 * @param weight   its share in the {@link CompareFunction#WEIGHTED weighted} and {@link CompareFunction#REQUIRED
 *                 required} scores, 1..{@value #MAX_WEIGHT}
 * @param required whether a router that cannot reach it is worse, under {@link CompareFunction#REQUIRED}, than
 *                 any router that reaches all of its required elements
 * @param health   whether the router reaches it now ({@link Health#UP}), not ({@link Health#DOWN}), or has no
 *                 probe result yet ({@link Health#UNKNOWN})
 */
public record ElementReport(String name, int weight, boolean required, Health health) {

    /** The largest weight of an element. */
    public static final int MAX_WEIGHT = 1000;

    public ElementReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(health, "health");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " is not within 1.." + MAX_WEIGHT);
        }
    }

    /** Whether the router reaches this element now. */
    public boolean reachable() {
        return health == Health.UP;
    }
}
