/**
 * Probes and their verdicts. {@link dev.baton.probe.RiseFall} turns a target's probe results into up and
 * down with rise and fall counts, so that one lost probe does not take a server out and one answer does not
 * bring a dead one back. Shared by the reachability manager (RM 230, US 6,148,410 FIG. 4) and server health
 * checks. Pure: results come with their time, so tests step a clock.
 */
package dev.baton.probe;
