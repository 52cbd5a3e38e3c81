package dev.baton.probe;

/**
 * The health of one probed target, from its probe results: a target starts {@link Health#UNKNOWN} and takes
 * the verdict of its first result (there is nothing else to go on); after that it goes down only after
 * {@code fall} failures in a row and comes back up only after {@code rise} successes in a row. The counts are
 * the hysteresis every load balancer's health checks have (HAProxy's and keepalived's rise/fall): a lost probe
 * or a single late answer moves nothing.
 *
 * <p>Owned by one thread; allocates nothing per result (the cause is a caller's constant or a string it already
 * has).
 */
public final class RiseFall {

    /** The largest rise or fall count: more would take minutes at the shortest interval and is a typo. */
    public static final int MAX_COUNT = 100;

    private final int rise;
    private final int fall;
    private Health health = Health.UNKNOWN;
    private int successesInARow;
    private int failuresInARow;
    private long changedAtMs = Long.MIN_VALUE;
    private String cause = "not probed yet";
    private long results;

    /**
     * @param rise successes in a row that bring a down target up, 1..{@value #MAX_COUNT}
     * @param fall failures in a row that take an up target down, 1..{@value #MAX_COUNT}
     */
    public RiseFall(int rise, int fall) {
        if (rise < 1 || rise > MAX_COUNT || fall < 1 || fall > MAX_COUNT) {
            throw new IllegalArgumentException("rise " + rise + " and fall " + fall + " must be within 1.." + MAX_COUNT);
        }
        this.rise = rise;
        this.fall = fall;
    }

    /**
     * A probe was answered.
     *
     * @param cause what answered, for {@code ctl} ("connected", "HTTP 200")
     * @return whether the health changed
     */
    public boolean success(long nowMs, String cause) {
        results++;
        failuresInARow = 0;
        successesInARow = Math.min(successesInARow + 1, MAX_COUNT);
        if (health == Health.UP) {
            this.cause = cause;
            return false;
        }
        if (health == Health.UNKNOWN || successesInARow >= rise) {
            return change(Health.UP, nowMs, cause);
        }
        return false;
    }

    /**
     * A probe failed or timed out.
     *
     * @param cause why, for {@code ctl} ("timed out after 500 ms", "connection refused", "HTTP 503")
     * @return whether the health changed
     */
    public boolean failure(long nowMs, String cause) {
        results++;
        successesInARow = 0;
        failuresInARow = Math.min(failuresInARow + 1, MAX_COUNT);
        if (health == Health.DOWN) {
            this.cause = cause;
            return false;
        }
        if (health == Health.UNKNOWN || failuresInARow >= fall) {
            return change(Health.DOWN, nowMs, cause);
        }
        return false;
    }

    private boolean change(Health to, long nowMs, String why) {
        health = to;
        changedAtMs = nowMs;
        cause = why;
        return true;
    }

    public Health health() {
        return health;
    }

    /** When the health last changed; {@link Long#MIN_VALUE} while it is unknown. */
    public long changedAtMs() {
        return changedAtMs;
    }

    /** What the last result said (the answer, or why the probe failed). */
    public String cause() {
        return cause;
    }

    /** Successes in a row so far (at most {@value #MAX_COUNT}): toward {@code rise} while down. */
    public int successesInARow() {
        return successesInARow;
    }

    /** Failures in a row so far (at most {@value #MAX_COUNT}): toward {@code fall} while up. */
    public int failuresInARow() {
        return failuresInARow;
    }

    /** Every result taken. */
    public long results() {
        return results;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }
}
