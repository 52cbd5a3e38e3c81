package dev.baton.sync;

import dev.baton.peer.AckFlyweight;
import dev.baton.peer.ConnectionRecordFlyweight;
import dev.baton.peer.MessageType;
import dev.baton.peer.NackFlyweight;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.peer.SyncBatchFlyweight;
import dev.baton.peer.SyncEndFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.UpdateBatchFlyweight;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * The standby router's side of table synchronization (sub-state SYNC-IN of FIG. 3; the patent's SM 220
 * "initializes the internal tables of its local FTR-CR with the synchronization data received ... Next, the
 * standby FTR-CR uses the periodic updates to update its tables").
 *
 * <ul>
 *   <li>{@link #startSync} asks for a dump (SYNC_REQUEST, repeated after the retransmission timeout until a
 *       batch arrives). The local copy stays until the dump's first message arrives, and only then is emptied:
 *       a standby whose active dies (or stops serving dumps) before that takes over with the copy it had, and
 *       the connections in it carry on, instead of with an empty table that loses every one.</li>
 *   <li>SYNC_BATCH records are applied with {@link ConnectionTable#upsert}, each record's age turned into
 *       a last-seen time on this router's clock ({@code nowMs - age}). Batches may arrive in any order (they
 *       hold distinct keys of one snapshot); each is applied once, holes are NACKed, progress is ACKed
 *       cumulatively, which opens the sender's window.</li>
 *   <li>SYNC_END: once every batch is in, the entry count and digest must equal the local table's: then
 *       {@link SyncEvents#onSynchronized} (the "cache synchronized" event of transition 346); otherwise
 *       {@link SyncEvents#onResynchronizationNeeded} and a new request.</li>
 *   <li>UPDATE_BATCH records are applied strictly in sequence order; an old one is a duplicate (ignored,
 *       re-ACKed), one beyond the next expected sequence is a gap: NACKed, and the batch is kept (up to
 *       {@link #HELD_UPDATE_BATCHES}, the nearest ones, in {@link HeldUpdateBatches}) until the sender's resend
 *       fills the gap, then applied.</li>
 *   <li>{@link #trail}: this router took the VIP over from the active it followed, which drains (it goes on
 *       forwarding what the upstream still sends it, new connections included, for {@code handover-drain}).
 *       Its updates still arrive and are acknowledged, but this table is now the reference: only connections
 *       it does not hold are added; removals, state changes and refreshes of connections it holds are not
 *       applied, and a dump never is (it would empty the active's table).</li>
 * </ul>
 *
 * <p>Owner thread of the standby's table only. Applying a batch allocates nothing (the first gap allocates the
 * slots for held batches, 16 x 1,416 bytes, once); starting a sync does.
 */
public final class SyncReceiver {

    private enum Phase { IDLE, SYNC_IN, SYNCHRONIZED, CAPACITY_REFUSED, TRAILING }

    /**
     * First wait before a dump is asked again after it failed for a reason a new request alone cannot
     * cure (the active's partition does not fit this table, or a second digest mismatch in a row); doubled
     * on each further failure up to {@link #MAX_RETRY_BACKOFF_MS} (no wipe-and-ask loop).
     */
    public static final long FIRST_RETRY_BACKOFF_MS = 1_000;
    public static final long MAX_RETRY_BACKOFF_MS = 60_000;

    /**
     * How far beyond the last contiguous dump batch a batch may be and still be kept.
     * The sender never has more than its window in flight, so a sequence further ahead is not a reordered
     * batch but a corrupt or hostile number; without this bound a sequence of 2^31-1 grew the
     * {@link BitSet} of received batches by 256 MiB. 4,096 batches cover any sane {@code windowBatches}.
     */
    public static final int SYNC_REORDER_LIMIT = 4096;

    /** Reasons a replication record is refused before it touches the table. */
    public static final int INVALID_PROTOCOL = 0;
    /** The state code is not one of {@link TcpState}'s, or not one of the record's protocol. */
    public static final int INVALID_STATE = 1;
    /** The record's service is not of the partition (VIP) this stream replicates, or out of range. */
    public static final int INVALID_SERVICE = 2;
    /** The server index is out of range. */
    public static final int INVALID_SERVER = 3;
    private static final String[] INVALID_REASON_NAMES = {"protocol", "state", "service", "server"};
    /** Largest service or server id a table stores (16 bits). */
    private static final int ID_LIMIT = 1 << 16;

    private final int serviceId;
    /** The table partition this receiver fills: only its entries are cleared and compared. */
    private final int partition;
    private final ConnectionTable table;
    private final SyncSettings settings;
    private final SyncOutput output;
    private final SyncEvents events;
    private final PeerMessageBuffer buffer = new PeerMessageBuffer();
    private final SyncRequestFlyweight request = new SyncRequestFlyweight();
    private final SyncBatchFlyweight syncBatch = new SyncBatchFlyweight();
    private final SyncEndFlyweight syncEnd = new SyncEndFlyweight();
    private final UpdateBatchFlyweight updateBatch = new UpdateBatchFlyweight();
    private final AckFlyweight ack = new AckFlyweight();
    private final NackFlyweight nack = new NackFlyweight();
    private final ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();

    private Phase phase = Phase.IDLE;
    /**
     * Whether the partition still holds the copy from before this session's dump: emptied by the dump's first
     * batch or its end ({@link #replaceCopy}), not when the dump is asked for.
     */
    private boolean copyToReplace;
    private int sessionId;
    private int requestReason;
    private long lastProgressMs;

    // dump
    private final BitSet batchesReceived = new BitSet();
    private long contiguousBatches;
    private boolean endReceived;
    private long endLastBatch;
    private long endEntryCount;
    private long endDigest;
    private long lastSyncNackFrom = -1;
    private long lastSyncNackMs;

    // update stream (low 32 bits of the sequence; the high 32 are the session)
    /** Update batches kept while a gap before them is repaired: at most this many, the nearest to the gap. */
    public static final int HELD_UPDATE_BATCHES = HeldUpdateBatches.CAPACITY;
    private final HeldUpdateBatches held = new HeldUpdateBatches();
    private long nextExpectedUpdate;
    private long lastUpdateNackFrom = -1;
    private long lastUpdateNackMs;

    // counters
    private long recordsApplied;
    private long applyFailures;
    private long duplicates;
    private long gaps;
    private long resyncs;
    private long digestMismatches;
    private long staleMessages;
    private long outOfWindow;
    private long capacityRefusals;
    private long refusedActiveEntries;
    private long offeredCapacity;
    private long trailedRecordsSkipped;
    /** Consecutive dumps that failed (digest or capacity); 0 once synchronized. */
    private int consecutiveFailures;
    /** No SYNC_REQUEST is sent before this time (back-off after a failed dump). */
    private long requestHeldUntilMs = Long.MIN_VALUE;
    private final long[] invalidRecords = new long[INVALID_REASON_NAMES.length];

    /**
     * What the host knows of its configuration, to refuse records of services or servers it does not have
     * (a server index must lie within the VIP's server set). Called per record: keep it cheap.
     */
    public interface RecordCheck {

        /** Accepts every service and server id the table can hold. */
        RecordCheck ANY = new RecordCheck() {
            @Override
            public boolean serviceKnown(int serviceId) {
                return true;
            }

            @Override
            public boolean serverOf(int serviceId, int serverId) {
                return true;
            }
        };

        /** Whether {@code serviceId} is a configured service. */
        boolean serviceKnown(int serviceId);

        /** Whether {@code serverId} is one of the servers of the (known) service. */
        boolean serverOf(int serviceId, int serverId);
    }

    private RecordCheck recordCheck = RecordCheck.ANY;

    /** Sets the configuration check applied to every record after the wire-level checks. */
    public SyncReceiver recordCheck(RecordCheck check) {
        this.recordCheck = check;
        return this;
    }

    /** A receiver of the whole table (partition 0 of an unpartitioned table). */
    public SyncReceiver(int serviceId, ConnectionTable table, SyncSettings settings, SyncOutput output, SyncEvents events) {
        this(serviceId, 0, table, settings, output, events);
    }

    /**
     * A receiver of one partition of {@code table}: a dump replaces that partition's entries only, and the
     * digest check compares that partition's digest.
     */
    public SyncReceiver(int serviceId, int partition, ConnectionTable table, SyncSettings settings, SyncOutput output,
                        SyncEvents events) {
        this.serviceId = serviceId;
        this.partition = partition;
        this.table = table;
        this.settings = settings;
        this.output = output;
        this.events = events;
    }

    /**
     * Enters SYNC-IN: sends a SYNC_REQUEST under a new session id. The local table will hold exactly the
     * active's snapshot, but keeps its present copy until the dump begins to arrive: this router may have to
     * take the VIP over before then (its active crashed, or stalled and stopped serving dumps), and a stale
     * copy keeps the connections it holds where an empty table would drop every one.
     *
     * @param reason a {@link SyncRequestFlyweight} reason code
     */
    public void startSync(int reason, long nowMs) {
        sessionId++;
        enterSession(reason, nowMs);
        requestHeldUntilMs = Long.MIN_VALUE;
        consecutiveFailures = 0;
        sendRequest();
    }

    /**
     * This router took the VIP over from the peer it followed: keeps applying that peer's update stream, as a
     * tail, while the peer drains. Connections the old active opened after it handed over (their first packets
     * were in its receive ring, or sent before the upstream heard this router's gratuitous ARP) exist in its
     * table only; its stream brings them here. Only the update stream of the verified session is applied and
     * only as inserts of connections this table lacks: this router forwards now, its own entries are newer
     * than the old active's view of them. A copy that was not synchronized has no stream to trail.
     *
     * @return whether the stream is trailed (the copy was synchronized)
     */
    public boolean trail() {
        if (phase != Phase.SYNCHRONIZED) {
            phase = Phase.IDLE;
            return false;
        }
        phase = Phase.TRAILING;
        return true;
    }

    /** Back-off after the {@code consecutiveFailures}-th failed dump: 0 for the first, then 1 s, 2 s ... 60 s. */
    private long backoffMs() {
        if (consecutiveFailures <= 1) {
            return 0;
        }
        int doublings = Math.min(consecutiveFailures - 2, 16);
        return Math.min(MAX_RETRY_BACKOFF_MS, FIRST_RETRY_BACKOFF_MS << doublings);
    }

    private void enterSession(int reason, long nowMs) {
        phase = Phase.SYNC_IN;
        copyToReplace = true;
        requestReason = reason;
        batchesReceived.clear();
        contiguousBatches = 0;
        endReceived = false;
        lastSyncNackFrom = -1;
        nextExpectedUpdate = 1;
        lastUpdateNackFrom = -1;
        held.clear();
        lastProgressMs = nowMs;
    }

    /** The dump of this session is arriving: the copy from before it goes (once per session). */
    private void replaceCopy() {
        if (copyToReplace) {
            copyToReplace = false;
            clearTable();
        }
    }

    private void clearTable() {
        int size = table.partitionSize(partition);
        long[] keys = new long[size * 2];
        int[] count = {0};
        table.forEach((protocol, clientAddress, clientPort, vip, vipPort, service, serverId, state, lastSeenMs) -> {
            if (table.partitionOf(service, serverId) != partition) {
                return;
            }
            int i = count[0]++;
            keys[2 * i] = ((long) clientAddress << 32) | Integer.toUnsignedLong(vip);
            keys[2 * i + 1] = ((long) protocol << 32) | ((long) clientPort << 16) | vipPort;
        });
        for (int i = 0; i < count[0]; i++) {
            long ports = keys[2 * i + 1];
            table.remove((int) (ports >>> 32), (int) (keys[2 * i] >>> 32), (int) ((ports >>> 16) & 0xFFFF),
                    (int) keys[2 * i], (int) (ports & 0xFFFF));
        }
    }

    /** Repeats the SYNC_REQUEST while no dump arrives (the request or every batch may have been lost). */
    public void poll(long nowMs) {
        if (phase == Phase.CAPACITY_REFUSED && nowMs >= requestHeldUntilMs) {
            // Retry: the active's partition may have shrunk, or this table grown (a new config).
            sessionId++;
            enterSession(requestReason, nowMs);
            sendRequest();
            return;
        }
        if (phase == Phase.SYNC_IN && nowMs >= requestHeldUntilMs
                && nowMs - lastProgressMs >= settings.retransmitTimeoutMs()) {
            lastProgressMs = nowMs;
            sendRequest();
        }
    }

    /**
     * Handles a message from the active (SYNC_BATCH, SYNC_END or UPDATE_BATCH), given as its payload range
     * after authentication. Other types, other services and malformed payloads are ignored.
     *
     * @return whether the message was for this receiver and well formed
     */
    public boolean receive(MessageType type, MemorySegment segment, long payloadOffset, int payloadLength, long nowMs) {
        switch (type) {
            case SYNC_BATCH -> {
                syncBatch.wrap(segment, payloadOffset, payloadLength);
                if (!syncBatch.valid() || syncBatch.serviceId() != serviceId) {
                    return false;
                }
                if (acceptSession(syncBatch.sessionId(), nowMs)) {
                    onSyncBatch(nowMs);
                }
                return true;
            }
            case SYNC_END -> {
                syncEnd.wrap(segment, payloadOffset, payloadLength);
                if (!syncEnd.valid() || syncEnd.serviceId() != serviceId) {
                    return false;
                }
                if (acceptSession(syncEnd.sessionId(), nowMs)) {
                    onSyncEnd(nowMs);
                }
                return true;
            }
            case UPDATE_BATCH -> {
                updateBatch.wrap(segment, payloadOffset, payloadLength);
                if (!updateBatch.valid() || updateBatch.serviceId() != serviceId) {
                    return false;
                }
                onUpdateBatch(segment, payloadOffset, payloadLength, nowMs);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Whether a dump message belongs to the current session. A newer session is a dump the active started
     * by itself (it could not repair a gap): the copy is no longer known to be identical, so follow it.
     */
    private boolean acceptSession(int messageSession, long nowMs) {
        boolean following = phase == Phase.SYNC_IN || phase == Phase.SYNCHRONIZED;
        if (messageSession == sessionId && (following || phase == Phase.TRAILING)) {
            return true; // a trailed stream's verified dump is acknowledged again, never applied
        }
        if (following && messageSession - sessionId > 0) {
            resyncs++;
            sessionId = messageSession;
            enterSession(SyncRequestFlyweight.REASON_GAP, nowMs);
            events.onResynchronizationNeeded(serviceId, SyncRequestFlyweight.REASON_GAP, nowMs);
            return true;
        }
        staleMessages++;
        return false;
    }

    private void onSyncBatch(long nowMs) {
        long sequence = syncBatch.batchSequence();
        boolean verified = phase == Phase.SYNCHRONIZED || phase == Phase.TRAILING;
        if (!verified && sequence > contiguousBatches + SYNC_REORDER_LIMIT) {
            outOfWindow++; // never sent by a sender within its window: drop, allocate nothing
            return;
        }
        if (verified || sequence < 1 || batchesReceived.get((int) sequence)) {
            duplicates++;
            sendAck(AckFlyweight.STREAM_SYNC, sequence(verified ? endLastBatch + 1 : contiguousBatches));
            return;
        }
        lastProgressMs = nowMs;
        replaceCopy();
        int count = syncBatch.recordCount();
        for (int i = 0; i < count; i++) {
            apply(syncBatch.record(i, record), nowMs);
        }
        batchesReceived.set((int) sequence);
        while (batchesReceived.get((int) contiguousBatches + 1)) {
            contiguousBatches++;
        }
        if (sequence > contiguousBatches + 1) {
            nackSyncHole(nowMs);
        }
        sendAck(AckFlyweight.STREAM_SYNC, sequence(contiguousBatches));
        if (endReceived && contiguousBatches >= endLastBatch) {
            verify(nowMs);
        }
    }

    private void onSyncEnd(long nowMs) {
        if (phase == Phase.SYNCHRONIZED || phase == Phase.TRAILING) {
            // Our acknowledgement was lost. The active holds the changes it made during the dump until it hears
            // it: a standby that took the VIP over (trailing) still needs them, so it acknowledges again too.
            duplicates++;
            sendAck(AckFlyweight.STREAM_SYNC, sequence(endLastBatch + 1));
            return;
        }
        lastProgressMs = nowMs;
        endReceived = true;
        endLastBatch = syncEnd.lastBatchSequence();
        endEntryCount = syncEnd.entryCount();
        endDigest = syncEnd.tableDigest();
        if (endLastBatch > endEntryCount || endLastBatch > contiguousBatches + SYNC_REORDER_LIMIT + 1) {
            // Every batch holds at least one record, and the end follows the window: anything else is an
            // impossible number, not a dump to wait for or to NACK in full.
            endReceived = false;
            outOfWindow++;
            return;
        }
        replaceCopy(); // an empty dump has no batch
        long room = room();
        if (endEntryCount > room) {
            refuseForCapacity(endEntryCount, room, nowMs);
            return;
        }
        if (contiguousBatches >= endLastBatch) {
            verify(nowMs);
        } else {
            nackSyncHole(nowMs);
        }
    }

    private void nackSyncHole(long nowMs) {
        long first = contiguousBatches + 1;
        int next = batchesReceived.nextSetBit((int) first);
        long last = next < 0 ? endLastBatch : next - 1;
        if (last < first) {
            return;
        }
        // One NACK per hole per retransmission interval: every later batch would otherwise repeat it.
        if (first == lastSyncNackFrom && nowMs - lastSyncNackMs < settings.retransmitTimeoutMs()) {
            return;
        }
        gaps++;
        lastSyncNackFrom = first;
        lastSyncNackMs = nowMs;
        nack.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, NackFlyweight.LENGTH)
                .set(serviceId, AckFlyweight.STREAM_SYNC, sequence(first), sequence(last));
        output.send(MessageType.NACK, buffer, NackFlyweight.LENGTH);
    }

    /**
     * The active's partition cannot fit here, so no dump can ever verify. Before, the
     * standby wiped its table and asked again at once, forever. Now it stops in a sub-state shown by
     * {@code baton ctl status}, reports both numbers, and asks again only after a growing back-off.
     */
    private void refuseForCapacity(long activeEntries, long room, long nowMs) {
        clearTable(); // batches of a dump from an active that did not refuse: never a partial copy
        capacityRefusals++;
        refusedActiveEntries = activeEntries;
        offeredCapacity = room;
        consecutiveFailures++;
        phase = Phase.CAPACITY_REFUSED;
        requestHeldUntilMs = nowMs + Math.max(FIRST_RETRY_BACKOFF_MS, backoffMs());
        events.onCapacityRefused(serviceId, activeEntries, room, nowMs);
    }

    /** Entries of this partition the table can hold: its capacity less the entries of other partitions. */
    private long room() {
        return (long) table.capacity() - table.size() + table.partitionSize(partition);
    }

    private void verify(long nowMs) {
        if (table.partitionSize(partition) == endEntryCount && table.partitionDigest(partition) == endDigest) {
            consecutiveFailures = 0;
            phase = Phase.SYNCHRONIZED;
            sendAck(AckFlyweight.STREAM_SYNC, sequence(endLastBatch + 1));
            events.onSynchronized(serviceId, nowMs);
            return;
        }
        digestMismatches++;
        resyncs++;
        int failures = consecutiveFailures + 1;
        events.onResynchronizationNeeded(serviceId, SyncRequestFlyweight.REASON_DIGEST_MISMATCH, nowMs);
        // A first mismatch is retried at once (a change raced the snapshot); repeated ones (e.g. an
        // authenticated peer whose records this receiver refuses) wait a growing back-off. The mismatched copy
        // stays until the next dump arrives: nearly the active's table, it is the best one to take over with.
        sessionId++;
        enterSession(SyncRequestFlyweight.REASON_DIGEST_MISMATCH, nowMs);
        consecutiveFailures = failures;
        long backoff = backoffMs();
        if (backoff == 0) {
            requestHeldUntilMs = Long.MIN_VALUE;
            sendRequest();
        } else {
            requestHeldUntilMs = nowMs + backoff;
            lastProgressMs = nowMs - settings.retransmitTimeoutMs(); // send as soon as the hold ends
        }
    }

    private void onUpdateBatch(MemorySegment segment, long payloadOffset, int payloadLength, long nowMs) {
        long first = updateBatch.firstUpdateSequence();
        if ((phase != Phase.SYNCHRONIZED && phase != Phase.TRAILING) || (int) (first >>> 32) != sessionId) {
            staleMessages++; // from an abandoned session, or before the dump is verified
            return;
        }
        long low = first & 0xFFFF_FFFFL;
        int count = updateBatch.recordCount();
        if (low + count <= nextExpectedUpdate) {
            duplicates++;
            sendAck(AckFlyweight.STREAM_UPDATE, sequence(nextExpectedUpdate - 1));
            return;
        }
        if (low > nextExpectedUpdate) {
            held.hold(low, segment, payloadOffset, payloadLength);
            if (nextExpectedUpdate != lastUpdateNackFrom || nowMs - lastUpdateNackMs >= settings.retransmitTimeoutMs()) {
                gaps++;
                lastUpdateNackFrom = nextExpectedUpdate;
                lastUpdateNackMs = nowMs;
                nack.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, NackFlyweight.LENGTH)
                        .set(serviceId, AckFlyweight.STREAM_UPDATE, sequence(nextExpectedUpdate), sequence(low - 1));
                output.send(MessageType.NACK, buffer, NackFlyweight.LENGTH);
            }
            return;
        }
        applyUpdates(low, count, nowMs);
        applyHeldBatches(nowMs);
        sendAck(AckFlyweight.STREAM_UPDATE, sequence(nextExpectedUpdate - 1));
    }

    /** Applies the wrapped batch from its first record not yet applied ({@code low <= nextExpectedUpdate}). */
    private void applyUpdates(long low, int count, long nowMs) {
        boolean trailing = phase == Phase.TRAILING;
        for (int i = (int) (nextExpectedUpdate - low); i < count; i++) {
            updateBatch.connection(i, record);
            if (!validRecord(record)) {
                continue;
            }
            if (trailing) {
                trailRecord(updateBatch.kind(i), nowMs);
            } else if (updateBatch.kind(i) == UpdateBatchFlyweight.KIND_REMOVE) {
                table.remove(record.protocol(), record.clientAddress(), record.clientPort(), record.vip(), record.vipPort());
                recordsApplied++;
            } else {
                apply(record, nowMs);
            }
        }
        nextExpectedUpdate = low + count;
    }

    /** Applies every held batch the stream has reached, in order; the ones it passed are dropped. */
    private void applyHeldBatches(long nowMs) {
        while (held.takeReached(nextExpectedUpdate, updateBatch)) {
            long low = updateBatch.firstUpdateSequence() & 0xFFFF_FFFFL;
            int count = updateBatch.recordCount();
            if (low + count > nextExpectedUpdate) {
                applyUpdates(low, count, nowMs);
            }
        }
    }

    /**
     * Checks every field {@link ConnectionTable#upsert} or {@code remove} would refuse by throwing, plus
     * the stream binding (the record's service must belong to this receiver's partition), and counts a
     * refusal by reason. Addresses are any 32-bit value, ports and the age are unsigned fields of the
     * flyweight and always in range. A refused record is dropped alone: the rest of its
     * batch is applied; if it was part of a dump, the digest check at SYNC_END fails and the dump is
     * re-requested, which is the documented answer to a peer that sends garbage with a valid tag.
     */
    private boolean validRecord(ConnectionRecordFlyweight connection) {
        int protocol = connection.protocol();
        int state = connection.state();
        int reason;
        if (protocol != ConnectionTable.PROTOCOL_TCP && protocol != ConnectionTable.PROTOCOL_UDP) {
            reason = INVALID_PROTOCOL;
        } else if (protocol == ConnectionTable.PROTOCOL_UDP ? state != TcpState.UDP : !TcpState.isTcp(state)) {
            reason = INVALID_STATE;
        } else if (connection.serviceId() < 0 || connection.serviceId() >= ID_LIMIT
                || !recordCheck.serviceKnown(connection.serviceId())
                || table.partitionOfService(connection.serviceId()) != partition) {
            reason = INVALID_SERVICE;
        } else if (table.partitionOf(connection.serviceId(), connection.serverId()) != partition) {
            // A server this router keeps only for its own connections since a reload (departing): not the peer's to set.
            reason = INVALID_SERVER;
        } else if (connection.serverId() < 0 || connection.serverId() >= ID_LIMIT
                || !recordCheck.serverOf(connection.serviceId(), connection.serverId())) {
            reason = INVALID_SERVER;
        } else {
            return true;
        }
        invalidRecords[reason]++;
        return false;
    }

    /** A record of the trailed stream: added if this table lacks the connection, else skipped (see {@link #trail}). */
    private void trailRecord(int kind, long nowMs) {
        if (kind == UpdateBatchFlyweight.KIND_REMOVE
                || table.find(record.protocol(), record.clientAddress(), record.clientPort(), record.vip(), record.vipPort()) >= 0) {
            trailedRecordsSkipped++;
            return;
        }
        apply(record, nowMs);
    }

    private void apply(ConnectionRecordFlyweight connection, long nowMs) {
        if (!validRecord(connection)) {
            return;
        }
        long lastSeenMs = Math.max(0, nowMs - connection.ageMs());
        long slot = table.upsert(connection.protocol(), connection.clientAddress(), connection.clientPort(),
                connection.vip(), connection.vipPort(), connection.serviceId(), connection.serverId(),
                connection.state(), lastSeenMs, nowMs);
        if (slot < 0) {
            applyFailures++; // table full: the digest will differ and a resync follows
        } else {
            recordsApplied++;
        }
    }

    private void sendRequest() {
        request.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, SyncRequestFlyweight.LENGTH)
                .set(serviceId, sessionId, requestReason, room());
        output.send(MessageType.SYNC_REQUEST, buffer, SyncRequestFlyweight.LENGTH);
    }

    private void sendAck(int stream, long sequence) {
        ack.wrap(buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET, AckFlyweight.LENGTH)
                .set(serviceId, stream, sequence);
        output.send(MessageType.ACK, buffer, AckFlyweight.LENGTH);
    }

    /**
     * A sequence of this session's streams as ACK and NACK carry it: the session in the high 32 bits, so an
     * acknowledgement from an earlier session (still in flight, or answering a batch resent from it) never
     * counts for a later one.
     */
    private long sequence(long low) {
        return ((long) sessionId << 32) | low;
    }

    // ------------------------------------------------------------------ state and counters

    public int serviceId() {
        return serviceId;
    }

    public int sessionId() {
        return sessionId;
    }

    /** Whether the last dump was verified (count and digest) and updates are being applied. */
    public boolean synchronizedWithActive() {
        return phase == Phase.SYNCHRONIZED;
    }

    /**
     * The sub-state for status: {@code idle}, {@code sync-in}, {@code synchronized}, {@code trailing} ({@link #trail}), or
     * {@code capacity-refused} (the active's partition does not fit this table; see {@link #refusedActiveEntries}).
     */
    public String syncStatus() {
        return switch (phase) {
            case IDLE -> "idle";
            case SYNC_IN -> "sync-in";
            case SYNCHRONIZED -> "synchronized";
            case CAPACITY_REFUSED -> "capacity-refused";
            case TRAILING -> "trailing";
        };
    }

    /** Update batches kept because they arrived beyond a gap (applied once it was repaired, or passed over). */
    public long heldBatches() {
        return held.count();
    }

    /** Records of a trailed stream not applied: removals, and connections this table already held ({@link #trail}). */
    public long trailedRecordsSkipped() {
        return trailedRecordsSkipped;
    }

    /** Dumps refused because the active's partition held more entries than this table could. */
    public long capacityRefusals() {
        return capacityRefusals;
    }

    /** The active's entry count at the last capacity refusal (0 if none). */
    public long refusedActiveEntries() {
        return refusedActiveEntries;
    }

    /** The room this table offered at the last capacity refusal (0 if none). */
    public long offeredCapacity() {
        return offeredCapacity;
    }

    /** Whether a dump is awaited or in progress (sub-state SYNC-IN). */
    public boolean syncing() {
        return phase == Phase.SYNC_IN;
    }

    /** Records applied to the table, from dumps and updates. */
    public long recordsApplied() {
        return recordsApplied;
    }

    /** Records the table refused (full). */
    public long applyFailures() {
        return applyFailures;
    }

    /** Batches (dump or update) received again after being applied. */
    public long duplicates() {
        return duplicates;
    }

    /** Gaps detected and NACKed (each NACK sent counts once). */
    public long gaps() {
        return gaps;
    }

    /** Times the local copy had to be dumped again: digest mismatch, or a dump the active restarted. */
    public long resyncs() {
        return resyncs;
    }

    public long digestMismatches() {
        return digestMismatches;
    }

    /** Dump batches whose sequence lay beyond {@link #SYNC_REORDER_LIMIT} of the expected one, dropped. */
    public long outOfWindow() {
        return outOfWindow;
    }

    /** Records refused for {@code reason} ({@link #INVALID_PROTOCOL} ...), never applied. */
    public long invalidRecords(int reason) {
        return invalidRecords[reason];
    }

    /** Records refused for any reason. */
    public long invalidRecords() {
        long sum = 0;
        for (long n : invalidRecords) {
            sum += n;
        }
        return sum;
    }

    /** The counter name of an invalid-record reason, for status and metrics. */
    public static String invalidReasonName(int reason) {
        return INVALID_REASON_NAMES[reason];
    }

    /** Messages of an abandoned session or arriving before the dump was verified, ignored. */
    public long staleMessages() {
        return staleMessages;
    }
}
