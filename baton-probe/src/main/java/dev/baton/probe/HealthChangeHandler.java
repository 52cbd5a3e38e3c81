package dev.baton.probe;

/** Takes the health changes {@link ProbeEngine#drainChanges} hands over, oldest first. */
@FunctionalInterface
public interface HealthChangeHandler {

    /**
     * Target {@code targetId} (as {@link ProbeEngine#add} returned it) changed to {@code health} at {@code atMs}
     * because of the probe result {@code cause}.
     *
     * @param spec the target's spec, also when the target has been removed since
     */
    void onHealthChange(int targetId, ProbeSpec spec, Health health, long atMs, String cause);
}
