/**
 * The patent's keep-alive manager (KAM 210, US 6,148,410 FIG. 2): it monitors the peer routers over all the
 * configured network links and generates alive and failure notifications for the monitoring manager (MM 240,
 * connection 205).
 *
 * <p>{@link dev.baton.keepalive.KeepAliveManager} is pure logic driven by an injected time: which heartbeats
 * are due, which links and peers are alive or failed. A peer fails only when all its links have been silent
 * for the failure time; one link failing is reported and fails nothing. {@link dev.baton.keepalive.PeerTransport}
 * carries authenticated peer messages (baton-peer's wire format, {@code docs/protocol.md}) over UDP on every
 * link and hands verified ones to a handler with the link they arrived on.
 *
 * <p>Threads: nothing here is thread-safe. One peer-agent thread owns a manager and a transport and drives
 * both (receive, heartbeats due, poll); status snapshots are taken on that thread and handed on as immutable
 * records. The transport's channels may be opened on another thread (e.g. inside a network namespace with
 * {@code NetworkNamespace.callIn}) before the owner starts using them.
 */
package dev.baton.keepalive;
