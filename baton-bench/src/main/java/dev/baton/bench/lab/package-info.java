/**
 * Lab benchmarks: Baton against the Linux kernel's own IP forwarding, measured in one run on the same lab
 * path (network namespaces, veth pairs and bridges built by {@code dev.baton.lab}), so that only the ratio
 * matters, never an absolute number carried from another run or machine.
 *
 * <p>{@link dev.baton.bench.lab.LabForwardingBenchmark} is the entry point ({@code bench/lab.sh}). It measures
 * 64-byte UDP packets per second delivered to the servers ({@link dev.baton.bench.lab.UdpGenerator} sends,
 * {@link dev.baton.bench.lab.UdpSinks} counts), TCP throughput and round-trip time with one stream and several (iperf3,
 * {@link dev.baton.bench.lab.TcpResult}, {@link dev.baton.bench.lab.TcpRun}) and the router CPU's time per forwarded
 * packet ({@link dev.baton.bench.lab.CpuTicks}, {@link dev.baton.bench.lab.ProcessTicks}), for each
 * {@link dev.baton.bench.lab.Contestant} in turn on the same router namespace: kernel forwarding
 * ({@link dev.baton.bench.lab.KernelForwarding}), and a {@code baton run} process ({@link dev.baton.bench.lab.BatonUnderTest})
 * on AF_PACKET rings or with its XDP program in native mode, for which the lab gives the router veths' bridge-side peers
 * a pass program ({@link dev.baton.bench.lab.NativeXdpOnVeth}) and the router veth a NAPI thread pinned to the router
 * CPU ({@link dev.baton.bench.lab.ThreadedNapi}). {@link dev.baton.bench.lab.BatonCounters} says where Baton lost
 * packets, {@link dev.baton.bench.lab.TcpChecksumErrors} whether a segment reached a server with a bad checksum,
 * {@link dev.baton.bench.lab.ForeignLoad} how much CPU other processes took during a window, and
 * {@link dev.baton.bench.lab.LabReport} prints the tables. Method and results: docs/benchmarks.md.
 *
 * <p>{@link dev.baton.bench.lab.FailoverBenchmark} ({@code bench/failover.sh}) is the failover benchmark: a
 * high-availability pair ({@link dev.baton.lab.HaLabPair}) under long-lived echo connections, killed with
 * SIGKILL round after round and then switched over by the operator; {@link dev.baton.bench.lab.WireCapture}
 * timestamps the routers' frames in the switch namespace, {@link dev.baton.bench.lab.FailoverRound} holds a round's
 * figures and {@link dev.baton.bench.lab.FailoverReport} aggregates them against the targets.
 *
 * <p>{@link dev.baton.bench.lab.SynRateBenchmark} ({@code bench/syn-rate.sh}) measures new connections per second through
 * Baton's slow path on the same lab: {@link dev.baton.bench.lab.SynGenerator}, a JVM of its own on the generator CPU,
 * opens connections ({@link dev.baton.bench.lab.SynFrames}: a SYN, its ACK, and a segment 1.1 s later that makes it
 * ESTABLISHED, kept in a {@link dev.baton.bench.lab.ConfirmRing} by {@link dev.baton.bench.lab.SynLoad}) and publishes
 * its counters in a mapped file ({@link dev.baton.bench.lab.SynGeneratorCounters}); {@link dev.baton.bench.lab.TcpSinks}
 * counts each kind of segment at the servers, {@link dev.baton.bench.lab.SynRateResult} holds a window's figures and
 * {@link dev.baton.bench.lab.SynRateReport} prints them against the target.
 *
 * <p>Threads: everything here runs on the benchmark's main thread, the SYN generator on its own JVM's; the packet work
 * happens in other processes (trafgen, the SYN generator, the Baton JVM, the kernel and its NAPI threads), pinned to their
 * CPUs with taskset(1) and RPS.
 */
package dev.baton.bench.lab;
