package dev.baton.dataplane.xdp;

import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.nativeio.ClientShardFanout;
import dev.baton.nativeio.KernelConstants;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;
import dev.baton.xdp.FastPathMaps;
import dev.baton.xdp.Libbpf;
import dev.baton.xdp.XdpLayouts;
import dev.baton.xdp.XdpObject;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongSupplier;

/**
 * One worker's side of the XDP fast path (issue #10). The Java forwarder stays the authority; this keeps the XDP
 * program's flow map a copy of the worker's table shard, restricted to what the program may forward alone:
 * connections in {@link TcpState#ESTABLISHED} and UDP flows.
 *
 * <ul>
 *   <li><b>In and out of the map</b>, from the table's own change stream (the forwarder is its listener): a flow
 *       enters when it becomes ESTABLISHED or a UDP flow is created (on a standby too, from the replicated table:
 *       its map is full when it takes the VIP over, and the VIP map's flag keeps it from forwarding until then), and
 *       leaves on a client FIN or RST (CLOSING, CLOSED), on removal and on expiry. A frame the forwarder itself
 *       forwarded although its flow could be in the map ({@link #forwardedOnSlowPath}) puts it in again: a map that
 *       was full, or a flow removed and created again within one flush.</li>
 *   <li><b>Batched</b>: changes are staged and written once per duty cycle with {@code bpf_map_update_batch} and
 *       {@code bpf_map_delete_batch}, one system call per kind per cycle, not one per connection. A flow has at most
 *       one staged change, the last (a later one cancels or overwrites an earlier one), so the two batches commute.</li>
 *   <li><b>Last-seen times back into the table</b>: frames the program forwards never reach the table, so each
 *       worker reads the map ({@code bpf_map_lookup_batch}, {@link #PULL_BATCH} entries a cycle, a pass every
 *       {@link #PULL_INTERVAL_MS}) and touches its own flows with the time the program last saw them. Idle timeouts
 *       and the replication refresh (update kind 4, the {@code CONTROL_REFRESHED} scan) then work as before, on the
 *       standby too. A flow in the map that the table no longer holds as ESTABLISHED or UDP is removed (a lost
 *       delete heals here).</li>
 *   <li><b>Worker 0</b> also keeps the shared maps: a VIP's flag follows {@link VipOwnership#forwards} (written
 *       before any gratuitous ARP: {@link #syncVips} is called by {@code ArpHandler.announce}), and each server's
 *       MAC, egress port and usability follow the neighbour table, address substitution and health ({@link
 *       #syncServers}, a slice per cycle).</li>
 * </ul>
 *
 * <p>Worker thread only. Nothing here allocates once constructed.
 */
public final class FastPath implements AutoCloseable {
    /** Flow changes staged before a flush is forced within a cycle. */
    static final int STAGED = 256;
    /** Entries read from the map per duty cycle while a pass is running. */
    static final int PULL_BATCH = 256;
    /** A pass over the map starts this long after the previous one started. */
    static final long PULL_INTERVAL_MS = 1_000;
    /** Servers whose map entry worker 0 checks per duty cycle. */
    static final int SERVERS_PER_CYCLE = 64;
    /**
     * A flow written is not written again for a frame the forwarder saw within this time: the frames of its burst that
     * were already in the receive ring when it entered the map (measured: 64 writes of one iperf3 flow in its first
     * cycles, from a single batch).
     */
    static final long REINSERT_HOLDOFF_MS = 1_000;
    /** Flows remembered for {@link #REINSERT_HOLDOFF_MS}, direct-mapped by a hash of the 5-tuple. */
    static final int RECENT = 256;

    private static final long KEY_SIZE = XdpLayouts.FLOW_KEY.byteSize();
    private static final long VALUE_SIZE = XdpLayouts.FLOW.byteSize();
    private static final long PADDING_OFFSET = XdpLayouts.FLOW_KEY.byteOffset(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("padding"));

    private final XdpObject program;
    private final Egress egress;
    private final FastPathMaps maps;
    private final int workerId;
    private final int workerCount;
    private final LongSupplier monotonicNanos;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment insertKeys = arena.allocate(KEY_SIZE * STAGED, 8);
    private final MemorySegment insertValues = arena.allocate(VALUE_SIZE * STAGED, 8);
    private final MemorySegment deleteKeys = arena.allocate(KEY_SIZE * STAGED, 8);
    private final MemorySegment scratchKey = arena.allocate(KEY_SIZE, 8);
    private final MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment batchOptions = arena.allocate(XdpLayouts.MAP_BATCH_OPTS);
    private final MemorySegment pullKeys = arena.allocate(KEY_SIZE * PULL_BATCH, 8);
    private final MemorySegment pullValues = arena.allocate(VALUE_SIZE * PULL_BATCH, 8);
    /** The hash map's batch cursor (a bucket index), opaque to us; 8 bytes leave room. */
    private final MemorySegment cursorIn = arena.allocate(8, 8);
    private final MemorySegment cursorOut = arena.allocate(8, 8);
    private final long[] recentFlow = new long[RECENT];
    private final long[] recentMs = new long[RECENT];
    private int stagedInserts;
    private int stagedDeletes;
    private boolean passRunning;
    private boolean passStarted;
    private long nextPassMs = Long.MIN_VALUE;

    // Worker 0's copies of what it last wrote to the shared maps, to write only changes.
    private int[] vipsWritten;
    private long[] serverMacWritten;
    private int[] serverIfindexWritten;
    /** Where servers and services sit in the program's maps; null until a reload: each slot is the id. */
    private XdpSlots slots;
    private int nextServer;

    private long inserted;
    private long insertsRefusedFull;
    private long removed;
    private long reinserted;
    private long refreshed;
    private long staleRemoved;
    private long mapErrors;
    private long passFlows;
    private long flowsInMap;

    /**
     * The server-facing ports the program sends through, indexed as the neighbour table's interfaces: ifindex, MAC,
     * and the longest frame each sends (MTU plus the Ethernet header).
     */
    public record Egress(int[] ifindex, long[] mac, int[] maxFrame) {
        public Egress {
            if (ifindex.length != mac.length || ifindex.length != maxFrame.length) {
                throw new IllegalArgumentException("egress arrays differ in length");
            }
            ifindex = ifindex.clone();
            mac = mac.clone();
            maxFrame = maxFrame.clone();
        }
    }

    /**
     * @param egress         the server-facing ports (worker 0 writes each server's through them)
     * @param monotonicNanos the clock the program stamps flows with: CLOCK_MONOTONIC, {@link System#nanoTime()}
     */
    public FastPath(XdpObject program, int workerId, int workerCount, Egress egress, LongSupplier monotonicNanos) {
        this.program = program;
        this.egress = egress;
        this.maps = new FastPathMaps(program);
        this.workerId = workerId;
        this.workerCount = workerCount;
        this.monotonicNanos = monotonicNanos;
        batchOptions.set(ValueLayout.JAVA_LONG, 0, XdpLayouts.MAP_BATCH_OPTS.byteSize());
    }

    /** The maps this worker writes through (worker 0 writes ports, VIPs and servers with it). */
    public FastPathMaps maps() {
        return maps;
    }

    // ---- the table's change stream ----

    /** The table inserted an entry (a new connection, or one learned from a peer): in the map if forwardable. */
    public void onInsert(int protocol, int client, int clientPort, int vip, int vipPort, int serverId, int service, int state,
                         long nowMs) {
        if (forwardsInProgram(state)) {
            established(protocol, client, clientPort, vip, vipPort, serverId, service, nowMs);
        }
    }

    /** An entry changed state: in the map when it became forwardable, out when it stopped being so. */
    public void onStateChange(int protocol, int client, int clientPort, int vip, int vipPort, int serverId, int service,
                              int oldState, int newState, long nowMs) {
        if (forwardsInProgram(newState)) {
            established(protocol, client, clientPort, vip, vipPort, serverId, service, nowMs);
        } else if (forwardsInProgram(oldState)) {
            ended(protocol, client, clientPort, vip, vipPort);
        }
    }

    /** An entry left the table (closed, expired, evicted, removed by a peer or an operator). */
    public void onRemove(int protocol, int client, int clientPort, int vip, int vipPort, int state) {
        if (forwardsInProgram(state)) {
            ended(protocol, client, clientPort, vip, vipPort);
        }
    }

    /** A flow the program may forward from now on: it became ESTABLISHED, or is a UDP flow. */
    public void established(int protocol, int client, int clientPort, int vip, int vipPort, int serverId, int service,
                            long nowMs) {
        long flow = flowHash(protocol, client, clientPort, vip, vipPort);
        int at = (int) (flow >>> 56) & (RECENT - 1);
        recentFlow[at] = flow;
        recentMs[at] = nowMs;
        writeKey(scratchKey, 0, protocol, client, clientPort, vip, vipPort);
        // At most one staged change per flow, so the two batches may go in either order: a delete staged before is
        // cancelled (the insert overwrites whatever the map holds), an insert staged before is overwritten in place.
        int pendingDelete = indexOf(deleteKeys, stagedDeletes);
        if (pendingDelete >= 0) {
            stagedDeletes = unstage(deleteKeys, null, stagedDeletes, pendingDelete);
        }
        int slot = indexOf(insertKeys, stagedInserts);
        if (slot < 0) {
            if (stagedInserts == STAGED) {
                flushInserts();
            }
            slot = stagedInserts++;
            MemorySegment.copy(scratchKey, 0, insertKeys, slot * KEY_SIZE, KEY_SIZE);
        }
        long valueAt = slot * VALUE_SIZE;
        XdpLayouts.FLOW_LAST_SEEN_NS.set(insertValues, valueAt, monotonicNanos.getAsLong());
        XdpLayouts.FLOW_SERVER.set(insertValues, valueAt, slots == null ? serverId : slots.server(serverId));
        XdpLayouts.FLOW_SERVICE.set(insertValues, valueAt, slots == null ? service : slots.service(service));
    }

    /** A flow the program must leave to the slow path from now on: closing, closed, removed or expired. */
    public void ended(int protocol, int client, int clientPort, int vip, int vipPort) {
        writeKey(scratchKey, 0, protocol, client, clientPort, vip, vipPort);
        int pendingInsert = indexOf(insertKeys, stagedInserts);
        if (pendingInsert >= 0) {
            stagedInserts = unstage(insertKeys, insertValues, stagedInserts, pendingInsert);
        }
        if (indexOf(deleteKeys, stagedDeletes) >= 0) {
            return;
        }
        if (stagedDeletes == STAGED) {
            flushDeletes();
        }
        MemorySegment.copy(scratchKey, 0, deleteKeys, stagedDeletes * KEY_SIZE, KEY_SIZE);
        stagedDeletes++;
    }

    /** Where the key in {@link #scratchKey} is among the first {@code count} keys, or -1 (a scan: 256 at most). */
    private int indexOf(MemorySegment keys, int count) {
        long low = scratchKey.get(ValueLayout.JAVA_LONG, 0);
        long high = scratchKey.get(ValueLayout.JAVA_LONG, 8);
        for (int i = 0; i < count; i++) {
            long at = i * KEY_SIZE;
            if (keys.get(ValueLayout.JAVA_LONG, at) == low && keys.get(ValueLayout.JAVA_LONG, at + 8) == high) {
                return i;
            }
        }
        return -1;
    }

    /** Removes staged entry {@code index} by moving the last one into its place; returns the new count. */
    private static int unstage(MemorySegment keys, MemorySegment values, int count, int index) {
        int last = count - 1;
        if (index != last) {
            MemorySegment.copy(keys, last * KEY_SIZE, keys, index * KEY_SIZE, KEY_SIZE);
            if (values != null) {
                MemorySegment.copy(values, last * VALUE_SIZE, values, index * VALUE_SIZE, VALUE_SIZE);
            }
        }
        return last;
    }

    /**
     * The forwarder forwarded a frame of a flow that was forwardable before it: if the frame had the program's shape
     * (no SYN, FIN or RST; {@code plainIp}: no IP options, not a fragment) and the flow is still forwardable, the
     * program did not have the flow (a full map, a flow removed and created again within one flush), so it is put in
     * again.
     */
    public void forwardedOnSlowPath(int protocol, int client, int clientPort, int vip, int vipPort, int serverId, int service,
                                    int stateAfter, int tcpFlags, boolean plainIp, long nowMs) {
        if (!plainIp || !forwardsInProgram(stateAfter) || (tcpFlags & (TcpState.FLAG_SYN | TcpState.FLAG_FIN | TcpState.FLAG_RST)) != 0) {
            return;
        }
        long flow = flowHash(protocol, client, clientPort, vip, vipPort);
        int at = (int) (flow >>> 56) & (RECENT - 1);
        if (recentFlow[at] == flow && nowMs - recentMs[at] < REINSERT_HOLDOFF_MS) {
            return; // written a moment ago: this frame was in the ring before the flow reached the map
        }
        reinserted++;
        established(protocol, client, clientPort, vip, vipPort, serverId, service, nowMs);
    }

    /** A 64-bit mix of the 5-tuple; a collision only costs a write (or skips one, which the next frame redoes). */
    private static long flowHash(int protocol, int client, int clientPort, int vip, int vipPort) {
        long h = ((long) client << 32 | (vip & 0xFFFF_FFFFL)) * 0x9E37_79B9_7F4A_7C15L;
        h ^= ((long) clientPort << 24 | (long) vipPort << 8 | protocol) * 0xC2B2_AE3D_27D4_EB4FL;
        return h ^ (h >>> 29);
    }

    /** Whether a table state is one whose flows the program forwards. */
    public static boolean forwardsInProgram(int state) {
        return state == TcpState.ESTABLISHED || state == TcpState.UDP;
    }

    /**
     * One duty cycle's map work: the staged changes written (inserts first), then a slice of the last-seen pass.
     *
     * @return system calls made (work done, for the idle strategy)
     */
    public int doWork(long nowMs, ConnectionTable table) {
        int work = flushInserts() + flushDeletes();
        if (!passRunning && nowMs >= nextPassMs) {
            passRunning = true;
            passStarted = false;
            nextPassMs = nowMs + PULL_INTERVAL_MS;
        }
        if (passRunning) {
            work += pull(nowMs, table);
        }
        return work;
    }

    private int flushInserts() {
        int done = 0;
        int calls = 0;
        while (done < stagedInserts) {
            int asked = stagedInserts - done;
            count.set(ValueLayout.JAVA_INT, 0, asked);
            // From the start in the common case: a slice (an object) only after a refused entry.
            int result = Libbpf.mapUpdateBatch(program.flows().fd(), done == 0 ? insertKeys : insertKeys.asSlice(done * KEY_SIZE),
                    done == 0 ? insertValues : insertValues.asSlice(done * VALUE_SIZE), count, batchOptions);
            calls++;
            int written = Math.min(asked, Math.max(0, count.get(ValueLayout.JAVA_INT, 0)));
            inserted += written;
            done += written;
            if (result == -KernelConstants.E2BIG) {
                // Full: this flow stays on the slow path (forwarded all the same); counted, and the rest tried.
                insertsRefusedFull++;
                done++;
            } else if (result < 0) {
                // Any other failure: these flows stay on the slow path, which puts each in again on a later frame.
                // Counted; never out of the worker's loop.
                mapErrors++;
                break;
            }
        }
        stagedInserts = 0;
        return calls;
    }

    private int flushDeletes() {
        int done = 0;
        int calls = 0;
        while (done < stagedDeletes) {
            int asked = stagedDeletes - done;
            count.set(ValueLayout.JAVA_INT, 0, asked);
            int result = Libbpf.mapDeleteBatch(program.flows().fd(),
                    done == 0 ? deleteKeys : deleteKeys.asSlice(done * KEY_SIZE), count, batchOptions);
            calls++;
            int deleted = Math.min(asked, Math.max(0, count.get(ValueLayout.JAVA_INT, 0)));
            removed += deleted;
            done += deleted;
            if (result == -KernelConstants.ENOENT) {
                done++; // not in the map (never inserted: the map was full, or a flow of another kind): nothing to do
            } else if (result < 0) {
                // Any other failure: the last-seen pass finds these flows in the map and takes them out then.
                mapErrors++;
                break;
            }
        }
        stagedDeletes = 0;
        return calls;
    }

    /** One slice of the last-seen pass: this worker's flows touched with the program's time, strays removed. */
    private int pull(long nowMs, ConnectionTable table) {
        count.set(ValueLayout.JAVA_INT, 0, PULL_BATCH);
        int result = Libbpf.mapLookupBatch(program.flows().fd(), passStarted ? cursorIn : MemorySegment.NULL, cursorOut,
                pullKeys, pullValues, count, batchOptions);
        boolean last = result == -KernelConstants.ENOENT;
        if (result < 0 && !last) {
            mapErrors++; // this pass ends here; the next starts over
            passRunning = false;
            return 1;
        }
        int entries = Math.min(PULL_BATCH, Math.max(0, count.get(ValueLayout.JAVA_INT, 0)));
        long monotonicNow = monotonicNanos.getAsLong();
        for (int i = 0; i < entries; i++) {
            apply(table, i, nowMs, monotonicNow);
        }
        MemorySegment.copy(cursorOut, 0, cursorIn, 0, 8);
        passStarted = true;
        if (last) {
            passRunning = false;
            flowsInMap = passFlows;
            passFlows = 0;
        }
        return 1;
    }

    private void apply(ConnectionTable table, int i, long nowMs, long monotonicNow) {
        long keyAt = i * KEY_SIZE;
        int client = (int) XdpLayouts.FLOW_KEY_CLIENT_ADDRESS.get(pullKeys, keyAt);
        if (ClientShardFanout.shardOf(client, workerCount) != workerId) {
            return; // another worker's flow
        }
        int vip = (int) XdpLayouts.FLOW_KEY_VIP_ADDRESS.get(pullKeys, keyAt);
        int clientPort = Short.toUnsignedInt((short) XdpLayouts.FLOW_KEY_CLIENT_PORT.get(pullKeys, keyAt));
        int vipPort = Short.toUnsignedInt((short) XdpLayouts.FLOW_KEY_VIP_PORT.get(pullKeys, keyAt));
        int protocol = Byte.toUnsignedInt((byte) XdpLayouts.FLOW_KEY_PROTOCOL.get(pullKeys, keyAt));
        long slot = table.find(protocol, client, clientPort, vip, vipPort);
        if (slot < 0 || !forwardsInProgram(table.state(slot))) {
            staleRemoved++;
            ended(protocol, client, clientPort, vip, vipPort);
            return;
        }
        passFlows++;
        long lastSeenNs = (long) XdpLayouts.FLOW_LAST_SEEN_NS.get(pullValues, i * VALUE_SIZE);
        long ageMs = Math.max(0, monotonicNow - lastSeenNs) / 1_000_000L;
        long lastSeenMs = nowMs - ageMs;
        if (lastSeenMs > table.lastSeenMs(slot)) {
            table.touch(slot, 0, lastSeenMs);
            refreshed++;
        }
    }

    // ---- worker 0: the shared maps ----

    /**
     * Writes each VIP's flag where it changed: the program forwards a VIP's flows only while this router forwards it.
     * Called every cycle, and by {@code ArpHandler.announce} before a gratuitous ARP goes out.
     */
    public void syncVips(VipOwnership ownership) {
        if (vipsWritten == null) {
            vipsWritten = new int[ownership.count()];
            java.util.Arrays.fill(vipsWritten, -1);
        }
        for (int v = 0; v < vipsWritten.length; v++) {
            int forwards = ownership.forwardsByIndex(v) ? 1 : 0;
            if (forwards != vipsWritten[v]) {
                if (maps.putVip(ownership.vip(v), forwards == 1) == 0) {
                    vipsWritten[v] = forwards;
                } else {
                    mapErrors++; // written again next cycle: a VIP's flag must follow its ownership
                }
            }
        }
    }

    /**
     * Worker 0's share of a duty cycle: {@link #syncVips} and {@link #syncServers}.
     */
    public void syncShared(VipOwnership ownership, ServiceMap services, NeighbourTable neighbours, ServerHealthBoard health) {
        syncVips(ownership);
        syncServers(services, neighbours, health);
    }

    /**
     * A reload: the servers' and services' slots in the program's maps from now on ({@link XdpSlots}: a server that
     * stays keeps its slot, so no flow in the map is rewritten). On worker 0, the entries of {@code freedSlots} (servers
     * the reload removed) are marked unusable at once, and every server's entry is checked again as the slices come
     * round. Worker thread.
     */
    public void reconfigure(XdpSlots next, int[] freedSlots) {
        slots = next;
        serverMacWritten = null;
        serverIfindexWritten = null;
        nextServer = 0;
        if (workerId == 0) {
            for (int slot : freedSlots) {
                if (maps.putServer(slot, 0, egress.mac()[0], egress.ifindex()[0], egress.maxFrame()[0], false) != 0) {
                    mapErrors++; // its flows were deleted with its connections: the flag is a second guard
                }
            }
        }
    }

    /**
     * Checks a slice of the servers and writes those whose MAC, egress port or usability changed. A server is usable
     * in the program when its MAC is known and its connections are not to be dropped now ({@code on-server-down:
     * drop} and failing its check: the slow path removes each connection on its next frame).
     */
    public void syncServers(ServiceMap services, NeighbourTable neighbours, ServerHealthBoard health) {
        int servers = services.totalServers();
        if (serverMacWritten == null) {
            serverMacWritten = new long[servers];
            serverIfindexWritten = new int[servers];
            java.util.Arrays.fill(serverIfindexWritten, -1);
        }
        for (int n = 0; n < Math.min(SERVERS_PER_CYCLE, servers); n++) {
            int server = nextServer;
            nextServer = nextServer + 1 == servers ? 0 : nextServer + 1;
            int neighbour = services.neighbourOf(server, health.addressChoice(server));
            long mac = neighbours.mac(neighbour);
            int port = neighbours.interfaceIndex(neighbour);
            boolean dropped = services.dropsOnServerDown(services.serviceOfServer(server))
                    && health.health(server) == ServerHealthBoard.DOWN;
            boolean usable = mac >= 0 && !dropped;
            // One long says it all: the MAC (48 bits) and usability; the ifindex beside it.
            long state = usable ? mac : -1;
            int ifindex = egress.ifindex()[port];
            if (state != serverMacWritten[server] || ifindex != serverIfindexWritten[server]) {
                int slot = slots == null ? server : slots.server(server);
                if (maps.putServer(slot, Math.max(0, mac), egress.mac()[port], ifindex, egress.maxFrame()[port], usable) == 0) {
                    serverMacWritten[server] = state;
                    serverIfindexWritten[server] = ifindex;
                } else {
                    mapErrors++; // written again when the slice comes round
                }
            }
        }
    }

    private static void writeKey(MemorySegment keys, long at, int protocol, int client, int clientPort, int vip, int vipPort) {
        // The padding is hashed with the rest of the key: zero, always (written here rather than through a slice, which
        // would be an object per connection).
        for (long padding = PADDING_OFFSET; padding < KEY_SIZE; padding++) {
            keys.set(ValueLayout.JAVA_BYTE, at + padding, (byte) 0);
        }
        XdpLayouts.FLOW_KEY_CLIENT_ADDRESS.set(keys, at, client);
        XdpLayouts.FLOW_KEY_VIP_ADDRESS.set(keys, at, vip);
        XdpLayouts.FLOW_KEY_CLIENT_PORT.set(keys, at, (short) clientPort);
        XdpLayouts.FLOW_KEY_VIP_PORT.set(keys, at, (short) vipPort);
        XdpLayouts.FLOW_KEY_PROTOCOL.set(keys, at, (byte) protocol);
    }

    /** Flows written into the map (inserts and re-inserts). */
    public long inserted() {
        return inserted;
    }

    /** Flows the map had no room for (they stay on the slow path). */
    public long insertsRefusedFull() {
        return insertsRefusedFull;
    }

    /** Flows taken out of the map. */
    public long removed() {
        return removed;
    }

    /** Flows put in again because the forwarder saw one of their frames the program could have forwarded. */
    public long reinserted() {
        return reinserted;
    }

    /** Table entries whose last-seen time the program's moved forward. */
    public long refreshed() {
        return refreshed;
    }

    /** Flows found in the map that the table no longer held as forwardable, removed. */
    public long staleRemoved() {
        return staleRemoved;
    }

    /**
     * This worker's flows in the program's map, as the last whole pass counted them (at most a pass interval old): what
     * the driver forwards alone, on a standby what it will forward from its first frame after a takeover.
     */
    public long flowsInMap() {
        return flowsInMap;
    }

    /** Map writes and reads the kernel refused for another reason than a full map (each retried or healed later). */
    public long mapErrors() {
        return mapErrors;
    }

    /** The worker this belongs to. */
    public int workerId() {
        return workerId;
    }

    @Override
    public void close() {
        maps.close();
        arena.close();
    }
}
