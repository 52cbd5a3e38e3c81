package dev.baton.sync;

import java.util.Arrays;

/**
 * The operator's run-time settings of each server ({@code baton ctl drain}, {@code undrain}, {@code weight}) as
 * last-writer-wins registers, one per server, that every router of the group holds: the part of the configuration
 * tables that an operator changes while the routers run, which the synchronization manager keeps identical on the
 * standbys (US 6,148,410, SM 220), so that a takeover keeps a drain and a weight.
 *
 * <p>A register's value is a drain flag and a weight ({@link #CONFIGURED} when the configured weight applies); its
 * stamp is a ({@code version}, {@code origin}) pair, compared version first, then the origin router's number, both
 * unsigned. A router offered a register with a greater stamp takes it; an equal or smaller one changes nothing, so
 * a register may be sent any number of times and in any order.
 *
 * <p>Versions come from a hybrid clock: a local change takes {@code max(highest version seen + 1, wall-clock
 * seconds)}. The first term orders changes after everything this router has seen; the second orders a change on a
 * router that has just restarted (and has seen nothing yet) after a change made on another router more than a
 * second earlier, as long as the routers' clocks agree to within that.
 *
 * <p>Pure: no clock, no I/O; not thread-safe (the owner's thread only).
 */
public final class OperatorSettings {

    /** The weight value that means "the configured weight". */
    public static final int CONFIGURED = -1;
    /** Versions are unsigned 32 bits on the wire. */
    public static final long MAX_VERSION = 0xFFFF_FFFFL;

    private final long self;
    private final boolean[] drained;
    private final int[] weight;
    private final long[] version;
    private final long[] origin;
    private long highestVersion;

    /**
     * @param servers      how many servers (server ids 0..servers-1)
     * @param routerNumber this router's number (1..2^32-1): the origin of its local changes
     */
    public OperatorSettings(int servers, long routerNumber) {
        if (routerNumber < 1 || routerNumber > MAX_VERSION) {
            throw new IllegalArgumentException("router number " + routerNumber + " is not within 1.." + MAX_VERSION);
        }
        this.self = routerNumber;
        this.drained = new boolean[servers];
        this.weight = new int[servers];
        this.version = new long[servers];
        this.origin = new long[servers];
        Arrays.fill(weight, CONFIGURED);
    }

    public int servers() {
        return drained.length;
    }

    /** An operator here drained or undrained server {@code id}; its weight is kept. Returns the change's version. */
    public long drain(int id, boolean isDrained, long wallSeconds) {
        return change(id, isDrained, weight[id], wallSeconds);
    }

    /** An operator here set server {@code id}'s weight ({@link #CONFIGURED} or 0..); its drain is kept. */
    public long weight(int id, int newWeight, long wallSeconds) {
        if (newWeight < CONFIGURED) {
            throw new IllegalArgumentException("weight " + newWeight);
        }
        return change(id, drained[id], newWeight, wallSeconds);
    }

    private long change(int id, boolean isDrained, int newWeight, long wallSeconds) {
        long next = Math.min(MAX_VERSION, Math.max(highestVersion + 1, wallSeconds));
        drained[id] = isDrained;
        weight[id] = newWeight;
        version[id] = next;
        origin[id] = self;
        highestVersion = Math.max(highestVersion, next);
        return next;
    }

    /**
     * A peer's register for server {@code id}: taken when its stamp is greater than the one held.
     *
     * @param stampVersion 1..{@link #MAX_VERSION}
     * @param stampOrigin  1..{@link #MAX_VERSION}
     * @return whether it was taken (the value may be the same as before)
     */
    public boolean offer(int id, long stampVersion, long stampOrigin, boolean isDrained, int newWeight) {
        if (stampVersion < 1 || stampVersion > MAX_VERSION || stampOrigin < 1 || stampOrigin > MAX_VERSION
                || newWeight < CONFIGURED) {
            throw new IllegalArgumentException("stamp " + stampVersion + "/" + stampOrigin + ", weight " + newWeight);
        }
        highestVersion = Math.max(highestVersion, stampVersion);
        if (stampVersion < version[id] || stampVersion == version[id] && stampOrigin <= origin[id]) {
            return false;
        }
        drained[id] = isDrained;
        weight[id] = newWeight;
        version[id] = stampVersion;
        origin[id] = stampOrigin;
        return true;
    }

    /** Whether an operator ever changed server {@code id} (here or on a peer): only such registers are sent. */
    public boolean set(int id) {
        return version[id] != 0;
    }

    public boolean drained(int id) {
        return drained[id];
    }

    /** The operator's weight, or {@link #CONFIGURED}. */
    public int weight(int id) {
        return weight[id];
    }

    /** 0 while never set. */
    public long version(int id) {
        return version[id];
    }

    /** The router number where the operator gave the command in force; 0 while never set. */
    public long origin(int id) {
        return origin[id];
    }

    /** How many registers are {@link #set}. */
    public int setCount() {
        int count = 0;
        for (long v : version) {
            count += v != 0 ? 1 : 0;
        }
        return count;
    }
}
