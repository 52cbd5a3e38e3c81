package dev.baton.ha;

import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.WorkerExtension;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.peer.MessageType;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.sync.SyncEvents;
import dev.baton.sync.SyncReceiver;
import dev.baton.sync.SyncSender;
import dev.baton.sync.SyncSettings;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionVisitor;
import dev.baton.table.PersistenceTable;

import java.lang.foreign.MemorySegment;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The synchronization manager's half that lives in one worker (US 6,148,410, FIG. 2, SM 220): a worker's
 * connection table shard may only be touched by that worker, so its replication runs in the worker's duty
 * cycle. Per VIP (table partition) it holds a {@link SyncReceiver} while this router is a standby following
 * an active peer, and one {@link SyncSender} per standby peer that asked for a dump while this router is
 * active.
 *
 * <p>Streams: every sync message carries a stream id {@code vipIndex << 8 | worker} in its Service Id field
 * ({@code docs/protocol.md}): worker {@code w} of the active replicates to worker {@code w} of the standby,
 * which holds the same clients because both shard by {@code ClientShardFanout.shardOf(client, workers)} with
 * the same worker count (part of the configuration digest the peers compare).
 *
 * <p>Threads: messages arrive from the HA agent on {@code inbound} and leave on {@code outbound}
 * ({@link MessageRing}s, allocation-free); commands from the agent arrive on a {@link ShardCommands} ring
 * (follow, unfollow, drop or resume a sender, flush; and on worker 0 the VIPs' gratuitous ARP announcements,
 * which go out through the worker's own ports); events go to the agent on a concurrent queue. Everything else
 * runs on the worker's thread.
 *
 * <p>Takeover order: replicated entries land in the worker's own table, so they are in force the
 * moment the VIP's forwarding flag turns on; a replicated connection of a service with persistence also
 * installs the client's affinity, so new connections of that client follow it.
 */
public final class ReplicationShard implements WorkerExtension {

    private static final System.Logger LOG = System.getLogger(ReplicationShard.class.getName());

    /** Most inbound messages handled per duty cycle, so replication cannot starve forwarding. */
    static final int INBOUND_PER_CYCLE = 64;
    /** Table slots the refresh scan looks at per duty cycle while a standby is streaming. */
    static final int REFRESH_SLOTS_PER_CYCLE = 256;

    private final int worker;
    private final int vipCount;
    private final int peerCount;
    private final SyncSettings settings;
    /** The services as the worker indexes them: replaced by a reload ({@link #reconfigure}). */
    private ServiceMap services;
    /** The VIPs' addresses by index (the configuration's order, as on the wire). */
    private final int[] vips;
    /** The worker this shard runs on (set in {@link #attach}). */
    private Forwarder forwarder;
    private final MessageRing inbound;
    private final MessageRing outbound;
    private final Queue<ShardEvent> events;
    /** Per VIP: partition size and digest, published for the agent (keep-alives, status). */
    private final AtomicLongArray published;

    private ConnectionTable table;
    private PersistenceTable persistence;
    private long nowMs;

    private final SyncReceiver[] receivers;
    /** Per VIP: the active peer followed, or -1. */
    private final int[] followedPeer;
    private final boolean[] synchronizedWith;
    /** Per VIP: the followed peer's stream is this active's tail ({@link #trail}). */
    private final boolean[] trailing;
    /** [vip][peer]: a sender per standby peer that asked. */
    private final SyncSender[][] senders;
    /** Per VIP and peer: the session of a stream dropped because the peer failed, to resume after; -1 none. */
    private final long[][] droppedSession;
    private final boolean[][] dumpComplete;
    /** [vip][peer]: the stream to a peer that took the VIP over, kept for its trail ({@link #dropSenders}). */
    private final boolean[][] spared;
    private int streamingSenders;
    /** [vip][peer]: the update sequence a flush waits to see acknowledged, or -1. */
    private final long[][] flushThrough;
    private final boolean[] flushPending;
    /** Set while a receiver applies records: inserts then come from the active, not from traffic. */
    private boolean applying;
    private long inboundUnrouted;
    /** Per VIP: dumps pushed unasked to a standby heard again after its stream was dropped ({@link #resumeSender}). */
    private final long[] resumedStreams;
    /**
     * [vip][counter]: what the senders dropped so far had counted ({@link #RETIRED_UPDATES} ...), so that the
     * shard's counters only grow while standbys come and go.
     */
    private final long[][] retired;
    private static final int RETIRED_UPDATES = 0;
    private static final int RETIRED_DUMP_RECORDS = 1;
    private static final int RETIRED_RESENT = 2;
    private static final int RETIRED_DUMPS = 3;
    private static final int RETIRED_STALE_REQUESTS = 4;
    private static final int RETIRED_STALE_ACKS = 5;
    private static final int RETIRED_COUNTERS = 6;
    private final MessageRing.Handler inboundHandler = this::onInbound;
    /** The agent's commands to this shard: follow, unfollow, drop, resume, forget, flush. */
    private final ShardCommands commands = new ShardCommands();
    private final ShardCommands.Handler commandHandler = this::onCommand;
    /** Most agent commands run per duty cycle: a burst (every VIP at once) waits a cycle, frames do not. */
    static final int COMMANDS_PER_CYCLE = 64;
    private final ConnectionVisitor refreshVisitor = this::onRefreshed;

    public ReplicationShard(int worker, int vipCount, int peerCount, SyncSettings settings, ServiceMap services,
                            MessageRing inbound, MessageRing outbound, Queue<ShardEvent> events) {
        if (worker < 0 || worker > 255) {
            throw new IllegalArgumentException("worker " + worker + " outside 0..255 (the stream id has 8 bits for it)");
        }
        this.worker = worker;
        this.vipCount = vipCount;
        this.peerCount = peerCount;
        this.settings = settings;
        this.services = services;
        this.vips = services.distinctVips();
        this.inbound = inbound;
        this.outbound = outbound;
        this.events = events;
        this.published = new AtomicLongArray(vipCount * 2);
        this.receivers = new SyncReceiver[vipCount];
        this.followedPeer = new int[vipCount];
        java.util.Arrays.fill(followedPeer, -1);
        this.synchronizedWith = new boolean[vipCount];
        this.trailing = new boolean[vipCount];
        this.senders = new SyncSender[vipCount][peerCount];
        this.droppedSession = new long[vipCount][peerCount];
        for (long[] row : droppedSession) {
            java.util.Arrays.fill(row, -1);
        }
        this.dumpComplete = new boolean[vipCount][peerCount];
        this.spared = new boolean[vipCount][peerCount];
        this.flushThrough = new long[vipCount][peerCount];
        this.flushPending = new boolean[vipCount];
        this.retired = new long[vipCount][RETIRED_COUNTERS];
        this.resumedStreams = new long[vipCount];
    }

    /** The stream id of VIP {@code vipIndex}'s replication between the workers numbered {@code worker}. */
    public static int streamId(int vipIndex, int worker) {
        return vipIndex << 8 | worker;
    }

    public static int workerOfStream(int streamId) {
        return streamId & 0xFF;
    }

    public static int vipOfStream(int streamId) {
        return streamId >>> 8;
    }

    @Override
    public void attach(Forwarder forwarder) {
        this.forwarder = forwarder;
        this.table = forwarder.table();
        this.persistence = forwarder.persistence();
        for (int v = 0; v < vipCount; v++) {
            final int vip = v;
            receivers[v] = new SyncReceiver(streamId(v, worker), v, table, settings,
                    (type, buffer, length) -> send(followedPeer[vip], type, buffer.segment(), length),
                    new SyncEvents() {
                        @Override
                        public void onSynchronized(int serviceId, long atMs) {
                            synchronizedWith[vip] = true;
                            events.add(new ShardEvent(ShardEvent.Kind.SYNCHRONIZED, vip, worker, followedPeer[vip], 0, atMs));
                        }

                        @Override
                        public void onCapacityRefused(int serviceId, long activeEntries, long standbyRoom, long atMs) {
                            synchronizedWith[vip] = false;
                            // Rare (once per back-off, at most every second): a log line on the worker is fine.
                            LOG.log(System.Logger.Level.ERROR, "VIP " + vip + " worker " + worker
                                    + ": the active's table holds " + activeEntries + " entries of this VIP, this table"
                                    + " has room for " + standbyRoom + "; no dump until table.capacity is raised"
                                    + " (or the active's table shrinks); retrying with back-off");
                        }

                        @Override
                        public void onResynchronizationNeeded(int serviceId, int reason, long atMs) {
                            synchronizedWith[vip] = false;
                            events.add(new ShardEvent(ShardEvent.Kind.RESYNC_NEEDED, vip, worker, followedPeer[vip], reason, atMs));
                        }
                    }).recordCheck(recordCheck);
        }
    }

    /** The agent's way in (agent thread: {@link ShardCommands#offer}). */
    ShardCommands commands() {
        return commands;
    }

    private void onCommand(ShardCommands.Kind kind, int flags, int reason, int vipIndex, int peerIndex, long atMs) {
        switch (kind) {
            case FOLLOW -> {
                if ((flags & ShardCommands.FORCE) != 0) {
                    unfollow(vipIndex);
                }
                follow(vipIndex, peerIndex, reason, atMs);
            }
            case UNFOLLOW -> unfollow(vipIndex);
            case TRAIL -> trail(vipIndex);
            case DROP_SENDERS -> dropSenders(vipIndex, (flags & ShardCommands.SPARE_PEER) != 0 ? peerIndex : -1);
            case DROP_SENDER -> dropSender(vipIndex, peerIndex);
            case RESUME_SENDER -> resumeSender(vipIndex, peerIndex, atMs);
            case FORGET_PEER -> forgetPeer(vipIndex, peerIndex);
            case FLUSH_UPDATES -> flushUpdates(vipIndex, (flags & ShardCommands.ONE_PEER) != 0 ? peerIndex : -1, atMs);
            case ANNOUNCE -> forwarder.arp().announce(vips[vipIndex]);
        }
    }

    private void send(int peerIndex, MessageType type, MemorySegment buffer, int length) {
        if (peerIndex >= 0) {
            outbound.offer(peerIndex, type, buffer, PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
        }
    }

    // ------------------------------------------------------------------ commands (worker thread, via submit)

    /**
     * Follows {@code peerIndex} as the VIP's active: asks it for a dump (SYNC-IN). Repeated while already
     * following the same peer and not yet synchronized, it does nothing: the receiver repeats its own request.
     */
    public void follow(int vipIndex, int peerIndex, int reason, long atMs) {
        dropSenders(vipIndex, -1);
        if (followedPeer[vipIndex] == peerIndex && receivers[vipIndex].syncing()) {
            return;
        }
        followedPeer[vipIndex] = peerIndex;
        synchronizedWith[vipIndex] = false;
        trailing[vipIndex] = false;
        receivers[vipIndex].startSync(reason, atMs);
    }

    /** Stops following: this router took the VIP over (its table is now the reference), or its trail is over. */
    public void unfollow(int vipIndex) {
        followedPeer[vipIndex] = -1;
        synchronizedWith[vipIndex] = false;
        trailing[vipIndex] = false;
    }

    /**
     * This router took the VIP over from the peer it followed, which drains: that peer's update stream is
     * still applied, as inserts of connections this table lacks ({@link SyncReceiver#trail}), and what it adds
     * goes on to this router's own standbys like any new connection. The agent ends it with {@link #unfollow}.
     * A copy that was not synchronized has nothing to trail: it stops following at once.
     */
    public void trail(int vipIndex) {
        synchronizedWith[vipIndex] = false;
        trailing[vipIndex] = followedPeer[vipIndex] >= 0 && receivers[vipIndex].trail();
        if (!trailing[vipIndex]) {
            followedPeer[vipIndex] = -1;
        }
    }

    /**
     * Forgets the VIP's standbys: this router is no longer active for it. What each stream still holds goes
     * out first, in one last batch. The stream to {@code heir}, the peer that took the VIP over (-1: none
     * known), is spared: that peer trails it ({@link #trail}), and what it still lacks (a batch lost on the way,
     * the changes made during a dump it has not acknowledged) is resent only while the stream lives; the agent
     * ends it with {@link #forgetPeer} once the heir's trail is over, or when this router takes the VIP back. A
     * spared stream survives this router's own {@link #follow} of the heir.
     */
    public void dropSenders(int vipIndex, int heir) {
        for (int p = 0; p < peerCount; p++) {
            SyncSender sender = senders[vipIndex][p];
            if (sender != null && sender.streaming()) {
                sender.flush(nowMs);
            }
            if (p == heir && sender != null && !sender.unasked()) {
                spared[vipIndex][p] = true; // a dump the heir never asked for carries nothing it lacks
            }
            if (spared[vipIndex][p]) {
                continue;
            }
            drop(vipIndex, p);
            droppedSession[vipIndex][p] = -1;
        }
    }

    /**
     * Stops streaming to one standby (it failed): nothing more is queued for it. Its session is remembered:
     * the standby may not have seen itself fail (a short stall of this router, a one-way silence) and still
     * follow that session, so {@link #resumeSender} pushes a new dump when it is heard again; a standby that
     * restarted asks for one itself.
     */
    public void dropSender(int vipIndex, int peerIndex) {
        if (senders[vipIndex][peerIndex] != null) {
            droppedSession[vipIndex][peerIndex] = Integer.toUnsignedLong(senders[vipIndex][peerIndex].sessionId());
        }
        drop(vipIndex, peerIndex);
    }

    /**
     * The standby whose stream {@link #dropSender} stopped is alive again: a new dump to it, in the session after
     * the dropped one, which its receiver takes for a resynchronization (a stream it follows moved on) and
     * verifies like any dump. Without it, a standby that never noticed it was dropped would stay "synchronized"
     * on a copy nobody updates. Nothing to do when it already asked again, or this router is no longer active.
     */
    public void resumeSender(int vipIndex, int peerIndex, long nowMs) {
        long session = droppedSession[vipIndex][peerIndex];
        droppedSession[vipIndex][peerIndex] = -1;
        if (session < 0 || senders[vipIndex][peerIndex] != null) {
            return;
        }
        this.nowMs = nowMs;
        SyncSender sender = newSender(vipIndex, peerIndex);
        sender.resumeAfter((int) session, nowMs);
        resumedStreams[vipIndex]++;
    }

    /** The peer restarted: its stream from this router, if any, is over, and nothing is resumed to it. */
    public void forgetPeer(int vipIndex, int peerIndex) {
        drop(vipIndex, peerIndex);
        droppedSession[vipIndex][peerIndex] = -1;
    }

    private SyncSender newSender(int vip, int peerIndex) {
        SyncSender sender = new SyncSender(streamId(vip, worker), vip, settings,
                (t, buffer, len) -> send(peerIndex, t, buffer.segment(), len)).bind(table);
        senders[vip][peerIndex] = sender;
        return sender;
    }

    private void drop(int vipIndex, int peerIndex) {
        spared[vipIndex][peerIndex] = false;
        SyncSender sender = senders[vipIndex][peerIndex];
        if (sender != null && dumpComplete[vipIndex][peerIndex]) {
            streamingSenders--;
            events.add(new ShardEvent(ShardEvent.Kind.STREAM_ENDED, vipIndex, worker, peerIndex, 0, nowMs));
        }
        if (sender != null) {
            long[] sum = retired[vipIndex];
            sum[RETIRED_UPDATES] += sender.updateRecordsSent();
            sum[RETIRED_DUMP_RECORDS] += sender.syncRecordsSent();
            sum[RETIRED_RESENT] += sender.batchesResent();
            sum[RETIRED_DUMPS] += sender.dumps();
            sum[RETIRED_STALE_REQUESTS] += sender.staleRequests();
            sum[RETIRED_STALE_ACKS] += sender.staleAcknowledgements();
        }
        senders[vipIndex][peerIndex] = null;
        dumpComplete[vipIndex][peerIndex] = false;
    }

    /**
     * Sends the VIP's queued changes to every standby ({@code peerIndex} -1) or to one, now, and reports
     * {@link ShardEvent.Kind#FLUSHED} once they are all acknowledged: the active hands a VIP over (at shutdown, or
     * to a standby's switch-over query) only then, so the standby that takes over holds every connection this
     * worker had. Toward every standby, one whose dump is in progress is not waited for (it is no synchronized
     * standby to hand the VIP to). Toward one standby, its dump's acknowledgement is waited for too: that standby
     * asked for the VIP, so it verified the dump, and the changes made during the dump follow the acknowledgement
     * of it; asked in the same millisecond, it had none of them yet.
     */
    public void flushUpdates(int vipIndex, int peerIndex, long atMs) {
        for (int p = 0; p < peerCount; p++) {
            SyncSender sender = senders[vipIndex][p];
            boolean waitedFor = sender != null && (peerIndex < 0 ? sender.streaming() : p == peerIndex && sender.replicating());
            flushThrough[vipIndex][p] = waitedFor ? sender.flush(atMs) : -1;
        }
        flushPending[vipIndex] = true;
        this.nowMs = Math.max(this.nowMs, atMs);
        reportFlushed(vipIndex);
    }

    private void reportFlushed(int vip) {
        for (int p = 0; p < peerCount; p++) {
            SyncSender sender = senders[vip][p];
            if (flushThrough[vip][p] >= 0 && sender != null && sender.replicating() && !sender.acknowledgedThrough(flushThrough[vip][p])) {
                return;
            }
        }
        flushPending[vip] = false;
        events.add(new ShardEvent(ShardEvent.Kind.FLUSHED, vip, worker, -1, 0, nowMs));
    }

    // ------------------------------------------------------------------ duty cycle

    @Override
    public int doWork(long nowMs) {
        this.nowMs = nowMs;
        int work = commands.drain(commandHandler, COMMANDS_PER_CYCLE);
        work += inbound.drain(inboundHandler, INBOUND_PER_CYCLE);
        for (int v = 0; v < vipCount; v++) {
            if (followedPeer[v] >= 0) {
                receivers[v].poll(nowMs);
            }
            for (int p = 0; p < peerCount; p++) {
                SyncSender sender = senders[v][p];
                if (sender != null) {
                    sender.poll(nowMs);
                    noteDumpComplete(v, p, sender);
                }
            }
            if (flushPending[v]) {
                reportFlushed(v);
            }
            published.setRelease(2 * v, table.partitionSize(v));
            published.setRelease(2 * v + 1, table.partitionDigest(v));
        }
        if (streamingSenders > 0) {
            table.forEachRefreshed(REFRESH_SLOTS_PER_CYCLE, refreshVisitor);
        }
        return work;
    }

    private void onInbound(int peerIndex, MessageType type, MemorySegment segment, long offset, int length) {
        int vip = vipOfStream(MessageType.leadingServiceId(segment, offset));
        if (vip >= vipCount) {
            inboundUnrouted++;
            return;
        }
        switch (type) {
            case SYNC_REQUEST, ACK, NACK -> {
                SyncSender sender = senders[vip][peerIndex];
                if (sender == null) {
                    if (type != MessageType.SYNC_REQUEST) {
                        inboundUnrouted++; // an acknowledgement for a sender this router no longer has
                        return;
                    }
                    sender = newSender(vip, peerIndex);
                    droppedSession[vip][peerIndex] = -1; // it asked again: its request names the session
                } else if (type == MessageType.SYNC_REQUEST) {
                    spared[vip][peerIndex] = false; // the heir follows this router again: a stream like any other
                }
                sender.receive(type, segment, offset, length, nowMs);
                noteDumpComplete(vip, peerIndex, sender);
            }
            case SYNC_BATCH, SYNC_END, UPDATE_BATCH -> {
                if (followedPeer[vip] != peerIndex) {
                    inboundUnrouted++; // from a router this one does not follow (any more)
                    return;
                }
                applying = true;
                try {
                    receivers[vip].receive(type, segment, offset, length, nowMs);
                } finally {
                    applying = false;
                }
            }
            default -> inboundUnrouted++;
        }
    }

    private void noteDumpComplete(int vip, int peer, SyncSender sender) {
        if (sender.streaming() && !dumpComplete[vip][peer]) {
            dumpComplete[vip][peer] = true;
            streamingSenders++;
            events.add(new ShardEvent(ShardEvent.Kind.DUMP_COMPLETE, vip, worker, peer, 0, nowMs));
        } else if (!sender.streaming() && dumpComplete[vip][peer]) {
            dumpComplete[vip][peer] = false; // a forced resync: dumping again
            streamingSenders--;
            events.add(new ShardEvent(ShardEvent.Kind.STREAM_ENDED, vip, worker, peer, 0, nowMs));
        }
    }

    private void onRefreshed(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, long lastSeenMs) {
        int partition = table.partitionOf(serviceId, serverId);
        if (partition >= senders.length) {
            return;
        }
        SyncSender[] toStandbys = senders[partition];
        for (SyncSender sender : toStandbys) {
            if (sender != null) {
                sender.onRefreshed(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs);
            }
        }
    }

    // ------------------------------------------------------------------ table changes (worker thread)

    @Override
    public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                         int serviceId, int serverId, int state, long lastSeenMs) {
        int partition = table.partitionOf(serviceId, serverId);
        if (partition >= senders.length) {
            return; // a departing server's connection (a reload removed the server): this router's alone
        }
        if (applying) {
            learnAffinity(clientAddress, serviceId, serverId);
            if (!trailing[partition]) {
                return; // a standby's copy; an active's trail is a new connection of its own table
            }
        }
        for (SyncSender sender : senders[partition]) {
            if (sender != null) {
                sender.onInsert(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs);
            }
        }
    }

    @Override
    public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                              int serviceId, int serverId, int oldState, int newState, long atMs) {
        if (applying) {
            return;
        }
        int partition = table.partitionOf(serviceId, serverId);
        if (partition >= senders.length) {
            return;
        }
        for (SyncSender sender : senders[partition]) {
            if (sender != null) {
                sender.onStateChange(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, oldState, newState, atMs);
            }
        }
    }

    @Override
    public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                         int serviceId, int serverId, int state, int reason) {
        if (applying) {
            return;
        }
        for (SyncSender sender : senders[table.partitionOfService(serviceId)]) {
            if (sender != null) {
                sender.onRemove(protocol, clientAddress, clientPort, vip, vipPort, serviceId, serverId, state, reason);
            }
        }
    }

    /**
     * A reload renumbered the services and servers: records are checked against {@code next} from now on. The VIPs
     * stay those of the start (a reload cannot change them), so every stream, sequence and window stays as it is; a
     * standby whose active runs another configuration meanwhile resynchronizes once both run the same
     * ({@code HaAgent}, "configuration equal again").
     */
    @Override
    public void reconfigure(ServiceMap next) {
        this.services = next;
    }

    /**
     * A replicated connection of a service with persistence also pins its client to the server, so the
     * client's next connection after a takeover goes where its sessions are.
     */
    private void learnAffinity(int clientAddress, int serviceId, int serverId) {
        long persistenceMs = services.persistenceMs(serviceId);
        if (persistenceMs > 0) {
            persistence.putLearned(serviceId, clientAddress, serverId, persistenceMs, nowMs, nowMs);
        }
    }

    // ------------------------------------------------------------------ reading (any thread / worker thread)

    /** The VIP's partition size in this shard, as last published by the worker. Any thread. */
    public long publishedSize(int vipIndex) {
        return published.getAcquire(2 * vipIndex);
    }

    /** The VIP's partition digest in this shard, as last published by the worker. Any thread. */
    public long publishedDigest(int vipIndex) {
        return published.getAcquire(2 * vipIndex + 1);
    }

    /**
     * A replicated record must name a configured service and one of that service's servers
     * (global server ids, {@link ServiceMap#serverId}); a handful of servers per service, so a linear scan.
     */
    private final SyncReceiver.RecordCheck recordCheck = new SyncReceiver.RecordCheck() {
        @Override
        public boolean serviceKnown(int serviceId) {
            return serviceId < services.serviceCount();
        }

        @Override
        public boolean serverOf(int serviceId, int serverId) {
            for (int i = services.configuredServerCount(serviceId) - 1; i >= 0; i--) {
                if (services.serverId(serviceId, i) == serverId) {
                    return true;
                }
            }
            return false;
        }
    };

    /** Replication counters of one VIP in this shard; worker thread only (use {@code Dataplane.query}). */
    public SyncCounters counters(int vipIndex) {
        SyncReceiver r = receivers[vipIndex];
        long[] sum = retired[vipIndex];
        long updatesSent = sum[RETIRED_UPDATES];
        long recordsSent = sum[RETIRED_DUMP_RECORDS];
        long resent = sum[RETIRED_RESENT];
        long dumps = sum[RETIRED_DUMPS];
        long staleRequests = sum[RETIRED_STALE_REQUESTS];
        long staleAcknowledgements = sum[RETIRED_STALE_ACKS];
        long unacknowledged = 0;
        for (SyncSender s : senders[vipIndex]) {
            if (s != null) {
                updatesSent += s.updateRecordsSent();
                recordsSent += s.syncRecordsSent();
                resent += s.batchesResent();
                dumps += s.dumps();
                staleRequests += s.staleRequests();
                staleAcknowledgements += s.staleAcknowledgements();
                unacknowledged += s.unacknowledgedUpdates();
            }
        }
        return new SyncCounters(followedPeer[vipIndex], synchronizedWith[vipIndex], r.recordsApplied(), r.applyFailures(),
                r.gaps(), r.resyncs(), r.digestMismatches(), r.duplicates() + r.staleMessages(),
                dumps, recordsSent, updatesSent, resent, unacknowledged, inboundUnrouted, inbound.dropped(), outbound.dropped(),
                followedPeer[vipIndex] >= 0 ? r.syncStatus() : "idle", r.invalidRecords(), r.outOfWindow(),
                inbound.handlerFailures(), r.capacityRefusals(), r.refusedActiveEntries(), r.offeredCapacity(),
                resumedStreams[vipIndex], r.heldBatches(), r.trailedRecordsSkipped(), staleRequests, staleAcknowledgements);
    }

    public int worker() {
        return worker;
    }
}
