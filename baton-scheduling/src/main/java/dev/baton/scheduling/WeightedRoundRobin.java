package dev.baton.scheduling;

import java.util.Arrays;

/**
 * Smooth weighted round robin, the algorithm of nginx's upstream module (ngx_http_upstream_round_robin.c):
 * each selection adds every eligible server's weight to its running score, picks the highest score (the
 * lowest index on a tie) and subtracts the total weight from the winner. Over any {@code W} consecutive
 * selections ({@code W} the sum of the weights) each server is chosen exactly its weight's number of times,
 * and the choices are interleaved rather than in bursts: weights 5, 1, 1 give a, a, b, a, c, a, a.
 *
 * <p>Servers that are unavailable or of weight 0 are skipped and their score is reset, so a server that
 * comes back starts fresh instead of receiving a burst it "saved up". Weights may change at any time; the
 * next selection uses the new ones.
 *
 * <p>One instance per server set, owned by its forwarding thread. Allocation-free, except that the score
 * array grows (once) when the set grows beyond the size it was created for.
 */
public final class WeightedRoundRobin implements Scheduler {

    private long[] scores;

    public WeightedRoundRobin() {
        this(16);
    }

    /** @param expectedServers the server count to size the scores for */
    public WeightedRoundRobin(int expectedServers) {
        scores = new long[Math.max(1, expectedServers)];
    }

    @Override
    public int select(ServerSet servers, int clientAddress, long nowMs) {
        int size = servers.size();
        if (size > scores.length) {
            scores = Arrays.copyOf(scores, size);
        }
        long[] score = scores;
        long totalWeight = 0;
        int best = -1;
        for (int i = 0; i < size; i++) {
            int weight = servers.weight(i);
            if (weight <= 0 || !servers.available(i)) {
                score[i] = 0;
                continue;
            }
            score[i] += weight;
            totalWeight += weight;
            if (best < 0 || score[i] > score[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            score[best] -= totalWeight;
        }
        return best;
    }

    @Override
    public int peek(ServerSet servers, int clientAddress, long nowMs) {
        int best = -1;
        long bestScore = 0;
        for (int i = 0; i < servers.size(); i++) {
            int weight = servers.weight(i);
            if (weight <= 0 || !servers.available(i)) {
                continue;
            }
            long score = (i < scores.length ? scores[i] : 0) + weight;
            if (best < 0 || score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }
}
