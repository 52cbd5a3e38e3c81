package dev.baton.dataplane.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which servers may take new connections, as the health checks and the operator say: one slot per server id
 * ({@link ServiceMap#serverId}), shared by every worker. The health checker's thread writes a server's health
 * and the owner of the operator's settings its drain and weight (the HA agent's thread with peers, else the control
 * socket, one command at a time), each in an array of its own (one writer per slot, so no update is lost);
 * workers read both at each duty cycle with acquire loads. No lock, no allocation: the forwarding path only
 * reads two bytes per server.
 *
 * <p>A server nobody has checked is {@link #UNKNOWN} and counts as up: with no health check configured (or
 * before its first result) a server with a resolved MAC gets connections, as without this board.
 */
public final class ServerHealthBoard {

    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    /** No check result (no check configured, or not yet). Counts as up. */
    public static final byte UNKNOWN = 0;
    /** Passing its check. */
    public static final byte UP = 1;
    /** Failing its check: no new connections. */
    public static final byte DOWN = 2;

    private final byte[] health;
    private final byte[] drained;
    /** Which of its addresses a server is reached at: 0 the configured one, 1.. an alternate (address substitution). */
    private final byte[] addressChoice;
    /** The weight an operator set at run time, or -1 for the configured one (shown by ctl; workers keep their own copy). */
    private final int[] weights;

    /** @param servers how many server ids there are ({@link ServiceMap#totalServers()}) */
    public ServerHealthBoard(int servers) {
        health = new byte[servers];
        drained = new byte[servers];
        addressChoice = new byte[servers];
        weights = new int[servers];
        java.util.Arrays.fill(weights, -1);
    }

    /** A board for {@code services}, every server {@link #UNKNOWN} and not drained. */
    public static ServerHealthBoard of(ServiceMap services) {
        return new ServerHealthBoard(services.totalServers());
    }

    /**
     * A board for the servers of a reloaded configuration: each server {@code remap} keeps has the verdicts it had
     * here (health, address choice, drain, the weight an operator set), so a reload neither revives a server that is
     * failing its check nor sends new connections to one an operator drained; a new server starts {@link #UNKNOWN}.
     * Read while nothing writes this board (the probe thread stopped, operator commands held back).
     */
    public ServerHealthBoard carriedTo(ServerRemap remap, int servers) {
        ServerHealthBoard next = new ServerHealthBoard(servers);
        for (int id = 0; id < Math.min(remap.oldServers(), health.length); id++) {
            int to = remap.server(id);
            if (to != ServerRemap.GONE) {
                next.health[to] = health(id);
                next.drained[to] = drained(id) ? (byte) 1 : 0;
                next.addressChoice[to] = (byte) addressChoice(id);
                next.weights[to] = weightOverride(id);
            }
        }
        java.lang.invoke.VarHandle.releaseFence(); // published by the handover to the workers' threads
        return next;
    }

    /** The settings' owner only: the weight an operator set ({@code baton ctl weight}), -1 for the configured one. */
    public void weightOverride(int serverId, int weight) {
        INTS.setRelease(weights, serverId, weight);
    }

    /** The weight an operator set, or -1 when the configured one applies. */
    public int weightOverride(int serverId) {
        return (int) INTS.getAcquire(weights, serverId);
    }

    public int servers() {
        return health.length;
    }

    /** The health checker's thread only: server {@code serverId}'s health ({@link #UNKNOWN}, {@link #UP}, {@link #DOWN}). */
    public void health(int serverId, byte state) {
        if (state != UNKNOWN && state != UP && state != DOWN) {
            throw new IllegalArgumentException("health " + state);
        }
        BYTES.setRelease(health, serverId, state);
    }

    public byte health(int serverId) {
        return (byte) BYTES.getAcquire(health, serverId);
    }

    /**
     * The health checker's thread only: server {@code serverId} is reached at its address number {@code choice}
     * from now on (0 its configured address, 1.. an alternate: the patent's address substitution, RM 230). Its
     * connections, established ones included, go there: it is the same host.
     */
    public void addressChoice(int serverId, int choice) {
        if (choice < 0 || choice > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("address choice " + choice);
        }
        BYTES.setRelease(addressChoice, serverId, (byte) choice);
    }

    /** Which of its addresses server {@code serverId} is reached at (0 the configured one). Read per packet. */
    public int addressChoice(int serverId) {
        return (byte) BYTES.getAcquire(addressChoice, serverId);
    }

    /** The settings' owner only: an operator drained ({@code baton ctl drain}) or undrained the server. */
    public void drained(int serverId, boolean isDrained) {
        BYTES.setRelease(drained, serverId, (byte) (isDrained ? 1 : 0));
    }

    public boolean drained(int serverId) {
        return (byte) BYTES.getAcquire(drained, serverId) != 0;
    }

    /** Whether server {@code serverId} may take new connections as far as its health and its drain go. */
    public boolean admits(int serverId) {
        return (byte) BYTES.getAcquire(health, serverId) != DOWN && (byte) BYTES.getAcquire(drained, serverId) == 0;
    }
}
