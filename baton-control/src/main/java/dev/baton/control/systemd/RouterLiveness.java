package dev.baton.control.systemd;

import dev.baton.dataplane.engine.Dataplane;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The router's liveness for the service manager's watchdog: every worker has begun a duty cycle since the previous
 * check, and so has the HA agent when there is one. An idle worker still cycles (it waits at most a millisecond for
 * frames), and the agent cycles at least every t2 or the data plane's own watchdog drops its VIPs; a count that stood
 * still for half the {@code WatchdogSec=} is a thread stuck in one cycle. Not thread-safe: the watchdog's thread.
 */
public final class RouterLiveness implements ServiceWatchdog.Liveness {

    private final String[] names;
    private final LongSupplier[] counts;
    private final long[] last;

    /**
     * @param names  what each count is, for the log ("worker 0", "the HA agent")
     * @param counts cycles begun so far, one per watched thread
     */
    public RouterLiveness(String[] names, LongSupplier[] counts) {
        if (names.length != counts.length) {
            throw new IllegalArgumentException(names.length + " names for " + counts.length + " counts");
        }
        this.names = names.clone();
        this.counts = counts.clone();
        this.last = new long[counts.length];
        Arrays.fill(last, -1);
    }

    /** Every worker of {@code dataplane}, and its HA agent when {@code withAgent}. */
    public static RouterLiveness of(Dataplane dataplane, boolean withAgent) {
        int workers = dataplane.workerCount();
        int n = workers + (withAgent ? 1 : 0);
        String[] names = new String[n];
        LongSupplier[] counts = new LongSupplier[n];
        for (int w = 0; w < workers; w++) {
            int worker = w;
            names[w] = "worker " + w;
            counts[w] = () -> dataplane.workerCycles(worker);
        }
        if (withAgent) {
            names[workers] = "the HA agent";
            counts[workers] = () -> dataplane.agentWatchdog().beats();
        }
        return new RouterLiveness(names, counts);
    }

    @Override
    public String stalled() {
        StringBuilder stalled = null;
        for (int i = 0; i < counts.length; i++) {
            long now = counts[i].getAsLong();
            if (now == last[i]) {
                if (stalled == null) {
                    stalled = new StringBuilder();
                } else {
                    stalled.append(", ");
                }
                stalled.append(names[i]);
            }
            last[i] = now;
        }
        return stalled == null ? null : stalled + " began no duty cycle since the previous check";
    }
}
