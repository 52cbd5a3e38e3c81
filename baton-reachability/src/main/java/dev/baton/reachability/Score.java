package dev.baton.reachability;

/**
 * A router's reachability under a {@link CompareFunction}: higher is better. Under
 * {@link CompareFunction#REQUIRED} a router that reaches all its required elements beats any that does not,
 * whatever the values; otherwise the values decide.
 *
 * @param allRequired whether the router reaches every element marked required (always true for the other functions)
 * @param value       the count or weighted sum of the elements it reaches
 */
public record Score(boolean allRequired, long value) implements Comparable<Score> {

    @Override
    public int compareTo(Score other) {
        if (allRequired != other.allRequired) {
            return allRequired ? 1 : -1;
        }
        return Long.compare(value, other.value);
    }

    /**
     * Whether this score beats {@code other} by at least {@code minImprovement}: a router that reaches all
     * its required elements beats one that misses some by any margin (a missing required element is decisive);
     * otherwise the value must be higher by {@code minImprovement} or more (at least 1: equal is never better,
     * FIG. 4 path 445).
     */
    public boolean beats(Score other, long minImprovement) {
        if (allRequired != other.allRequired) {
            return allRequired;
        }
        return value - other.value >= Math.max(1, minImprovement);
    }

    @Override
    public String toString() {
        return allRequired ? Long.toString(value) : value + " (misses a required element)";
    }
}
