package dev.baton.scheduling;

/**
 * Weighted least connections: the eligible server with the fewest active connections per unit of weight,
 * {@code activeConnections(i) / weight(i)} minimal. The ratios are compared by cross-multiplication
 * ({@code a_i * w_j < a_j * w_i}, in 64 bits), never by division, so no rounding decides a choice.
 *
 * <p>Ties go to the first tied server counting from a start index that moves on by one at every
 * selection, so equally loaded servers alternate instead of the lowest index taking every tie (which
 * matters when several connections are scheduled before any is counted). Unavailable servers and servers
 * of weight 0 are skipped.
 *
 * <p>One instance per server set, owned by its forwarding thread. Allocation-free.
 */
public final class WeightedLeastConnections implements Scheduler {

    private int start;

    @Override
    public int select(ServerSet servers, int clientAddress, long nowMs) {
        int size = servers.size();
        if (size == 0) {
            return -1;
        }
        if (start >= size) {
            start = 0;
        }
        int best = peek(servers, clientAddress, nowMs);
        start = start + 1 == size ? 0 : start + 1;
        return best;
    }

    @Override
    public int peek(ServerSet servers, int clientAddress, long nowMs) {
        int size = servers.size();
        if (size == 0) {
            return -1;
        }
        int best = -1;
        long bestActive = 0;
        long bestWeight = 1;
        int i = start >= size ? 0 : start;
        for (int visited = 0; visited < size; visited++) {
            int weight = servers.weight(i);
            if (weight > 0 && servers.available(i)) {
                long active = servers.activeConnections(i);
                // active / weight < bestActive / bestWeight, with both weights positive
                if (best < 0 || active * bestWeight < bestActive * weight) {
                    best = i;
                    bestActive = active;
                    bestWeight = weight;
                }
            }
            i = i + 1 == size ? 0 : i + 1;
        }
        return best;
    }
}
