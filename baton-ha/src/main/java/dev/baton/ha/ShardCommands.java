package dev.baton.ha;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The HA agent's commands to one worker's {@link ReplicationShard}: a preallocated single-producer,
 * single-consumer ring of fixed-size records (no object per command), drained by the worker a bounded number at
 * a time in its duty cycle.
 *
 * <p>A record is two longs: the command (kind, flags, reason, VIP index, peer index packed in 64 bits) and its
 * time. The agent never blocks: when the ring is full (the worker has not run for thousands of commands, which
 * its watchdog reports long before), a command waits in the agent's own backlog, of the same size, in order, and
 * goes into the ring on the next {@link #offer}; only when both are full is it lost, counted in
 * {@link #lost()}.
 */
final class ShardCommands {

    enum Kind {
        /** {@link ReplicationShard#follow}; flag {@link #FORCE}: unfollow first (a forced new dump). */
        FOLLOW,
        UNFOLLOW,
        /** {@link ReplicationShard#trail}: this router took the VIP over; the old active's stream is its tail. */
        TRAIL,
        /** {@link ReplicationShard#dropSenders}; flag {@link #SPARE_PEER}: the command's peer keeps its stream a while. */
        DROP_SENDERS,
        DROP_SENDER,
        RESUME_SENDER,
        FORGET_PEER,
        /** {@link ReplicationShard#flushUpdates}; flag {@link #ONE_PEER}: only toward the command's peer. */
        FLUSH_UPDATES,
        /** Gratuitous ARP for the VIP on the worker's client-facing ports ({@code ArpHandler#announce}). */
        ANNOUNCE
    }

    static final int FORCE = 1;
    static final int ONE_PEER = 2;
    static final int SPARE_PEER = 4;
    static final int CAPACITY = 4_096;
    private static final Kind[] KINDS = Kind.values();
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(ShardCommands.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(ShardCommands.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Receives one command on the worker. */
    interface Handler {
        void on(Kind kind, int flags, int reason, int vipIndex, int peerIndex, long atMs);
    }

    private final long[] ring = new long[CAPACITY * 2];
    private final long[] backlog = new long[CAPACITY * 2];
    /** Next record to read (consumer). */
    private volatile long head;
    /** Next record to write (producer). */
    private volatile long tail;
    /** Backlog: records waiting for room in the ring, oldest at {@code backlogHead} (producer only). */
    private long backlogHead;
    private long backlogTail;
    private long lost;

    /** Producer (agent thread): sends a command; never blocks. */
    void offer(Kind kind, int flags, int reason, int vipIndex, int peerIndex, long atMs) {
        moveBacklog();
        long command = pack(kind, flags, reason, vipIndex, peerIndex);
        if (backlogHead == backlogTail && put(command, atMs)) {
            return;
        }
        if (backlogTail - backlogHead == CAPACITY) {
            lost++;
            return;
        }
        int at = (int) (backlogTail % CAPACITY) * 2;
        backlog[at] = command;
        backlog[at + 1] = atMs;
        backlogTail++;
    }

    /** Producer: moves what waits in the backlog into the ring, in order, as far as there is room. */
    int moveBacklog() {
        int moved = 0;
        while (backlogHead != backlogTail) {
            int at = (int) (backlogHead % CAPACITY) * 2;
            if (!put(backlog[at], backlog[at + 1])) {
                break;
            }
            backlogHead++;
            moved++;
        }
        return moved;
    }

    private boolean put(long command, long atMs) {
        long t = tail;
        if (t - (long) HEAD.getAcquire(this) == CAPACITY) {
            return false;
        }
        int at = (int) (t % CAPACITY) * 2;
        LONGS.setOpaque(ring, at, command);
        LONGS.setOpaque(ring, at + 1, atMs);
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer (worker thread): runs at most {@code limit} commands; returns how many. */
    int drain(Handler handler, int limit) {
        long h = head;
        long available = (long) TAIL.getAcquire(this) - h;
        int n = (int) Math.min(available, limit);
        for (int i = 0; i < n; i++) {
            int at = (int) ((h + i) % CAPACITY) * 2;
            long command = (long) LONGS.getOpaque(ring, at);
            long atMs = (long) LONGS.getOpaque(ring, at + 1);
            handler.on(KINDS[(int) (command >>> 56)], (int) (command >>> 48) & 0xFF, (int) (command >>> 32) & 0xFFFF,
                    (int) (command >>> 16) & 0xFFFF, (int) command & 0xFFFF, atMs);
        }
        HEAD.setRelease(this, h + n);
        return n;
    }

    private static long pack(Kind kind, int flags, int reason, int vipIndex, int peerIndex) {
        if (vipIndex >>> 16 != 0 || peerIndex >>> 16 != 0 || reason >>> 16 != 0 || flags >>> 8 != 0) {
            throw new IllegalArgumentException("command field out of range: VIP " + vipIndex + ", peer " + peerIndex
                    + ", reason " + reason + ", flags " + flags);
        }
        return (long) kind.ordinal() << 56 | (long) flags << 48 | (long) reason << 32 | (long) vipIndex << 16 | peerIndex;
    }

    /** Commands lost because the ring and the backlog were both full (producer's count). */
    long lost() {
        return lost;
    }

    /** Commands waiting in the producer's backlog. */
    long backlogged() {
        return backlogTail - backlogHead;
    }
}
