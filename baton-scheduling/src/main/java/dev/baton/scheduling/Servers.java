package dev.baton.scheduling;

import java.util.Arrays;

/**
 * A mutable {@link ServerSet} over plain arrays, owned by one forwarding thread. Servers start with weight
 * 1, available, and no connections; the owner keeps availability and connection counts current (the
 * connection table's change stream announces every connection added and removed).
 */
public final class Servers implements ServerSet {

    private final int[] weights;
    private final boolean[] available;
    private final int[] activeConnections;

    /** {@code size} servers of weight 1, available, without connections. */
    public Servers(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        weights = new int[size];
        available = new boolean[size];
        activeConnections = new int[size];
        Arrays.fill(weights, 1);
        Arrays.fill(available, true);
    }

    @Override
    public int size() {
        return weights.length;
    }

    @Override
    public int weight(int index) {
        return weights[index];
    }

    /** Sets server {@code index}'s weight, 0 or more; 0 drains it. Takes effect at the next selection. */
    public void weight(int index, int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight must not be negative: " + weight);
        }
        weights[index] = weight;
    }

    @Override
    public boolean available(int index) {
        return available[index];
    }

    public void available(int index, boolean isAvailable) {
        available[index] = isAvailable;
    }

    @Override
    public int activeConnections(int index) {
        return activeConnections[index];
    }

    /** A connection was assigned to server {@code index}. */
    public void connectionOpened(int index) {
        activeConnections[index]++;
    }

    /**
     * A connection of server {@code index} ended. Never goes below zero: the close of a connection that was
     * never counted here must not make the server look emptier than empty to least-connections.
     */
    public void connectionClosed(int index) {
        if (activeConnections[index] > 0) {
            activeConnections[index]--;
        }
    }
}
