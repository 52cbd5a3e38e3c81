/**
 * Counters: per-worker {@code long[]} written only by their worker with opaque stores and summed by the
 * control thread; {@link dev.baton.dataplane.stats.DropReason} names every reason a frame is not forwarded,
 * with stable codes.
 */
package dev.baton.dataplane.stats;
