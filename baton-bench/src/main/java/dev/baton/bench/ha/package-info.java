/**
 * High-availability benchmarks: synchronization throughput over the real peer transport
 * ({@link dev.baton.bench.ha.SyncBenchmark}). Each runs on its own threads and sockets; nothing is shared.
 */
package dev.baton.bench.ha;
