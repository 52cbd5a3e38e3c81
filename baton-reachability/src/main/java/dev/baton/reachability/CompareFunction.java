package dev.baton.reachability;

/**
 * The patent's "configurable function" that decides which router has the best current reachability (claim
 * 13; FIG. 4 step 440). Each router is scored on its own set, so routers with different sets (FIG. 6) compare
 * too; give the elements weights when the sets differ in size and that should not count.
 */
public enum CompareFunction {
    /** The router that reaches the most elements is best. */
    COUNT("count"),
    /** Each element has a weight; the router with the highest sum of the weights of the elements it reaches is best. */
    WEIGHTED("weighted"),
    /**
     * A router that misses any element marked required is worse than any router that reaches all of its
     * required elements; among routers alike in that, the weighted sum decides.
     */
    REQUIRED("required");

    private final String configName;

    CompareFunction(String configName) {
        this.configName = configName;
    }

    /** The word used for this function in the configuration file. */
    public String configName() {
        return configName;
    }

    /** The report's score under this function. */
    public Score score(ReachabilityReport report) {
        long value = 0;
        boolean allRequired = true;
        for (ElementReport element : report.elements()) {
            if (element.reachable()) {
                value += this == COUNT ? 1 : element.weight();
            } else if (element.required() && this == REQUIRED) {
                allRequired = false;
            }
        }
        return new Score(allRequired, value);
    }
}
