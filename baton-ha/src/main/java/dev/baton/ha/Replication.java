package dev.baton.ha;

import dev.baton.config.HighAvailabilitySettings;
import dev.baton.dataplane.forward.WorkerExtension;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.sync.SyncSettings;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The replication shards of one router, one per worker, and the rings between them and the HA agent. Built
 * before the data plane, whose workers run the shards ({@link #extensionFor}), then handed to the
 * {@link HaAgent}.
 */
public final class Replication {

    /** Slots per ring: a dump window of 32 batches each way leaves room for updates and acknowledgements. */
    static final int RING_SLOTS = 256;

    private final ReplicationShard[] shards;
    private final MessageRing[] toWorkers;
    private final MessageRing[] fromWorkers;
    private final Queue<ShardEvent> events = new ConcurrentLinkedQueue<>();
    private final int vipCount;

    public Replication(int workers, int peerCount, ServiceMap services, SyncSettings settings) {
        this.vipCount = services.distinctVips().length;
        this.shards = new ReplicationShard[workers];
        this.toWorkers = new MessageRing[workers];
        this.fromWorkers = new MessageRing[workers];
        for (int w = 0; w < workers; w++) {
            toWorkers[w] = new MessageRing(RING_SLOTS);
            fromWorkers[w] = new MessageRing(RING_SLOTS);
            shards[w] = new ReplicationShard(w, vipCount, peerCount, settings, services, toWorkers[w], fromWorkers[w], events);
        }
    }

    /** The synchronization manager's tuning from the configuration: t4, dump window, retransmission timeout. */
    public static SyncSettings syncSettings(HighAvailabilitySettings settings) {
        SyncSettings defaults = SyncSettings.defaults();
        return new SyncSettings(settings.sync().window(), defaults.recordsPerSyncBatch(), defaults.recordsPerUpdateBatch(),
                settings.updateInterval().toMillis(), defaults.retainedUpdateBatches(), settings.sync().retransmitTimeout().toMillis(),
                Math.min(SyncSettings.NEW_CONNECTION_DELAY_MS, settings.updateInterval().toMillis()));
    }

    /** The extension worker {@code w} runs: pass {@code replication::extensionFor} to the data plane. */
    public WorkerExtension extensionFor(int w) {
        return shards[w];
    }

    public int workers() {
        return shards.length;
    }

    public int vipCount() {
        return vipCount;
    }

    ReplicationShard shard(int w) {
        return shards[w];
    }

    MessageRing toWorker(int w) {
        return toWorkers[w];
    }

    MessageRing fromWorker(int w) {
        return fromWorkers[w];
    }

    Queue<ShardEvent> events() {
        return events;
    }

    /** The VIP's entry count over every shard, as last published. Any thread. */
    public long size(int vipIndex) {
        long size = 0;
        for (ReplicationShard shard : shards) {
            size += shard.publishedSize(vipIndex);
        }
        return size;
    }

    /**
     * The VIP's digest over every shard, as last published: the sum of the entries' contributions, so equal
     * tables give equal digests whatever their sharding.
     */
    public long digest(int vipIndex) {
        long digest = 0;
        for (ReplicationShard shard : shards) {
            digest += shard.publishedDigest(vipIndex);
        }
        return digest;
    }
}
