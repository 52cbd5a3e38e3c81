package dev.baton.agent;

/**
 * Runs an {@link Agent} on the caller's thread, one duty cycle per {@link #invoke} at the time the caller gives:
 * how tests step agents with a clock of their own, and how a simulation runs several routers' agents in one
 * thread. No idling, no error handling: a failure reaches the caller.
 */
public final class AgentInvoker {

    private final Agent agent;
    private long cycles;

    public AgentInvoker(Agent agent) {
        this.agent = agent;
    }

    /** One duty cycle at {@code nowMs}; returns its work count. */
    public int invoke(long nowMs) {
        cycles++;
        return agent.doWork(nowMs);
    }

    /** Cycles invoked so far. */
    public long cycles() {
        return cycles;
    }

    public Agent agent() {
        return agent;
    }
}
