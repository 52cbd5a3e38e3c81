/**
 * Running real {@code baton run} processes in lab namespaces: {@link dev.baton.control.lab.LabRouter} (one
 * router), used by the demo, the acceptance tests and the lab benchmarks; {@link dev.baton.control.lab.HaLabPair}
 * (a high-availability pair on the failover lab) and {@link dev.baton.control.lab.EchoLoad} (its client side:
 * long-lived echo connections and what they lost and stalled), used by the failover acceptance tests and the
 * failover benchmark.
 *
 * <p>Threads: everything here is used by the one thread that built the lab; the routers, clients and servers are
 * other processes.
 */
package dev.baton.control.lab;
