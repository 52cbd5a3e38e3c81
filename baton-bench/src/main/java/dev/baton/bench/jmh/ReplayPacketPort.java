package dev.baton.bench.jmh;

import dev.baton.dataplane.io.PacketPort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link PacketPort} for benchmarks: replays a {@link FrameSet} round-robin as received frames and offers a
 * transmit buffer that nothing ever reads, so a forwarder runs its whole per-frame path with no I/O and no
 * copy besides its own.
 *
 * <p>Unlike {@link dev.baton.dataplane.io.MemoryPacketPort}, which copies every frame in and out (and so
 * allocates per frame), receiving hands out slices of the frame set's segment in place, and claim/commit only
 * advance a slot cursor through the transmit buffer, the way a TPACKET ring's slots are claimed; a flush frees
 * them all at once, as if the kernel had sent them instantly. The port counts what passed, so a benchmark can
 * check that every frame it timed was forwarded.
 *
 * <p>Owned by the benchmark thread, like the forwarder that drives it.
 */
final class ReplayPacketPort implements PacketPort {

    /** Frames per ring block the port pretends to receive: {@code receive(sink, n)} hands out at most n of these blocks. */
    static final int FRAMES_PER_BLOCK = 64;

    private final String name;
    private final long macAddress;
    private final int txSlotBytes;
    private final int txSlotCount;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment txBuffer;

    private FrameSet frames;
    private int framesPerReceive;
    private int receiveCursor;

    private int txCursor;
    private int committedNotFlushed;
    private long claimedOffset = -1;
    private long lastCommittedOffset = -1;
    private int lastCommittedLength;

    private long framesDelivered;
    private long framesCommitted;
    private long flushes;

    /**
     * @param txSlotBytes the largest frame the transmit buffer takes (like a TPACKET frame size)
     * @param txSlotCount transmit slots between flushes (like a TPACKET ring's frame count)
     */
    ReplayPacketPort(String name, long macAddress, int txSlotBytes, int txSlotCount) {
        this.name = name;
        this.macAddress = macAddress;
        this.txSlotBytes = txSlotBytes;
        this.txSlotCount = txSlotCount;
        this.txBuffer = arena.allocate((long) txSlotBytes * txSlotCount, 64);
    }

    /**
     * From now on every {@link #receive} delivers the next {@code framesPerReceive} frames of {@code frames},
     * wrapping around; {@code null} receives nothing.
     */
    void replay(FrameSet frames, int framesPerReceive) {
        if (frames != null && framesPerReceive < 1) {
            throw new IllegalArgumentException("framesPerReceive must be positive: " + framesPerReceive);
        }
        this.frames = frames;
        this.framesPerReceive = framesPerReceive;
        this.receiveCursor = 0;
    }

    long framesDelivered() {
        return framesDelivered;
    }

    long framesCommitted() {
        return framesCommitted;
    }

    long flushes() {
        return flushes;
    }

    /** Offset in {@link #txBuffer()} of the last frame committed, or -1. */
    long lastCommittedOffset() {
        return lastCommittedOffset;
    }

    int lastCommittedLength() {
        return lastCommittedLength;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long macAddress() {
        return macAddress;
    }

    @Override
    public boolean hasVirtioHeader() {
        return false;
    }

    @Override
    public int receive(FrameSink sink, int maxBatches) {
        FrameSet set = frames;
        if (set == null) {
            return 0;
        }
        int budget = Math.min(framesPerReceive, Math.max(0, maxBatches) * FRAMES_PER_BLOCK);
        MemorySegment segment = set.segment();
        int count = set.count();
        int cursor = receiveCursor;
        for (int i = 0; i < budget; i++) {
            sink.onFrame(this, segment, set.offset(cursor), set.length(cursor), -1, 0, 0);
            cursor = cursor + 1 == count ? 0 : cursor + 1;
        }
        receiveCursor = cursor;
        framesDelivered += budget;
        return budget;
    }

    @Override
    public long claim(int length) {
        if (length > txSlotBytes || committedNotFlushed == txSlotCount) {
            return -1;
        }
        claimedOffset = (long) txCursor * txSlotBytes;
        return claimedOffset;
    }

    @Override
    public int maxTransmitLength() {
        return txSlotBytes;
    }

    @Override
    public MemorySegment txBuffer() {
        return txBuffer;
    }

    @Override
    public void commit(int length) {
        if (claimedOffset < 0) {
            throw new IllegalStateException("commit without claim on " + name);
        }
        lastCommittedOffset = claimedOffset;
        lastCommittedLength = length;
        claimedOffset = -1;
        txCursor = txCursor + 1 == txSlotCount ? 0 : txCursor + 1;
        committedNotFlushed++;
        framesCommitted++;
    }

    @Override
    public void flush() {
        if (committedNotFlushed > 0) {
            committedNotFlushed = 0;
            flushes++;
        }
    }

    @Override
    public boolean awaitFrames(int timeoutMs) {
        return frames != null;
    }

    @Override
    public void close() {
        arena.close();
    }
}
