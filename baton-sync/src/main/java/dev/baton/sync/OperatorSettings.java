package dev.baton.sync;

import java.util.Arrays;

/**
 * The operator's run-time settings of each server ({@code baton ctl drain}, {@code undrain}, {@code weight}) as
 * last-writer-wins registers, one per server, that every router of the group holds: the part of the configuration
 * tables that an operator changes while the routers run, which the synchronization manager keeps identical on the
 * standbys (US 6,148,410, SM 220), so that a takeover keeps a drain and a weight.
 *
 * <p>A register's value is a drain flag and a weight ({@link #CONFIGURED} when the configured weight applies); its
 * stamp is ({@code version}, {@code origin}, {@code incarnation}), compared in that order, all unsigned: the origin is
 * the number of the router where the change was made, the incarnation its run then. Within one run a router's
 * versions only grow, so no two changes share a stamp; without the incarnation, a router that restarted within the
 * second could give a new value the stamp of one its earlier run had sent, and routers holding the two would never
 * agree (found by the simulation, seed 3000843). A router offered a register with a greater stamp takes it; an equal or
 * smaller one changes nothing, so a register may be sent any number of times and in any order.
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
    private final long selfIncarnation;
    private final boolean[] drained;
    private final int[] weight;
    private final long[] version;
    private final long[] origin;
    private final long[] incarnation;
    private long highestVersion;

    /**
     * @param servers      how many servers (server ids 0..servers-1)
     * @param routerNumber this router's number (1..2^32-1): the origin of its local changes
     * @param incarnation  this run's incarnation (unsigned, not 0), greater than every earlier run's
     */
    public OperatorSettings(int servers, long routerNumber, long incarnation) {
        if (routerNumber < 1 || routerNumber > MAX_VERSION) {
            throw new IllegalArgumentException("router number " + routerNumber + " is not within 1.." + MAX_VERSION);
        }
        if (incarnation == 0) {
            throw new IllegalArgumentException("incarnation 0");
        }
        this.self = routerNumber;
        this.selfIncarnation = incarnation;
        this.drained = new boolean[servers];
        this.weight = new int[servers];
        this.version = new long[servers];
        this.origin = new long[servers];
        this.incarnation = new long[servers];
        Arrays.fill(weight, CONFIGURED);
    }

    public int servers() {
        return drained.length;
    }

    /**
     * These registers for a reloaded configuration of {@code servers} servers: register {@code id} becomes register
     * {@code newIdOf[id]} with its value and stamp, or is dropped when that is negative (the server left). A new
     * server's register is unset. The highest version seen stays, so a later change still outranks every earlier one.
     */
    public OperatorSettings carriedTo(int servers, int[] newIdOf) {
        OperatorSettings next = new OperatorSettings(servers, self, selfIncarnation);
        next.highestVersion = highestVersion;
        for (int id = 0; id < Math.min(newIdOf.length, drained.length); id++) {
            int to = newIdOf[id];
            if (to >= 0 && to < servers) {
                next.drained[to] = drained[id];
                next.weight[to] = weight[id];
                next.version[to] = version[id];
                next.origin[to] = origin[id];
                next.incarnation[to] = incarnation[id];
            }
        }
        return next;
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
        incarnation[id] = selfIncarnation;
        highestVersion = Math.max(highestVersion, next);
        return next;
    }

    /**
     * A peer's register for server {@code id}: taken when its stamp is greater than the one held.
     *
     * @param stampVersion     1..{@link #MAX_VERSION}
     * @param stampOrigin      1..{@link #MAX_VERSION}
     * @param stampIncarnation not 0 (unsigned)
     * @return whether it was taken (the value may be the same as before)
     */
    public boolean offer(int id, long stampVersion, long stampOrigin, long stampIncarnation, boolean isDrained, int newWeight) {
        if (stampVersion < 1 || stampVersion > MAX_VERSION || stampOrigin < 1 || stampOrigin > MAX_VERSION
                || stampIncarnation == 0 || newWeight < CONFIGURED) {
            throw new IllegalArgumentException("stamp " + stampVersion + "/" + stampOrigin + "/" + Long.toUnsignedString(stampIncarnation)
                    + ", weight " + newWeight);
        }
        highestVersion = Math.max(highestVersion, stampVersion);
        int order = stampVersion != version[id] ? Long.compare(stampVersion, version[id])
                : stampOrigin != origin[id] ? Long.compare(stampOrigin, origin[id])
                : Long.compareUnsigned(stampIncarnation, incarnation[id]);
        if (order <= 0) {
            return false;
        }
        drained[id] = isDrained;
        weight[id] = newWeight;
        version[id] = stampVersion;
        origin[id] = stampOrigin;
        incarnation[id] = stampIncarnation;
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

    /** The origin's incarnation when it made the change in force; 0 while never set. */
    public long incarnation(int id) {
        return incarnation[id];
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
