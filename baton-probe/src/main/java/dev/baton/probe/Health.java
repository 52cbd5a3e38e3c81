package dev.baton.probe;

/** What the probes of one target say now. */
public enum Health {
    /** Not probed yet: no result has come back. */
    UNKNOWN,
    /** Answering: {@code rise} successes in a row since it was last down (or its first probe succeeded). */
    UP,
    /** Not answering: {@code fall} failures in a row since it was last up (or its first probe failed). */
    DOWN;

    /** The word used for this health in {@code ctl} output and logs. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
