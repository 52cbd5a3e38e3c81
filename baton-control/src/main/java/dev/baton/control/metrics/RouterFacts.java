package dev.baton.control.metrics;

import java.util.List;
import java.util.Objects;

/**
 * What the metrics say about the router beside its counters: constant while it runs.
 *
 * @param router        the router's id ({@code router.id})
 * @param version       Baton's version
 * @param datapath      the data path in use: {@code xdp} or {@code af-packet} (after a fallback, not as configured)
 * @param tableCapacity the connection table's configured capacity, over every worker
 * @param idleVips      the VIPs of a router without {@code high-availability}: no monitor runs for them, and they
 *                      are in FIG. 3's IDLE state (310) for as long as the router runs; empty with peers, whose
 *                      monitors count their state themselves ({@code vip_state})
 */
record RouterFacts(String router, String version, String datapath, long tableCapacity, List<String> idleVips) {

    RouterFacts {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(datapath, "datapath");
        idleVips = List.copyOf(idleVips);
    }
}
