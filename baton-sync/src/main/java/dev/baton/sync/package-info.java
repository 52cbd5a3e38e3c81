/**
 * The synchronization manager's protocol logic (US 6,148,410, FIG. 2, SM 220): the active
 * router's {@link dev.baton.sync.SyncSender} (sub-state SYNC-OUT) dumps its connection table in bounded
 * SYNC_BATCH messages under a flow-control window, closes the dump with SYNC_END (entry count and table
 * digest), then streams every connection change in UPDATE_BATCH messages at most every t4; the standby's
 * {@link dev.baton.sync.SyncReceiver} (sub-state SYNC-IN) applies them to its own table, verifies the
 * digest, detects gaps and reports "synchronized" or "resynchronization needed" ({@link dev.baton.sync.SyncEvents}).
 *
 * <p>Pure: no sockets and no clock. Messages go out through a {@link dev.baton.sync.SyncOutput} as payloads
 * in a {@link dev.baton.peer.PeerMessageBuffer} (the transport adds header and tag) and come in as payload
 * ranges already authenticated by {@link dev.baton.peer.MessageVerifier}; time is a {@code nowMs} argument.
 *
 * <p>Conventions on top of {@code docs/protocol.md}:
 * <ul>
 *   <li>Update sequences are {@code (sessionId << 32) | n}, {@code n} from 1 per dump session, so an update
 *       batch from an abandoned session is recognized and ignored, and an update stream always starts at a
 *       known point right after the dump's snapshot.</li>
 *   <li>SYNC_END counts as batch {@code lastBatchSequence + 1} of the sync stream: the standby acknowledges
 *       it (ACK stream 1, sequence {@code last + 1}) once the digest matched; until then the active resends it.</li>
 *   <li>When a NACK asks for updates no longer kept, the active starts a new dump under session id + 1
 *       without a request; the standby seeing a newer session reports resynchronization needed and follows.</li>
 * </ul>
 *
 * <p>Threads: a sender belongs to the thread that owns its {@link dev.baton.table.ConnectionTable} (it is that
 * table's {@link dev.baton.table.ConnectionListener}); a receiver to the thread that owns the standby's table.
 * Neither is thread-safe. The change path (listener callbacks, batch encoding) allocates nothing; starting a
 * dump allocates its snapshot.
 */
package dev.baton.sync;
