package dev.baton.dataplane.engine;

import dev.baton.dataplane.service.VipOwnership;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The data plane's watch on the HA agent: the agent stamps {@link #beat()} at the start of
 * every duty cycle; worker 0 calls {@link #check} in each of its cycles with its own clock. When the agent has
 * been silent for longer than t2 (the standby timeout) the watchdog drops the ownership of every VIP: stops
 * answering ARP for it, then stops forwarding it. By then a standby has heard no keep-alive for t2 and takes
 * the VIPs over (FIG. 3, transition 348), so a hung agent cannot leave this router attracting and forwarding
 * traffic beside the new active: a split brain with no alarm.
 *
 * <p>The watchdog never takes ownership back. The agent does, through its state machine, if it comes back:
 * an agent that did not run for longer than t2 finds that out itself at its next cycle and listens again
 * before it forwards anything (transition 321, {@code ServiceMonitor.onSelfStalled}). A thread that died
 * does not come back: {@link dev.baton.agent.ThreadFailure} halts the process.
 *
 * <p>Armed by the first beat: a data plane without an agent (no high availability) is never watched.
 * {@link #beat()} is for the agent's thread, {@link #check} for one worker's thread; the counter between them
 * is the only shared state.
 */
public final class AgentWatchdog {

    private static final Logger LOG = Logger.getLogger(AgentWatchdog.class.getName());

    private final VipOwnership ownership;
    private final long silenceLimitMs;
    private final AtomicLong beats = new AtomicLong();
    private final AtomicLong trips = new AtomicLong();
    // Checker state: one worker's thread.
    private long lastSeenBeat;
    private long lastChangeMs;
    private boolean tripped;

    /**
     * @param silenceLimitMs the agent's longest silence before the VIPs are dropped: t2, the standby timeout
     */
    public AgentWatchdog(VipOwnership ownership, long silenceLimitMs) {
        if (silenceLimitMs <= 0) {
            throw new IllegalArgumentException("silence limit " + silenceLimitMs + " ms is not positive");
        }
        this.ownership = ownership;
        this.silenceLimitMs = silenceLimitMs;
    }

    /** The agent is alive: called once per agent duty cycle, on the agent's thread. */
    public void beat() {
        beats.setRelease(beats.getPlain() + 1);
    }

    /**
     * Compares the agent's beat with the last one seen; drops every VIP once when the agent has been silent
     * for longer than the limit. Worker 0's thread, once per duty cycle: one acquire load when all is well.
     *
     * @return 1 when it dropped the VIPs now (work done), else 0
     */
    public int check(long nowMs) {
        long beat = beats.getAcquire();
        if (beat == 0) {
            return 0; // no agent (yet): nothing to watch
        }
        if (beat != lastSeenBeat) {
            lastSeenBeat = beat;
            lastChangeMs = nowMs;
            tripped = false;
            return 0;
        }
        if (tripped || nowMs - lastChangeMs <= silenceLimitMs) {
            return 0;
        }
        tripped = true;
        trips.incrementAndGet();
        int vips = ownership.vips().length;
        // ARP first: the upstream stops being told to send here, then what still arrives is not forwarded.
        for (int v = 0; v < vips; v++) {
            ownership.answerArpByIndex(v, false);
        }
        for (int v = 0; v < vips; v++) {
            ownership.forwardByIndex(v, false);
        }
        LOG.log(Level.SEVERE, "the HA agent has been silent for " + (nowMs - lastChangeMs) + " ms, longer than t2 ("
                + silenceLimitMs + " ms): stopped answering ARP for and forwarding every VIP; a standby takes them over."
                + " The agent takes a VIP back only through its state machine, if it runs again");
        return 1;
    }

    /** The agent's duty cycles so far (0 without an agent): the service manager's watchdog checks it grows. Any thread. */
    public long beats() {
        return beats.getAcquire();
    }

    /** How often the agent's silence made the data plane drop its VIPs. Any thread. */
    public long trips() {
        return trips.get();
    }

    /** The agent's longest silence before the VIPs are dropped (t2). */
    public long silenceLimitMs() {
        return silenceLimitMs;
    }
}
