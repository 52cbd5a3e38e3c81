package dev.baton.bench.lab;

/**
 * What the SYN-rate generator sends, one step at a time, over a {@link Transmitter}: connections numbered 0, 1, 2, ...,
 * each a SYN, its handshake ACK in the next step, and a confirming segment once {@code confirmAfterNs} has passed
 * since that ACK ({@link ConfirmRing}). A step sends, in this order and up to {@code batch} of each: the confirmations
 * that are due, the ACKs of the SYNs sent in earlier steps, then new SYNs; then one flush. So a connection's segments
 * leave in the order a client sends them, the ACK at least a step after its SYN.
 *
 * <p>New connections stop at {@code maxConnections}, at {@link #stopOpening()}, while the confirmation ring has no
 * room for them (their ACK would have nowhere to be remembered), and, with {@code ratePerSecond} above 0, when the
 * connections opened since {@link #start} reach the rate times the time elapsed. A frame the transmitter refuses (its
 * ring is full) is tried again in the next step: nothing is skipped, so every connection's three segments go out in
 * order however the transmit ring fills.
 *
 * <p>Time is the caller's ({@code nowNs}), so tests step it. Allocation-free; one owner thread.
 */
final class SynLoad {

    /** Where frames go: the generator's packet socket, or memory in tests. */
    interface Transmitter {
        /**
         * Queues connection {@code connection}'s segment of {@code kind}.
         *
         * @return false when there is no room now (the frame was not queued)
         */
        boolean send(SynFrames.Kind kind, long connection);

        /** Hands what was queued to the kernel. */
        void flush();
    }

    private final Transmitter transmitter;
    private final long maxConnections;
    private final long ratePerSecond;
    private final long confirmAfterNs;
    private final int batch;
    private final ConfirmRing ring;
    private long startNs;
    private boolean started;
    private boolean opening = true;
    private long syns;
    private long acks;
    private long confirms;
    private long transmitRingFull;
    private long confirmRingFull;

    /**
     * @param ratePerSecond  new connections a second at most; 0 for as many as the transmitter takes
     * @param confirmAfterNs how long after a connection's ACK its confirming segment goes out
     * @param ringCapacity   connections awaiting their confirmation at most
     * @param batch          the most frames of each kind one step sends
     */
    SynLoad(Transmitter transmitter, long maxConnections, long ratePerSecond, long confirmAfterNs, int ringCapacity, int batch) {
        if (maxConnections < 1 || ratePerSecond < 0 || confirmAfterNs < 0 || batch < 1) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + ", ratePerSecond " + ratePerSecond
                    + ", confirmAfterNs " + confirmAfterNs + ", batch " + batch);
        }
        this.transmitter = transmitter;
        this.maxConnections = maxConnections;
        this.ratePerSecond = ratePerSecond;
        this.confirmAfterNs = confirmAfterNs;
        this.batch = batch;
        this.ring = new ConfirmRing(ringCapacity);
    }

    /** Starts the rate's clock. */
    void start(long nowNs) {
        startNs = nowNs;
        started = true;
    }

    /** No new connection from now on; those opened are still acknowledged and confirmed. */
    void stopOpening() {
        opening = false;
    }

    /**
     * One step at {@code nowNs}.
     *
     * @return frames sent (0: nothing was due, or the transmitter had no room)
     */
    int step(long nowNs) {
        if (!started) {
            throw new IllegalStateException("start() first");
        }
        int sent = 0;
        for (int i = 0; i < batch && ring.headDue(nowNs); i++) {
            if (!transmitter.send(SynFrames.Kind.CONFIRM, ring.head())) {
                transmitRingFull++;
                return flush(sent);
            }
            ring.pop();
            confirms++;
            sent++;
        }
        long ackLimit = syns; // the SYNs of earlier steps: this step's get their ACK in the next one
        for (int i = 0; i < batch && acks < ackLimit; i++) {
            if (ring.free() == 0) {
                confirmRingFull++;
                return flush(sent);
            }
            if (!transmitter.send(SynFrames.Kind.ACK, acks)) {
                transmitRingFull++;
                return flush(sent);
            }
            ring.offer(acks, nowNs + confirmAfterNs);
            acks++;
            sent++;
        }
        long allowed = opening ? Math.min(batch, newConnectionsAllowed(nowNs)) : 0;
        // Room in the ring for every connection whose ACK is still to go, this step's SYNs included.
        long room = ring.free() - (syns - acks);
        if (allowed > room) {
            confirmRingFull++;
            allowed = Math.max(0, room);
        }
        for (long i = 0; i < allowed; i++) {
            if (!transmitter.send(SynFrames.Kind.SYN, syns)) {
                transmitRingFull++;
                break;
            }
            syns++;
            sent++;
        }
        return flush(sent);
    }

    private int flush(int sent) {
        if (sent > 0) {
            transmitter.flush();
        }
        return sent;
    }

    /** New connections the count and the rate allow now. */
    private long newConnectionsAllowed(long nowNs) {
        long byCount = maxConnections - syns;
        if (ratePerSecond == 0) {
            return byCount;
        }
        // rate x elapsed in floating point: exact enough, and no overflow for any rate and run length.
        long byRate = (long) (ratePerSecond * ((nowNs - startNs) / 1e9)) - syns;
        return Math.min(byCount, byRate);
    }

    /** Whether new connections may still be opened (the count is not reached and {@link #stopOpening()} not called). */
    boolean opening() {
        return opening && syns < maxConnections;
    }

    /** Every connection opened has had its three segments sent, and no more will be opened. */
    boolean finished() {
        return !opening() && acks == syns && ring.isEmpty();
    }

    /** When the next confirmation is due, or {@link Long#MAX_VALUE} when none waits. */
    long nextDueNs() {
        return ring.isEmpty() ? Long.MAX_VALUE : ring.headDueNs();
    }

    /** SYNs sent: connections opened. */
    long syns() {
        return syns;
    }

    /** Handshake ACKs sent. */
    long acks() {
        return acks;
    }

    /** Confirming segments sent. */
    long confirms() {
        return confirms;
    }

    /** Connections awaiting their confirmation now. */
    int pendingConfirmations() {
        return ring.size();
    }

    /** Steps that stopped because the transmitter had no room. */
    long transmitRingFull() {
        return transmitRingFull;
    }

    /** Steps that held new connections (or ACKs) back because the confirmation ring was full. */
    long confirmRingFull() {
        return confirmRingFull;
    }
}
