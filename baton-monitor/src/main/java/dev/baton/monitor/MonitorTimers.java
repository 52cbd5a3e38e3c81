package dev.baton.monitor;

/**
 * The timers of FIG. 3, in milliseconds, with defaults chosen for fast failover: a standby takes over
 * after three update intervals of silence (60 ms: two keep-alives may be lost), so with the upstream's ARP
 * update the forwarding outage stays under 100 ms and under the client's 200 ms minimum retransmission timeout (RFC 6298 §2.4 as Linux applies it), and a lost
 * segment costs one retransmission.
 *
 * @param listenTimeoutMs   t1: how long a starting router listens for an active one before it becomes active
 * @param standbyTimeoutMs  t2: the longest silence from the active before a standby takes over (transition 348)
 * @param preemptTimeoutMs  t3: how long a preempting standby waits for the active's answer (transition 335)
 * @param updateIntervalMs  t4: how often the active sends updates and keep-alives (action 351)
 * @param handoverDrainMs   after handing the VIP over (transition 355) the old active stops answering ARP at
 *                          once but keeps forwarding for this long, so frames sent before the upstream
 *                          learned the new MAC are not lost
 */
public record MonitorTimers(long listenTimeoutMs, long standbyTimeoutMs, long preemptTimeoutMs, long updateIntervalMs,
                            long handoverDrainMs) {

    public static final MonitorTimers DEFAULTS = new MonitorTimers(500, 60, 100, 20, 500);

    public MonitorTimers {
        if (listenTimeoutMs <= 0 || standbyTimeoutMs <= 0 || preemptTimeoutMs <= 0 || updateIntervalMs <= 0 || handoverDrainMs < 0) {
            throw new IllegalArgumentException("timers must be positive: " + this);
        }
        if (standbyTimeoutMs < 2 * updateIntervalMs) {
            throw new IllegalArgumentException("standby timeout (t2) " + standbyTimeoutMs
                    + " ms must be at least twice the update interval (t4) " + updateIntervalMs + " ms, or one lost update fails over");
        }
    }
}
