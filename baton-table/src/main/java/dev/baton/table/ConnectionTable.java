package dev.baton.table;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;

/**
 * The connection table (US 6,148,410, FIG. 1, item 106): (protocol, client address, client port, VIP, VIP
 * port) &rarr; (service id, server id), with the connection's {@link TcpState} and last-seen time. IPv4
 * only; addresses are ints ({@code 192.0.2.1 == 0xC0000201}), ports ints 0..65535, protocol 6 (TCP) or
 * 17 (UDP), service and server ids 0..65535.
 *
 * <h2>Layout</h2>
 * One off-heap segment of 24-byte slots, no object per entry (see {@link OpenAddressingTable} for the
 * probing, deletion and sizing rules). At a load factor of at most 3/4 that is at most 64 bytes of memory
 * per configured entry, whatever the capacity.
 * <pre>
 *   offset  size  field
 *        0     8  client address (high 32 bits) | VIP (low 32 bits)
 *        8     4  client port (high 16 bits) | VIP port (low 16 bits)
 *       12     1  protocol
 *       13     1  control: TcpState code (bits 0..6; 0 = empty slot), refreshed mark (bit 7)
 *       14     2  service id
 *       16     8  last-seen ms, signed 48 bits (high) | server id (low 16 bits)
 * </pre>
 *
 * <h2>Slot handles</h2>
 * {@link #find}, {@link #insert} and {@link #upsert} return a slot handle, valid until the next call that
 * may remove an entry (insert, upsert, remove, expire, or a {@code find} with a time). The owner looks an
 * entry up, then reads or touches it, before doing anything else to the table.
 *
 * <h2>Timeouts</h2>
 * An entry expires when idle for longer than its state's timeout ({@link ConnectionTimeouts}):
 * {@code nowMs - lastSeenMs > timeoutMs}. {@link #expire} sweeps incrementally; {@link #find(int, int, int,
 * int, int, long)} treats an expired entry as absent and removes it, so expiry is exact whatever the
 * sweep's progress.
 *
 * <h2>Capacity policy</h2>
 * The table stores at most {@link #capacity()} entries. An insert into a full table scans the 64 slots from
 * the new entry's home slot and, in this order:
 * <ol>
 *   <li>removes the first <em>expired</em> entry found (reason {@link RemovalReason#EXPIRED}, counted in
 *       {@link #evictionsExpired()});</li>
 *   <li>else evicts the least valuable entry found (reason {@link RemovalReason#EVICTED}, counted in
 *       {@link #evictions()}), by class, and within a class the one least recently seen:
 *       <ol>
 *         <li>what a blind spoofer can create: {@link TcpState#SYN_RECEIVED} (a SYN alone),
 *             {@link TcpState#UNCONFIRMED} (a SYN then an ACK, or an ACK alone) and {@link TcpState#CLOSED}
 *             (after a RST). Losing one costs a real client a SYN retransmission, or a connection that
 *             had not yet shown traffic over {@link #CONFIRM_AFTER_MS};</li>
 *         <li>{@link TcpState#CLOSING}: the client has said goodbye;</li>
 *         <li>UDP flows idle for at least {@link #UDP_EVICTABLE_IDLE_MS}: UDP has no handshake to tell a
 *             spoofed flow from a real one, so only idleness ranks it;</li>
 *       </ol>
 *       {@link TcpState#ESTABLISHED} entries and busy UDP flows are never evicted, so a flood of any of
 *       the above cannot push out a connection that has proven itself;</li>
 *   <li>else refuses the insert: returns {@link #FULL} and counts it in {@link #insertFailuresFull()}.</li>
 * </ol>
 *
 * <h2>Per-source quota</h2>
 * With a {@link #perSourceLimit(int) limit}, {@link #insert} refuses a new entry for a client address that
 * already holds that many ({@link #SOURCE_LIMIT}, counted in {@link #insertFailuresSourceLimit()}), so one
 * real address cannot fill the table with connections it completes. Entries are counted per bucket of a
 * seeded hash of the client address, one bucket per 8 slots (at most 6 entries per bucket on average when
 * full): an innocent address that shares a bucket with one at its limit is refused too, with probability
 * about 8 / slots per such address. Learned entries ({@link #upsert}) are counted but never refused: a
 * standby holds what its active holds.
 *
 * <h2>Replication</h2>
 * Every change is announced to the {@link ConnectionListener} (the change stream); {@link #forEach} dumps the
 * table; {@link #digest()} compares two tables in O(1); {@link #upsert} and {@link #remove} apply what a peer
 * sent; {@link #forEachRefreshed} reports, in bounded batches, entries whose last-seen time moved, so a
 * standby's timeouts follow the active's without an event per packet.
 *
 * <h2>Hashing</h2>
 * The home slot is a seeded 64-bit mix of the key; the seed is random per table unless given, so a client
 * cannot aim many connections at one probe sequence (hash flooding).
 *
 * <p>Single-threaded: only the owner thread may call any method, listener and visitors run on it.
 * Allocation-free after construction.
 */
public final class ConnectionTable extends OpenAddressingTable<ConnectionVisitor> {

    /** {@link #insert}: the table is full and the capacity policy found nothing to evict. */
    public static final long FULL = -1;
    /** {@link #insert}: the client address holds {@link #perSourceLimit()} entries already. */
    public static final long SOURCE_LIMIT = -2;
    /**
     * How long after the ACK that made an entry {@link TcpState#UNCONFIRMED} a further client segment must
     * come to make it {@link TcpState#ESTABLISHED}: a second of a real connection's life, which a stateless
     * SYN/ACK generator does not spend. Short connections that never wait that long stay evictable; they
     * are gone soon anyway.
     */
    public static final long CONFIRM_AFTER_MS = 1_000;
    /**
     * A UDP flow idle at least this long may be evicted when the table is full (after the TCP classes): a
     * flow that sends several datagrams a second (voice, games, QUIC) never is; a spoofed one is idle
     * after its only datagram.
     */
    public static final long UDP_EVICTABLE_IDLE_MS = 1_000;

    /** IP protocol numbers (RFC 790 / IANA). */
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    static final int SLOT_BYTES = 24;
    static final int ADDRESSES_OFFSET = 0;
    static final int PORTS_OFFSET = 8;
    static final int PROTOCOL_OFFSET = 12;
    static final int CONTROL_OFFSET = 13;
    static final int SERVICE_OFFSET = 14;
    static final int LAST_SEEN_AND_SERVER_OFFSET = 16;

    private static final int ID_LIMIT = 1 << 16;
    /** Slots per per-source counting bucket. */
    private static final int SLOTS_PER_SOURCE_BUCKET = 8;
    /** Eviction classes, lowest first; the rank is the class in the high bits, then the last-seen time. */
    private static final long EVICTION_CLASS_SPOOFABLE = 0;
    private static final long EVICTION_CLASS_CLOSING = 1;
    private static final long EVICTION_CLASS_IDLE_UDP = 2;
    private static final int EVICTION_CLASS_SHIFT = 50;
    /** Moves a signed 48-bit time into 0..2^48 so it orders correctly below the class bits. */
    private static final long TIME_BIAS = 1L << 47;

    private final ConnectionListener listener;
    private final long hashSeed;
    /** Timeout per {@link TcpState} code, indexed by the code: read on every lookup. */
    private final long[] timeoutMsByState = new long[TcpState.CODE_LIMIT];
    private ConnectionTimeouts timeouts;

    private int[] partitionOfService = new int[0];
    /** Server ids from this one on are departing ({@link #reassign}); none until a reload says so. */
    private int departingFrom = Integer.MAX_VALUE;
    /** The partition of departing servers' connections: the last. */
    private int departingPartition;

    /** Entries per bucket of client addresses (the per-source quota), off-heap: one int per 8 slots. */
    private final Arena sourceArena = Arena.ofShared();
    private final MemorySegment sourceCounts;
    private final long sourceBucketMask;
    private int perSourceLimit;
    private long insertFailuresSourceLimit;
    private long confirmations;

    /**
     * A table with a random hash seed.
     *
     * @param capacity the most entries held at once, 1..{@link #MAX_CAPACITY}
     * @param listener receives every change; {@link ConnectionListener#NONE} for none
     */
    public ConnectionTable(int capacity, ConnectionTimeouts timeouts, ConnectionListener listener) {
        this(capacity, timeouts, listener, new SecureRandom().nextLong());
    }

    /** A table with a fixed hash seed: reproducible slot positions for tests and benchmarks. */
    public ConnectionTable(int capacity, ConnectionTimeouts timeouts, ConnectionListener listener, long hashSeed) {
        super(capacity, SLOT_BYTES, CONTROL_OFFSET);
        if (listener == null) {
            throw new NullPointerException("listener (use ConnectionListener.NONE)");
        }
        this.listener = listener;
        this.hashSeed = hashSeed;
        long buckets = Math.max(1, slotCount() / SLOTS_PER_SOURCE_BUCKET);
        this.sourceBucketMask = buckets - 1;
        this.sourceCounts = sourceArena.allocate(buckets * Integer.BYTES, Integer.BYTES);
        timeouts(timeouts);
    }

    /**
     * Sets the per-source quota: the most entries {@link #insert} creates for one client address; 0 for no
     * limit. Applies to inserts from now on (entries already held stay).
     */
    public ConnectionTable perSourceLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("per-source limit must be 0 (off) or positive: " + limit);
        }
        this.perSourceLimit = limit;
        return this;
    }

    public int perSourceLimit() {
        return perSourceLimit;
    }

    /** Entries held by client addresses that share {@code clientAddress}'s counting bucket (at least its own). */
    public int sourceEntries(int clientAddress) {
        return sourceCounts.getAtIndex(ValueLayout.JAVA_INT, sourceBucket(clientAddress));
    }

    /** Inserts refused because the client address held {@link #perSourceLimit()} entries. */
    public long insertFailuresSourceLimit() {
        return insertFailuresSourceLimit;
    }

    /**
     * Connections confirmed: made {@link TcpState#ESTABLISHED} by a client segment {@link #CONFIRM_AFTER_MS} or more
     * after their handshake ACK ({@link #touch}); entries learned from a peer ({@link #upsert}) are not counted here.
     * Against {@link #inserts()} it tells real clients from a blind SYN/ACK generator, which never comes back.
     */
    public long confirmations() {
        return confirmations;
    }

    /** Off-heap bytes of the per-source counts: 4 bytes per 8 slots, beside {@link #memoryBytes()}. */
    public long sourceCountBytes() {
        return sourceCounts.byteSize();
    }

    private long sourceBucket(int clientAddress) {
        return mix64(Integer.toUnsignedLong(clientAddress) + hashSeed) & sourceBucketMask;
    }

    private void countSource(int clientAddress, int delta) {
        long bucket = sourceBucket(clientAddress);
        sourceCounts.setAtIndex(ValueLayout.JAVA_INT, bucket, sourceCounts.getAtIndex(ValueLayout.JAVA_INT, bucket) + delta);
    }

    /**
     * Groups services into partitions, each with its own {@link #partitionSize} and {@link #partitionDigest}:
     * Baton replicates per VIP (the unit of takeover), so a partition is every service of one VIP. Call on
     * an empty table.
     *
     * @param partitionOfService the partition of each service id; ids beyond the array belong to partition 0
     * @param partitionCount     partitions, each value of the array below it
     */
    public ConnectionTable partitions(int[] partitionOfService, int partitionCount) {
        for (int partition : partitionOfService) {
            if (partition < 0 || partition >= partitionCount) {
                throw new IllegalArgumentException("partition " + partition + " outside 0.." + (partitionCount - 1));
            }
        }
        partitionCount(partitionCount);
        this.partitionOfService = partitionOfService.clone();
        return this;
    }

    /**
     * Gives every entry the ids of a reloaded configuration, in place, with no event (the owner knows what it
     * changed and tells whoever keeps state by id): service {@code s} becomes {@code serviceOf[s]}, server {@code i}
     * becomes {@code serverOf[i]}, and services belong to {@code partitionOfService} from now on. Servers from id
     * {@code departingFrom} on (those a reload removed, kept for their connections; {@link Integer#MAX_VALUE} for
     * none) put their connections in a partition of their own after the others: no VIP's size and digest count
     * them, so replication, which works per VIP, leaves them to this router. Digests and partition sizes are
     * recomputed. Entries whose service or server has no new id must have been removed first.
     * Owner thread; one pass over the slots.
     *
     * @throws IllegalStateException if an entry's service or server has no new id (nothing is changed then)
     */
    public void reassign(int[] serviceOf, int[] serverOf, int[] partitionOfService, int partitionCount, int departingFrom) {
        for (int partition : partitionOfService) {
            if (partition < 0 || partition >= partitionCount) {
                throw new IllegalArgumentException("partition " + partition + " outside 0.." + (partitionCount - 1));
            }
        }
        if (departingFrom < ID_LIMIT) {
            partitionCount++; // the departing servers' connections: a partition of their own, after every VIP's
        }
        for (long slot = 0; slot < slotCount(); slot++) {
            if (occupied(slot)) {
                int service = serviceId(slot);
                int server = serverId(slot);
                if (service >= serviceOf.length || serviceOf[service] < 0 || server >= serverOf.length || serverOf[server] < 0
                        || serviceOf[service] >= ID_LIMIT || serverOf[server] >= ID_LIMIT) {
                    throw new IllegalStateException("entry of service " + service + ", server " + server + " has no new id");
                }
            }
        }
        for (long slot = 0; slot < slotCount(); slot++) {
            if (occupied(slot)) {
                slots.set(ValueLayout.JAVA_SHORT, offset(slot) + SERVICE_OFFSET, (short) serviceOf[serviceId(slot)]);
                writeLastSeenAndServer(slot, lastSeenMs(slot), serverOf[serverId(slot)]);
            }
        }
        this.partitionOfService = partitionOfService.clone();
        this.departingFrom = departingFrom;
        this.departingPartition = partitionCount - 1;
        repartition(partitionCount);
    }

    /** The partition service {@code serviceId} belongs to. */
    public int partitionOfService(int serviceId) {
        return serviceId < partitionOfService.length ? partitionOfService[serviceId] : 0;
    }

    /**
     * The partition of a connection of {@code serviceId} to {@code serverId}: its service's, unless the server is
     * departing ({@link #reassign}): then the last partition, which no VIP's replication covers.
     */
    public int partitionOf(int serviceId, int serverId) {
        return serverId >= departingFrom ? departingPartition : partitionOfService(serviceId);
    }

    @Override
    int partitionOfEntry(long slot) {
        return partitionOf(serviceId(slot), serverId(slot));
    }

    /** Replaces the timeouts (e.g. on configuration reload); applies at once to every entry. */
    public void timeouts(ConnectionTimeouts timeouts) {
        if (timeouts == null) {
            throw new NullPointerException("timeouts");
        }
        for (int state = TcpState.SYN_RECEIVED; state < TcpState.CODE_LIMIT; state++) {
            timeoutMsByState[state] = timeouts.timeoutMs(state);
        }
        this.timeouts = timeouts;
    }

    public ConnectionTimeouts timeouts() {
        return timeouts;
    }

    // ---------------------------------------------------------------- lookups

    /**
     * The entry for this key, expired or not, without side effects (for inspection and replication);
     * -1 when absent. The forwarding path uses {@link #find(int, int, int, int, int, long)}.
     *
     * <p>Never throws, whatever the arguments: they may come straight from a packet (an ICMP error's quoted
     * header), and a key the table cannot hold, a protocol other than TCP or UDP or a port
     * outside 0..65535, is simply absent.
     */
    public long find(int protocol, int clientAddress, int clientPort, int vip, int vipPort) {
        if (!isTracked(protocol) || ((clientPort | vipPort) & ~0xFFFF) != 0) {
            return -1;
        }
        long probe = probe(addresses(clientAddress, vip), ports(clientPort, vipPort), protocol);
        return probe >= 0 ? probe : -1;
    }

    /**
     * The live entry for this key at {@code nowMs}, or -1. An entry idle for longer than its timeout is
     * absent: it is removed here (reason {@link RemovalReason#EXPIRED}), whether or not the sweep reached it.
     */
    public long find(int protocol, int clientAddress, int clientPort, int vip, int vipPort, long nowMs) {
        long slot = find(protocol, clientAddress, clientPort, vip, vipPort);
        if (slot >= 0 && isExpired(slot, nowMs)) {
            removeAt(slot, RemovalReason.EXPIRED);
            return -1;
        }
        return slot;
    }

    /**
     * Linear probe for a key from its home slot.
     *
     * @return the slot holding the key, or {@code -(empty slot) - 1} where it would be inserted
     */
    private long probe(long addresses, int ports, int protocol) {
        long slot = homeSlot(addresses, ports, protocol);
        while (true) {
            long offset = offset(slot);
            if ((control(slot) & CONTROL_CODE_MASK) == 0) {
                return -slot - 1;
            }
            if (slots.get(ValueLayout.JAVA_LONG, offset + ADDRESSES_OFFSET) == addresses
                    && slots.get(ValueLayout.JAVA_INT, offset + PORTS_OFFSET) == ports
                    && slots.get(ValueLayout.JAVA_BYTE, offset + PROTOCOL_OFFSET) == (byte) protocol) {
                return slot;
            }
            slot = nextSlot(slot);
        }
    }

    private long homeSlot(long addresses, int ports, int protocol) {
        long portsAndProtocol = Integer.toUnsignedLong(ports) | ((long) protocol << 32);
        return mix64(mix64(addresses ^ hashSeed) + portsAndProtocol) & slotMask;
    }

    // ---------------------------------------------------------------- changes

    /**
     * Adds an entry for a new connection, scheduled to {@code serverId} at {@code nowMs}, and announces it.
     * If the key is already present and live, nothing changes and its slot is returned (compare
     * {@link #serverId(long)}); an expired entry for the key is replaced.
     *
     * @param state a {@link TcpState} code consistent with the protocol ({@link TcpState#UDP} for UDP)
     * @return the entry's slot; {@link #FULL} when the table is full and the capacity policy found no room;
     *         {@link #SOURCE_LIMIT} when the client address holds {@link #perSourceLimit()} entries already
     */
    public long insert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                       int serviceId, int serverId, int state, long nowMs) {
        checkEntry(protocol, serviceId, serverId, state);
        checkTimeMs(nowMs);
        long addresses = addresses(clientAddress, vip);
        int ports = ports(clientPort, vipPort);
        long probe = probe(addresses, ports, protocol);
        if (probe >= 0) {
            if (!isExpired(probe, nowMs)) {
                return probe;
            }
            removeAt(probe, RemovalReason.EXPIRED);
            probe = probe(addresses, ports, protocol);
        }
        if (perSourceLimit > 0 && sourceEntries(clientAddress) >= perSourceLimit) {
            insertFailuresSourceLimit++;
            return SOURCE_LIMIT;
        }
        return add(probe, addresses, ports, protocol, serviceId, serverId, state, nowMs, nowMs);
    }

    /**
     * Applies an entry learned from a peer (a full dump or the change stream): inserts it, or overwrites the
     * entry with that key. No scheduling is involved. If the existing entry maps the key to another service
     * or server, it is removed (reason {@link RemovalReason#REPLACED}) and the learned one added, so the
     * listener sees the old mapping leave and the new one arrive; otherwise its state and last-seen time are
     * overwritten (a state change is announced).
     *
     * @param lastSeenMs the entry's last-seen time, already translated to this router's clock
     * @param nowMs      now, for the capacity policy's expiry checks
     * @return the entry's slot, or -1 when the table is full and the capacity policy found no room
     */
    public long upsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                       int serviceId, int serverId, int state, long lastSeenMs, long nowMs) {
        checkEntry(protocol, serviceId, serverId, state);
        checkTimeMs(lastSeenMs);
        checkTimeMs(nowMs);
        long addresses = addresses(clientAddress, vip);
        int ports = ports(clientPort, vipPort);
        long probe = probe(addresses, ports, protocol);
        if (probe >= 0) {
            long slot = probe;
            if (serviceId(slot) == serviceId && serverId(slot) == serverId) {
                int oldState = state(slot);
                digestRemove(slot);
                writeLastSeenAndServer(slot, lastSeenMs, serverId);
                control(slot, (control(slot) & CONTROL_REFRESHED) | state);
                digestAdd(slot);
                if (oldState != state) {
                    listener.onStateChange(protocol, clientAddress, clientPort, vip, vipPort,
                            serviceId, serverId, oldState, state, nowMs);
                }
                return slot;
            }
            removeAt(slot, RemovalReason.REPLACED);
            probe = probe(addresses, ports, protocol);
        }
        return add(probe, addresses, ports, protocol, serviceId, serverId, state, lastSeenMs, nowMs);
    }

    /**
     * Writes a new entry where {@code probe} says the key belongs, first applying the capacity policy if
     * the table is full.
     */
    private long add(long probe, long addresses, int ports, int protocol, int serviceId, int serverId,
                     int state, long lastSeenMs, long nowMs) {
        if (size() >= capacity()) {
            if (!makeRoom(homeSlot(addresses, ports, protocol), nowMs)) {
                return FULL;
            }
            probe = probe(addresses, ports, protocol);
        }
        long slot = -probe - 1;
        long offset = offset(slot);
        slots.set(ValueLayout.JAVA_LONG, offset + ADDRESSES_OFFSET, addresses);
        slots.set(ValueLayout.JAVA_INT, offset + PORTS_OFFSET, ports);
        slots.set(ValueLayout.JAVA_BYTE, offset + PROTOCOL_OFFSET, (byte) protocol);
        slots.set(ValueLayout.JAVA_SHORT, offset + SERVICE_OFFSET, (short) serviceId);
        writeLastSeenAndServer(slot, lastSeenMs, serverId);
        control(slot, state);
        added(slot);
        countSource(clientAddress(slot), 1);
        listener.onInsert(protocol, clientAddress(slot), clientPort(slot), vip(slot), vipPort(slot),
                serviceId, serverId, state, lastSeenMs);
        return slot;
    }

    /**
     * Records a client segment on the entry in {@code slot}: refreshes its last-seen time and advances its
     * state by the segment's TCP flags ({@link TcpState#next}); a state change is announced. For UDP pass
     * any flags (ignored).
     *
     * <p>An {@link TcpState#UNCONFIRMED} entry is the exception: its last-seen time stays that of the ACK
     * that made it so, and the first segment {@link #CONFIRM_AFTER_MS} or more after it makes it
     * {@link TcpState#ESTABLISHED}. Its idle timeout, that of an established connection,
     * therefore counts from that ACK until then.
     *
     * @param tcpFlags the TCP header's flag bits ({@link TcpState#FLAG_SYN} ...)
     */
    public void touch(long slot, int tcpFlags, long nowMs) {
        requireOccupied(slot);
        checkTimeMs(nowMs);
        int control = control(slot);
        int oldState = control & CONTROL_CODE_MASK;
        int newState = TcpState.next(oldState, tcpFlags);
        if (oldState == TcpState.UNCONFIRMED && newState == TcpState.UNCONFIRMED) {
            if (nowMs - lastSeenMs(slot) < CONFIRM_AFTER_MS) {
                return; // not yet confirmed, and its confirmation clock keeps running from the ACK
            }
            newState = TcpState.ESTABLISHED;
            confirmations++;
        }
        int serverId = serverId(slot);
        writeLastSeenAndServer(slot, nowMs, serverId);
        if (newState == oldState) {
            control(slot, control | CONTROL_REFRESHED);
            return;
        }
        digestRemove(slot);
        control(slot, newState | CONTROL_REFRESHED);
        digestAdd(slot);
        listener.onStateChange(protocol(slot), clientAddress(slot), clientPort(slot), vip(slot), vipPort(slot),
                serviceId(slot), serverId, oldState, newState, nowMs);
    }

    /**
     * Removes the entry for this key (an operator command, or a removal learned from a peer), announcing it
     * with reason {@link RemovalReason#REMOVED}.
     *
     * @return whether there was one
     */
    public boolean remove(int protocol, int clientAddress, int clientPort, int vip, int vipPort) {
        long slot = find(protocol, clientAddress, clientPort, vip, vipPort);
        if (slot < 0) {
            return false;
        }
        removeAt(slot, RemovalReason.REMOVED);
        return true;
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    void visit(long slot, ConnectionVisitor visitor) {
        visitor.visit(protocol(slot), clientAddress(slot), clientPort(slot), vip(slot), vipPort(slot),
                serviceId(slot), serverId(slot), state(slot), lastSeenMs(slot));
    }

    /**
     * One entry's contribution to {@link #digest()}: a mix of its key, service, server and state. Public so
     * that a peer can compute the digest of a dump it received the same way.
     */
    public static long entryDigest(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                   int serviceId, int serverId, int state) {
        long keyPorts = Integer.toUnsignedLong((clientPort << 16) | vipPort) | ((long) protocol << 32);
        long mapping = ((long) serviceId << 32) | ((long) serverId << 8) | state;
        return mix64(mix64(mix64(addresses(clientAddress, vip)) + keyPorts) + mapping);
    }

    // ---------------------------------------------------------------- accessors by slot

    public int protocol(long slot) {
        return Byte.toUnsignedInt(slots.get(ValueLayout.JAVA_BYTE, offset(slot) + PROTOCOL_OFFSET));
    }

    public int clientAddress(long slot) {
        return (int) (slots.get(ValueLayout.JAVA_LONG, offset(slot) + ADDRESSES_OFFSET) >>> 32);
    }

    public int vip(long slot) {
        return (int) slots.get(ValueLayout.JAVA_LONG, offset(slot) + ADDRESSES_OFFSET);
    }

    public int clientPort(long slot) {
        return slots.get(ValueLayout.JAVA_INT, offset(slot) + PORTS_OFFSET) >>> 16;
    }

    public int vipPort(long slot) {
        return slots.get(ValueLayout.JAVA_INT, offset(slot) + PORTS_OFFSET) & 0xFFFF;
    }

    public int serviceId(long slot) {
        return Short.toUnsignedInt(slots.get(ValueLayout.JAVA_SHORT, offset(slot) + SERVICE_OFFSET));
    }

    public int serverId(long slot) {
        return (int) (slots.get(ValueLayout.JAVA_LONG, offset(slot) + LAST_SEEN_AND_SERVER_OFFSET) & 0xFFFF);
    }

    /** The entry's {@link TcpState} code. */
    public int state(long slot) {
        return control(slot) & CONTROL_CODE_MASK;
    }

    /** When the client last sent a segment on this connection (or the learned time). */
    public long lastSeenMs(long slot) {
        return slots.get(ValueLayout.JAVA_LONG, offset(slot) + LAST_SEEN_AND_SERVER_OFFSET) >> 16;
    }

    // ---------------------------------------------------------------- core hooks

    @Override
    long homeSlotOfEntry(long slot) {
        long offset = offset(slot);
        return homeSlot(slots.get(ValueLayout.JAVA_LONG, offset + ADDRESSES_OFFSET),
                slots.get(ValueLayout.JAVA_INT, offset + PORTS_OFFSET),
                Byte.toUnsignedInt(slots.get(ValueLayout.JAVA_BYTE, offset + PROTOCOL_OFFSET)));
    }

    @Override
    long entryDigest(long slot) {
        return entryDigest(protocol(slot), clientAddress(slot), clientPort(slot), vip(slot), vipPort(slot),
                serviceId(slot), serverId(slot), state(slot));
    }

    @Override
    boolean isExpired(long slot, long nowMs) {
        return nowMs - lastSeenMs(slot) > timeoutMsByState[state(slot)];
    }

    /** The capacity policy's order (class comment): the class in the high bits, then least recently seen. */
    @Override
    long evictionRank(long slot, long nowMs) {
        long lastSeenMs = lastSeenMs(slot);
        long evictionClass = switch (state(slot)) {
            case TcpState.SYN_RECEIVED, TcpState.UNCONFIRMED, TcpState.CLOSED -> EVICTION_CLASS_SPOOFABLE;
            case TcpState.CLOSING -> EVICTION_CLASS_CLOSING;
            case TcpState.UDP -> nowMs - lastSeenMs >= UDP_EVICTABLE_IDLE_MS ? EVICTION_CLASS_IDLE_UDP : -1;
            default -> -1;
        };
        return evictionClass < 0 ? NOT_EVICTABLE : (evictionClass << EVICTION_CLASS_SHIFT) | (lastSeenMs + TIME_BIAS);
    }

    @Override
    public void close() {
        super.close();
        sourceArena.close();
    }

    @Override
    void announceRemoval(long slot, int reason) {
        countSource(clientAddress(slot), -1);
        listener.onRemove(protocol(slot), clientAddress(slot), clientPort(slot), vip(slot), vipPort(slot),
                serviceId(slot), serverId(slot), state(slot), reason);
    }

    // ---------------------------------------------------------------- encoding and checks

    private void writeLastSeenAndServer(long slot, long lastSeenMs, int serverId) {
        slots.set(ValueLayout.JAVA_LONG, offset(slot) + LAST_SEEN_AND_SERVER_OFFSET, (lastSeenMs << 16) | serverId);
    }

    private static long addresses(int clientAddress, int vip) {
        return ((long) clientAddress << 32) | Integer.toUnsignedLong(vip);
    }

    private static int ports(int clientPort, int vipPort) {
        if (((clientPort | vipPort) & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("ports must be 0..65535: " + clientPort + ", " + vipPort);
        }
        return (clientPort << 16) | vipPort;
    }

    /** Whether the table holds connections of IP protocol {@code protocol}: TCP and UDP only. */
    public static boolean isTracked(int protocol) {
        return protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP;
    }

    private static void checkProtocol(int protocol) {
        if (!isTracked(protocol)) {
            throw new IllegalArgumentException("protocol must be TCP (6) or UDP (17): " + protocol);
        }
    }

    private static void checkEntry(int protocol, int serviceId, int serverId, int state) {
        checkProtocol(protocol);
        if (serviceId < 0 || serviceId >= ID_LIMIT || serverId < 0 || serverId >= ID_LIMIT) {
            throw new IllegalArgumentException("service and server ids must be 0..65535: " + serviceId + ", " + serverId);
        }
        boolean consistent = protocol == PROTOCOL_UDP ? state == TcpState.UDP : TcpState.isTcp(state);
        if (!consistent) {
            throw new IllegalArgumentException("state " + state + " is not a state of protocol " + protocol);
        }
    }
}
