package dev.baton.ha;

/**
 * When a VIP's IP takeover announcements (gratuitous ARP) are due: {@code count} of them {@code interval} apart
 * once the router becomes active for it (FIG. 3, transitions 326, 335, 348; RFC 5227 section 3), then one every
 * {@code reannounce} while it answers ARP for the VIP (0: never). Pure timing on the agent's clock; the agent
 * sends what is due.
 */
final class AnnouncementSchedule {

    private final int count;
    private final long intervalMs;
    private final long reannounceMs;
    private int left;
    private long nextMs;
    private long nextReannounceMs = Long.MAX_VALUE;
    private long sent;
    private long startedAtMs = Long.MIN_VALUE;

    AnnouncementSchedule(int count, long intervalMs, long reannounceMs) {
        this.count = count;
        this.intervalMs = intervalMs;
        this.reannounceMs = reannounceMs;
    }

    /** The router became active for the VIP: the first announcement is due now. */
    void start(long nowMs) {
        left = count;
        nextMs = nowMs;
        startedAtMs = nowMs;
    }

    /** When the last series of announcements began ({@link #start}), or {@code Long.MIN_VALUE}. */
    long startedAtMs() {
        return startedAtMs;
    }

    /** The router stopped answering ARP for the VIP: nothing more is due. */
    void stop() {
        left = 0;
        nextReannounceMs = Long.MAX_VALUE;
    }

    /**
     * Whether an announcement is due at {@code nowMs}; when it is, it counts as sent and the next is scheduled.
     *
     * @param answeringArp whether the router answers ARP for the VIP (re-announcements only then)
     */
    boolean due(long nowMs, boolean answeringArp) {
        boolean initial = left > 0 && nowMs >= nextMs;
        boolean reannounce = left == 0 && answeringArp && nowMs >= nextReannounceMs;
        if (!initial && !reannounce) {
            return false;
        }
        if (initial) {
            left--;
            nextMs = nowMs + intervalMs;
        }
        nextReannounceMs = reannounceMs > 0 ? nowMs + reannounceMs : Long.MAX_VALUE;
        sent++;
        return true;
    }

    /** Announcements sent (each on every client-facing port, in both forms). */
    long sent() {
        return sent;
    }
}
