package dev.baton.dataplane.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PacketPort} in memory: tests inject frames and read back what was transmitted. Runs exactly the
 * forwarding code that runs on AF_PACKET rings. Not for the data plane: it allocates per frame.
 */
public final class MemoryPacketPort implements PacketPort {

    /** Mirrors TP_STATUS_VLAN_VALID (linux/if_packet.h): a stripped 802.1Q tag is in {@code vlanTci}. */
    public static final int STATUS_VLAN_VALID = 0x10;

    private final String name;
    private final long macAddress;
    private final boolean virtioHeader;
    private final int slotSize;
    private final int slotCount;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment txBuffer;
    private final ArrayDeque<Injected> received = new ArrayDeque<>();
    private final List<byte[]> transmitted = new ArrayList<>();
    private boolean keepTransmitted = true;
    private long transmittedFrames;
    private int committedNotFlushed;
    private int flushes;
    private int pendingSlots;
    private long claimedOffset = -1;

    public MemoryPacketPort(String name, long macAddress, boolean virtioHeader, int slotSize, int slotCount) {
        this.name = name;
        this.macAddress = macAddress;
        this.virtioHeader = virtioHeader;
        this.slotSize = slotSize;
        this.slotCount = slotCount;
        this.txBuffer = arena.allocate((long) slotSize * slotCount, 64);
    }

    public MemoryPacketPort(String name, long macAddress) {
        this(name, macAddress, false, 2048, 64);
    }

    /** Queues a frame (Ethernet header first) to be received. */
    public void inject(byte[] frame) {
        inject(frame, 0, 0, null);
    }

    /** Queues a frame with TP_STATUS bits, a stripped VLAN TCI and (when this port has one) a virtio header. */
    public void inject(byte[] frame, int status, int vlanTci, byte[] virtioHeaderBytes) {
        received.add(new Injected(frame.clone(), status, vlanTci, virtioHeaderBytes == null ? new byte[10] : virtioHeaderBytes.clone()));
    }

    /** Frames flushed so far (with their virtio header when the port has one), oldest first; clears the list. */
    public List<byte[]> drainTransmitted() {
        List<byte[]> copy = new ArrayList<>(transmitted);
        transmitted.clear();
        return copy;
    }

    /**
     * Stops copying committed frames out ({@link #drainTransmitted} then returns none); they are still counted
     * in {@link #transmittedFrames}. The copy is this port's allocation, not the forwarder's: an allocation test
     * measuring the forwarding path turns it off.
     */
    public void countTransmittedOnly() {
        keepTransmitted = false;
    }

    /** Frames committed since the port was made, copied out or not. */
    public long transmittedFrames() {
        return transmittedFrames;
    }

    public int flushes() {
        return flushes;
    }

    /** Simulates a transmit ring whose slots are all still owned by the kernel. */
    public void fillTxRing() {
        pendingSlots = slotCount;
    }

    /** Undoes {@link #fillTxRing}: the kernel has sent every frame, and every slot is free again. */
    public void emptyTxRing() {
        pendingSlots = 0;
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
        return virtioHeader;
    }

    @Override
    public int receive(FrameSink sink, int maxBatches) {
        if (received.isEmpty()) {
            return 0; // no arena either: a duty cycle with nothing to read allocates nothing here, as on a ring
        }
        int delivered = 0;
        try (Arena frameArena = Arena.ofConfined()) {
            while (!received.isEmpty() && delivered < maxBatches * 64) {
                Injected in = received.poll();
                int prefix = virtioHeader ? 10 : 0;
                // Exactly the frame: a read past its end throws here, where a ring would read a neighbour's bytes.
                MemorySegment segment = frameArena.allocate(prefix + in.frame.length, 16);
                if (virtioHeader) {
                    MemorySegment.copy(in.virtio, 0, segment, ValueLayout.JAVA_BYTE, 0, 10);
                }
                MemorySegment.copy(in.frame, 0, segment, ValueLayout.JAVA_BYTE, prefix, in.frame.length);
                sink.onFrame(this, segment, prefix, in.frame.length, virtioHeader ? 0 : -1, in.status, in.vlanTci);
                delivered++;
            }
        }
        return delivered;
    }

    @Override
    public long claim(int length) {
        if (length > slotSize || pendingSlots + committedNotFlushed >= slotCount) {
            return -1;
        }
        claimedOffset = (long) (committedNotFlushed) * slotSize;
        return claimedOffset;
    }

    @Override
    public int maxTransmitLength() {
        return slotSize;
    }

    @Override
    public MemorySegment txBuffer() {
        return txBuffer;
    }

    @Override
    public void commit(int length) {
        if (claimedOffset < 0) {
            throw new IllegalStateException("commit without claim");
        }
        if (keepTransmitted) {
            transmitted.add(txBuffer.asSlice(claimedOffset, length).toArray(ValueLayout.JAVA_BYTE));
        }
        transmittedFrames++;
        committedNotFlushed++;
        claimedOffset = -1;
    }

    @Override
    public void flush() {
        if (committedNotFlushed > 0) {
            flushes++;
            committedNotFlushed = 0;
        }
    }

    @Override
    public boolean awaitFrames(int timeoutMs) {
        return !received.isEmpty();
    }

    @Override
    public void close() {
        arena.close();
    }

    private record Injected(byte[] frame, int status, int vlanTci, byte[] virtio) {
    }
}
