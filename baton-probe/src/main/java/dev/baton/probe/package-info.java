/**
 * Probes and their verdicts, shared by the reachability manager (RM 230, US 6,148,410 FIG. 4) and server health
 * checks.
 *
 * <ul>
 *   <li>{@link dev.baton.probe.ProbeSpec} and {@link dev.baton.probe.ProbeTarget}: what is probed (TCP connect,
 *       HTTP or HTTPS GET, ICMP echo, ARP who-has), from which source address, how often, how long a probe waits,
 *       and the rise and fall counts; validated where they are built.</li>
 *   <li>{@link dev.baton.probe.ProbeEngine}: the agent that runs the probes, one thread, non-blocking, driven by an
 *       injected clock; every buffer and count bounded. Health changes go to a ring the owner drains
 *       ({@link dev.baton.probe.HealthChangeHandler}).</li>
 *   <li>{@link dev.baton.probe.HttpResponseScanner}: the bounded, streaming reader of an HTTP check's response;
 *       an HTTPS check's goes through it too, once {@code TlsProbes} has run the TLS handshake over the probe's
 *       socket with the JDK's {@code SSLEngine}.</li>
 *   <li>{@link dev.baton.probe.RiseFall}: turns a target's results into up and down with rise and fall counts, so
 *       that one lost probe does not take a server out and one answer does not bring a dead one back.</li>
 * </ul>
 *
 * <p>Threads: everything here belongs to the probe engine's thread; results come with their time, so tests step a
 * clock.
 */
package dev.baton.probe;
