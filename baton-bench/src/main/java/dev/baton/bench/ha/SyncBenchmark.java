package dev.baton.bench.ha;

import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerLink;
import dev.baton.keepalive.PeerTransport;
import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.VerdictCounters;
import dev.baton.sync.SyncEvents;
import dev.baton.sync.SyncReceiver;
import dev.baton.sync.SyncSender;
import dev.baton.sync.SyncSettings;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The synchronization manager's throughput over the real peer transport: an active
 * and a standby, each on its own thread with its own {@link ConnectionTable}, joined by {@link PeerTransport}
 * over loopback UDP (127.0.0.1 and 127.0.0.2), every datagram signed and verified with HMAC-SHA256, the
 * default sync settings (window 32, t4 20 ms).
 *
 * <ol>
 *   <li><b>Dump</b>: the active holds N entries (default 1,000,000); the standby asks; the time from the
 *       SYNC_REQUEST to "synchronized" (digest verified) on the standby, and bytes on the wire per entry.</li>
 *   <li><b>Sustained updates</b>: the active opens new connections as fast as the standby keeps up (its
 *       update window bounds the unacknowledged changes) for a fixed time; applied changes per second on
 *       the standby, and the digests compared at the end.</li>
 * </ol>
 *
 * Usage: {@code bench/sync.sh [entries] [update-seconds]}. Bounded: at most 10,000,000 entries, 30 s.
 */
public final class SyncBenchmark {

    private static final int ACTIVE_ID = 1;
    private static final int STANDBY_ID = 2;
    private static final int VIP = 0xCB00710A; // 203.0.113.10
    private static final int STREAM = 0;
    /** New connections the update phase may open at most (table room; about 8 s at 1 M/s). */
    private static final int UPDATE_CAPACITY = 8_000_000;

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int updateSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        if (entries < 1 || entries > 10_000_000 || updateSeconds < 1 || updateSeconds > 30) {
            throw new IllegalArgumentException("entries 1..10,000,000 and update-seconds 1..30");
        }
        inProcessDump(entries);
        int port = 30_000 + new SecureRandom().nextInt(20_000);
        byte[] keyBytes = new byte[32];
        new SecureRandom().nextBytes(keyBytes);
        PeerKey key = PeerKey.of(keyBytes);
        SyncSettings settings = new SyncSettings(window, MessageType.SYNC_BATCH.maxRecords(), MessageType.UPDATE_BATCH.maxRecords(),
                20, 256, 200);

        InetSocketAddress activeAddress = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        InetSocketAddress standbyAddress = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port);
        PeerConfig standbyAsPeer = new PeerConfig(STANDBY_ID, "standby", List.of(new PeerLink(activeAddress, standbyAddress)));
        PeerConfig activeAsPeer = new PeerConfig(ACTIVE_ID, "active", List.of(new PeerLink(standbyAddress, activeAddress)));
        long incarnation = System.currentTimeMillis() << 16;
        try (PeerTransport activeLink = new PeerTransport(List.of(standbyAsPeer),
                     new MessageComposer(ACTIVE_ID, incarnation, key, new int[] {STANDBY_ID}),
                     new MessageVerifier(ACTIVE_ID, key, new int[] {STANDBY_ID}, new VerdictCounters()));
             PeerTransport standbyLink = new PeerTransport(List.of(activeAsPeer),
                     new MessageComposer(STANDBY_ID, incarnation, key, new int[] {ACTIVE_ID}),
                     new MessageVerifier(STANDBY_ID, key, new int[] {ACTIVE_ID}, new VerdictCounters()))) {
            // Big socket buffers would hide flow control; the defaults are what a router gets.
            int capacity = entries + UPDATE_CAPACITY;
            SyncSender sender = new SyncSender(STREAM, settings, (type, buffer, length) -> {
                System.arraycopy(buffer.bytes(), PeerHeaderFlyweight.PAYLOAD_OFFSET, activeLink.sendBuffer().bytes(),
                        PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
                activeLink.send(STANDBY_ID, 0, type, length, System.nanoTime() / 1_000_000);
            });
            ConnectionTable activeTable = new ConnectionTable(capacity, ConnectionTimeouts.defaults(), sender);
            sender.bind(activeTable);
            ConnectionTable standbyTable = new ConnectionTable(capacity, ConnectionTimeouts.defaults(), ConnectionListener.NONE);

            long fillStart = System.nanoTime();
            long nowMs = System.nanoTime() / 1_000_000;
            for (int i = 0; i < entries; i++) {
                insert(activeTable, i, nowMs);
            }
            System.out.printf(Locale.ROOT, "filled the active table with %,d entries in %.0f ms%n", entries,
                    (System.nanoTime() - fillStart) / 1e6);

            CountDownLatch synced = new CountDownLatch(1);
            AtomicLong syncedAtNs = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            SyncReceiver receiver = new SyncReceiver(STREAM, standbyTable, settings, (type, buffer, length) -> {
                System.arraycopy(buffer.bytes(), PeerHeaderFlyweight.PAYLOAD_OFFSET, standbyLink.sendBuffer().bytes(),
                        PeerHeaderFlyweight.PAYLOAD_OFFSET, length);
                standbyLink.send(ACTIVE_ID, 0, type, length, System.nanoTime() / 1_000_000);
            }, new SyncEvents() {
                @Override
                public void onSynchronized(int serviceId, long atMs) {
                    syncedAtNs.set(System.nanoTime());
                    synced.countDown();
                }

                @Override
                public void onResynchronizationNeeded(int serviceId, int reason, long atMs) {
                    System.out.println("standby: resynchronization needed, reason " + reason);
                }
            });

            // The standby's thread: receive and apply, like a worker's ReplicationShard.
            Thread standby = Thread.ofPlatform().name("standby").daemon(true).start(() -> {
                while (running.get()) {
                    long t = System.nanoTime() / 1_000_000;
                    int got = standbyLink.receive(t, (peer, link, verifier, buffer) ->
                            receiver.receive(verifier.type(), buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                                    verifier.header().payloadLength(), t));
                    receiver.poll(t);
                    if (got == 0) {
                        Thread.onSpinWait();
                    }
                }
            });

            // Phase 1: the dump.
            long requestNs = System.nanoTime();
            receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, requestNs / 1_000_000);
            long bytesBefore = sender.bytesSent();
            long deadlineNs = requestNs + TimeUnit.SECONDS.toNanos(60);
            int next = entries;
            long updateEndNs = Long.MAX_VALUE;
            long updatesStartNs = 0;
            long changesAtStart = 0;
            boolean dumpReported = false;
            while (System.nanoTime() < deadlineNs) {
                if (dumpReported && next - entries >= UPDATE_CAPACITY && sender.unacknowledgedUpdates() == 0) {
                    updateEndNs = System.nanoTime();
                    break;
                }
                long t = System.nanoTime() / 1_000_000;
                activeLink.receive(t, (peer, link, verifier, buffer) ->
                        sender.receive(verifier.type(), buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                                verifier.header().payloadLength(), t));
                sender.poll(t);
                if (!dumpReported && synced.getCount() == 0 && sender.streaming()) {
                    dumpReported = true;
                    double dumpMs = (syncedAtNs.get() - requestNs) / 1e6;
                    long dumpBytes = sender.bytesSent() - bytesBefore;
                    System.out.printf(Locale.ROOT, "dump: %,d entries synchronized in %.0f ms (%.2f M entries/s), %,d bytes on the wire,"
                                    + " %.1f bytes per entry, %,d batches resent%n",
                            entries, dumpMs, entries / dumpMs / 1e3, dumpBytes, (double) dumpBytes / entries, sender.batchesResent());
                    updatesStartNs = System.nanoTime();
                    updateEndNs = updatesStartNs + TimeUnit.SECONDS.toNanos(updateSeconds);
                    changesAtStart = receiver.recordsApplied();
                }
                if (dumpReported) {
                    if (System.nanoTime() >= updateEndNs) {
                        break;
                    }
                    // Phase 2: new connections, as many as the standby acknowledges (bounded by the retained window).
                    while (sender.unacknowledgedUpdates() < 200L * MessageType.UPDATE_BATCH.maxRecords()
                            && next - entries < UPDATE_CAPACITY) {
                        insert(activeTable, next++, t);
                    }
                }
            }
            // Drain: let the last batches arrive.
            long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < drainUntil) {
                long t = System.nanoTime() / 1_000_000;
                activeLink.receive(t, (peer, link, verifier, buffer) ->
                        sender.receive(verifier.type(), buffer.segment(), PeerHeaderFlyweight.PAYLOAD_OFFSET,
                                verifier.header().payloadLength(), t));
                sender.poll(t);
            }
            running.set(false);
            standby.join(2_000);
            if (!dumpReported) {
                System.out.println("the dump did not complete within 60 s");
                System.exit(1);
            }
            double seconds = (updateEndNs - updatesStartNs) / 1e9;
            long applied = receiver.recordsApplied() - changesAtStart;
            System.out.printf(Locale.ROOT, "updates: %,d new connections replicated in %.1f s: %,.0f updates/s applied by the standby,"
                            + " %.1f bytes per update on the wire, %,d gaps, %,d resends%n",
                    applied, seconds, applied / seconds, (double) sender.bytesSent() / Math.max(1, sender.syncRecordsSent() + sender.updateRecordsSent()),
                    receiver.gaps(), sender.batchesResent());
            System.out.printf(Locale.ROOT, "tables: active %,d entries digest %016x, standby %,d entries digest %016x: %s%n",
                    activeTable.size(), activeTable.digest(), standbyTable.size(), standbyTable.digest(),
                    activeTable.digest() == standbyTable.digest() ? "EQUAL" : "DIFFERENT");
            activeTable.close();
            standbyTable.close();
        }
    }

    /**
     * The same dump with the two ends joined in memory on one thread (no sockets, no HMAC): the
     * synchronization code's own cost per entry, snapshot, encoding and applying included.
     */
    private static void inProcessDump(int entries) {
        SyncSettings settings = SyncSettings.defaults();
        java.util.ArrayDeque<byte[]> toStandby = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<byte[]> toActive = new java.util.ArrayDeque<>();
        SyncSender sender = new SyncSender(STREAM, settings, (type, buffer, length) -> toStandby.add(copy(type, buffer.bytes(), length)));
        ConnectionTable active = new ConnectionTable(entries + 1_000, ConnectionTimeouts.defaults(), sender);
        sender.bind(active);
        ConnectionTable standby = new ConnectionTable(entries + 1_000, ConnectionTimeouts.defaults(), ConnectionListener.NONE);
        long nowMs = System.nanoTime() / 1_000_000;
        for (int i = 0; i < entries; i++) {
            insert(active, i, nowMs);
        }
        boolean[] synced = {false};
        SyncReceiver receiver = new SyncReceiver(STREAM, standby, settings, (type, buffer, length) -> toActive.add(copy(type, buffer.bytes(), length)),
                new SyncEvents() {
                    @Override
                    public void onSynchronized(int serviceId, long atMs) {
                        synced[0] = true;
                    }

                    @Override
                    public void onResynchronizationNeeded(int serviceId, int reason, long atMs) {
                    }
                });
        long start = System.nanoTime();
        receiver.startSync(SyncRequestFlyweight.REASON_NEW_STANDBY, nowMs);
        while (!synced[0]) {
            byte[] m;
            while ((m = toActive.poll()) != null) {
                sender.receive(MessageType.fromCode(m[0]), java.lang.foreign.MemorySegment.ofArray(m), 1, m.length - 1, nowMs);
            }
            while ((m = toStandby.poll()) != null) {
                receiver.receive(MessageType.fromCode(m[0]), java.lang.foreign.MemorySegment.ofArray(m), 1, m.length - 1, nowMs);
            }
        }
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.printf(Locale.ROOT, "in-process dump (one thread, no sockets, no HMAC): %,d entries in %.0f ms (%.0f ns per entry), digests %s%n",
                entries, ms, ms * 1e6 / entries, active.digest() == standby.digest() ? "EQUAL" : "DIFFERENT");
        active.close();
        standby.close();
    }

    private static byte[] copy(MessageType type, byte[] bytes, int length) {
        byte[] m = new byte[length + 1];
        m[0] = (byte) type.code();
        System.arraycopy(bytes, PeerHeaderFlyweight.PAYLOAD_OFFSET, m, 1, length);
        return m;
    }

    private static void insert(ConnectionTable table, int i, long nowMs) {
        int client = 0xC6336400 + (i >>> 16); // 198.51.100.0 + i / 65536 (a synthetic key space, never sent)
        int clientPort = i & 0xFFFF;
        if (table.insert(ConnectionTable.PROTOCOL_TCP, client, clientPort, VIP, 443, 0, i % 8, TcpState.ESTABLISHED, nowMs) < 0) {
            throw new IllegalStateException("table full at " + i);
        }
    }
}
