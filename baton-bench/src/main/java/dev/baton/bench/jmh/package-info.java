/**
 * JMH micro-benchmarks of the per-packet code: the connection table at 10 million entries
 * ({@link dev.baton.bench.jmh.ConnectionTableBenchmark}, {@link dev.baton.bench.jmh.ConnectionTableInsertBenchmark},
 * {@link dev.baton.bench.jmh.TableMemoryReport}), the forwarding worker without I/O
 * ({@link dev.baton.bench.jmh.ForwardingBenchmark} over {@link dev.baton.bench.jmh.ReplayPacketPort}) and the
 * Internet checksum ({@link dev.baton.bench.jmh.ChecksumBenchmark}).
 *
 * <p>Built into {@code baton-bench/target/benchmarks.jar} and run by {@code bench/jmh.sh}; never run by the
 * build. Figures and the command that reproduces them are in {@code docs/benchmarks.md}.
 *
 * <p>Threading: every benchmark is single-threaded, like the code it measures (one forwarding worker owns its
 * table). State is per JMH thread ({@code Scope.Thread}); the JMH worker thread owns all of it.
 */
package dev.baton.bench.jmh;
