package dev.baton.reachability;

import dev.baton.probe.Health;

import java.util.List;
import java.util.Objects;

/**
 * A router's current reachability information (FIG. 4): its reachability set with each element's state. Two
 * routers may have different sets (FIG. 6, second paragraph): each is scored on its own.
 *
 * @param router   the router's name
 * @param elements its set, in configuration order, at most {@value #MAX_ELEMENTS}
 */
public record ReachabilityReport(String router, List<ElementReport> elements) {

    /** The most elements in one router's set. */
    public static final int MAX_ELEMENTS = 1024;

    public ReachabilityReport {
        Objects.requireNonNull(router, "router");
        elements = List.copyOf(elements);
        if (elements.size() > MAX_ELEMENTS) {
            throw new IllegalArgumentException(elements.size() + " elements; at most " + MAX_ELEMENTS);
        }
    }

    /**
     * Whether every element has a probe result: only then does the report say what the router reaches. A router
     * that has just started is not compared (it would look worse than it is), nor does it judge.
     */
    public boolean settled() {
        for (ElementReport element : elements) {
            if (element.health() == Health.UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** The elements it does not reach now, by name ("-" when none), for reasons and {@code ctl}. */
    public String unreachableNames() {
        StringBuilder names = new StringBuilder();
        for (ElementReport element : elements) {
            if (element.health() == Health.DOWN) {
                names.append(names.isEmpty() ? "" : ", ").append(element.name());
            }
        }
        return names.isEmpty() ? "-" : names.toString();
    }

    /** How many elements it reaches now. */
    public int reachableCount() {
        int count = 0;
        for (ElementReport element : elements) {
            if (element.reachable()) {
                count++;
            }
        }
        return count;
    }
}
