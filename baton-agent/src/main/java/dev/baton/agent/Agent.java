package dev.baton.agent;

/**
 * One thread's work in Baton, in duty cycles: a forwarding worker, the HA agent. The runtime reads the clock
 * once per cycle and hands it down, so an agent's timers are tested by stepping a clock ({@link AgentInvoker}),
 * and runs it on a thread of its own ({@link AgentRunner}).
 */
public interface Agent {

    /** Names the agent in thread names and logs, e.g. "worker 0", "the HA agent". */
    String roleName();

    /**
     * One duty cycle at {@code nowMs}.
     *
     * @return the work done; 0 lets the runner idle
     */
    int doWork(long nowMs);

    /** Called once on the agent's thread when its runner stops. */
    default void onClose() {
    }
}
