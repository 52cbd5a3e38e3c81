/**
 * The peer protocol between routers (the patent's keep-alive and synchronization managers talk
 * over it): the versioned UDP wire format ({@link dev.baton.peer.PeerHeaderFlyweight} and one payload
 * flyweight per {@link dev.baton.peer.MessageType}), its authentication by HMAC-SHA256 under a pre-shared
 * {@link dev.baton.peer.PeerKey} ({@link dev.baton.peer.MessageAuthenticator}), and the per-sender replay
 * window ({@link dev.baton.peer.ReplayWindow}) behind the receive-side entry point
 * {@link dev.baton.peer.MessageVerifier}. The format is documented with diagrams in {@code docs/protocol.md}.
 *
 * <p>Threads: nothing here is thread-safe except {@link dev.baton.peer.VerdictCounters}, which another
 * thread may read. The peer agent's receive thread owns one {@link dev.baton.peer.MessageVerifier} (with
 * its own authenticator and windows); the sending thread owns one {@link dev.baton.peer.MessageComposer}
 * (with its own authenticator). Encoding, signing, verifying and decoding allocate nothing.
 */
package dev.baton.peer;
