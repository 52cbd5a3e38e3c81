/**
 * The lab: a programmatic builder of virtual networks of Linux network namespaces for Baton's tests,
 * benchmarks and demo, and the only place in Baton that does privileged network set-up.
 *
 * <p>{@link dev.baton.lab.Lab} builds a lab from a {@link dev.baton.lab.Layout} and host counts: clients
 * behind an upstream router (kernel forwarding), router namespaces for Baton, and servers holding the VIPs on
 * loopback with ARP for them suppressed (direct server return), joined by Linux bridges in a switch namespace
 * ({@link dev.baton.lab.Segment}). Hosts ({@link dev.baton.lab.Host}, {@link dev.baton.lab.UpstreamHost},
 * {@link dev.baton.lab.RouterHost}, {@link dev.baton.lab.ServerHost}) run commands and background processes
 * ({@link dev.baton.lab.LabProcess}) inside their namespaces; servers start nginx and a TCP echo/stream server.
 * A {@link dev.baton.lab.HeartbeatCable} can join the first two routers directly, and
 * {@link dev.baton.lab.EchoClients} runs many long-lived TCP echo clients that verify every byte and time every
 * stall (the failover tests' load). Everything is done by running iproute2, sysctl, ethtool, nginx and python3
 * ({@link dev.baton.lab.Tool}).
 *
 * <p>Baton runs in a lab as real {@code baton run} processes, shared by the demo, the acceptance tests and the lab
 * benchmarks: {@link dev.baton.lab.LabRouter} (one router, asked for its status over its control socket),
 * {@link dev.baton.lab.HaLabPair} (a high-availability pair on the failover lab) and {@link dev.baton.lab.EchoLoad}
 * (the pair's client side: long-lived echo connections and what they lost and stalled).
 *
 * <p>Only TEST-NET addresses (RFC 5737) are used and no route leaves the lab. Names carry a per-run prefix;
 * labs are removed on close, at JVM exit, and (by state file and owner PID) after their owner was killed.
 * See docs/lab.md.
 *
 * <p>Threads: a lab is used by the thread that built it (a test, a benchmark, the CLI); the routers, clients and
 * servers are other processes; nothing here is on a packet path. {@link dev.baton.lab.Lab#close()} is idempotent
 * and also runs on the JVM shutdown hook thread.
 */
package dev.baton.lab;
