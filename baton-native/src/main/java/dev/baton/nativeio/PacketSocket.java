package dev.baton.nativeio;

import dev.baton.codec.NetworkOrder;
import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import dev.baton.nativeio.KernelStructs.PacketMreq;
import dev.baton.nativeio.KernelStructs.PollFd;
import dev.baton.nativeio.KernelStructs.SockFprog;
import dev.baton.nativeio.KernelStructs.SockaddrLl;
import dev.baton.nativeio.KernelStructs.Tpacket2Hdr;
import dev.baton.nativeio.KernelStructs.Tpacket3Hdr;
import dev.baton.nativeio.KernelStructs.TpacketBlockDesc;
import dev.baton.nativeio.KernelStructs.TpacketReq;
import dev.baton.nativeio.KernelStructs.TpacketReq3;
import dev.baton.nativeio.KernelStructs.TpacketStatsV3;

import static dev.baton.nativeio.KernelConstants.AF_PACKET;
import static dev.baton.nativeio.KernelConstants.EAGAIN;
import static dev.baton.nativeio.KernelConstants.EINTR;
import static dev.baton.nativeio.KernelConstants.ENETDOWN;
import static dev.baton.nativeio.KernelConstants.ENOBUFS;
import static dev.baton.nativeio.KernelConstants.SOL_PACKET;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_AVAILABLE;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_KERNEL;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_SEND_REQUEST;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_USER;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_VLAN_VALID;
import static dev.baton.nativeio.KernelConstants.TP_STATUS_WRONG_FORMAT;

/**
 * An AF_PACKET socket on one interface with TPACKET_V3 (default) or TPACKET_V2 RX and TX rings
 * mapped into this process (packet(7), Documentation/networking/packet_mmap.rst).
 *
 * <p><b>Set-up</b> ({@link #open}), in the order that worked when measured (kernel 6.18): socket with protocol 0,
 * so nothing is captured before the socket is bound to its interface → {@code PACKET_VERSION} =
 * {@link PacketSocketOptions#ringVersion()} → {@code PACKET_VNET_HDR} → {@code PACKET_QDISC_BYPASS} → {@code PACKET_IGNORE_OUTGOING}
 * → {@code PACKET_RX_RING} → {@code PACKET_TX_RING} → one {@code mmap} of RX then TX → promiscuous
 * membership → the receive filter ({@code SO_ATTACH_FILTER}) → {@code bind} to the interface with {@code ETH_P_ALL} (an {@code ETH_P_IP} socket
 * would miss frames an nftables netdev ingress rule drops) → fanout, which the kernel only accepts
 * on a bound socket.
 *
 * <p><b>RX</b>: {@link #receive} walks blocks (V3) or frame slots (V2) the kernel handed to user
 * space and gives them back. V3 hands over a block only when it is full or its retire timer fires
 * (at least 1 ms); V2 hands over every frame as soon as it is written, so a burst's last frame does
 * not wait. <b>TX</b> works the same on both; only the slot header (and so where the data starts)
 * differs: {@code tpacket2_hdr} (data at slot + 32) vs {@code tpacket3_hdr} (data at slot + 48).
 * <b>TX</b>: {@link #txClaim} / {@link #txCommit} fill slots, {@link #txFlush} kicks the kernel once
 * per batch. Neither allocates nor makes a system call per frame.
 *
 * <p><b>Threading</b>: one owner thread. The rings, the cursors and the errno capture state are
 * unsynchronized by design; the kernel is the only other party and is ordered by acquire reads and
 * release writes of the status words. The socket stays in the network namespace it was opened in,
 * even when used from another thread (see {@link NetworkNamespace#callIn}).
 */
public final class PacketSocket implements AutoCloseable {
    /** Status words of blocks and slots, read with acquire and written with release semantics. */
    private static final VarHandle STATUS_WORD = ValueLayout.JAVA_INT.varHandle();

    /**
     * On a V2 ring {@link #receive}{@code (visitor, maxBlocks)} visits at most {@code maxBlocks} times
     * this many frames, so a caller's per-call bound keeps roughly the meaning it has on V3 (a 256 KiB
     * V3 block holds up to ~170 MTU-sized frames).
     */
    public static final int V2_FRAMES_PER_RECEIVE_BLOCK = 64;

    private final LibC libc;
    private final Arena arena;
    private final int fd;
    private final String interfaceName;
    private final int interfaceIndex;
    private final PacketSocketOptions options;
    private final MemorySegment mapping;
    private final long mappingBytes;
    private final MemorySegment rxRing;
    private final MemorySegment txRing;
    private final int rxBlockSizeBytes;
    private final int rxBlockCount;
    /** V2: the RX ring is {@code rxFrameCount} slots of {@code rxFrameSizeBytes}; V3: blocks. */
    private final boolean rxFrameSlots;
    private final int rxFrameSizeBytes;
    private final int rxFrameCount;
    private final boolean vnetHeader;
    /** Offsets in a TX slot, which depend on the ring version's header. */
    private final long txStatusOffset;
    private final long txLengthOffset;
    /** {@code tp_next_offset} of a V3 slot, which must be 0 on TX; -1 on V2 (no such field). */
    private final long txNextOffsetOffset;
    private final int txDataOffset;
    private final int txFrameSizeBytes;
    private final int txFrameCount;
    private final int txFrameCapacityBytes;
    private final MemorySegment pollFd;
    private final MemorySegment statisticsBuffer;
    private final MemorySegment statisticsLength;

    private int rxBlockIndex;
    private int rxFrameIndex;
    private int txIndex;
    private long txClaimedOffset = -1;
    private boolean txKickNeeded;
    private boolean closed;

    private long rxPackets;
    private long rxDrops;
    private long rxFreezes;
    private long txFramesCommitted;
    private long txKicks;
    private long txKicksDeferred;
    private long txMalformedFrames;

    // Sizing the mmap result is the restricted operation: the size is what the kernel mapped.
    @SuppressWarnings("restricted")
    private PacketSocket(LibC libc, Arena arena, int fd, String interfaceName, int interfaceIndex,
                         PacketSocketOptions options, MemorySegment mapping, long mappingBytes, long rxBytes,
                         TxGeometry tx) {
        this.libc = libc;
        this.arena = arena;
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.options = options;
        this.mapping = mapping;
        this.mappingBytes = mappingBytes;
        MemorySegment ring = mapping.reinterpret(mappingBytes, arena, null);
        this.rxRing = ring.asSlice(0, rxBytes);
        this.txRing = ring.asSlice(rxBytes, mappingBytes - rxBytes);
        this.rxBlockSizeBytes = options.rxBlockSizeBytes();
        this.rxBlockCount = options.rxBlockCount();
        this.rxFrameSlots = options.ringVersion() == TpacketVersion.V2;
        this.rxFrameSizeBytes = rxFrameSlots ? options.rxFrameSizeBytes() : 0;
        this.rxFrameCount = rxFrameSlots && rxBlockCount > 0 ? v2RxFrameCount(options) : 0;
        this.vnetHeader = options.vnetHeader();
        this.txStatusOffset = rxFrameSlots ? Tpacket2Hdr.STATUS_OFFSET : Tpacket3Hdr.STATUS_OFFSET;
        this.txLengthOffset = rxFrameSlots ? Tpacket2Hdr.LEN_OFFSET : Tpacket3Hdr.LEN_OFFSET;
        this.txNextOffsetOffset = rxFrameSlots ? -1 : Tpacket3Hdr.NEXT_OFFSET_OFFSET;
        this.txDataOffset = options.ringVersion().txDataOffset();
        this.txFrameSizeBytes = tx.frameSizeBytes();
        this.txFrameCount = tx.frameCount();
        this.txFrameCapacityBytes = tx.frameCount() == 0 ? 0 : tx.frameSizeBytes() - txDataOffset;
        this.pollFd = arena.allocate(PollFd.LAYOUT);
        this.pollFd.set(ValueLayout.JAVA_INT, PollFd.FD_OFFSET, fd);
        this.statisticsBuffer = arena.allocate(TpacketStatsV3.LAYOUT);
        this.statisticsLength = arena.allocate(ValueLayout.JAVA_INT);
    }

    /** Whether packet sockets can be opened here: Linux, native access, and CAP_NET_RAW. */
    public static boolean isAvailable() {
        return Availability.CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false, or {@code null} when it is true. */
    public static String unavailabilityCause() {
        return Availability.CAUSE;
    }

    /**
     * Opens a packet socket on {@code interfaceName} in the calling thread's network namespace.
     *
     * @throws NativeException          when a call fails (the message names the call and errno)
     * @throws IllegalArgumentException when the ring geometry does not fit the page size
     */
    public static PacketSocket open(String interfaceName, PacketSocketOptions options) {
        int pageSize = LibC.pageSize();
        if (options.rxBlockCount() > 0 && options.rxBlockSizeBytes() % pageSize != 0) {
            throw new IllegalArgumentException("rxBlockSizeBytes must be a multiple of the page size " + pageSize
                    + ": " + options.rxBlockSizeBytes());
        }
        TxGeometry tx = TxGeometry.of(options, pageSize);
        long rxBytes = (long) options.rxBlockSizeBytes() * options.rxBlockCount();
        long mappingBytes = rxBytes + tx.bytes();

        LibC libc = new LibC();
        Arena arena = Arena.ofShared();
        int fd = -1;
        MemorySegment mapping = null;
        try {
            int interfaceIndex = libc.ifNameToIndex(arena.allocateFrom(interfaceName));
            if (interfaceIndex == 0) {
                throw libc.failure("if_nametoindex(" + interfaceName + ")");
            }
            // Protocol 0: the socket receives nothing until bind() names the interface and ETH_P_ALL.
            fd = libc.orThrow(libc.socket(AF_PACKET, KernelConstants.SOCK_RAW | KernelConstants.SOCK_CLOEXEC, 0),
                    "socket(AF_PACKET, SOCK_RAW)");
            MemorySegment intValue = arena.allocate(ValueLayout.JAVA_INT);
            // Before the rings: the version fixes the header length the ring checks use (packet_setsockopt).
            setIntOption(libc, fd, intValue, KernelConstants.PACKET_VERSION, options.ringVersion().code(),
                    "PACKET_VERSION");
            if (options.vnetHeader()) {
                setIntOption(libc, fd, intValue, KernelConstants.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            }
            if (options.qdiscBypass()) {
                setIntOption(libc, fd, intValue, KernelConstants.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }
            if (options.ignoreOutgoing()) {
                setIntOption(libc, fd, intValue, KernelConstants.PACKET_IGNORE_OUTGOING, 1,
                        "PACKET_IGNORE_OUTGOING");
            }
            // V3 takes a tpacket_req3 (28 bytes), V1/V2 the tpacket_req it starts with (16 bytes).
            MemorySegment request = arena.allocate(TpacketReq3.LAYOUT);
            int requestBytes = options.ringVersion() == TpacketVersion.V2 ? TpacketReq.SIZE : TpacketReq3.SIZE;
            if (options.rxBlockCount() > 0) {
                if (options.ringVersion() == TpacketVersion.V2) {
                    writeRingRequest(request, options.rxBlockSizeBytes(), options.rxBlockCount(),
                            options.rxFrameSizeBytes(), v2RxFrameCount(options), 0);
                } else {
                    int framesPerBlock = options.rxBlockSizeBytes() / PacketSocketOptions.RX_NOMINAL_FRAME_SIZE_BYTES;
                    writeRingRequest(request, options.rxBlockSizeBytes(), options.rxBlockCount(),
                            PacketSocketOptions.RX_NOMINAL_FRAME_SIZE_BYTES, framesPerBlock * options.rxBlockCount(),
                            options.rxBlockTimeoutMs());
                }
                libc.orThrow(libc.setsockopt(fd, SOL_PACKET, KernelConstants.PACKET_RX_RING, request,
                        requestBytes), "setsockopt(PACKET_RX_RING)");
            }
            if (tx.frameCount() > 0) {
                // For a V3 TX ring the kernel demands retire timeout, private size and feature word be 0.
                writeRingRequest(request, tx.blockSizeBytes(), tx.blockCount(), tx.frameSizeBytes(),
                        tx.frameCount(), 0);
                libc.orThrow(libc.setsockopt(fd, SOL_PACKET, KernelConstants.PACKET_TX_RING, request,
                        requestBytes), "setsockopt(PACKET_TX_RING)");
            }
            // One mapping: the RX ring first, then the TX ring (packet_mmap.rst).
            mapping = libc.mmap(MemorySegment.NULL, mappingBytes,
                    KernelConstants.PROT_READ | KernelConstants.PROT_WRITE, KernelConstants.MAP_SHARED, fd, 0);
            if (mapping.address() == -1L) {
                mapping = null;
                throw libc.failure("mmap(packet rings, " + mappingBytes + " bytes)");
            }
            if (options.promiscuous()) {
                MemorySegment membership = arena.allocate(PacketMreq.LAYOUT);
                membership.set(ValueLayout.JAVA_INT, PacketMreq.IFINDEX_OFFSET, interfaceIndex);
                membership.set(ValueLayout.JAVA_SHORT, PacketMreq.TYPE_OFFSET,
                        (short) KernelConstants.PACKET_MR_PROMISC);
                libc.orThrow(libc.setsockopt(fd, SOL_PACKET, KernelConstants.PACKET_ADD_MEMBERSHIP, membership,
                        PacketMreq.SIZE), "setsockopt(PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC)");
            }
            if (options.receiveFilter() != null) {
                // Before bind: from the first frame on, only what the program accepts reaches the ring.
                libc.orThrow(libc.setsockopt(fd, KernelConstants.SOL_SOCKET, KernelConstants.SO_ATTACH_FILTER,
                        options.receiveFilter().toSockFprog(arena), SockFprog.SIZE), "setsockopt(SO_ATTACH_FILTER)");
            }
            MemorySegment address = arena.allocate(SockaddrLl.LAYOUT);
            address.set(ValueLayout.JAVA_SHORT, SockaddrLl.FAMILY_OFFSET, (short) AF_PACKET);
            // A transmit-only socket binds protocol 0: it sends on the interface but receives nothing.
            int protocol = options.rxBlockCount() > 0 ? KernelConstants.ETH_P_ALL : 0;
            address.set(NetworkOrder.SHORT, SockaddrLl.PROTOCOL_OFFSET,
                    (short) protocol);
            address.set(ValueLayout.JAVA_INT, SockaddrLl.IFINDEX_OFFSET, interfaceIndex);
            libc.orThrow(libc.bind(fd, address, SockaddrLl.SIZE), "bind(" + interfaceName + ")");
            PacketFanout fanout = options.fanout();
            if (fanout != null) {
                setIntOption(libc, fd, intValue, KernelConstants.PACKET_FANOUT, fanout.optionValue(),
                        "PACKET_FANOUT");
                if (fanout.program() != null) {
                    libc.orThrow(libc.setsockopt(fd, SOL_PACKET, KernelConstants.PACKET_FANOUT_DATA,
                            fanout.program().toSockFprog(arena), SockFprog.SIZE), "setsockopt(PACKET_FANOUT_DATA)");
                }
            }
            return new PacketSocket(libc, arena, fd, interfaceName, interfaceIndex, options, mapping, mappingBytes, rxBytes,
                    tx);
        } catch (RuntimeException | Error e) {
            arena.close();
            if (mapping != null) {
                libc.munmap(mapping, mappingBytes);
            }
            if (fd >= 0) {
                libc.close(fd);
            }
            throw e;
        }
    }

    /**
     * Visits the frames the kernel has handed to user space, in order, and hands them back. No
     * allocation, no system call.
     *
     * <p>V3: up to {@code maxBlocks} blocks; each block goes back after its last frame (also when the
     * visitor throws; the rest of that block is then lost). V2: up to
     * {@code maxBlocks * }{@link #V2_FRAMES_PER_RECEIVE_BLOCK} frame slots; each slot goes back right
     * after the visitor returns (or throws) for it.
     *
     * @return the number of frames visited
     */
    public int receive(RxVisitor visitor, int maxBlocks) {
        if (rxFrameSlots) {
            return receiveSlots(visitor, (long) maxBlocks * V2_FRAMES_PER_RECEIVE_BLOCK);
        }
        MemorySegment ring = rxRing;
        int frames = 0;
        for (int visited = 0; visited < maxBlocks && rxBlockCount > 0; visited++) {
            long block = (long) rxBlockIndex * rxBlockSizeBytes;
            int blockStatus = (int) STATUS_WORD.getAcquire(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET);
            if ((blockStatus & TP_STATUS_USER) == 0) {
                break;
            }
            int frameCount = ring.get(ValueLayout.JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
            long frame = block + Integer.toUnsignedLong(
                    ring.get(ValueLayout.JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET));
            try {
                for (int i = 0; i < frameCount; i++) {
                    int snapLength = ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.SNAPLEN_OFFSET);
                    int wireLength = ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.LEN_OFFSET);
                    int status = ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.STATUS_OFFSET);
                    long macOffset = frame + Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT,
                            frame + Tpacket3Hdr.MAC_OFFSET));
                    int vlanTci = (status & TP_STATUS_VLAN_VALID) != 0
                            ? ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.VLAN_TCI_OFFSET) & 0xffff
                            : -1;
                    // With PACKET_VNET_HDR the kernel writes the virtio header right before the MAC header
                    // (tpacket_rcv: h.raw + macoff - vnet_hdr_sz).
                    long vnetHeaderOffset = vnetHeader ? macOffset - VirtioNetHeaderFlyweight.LENGTH : -1;
                    visitor.onFrame(ring, macOffset, snapLength, wireLength, status, vlanTci, vnetHeaderOffset);
                    frames++;
                    frame += Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.NEXT_OFFSET_OFFSET));
                }
            } finally {
                STATUS_WORD.setRelease(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET, TP_STATUS_KERNEL);
                rxBlockIndex = rxBlockIndex + 1 == rxBlockCount ? 0 : rxBlockIndex + 1;
            }
        }
        return frames;
    }

    /**
     * The V2 walk: slot {@code i} starts at {@code i * rxFrameSizeBytes} (blocks are whole multiples of
     * the slot size, packet_lookup_frame) with a {@code tpacket2_hdr} whose {@code tp_status} the kernel
     * sets to TP_STATUS_USER (plus flags) once the frame is written, and which user space sets back to
     * TP_STATUS_KERNEL to return the slot (packet_mmap.rst, "TPACKET_V2").
     */
    private int receiveSlots(RxVisitor visitor, long maxFrames) {
        MemorySegment ring = rxRing;
        int frames = 0;
        while (frames < maxFrames && rxFrameCount > 0) {
            long frame = (long) rxFrameIndex * rxFrameSizeBytes;
            int status = (int) STATUS_WORD.getAcquire(ring, frame + Tpacket2Hdr.STATUS_OFFSET);
            if ((status & TP_STATUS_USER) == 0) {
                break;
            }
            try {
                int snapLength = ring.get(ValueLayout.JAVA_INT, frame + Tpacket2Hdr.SNAPLEN_OFFSET);
                int wireLength = ring.get(ValueLayout.JAVA_INT, frame + Tpacket2Hdr.LEN_OFFSET);
                long macOffset = frame + Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT,
                        frame + Tpacket2Hdr.MAC_OFFSET));
                int vlanTci = (status & TP_STATUS_VLAN_VALID) != 0
                        ? Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, frame + Tpacket2Hdr.VLAN_TCI_OFFSET))
                        : -1;
                // As on V3, the virtio header sits right before the MAC header (tpacket_rcv).
                long vnetHeaderOffset = vnetHeader ? macOffset - VirtioNetHeaderFlyweight.LENGTH : -1;
                visitor.onFrame(ring, macOffset, snapLength, wireLength, status, vlanTci, vnetHeaderOffset);
                frames++;
            } finally {
                STATUS_WORD.setRelease(ring, frame + Tpacket2Hdr.STATUS_OFFSET, TP_STATUS_KERNEL);
                rxFrameIndex = rxFrameIndex + 1 == rxFrameCount ? 0 : rxFrameIndex + 1;
            }
        }
        return frames;
    }

    /**
     * Waits up to {@code timeoutMs} for an RX block (V3) or frame (V2) to become ready ({@code poll} for
     * POLLIN); returns at once, without a system call, when the next one is already user-owned.
     *
     * @return whether a block or frame is ready; {@code false} on timeout or when interrupted by a signal
     */
    public boolean awaitFrames(int timeoutMs) {
        if (rxBlockCount == 0) {
            throw new IllegalStateException("this socket has no RX ring");
        }
        long statusWord = rxFrameSlots
                ? (long) rxFrameIndex * rxFrameSizeBytes + Tpacket2Hdr.STATUS_OFFSET
                : (long) rxBlockIndex * rxBlockSizeBytes + TpacketBlockDesc.BLOCK_STATUS_OFFSET;
        if (((int) STATUS_WORD.getAcquire(rxRing, statusWord) & TP_STATUS_USER) != 0) {
            return true;
        }
        pollFd.set(ValueLayout.JAVA_SHORT, PollFd.EVENTS_OFFSET, (short) KernelConstants.POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, PollFd.REVENTS_OFFSET, (short) 0);
        int ready = LibC.pollUncaptured(pollFd, 1, timeoutMs);
        if (ready < 0) {
            // Cold path: learn the errno by polling once more, without waiting, with capture. A signal
            // (EINTR) does not repeat; a broken descriptor does.
            ready = libc.poll(pollFd, 1, 0);
            if (ready < 0) {
                if (libc.errno() == EINTR) {
                    return false;
                }
                throw libc.failure("poll(" + interfaceName + ")");
            }
        }
        return ready > 0 && (pollFd.get(ValueLayout.JAVA_SHORT, PollFd.REVENTS_OFFSET) & KernelConstants.POLLIN) != 0;
    }

    /**
     * Claims the next TX slot for a frame of {@code length} bytes (with its 10-byte virtio header first
     * when {@code vnetHeader} is on). The caller writes the bytes at the returned offset in
     * {@link #txRing()}, then calls {@link #txCommit(int)}; a claim that is not committed is simply
     * dropped by the next claim.
     *
     * @return the offset to write at, or -1 when the slot is still the kernel's (ring full) or
     *         {@code length} exceeds {@link #txFrameCapacityBytes()}
     */
    public long txClaim(int length) {
        if (length < 0 || length > txFrameCapacityBytes) {
            return -1;
        }
        long slot = (long) txIndex * txFrameSizeBytes;
        int status = (int) STATUS_WORD.getAcquire(txRing, slot + txStatusOffset);
        if (status == TP_STATUS_WRONG_FORMAT && dropMalformedFrame()) {
            slot = (long) txIndex * txFrameSizeBytes;
            status = (int) STATUS_WORD.getAcquire(txRing, slot + txStatusOffset);
        }
        if (status != TP_STATUS_AVAILABLE) {
            return -1;
        }
        txClaimedOffset = slot + txDataOffset;
        return txClaimedOffset;
    }

    /**
     * Hands the claimed slot to the kernel: {@code tp_len} = {@code length}, on V3 {@code tp_next_offset}
     * = 0 (the kernel rejects anything else on V3 TX; V2 has no such field), then the status
     * SEND_REQUEST with release semantics so the frame bytes are visible before it.
     *
     * <p>With {@code PACKET_VNET_HDR}, {@code tp_len} <em>includes</em> the virtio header:
     * tpacket_snd (net/packet/af_packet.c) takes {@code tp_len} from the slot, then steps over the
     * header and subtracts its size before building the skb.
     *
     * @throws IllegalStateException    without a preceding {@link #txClaim}
     * @throws IllegalArgumentException when {@code length} does not fit the slot
     */
    public void txCommit(int length) {
        long data = txClaimedOffset;
        if (data < 0) {
            throw new IllegalStateException("txCommit without a successful txClaim");
        }
        if (length < 0 || length > txFrameCapacityBytes) {
            throw new IllegalArgumentException("frame length " + length + " exceeds the slot capacity "
                    + txFrameCapacityBytes);
        }
        long slot = data - txDataOffset;
        writeTxSlotHeader(slot, length);
        txIndex = nextTxIndex(txIndex);
        txClaimedOffset = -1;
        txFramesCommitted++;
        txKickNeeded = true;
    }

    /**
     * Asks the kernel to send the committed frames: one {@code send(fd, NULL, 0, MSG_DONTWAIT)} when
     * anything was committed (or left queued) since the last flush.
     *
     * <p>EAGAIN, ENOBUFS and ENETDOWN are counted as deferred kicks: the frames stay queued and the
     * next flush tries again. A frame the kernel rejects is marked TP_STATUS_WRONG_FORMAT and, as
     * {@code PACKET_LOSS} is off, the kernel's ring head stays on it, blocking every frame behind it;
     * the socket then removes that frame by moving the queued frames behind it one slot back (order
     * kept), counts it, and kicks again. This is safe because the kernel reads SEND_REQUEST slots only
     * inside {@code send} on this thread.
     */
    public void txFlush() {
        if (!txKickNeeded) {
            return;
        }
        for (int attempt = 0; attempt <= txFrameCount; attempt++) {
            long sent = LibC.sendUncaptured(fd, MemorySegment.NULL, 0, KernelConstants.MSG_DONTWAIT);
            if (sent < 0 && !dropMalformedFrame()) {
                // Cold path: no rejected frame, so learn the errno by kicking once more with capture.
                sent = libc.send(fd, MemorySegment.NULL, 0, KernelConstants.MSG_DONTWAIT);
                if (sent < 0) {
                    int errno = libc.errno();
                    if (errno == EAGAIN || errno == ENOBUFS || errno == ENETDOWN || errno == EINTR) {
                        txKicksDeferred++;
                        return;
                    }
                    if (!dropMalformedFrame()) {
                        throw libc.failure("send(" + interfaceName + ", PACKET_TX_RING)");
                    }
                }
            }
            if (sent >= 0) {
                txKicks++;
                // The kernel stops early when the socket send buffer is full; frames left queued need
                // another kick. It works in ring order, so checking the newest frame suffices.
                txKickNeeded = txStatus(previousTxIndex(txIndex)) == TP_STATUS_SEND_REQUEST;
                return;
            }
            // A rejected frame was removed; kick again if frames are still queued behind it.
            if (txStatus(previousTxIndex(txIndex)) != TP_STATUS_SEND_REQUEST) {
                txKickNeeded = false;
                return;
            }
        }
        throw new IllegalStateException("TX ring of " + interfaceName + " did not drain after dropping "
                + txFrameCount + " malformed frames");
    }

    /**
     * Whether committed frames still wait for a kick: the last {@link #txFlush} was deferred (EAGAIN,
     * ENOBUFS, ENETDOWN) or the kernel stopped early because the socket's send buffer was full. A
     * forwarding loop simply calls {@code txFlush} every duty cycle; this is for draining on shutdown
     * and for tests.
     */
    public boolean txFlushPending() {
        return txKickNeeded;
    }

    /**
     * Finds the slot the kernel stopped at with TP_STATUS_WRONG_FORMAT (just before the frames still
     * queued behind it) and removes it by shifting those frames one slot back.
     *
     * @return whether a malformed frame was found and removed
     */
    private boolean dropMalformedFrame() {
        int queued = 0;
        int index = previousTxIndex(txIndex);
        while (queued < txFrameCount && txStatus(index) == TP_STATUS_SEND_REQUEST) {
            queued++;
            index = previousTxIndex(index);
        }
        if (queued == txFrameCount || txStatus(index) != TP_STATUS_WRONG_FORMAT) {
            return false;
        }
        int target = index;
        for (int i = 0; i < queued; i++) {
            int source = nextTxIndex(target);
            long from = (long) source * txFrameSizeBytes;
            long to = (long) target * txFrameSizeBytes;
            int length = txRing.get(ValueLayout.JAVA_INT, from + txLengthOffset);
            MemorySegment.copy(txRing, from + txDataOffset, txRing, to + txDataOffset, length);
            writeTxSlotHeader(to, length);
            target = source;
        }
        STATUS_WORD.setRelease(txRing, (long) target * txFrameSizeBytes + txStatusOffset, TP_STATUS_AVAILABLE);
        txIndex = target;
        txClaimedOffset = -1;
        txMalformedFrames++;
        return true;
    }

    /** Length, next offset (V3), then SEND_REQUEST with release so the frame and header precede it. */
    private void writeTxSlotHeader(long slot, int length) {
        txRing.set(ValueLayout.JAVA_INT, slot + txLengthOffset, length);
        if (txNextOffsetOffset >= 0) {
            txRing.set(ValueLayout.JAVA_INT, slot + txNextOffsetOffset, 0);
        }
        STATUS_WORD.setRelease(txRing, slot + txStatusOffset, TP_STATUS_SEND_REQUEST);
    }

    private int txStatus(int index) {
        return (int) STATUS_WORD.getAcquire(txRing, (long) index * txFrameSizeBytes + txStatusOffset);
    }

    private int nextTxIndex(int index) {
        return index + 1 == txFrameCount ? 0 : index + 1;
    }

    private int previousTxIndex(int index) {
        return index == 0 ? txFrameCount - 1 : index - 1;
    }

    /** The TX ring; offsets from {@link #txClaim} point into it. Empty without a TX ring. */
    public MemorySegment txRing() {
        return txRing;
    }

    /** The RX ring (as passed to {@link RxVisitor}). Empty without an RX ring. */
    public MemorySegment rxRing() {
        return rxRing;
    }

    /** Bytes one TX slot holds: frame plus virtio header when {@code vnetHeader} is on. */
    public int txFrameCapacityBytes() {
        return txFrameCapacityBytes;
    }

    /** TX slots, after rounding up to whole blocks. */
    public int txFrameCount() {
        return txFrameCount;
    }

    /** The socket's file descriptor. */
    public int fd() {
        return fd;
    }

    /** The interface's index in the socket's network namespace. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** The interface name the socket was opened on. */
    public String interfaceName() {
        return interfaceName;
    }

    /** The options the socket was opened with. */
    public PacketSocketOptions options() {
        return options;
    }

    /**
     * Counters since the socket was opened. Reads {@code PACKET_STATISTICS}, which the kernel resets
     * on every read, and adds it to the running totals. Not for the per-packet path (a system call).
     */
    public PacketStatistics statistics() {
        // On V2 the kernel writes only tpacket_stats (packets, drops): the freeze count stays 0.
        statisticsBuffer.fill((byte) 0);
        statisticsLength.set(ValueLayout.JAVA_INT, 0, TpacketStatsV3.SIZE);
        libc.orThrow(libc.getsockopt(fd, SOL_PACKET, KernelConstants.PACKET_STATISTICS, statisticsBuffer,
                statisticsLength), "getsockopt(PACKET_STATISTICS)");
        rxPackets += Integer.toUnsignedLong(statisticsBuffer.get(ValueLayout.JAVA_INT, TpacketStatsV3.PACKETS_OFFSET));
        rxDrops += Integer.toUnsignedLong(statisticsBuffer.get(ValueLayout.JAVA_INT, TpacketStatsV3.DROPS_OFFSET));
        rxFreezes += Integer.toUnsignedLong(
                statisticsBuffer.get(ValueLayout.JAVA_INT, TpacketStatsV3.FREEZE_Q_CNT_OFFSET));
        return new PacketStatistics(rxPackets, rxDrops, rxFreezes, txFramesCommitted, txKicks, txKicksDeferred,
                txMalformedFrames);
    }

    /** Unmaps the rings and closes the socket. Idempotent; the ring segments become inaccessible. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Closing the shared arena first makes any later access to the ring segments fail cleanly
        // instead of touching unmapped memory.
        arena.close();
        int unmapped = libc.munmap(mapping, mappingBytes);
        int unmapErrno = libc.errno();
        int closedFd = libc.close(fd);
        if (unmapped < 0) {
            throw LibC.failure("munmap(" + interfaceName + " rings)", unmapErrno);
        }
        libc.orThrow(closedFd, "close(" + interfaceName + " packet socket)");
    }

    private static void setIntOption(LibC libc, int fd, MemorySegment intValue, int option, int value, String name) {
        intValue.set(ValueLayout.JAVA_INT, 0, value);
        libc.orThrow(libc.setsockopt(fd, SOL_PACKET, option, intValue, Integer.BYTES), "setsockopt(" + name + ")");
    }

    /** V2 RX slots: whole slots per block (the options check that the block is a multiple) times blocks. */
    private static int v2RxFrameCount(PacketSocketOptions options) {
        return options.rxBlockSizeBytes() / options.rxFrameSizeBytes() * options.rxBlockCount();
    }

    /**
     * Writes a {@code tpacket_req3}; a V2 socket passes only its first 16 bytes, the {@code tpacket_req}
     * with the same four leading members.
     */
    private static void writeRingRequest(MemorySegment request, int blockSizeBytes, int blockCount,
                                         int frameSizeBytes, int frameCount, int retireTimeoutMs) {
        request.fill((byte) 0);
        request.set(ValueLayout.JAVA_INT, TpacketReq3.BLOCK_SIZE_OFFSET, blockSizeBytes);
        request.set(ValueLayout.JAVA_INT, TpacketReq3.BLOCK_NR_OFFSET, blockCount);
        request.set(ValueLayout.JAVA_INT, TpacketReq3.FRAME_SIZE_OFFSET, frameSizeBytes);
        request.set(ValueLayout.JAVA_INT, TpacketReq3.FRAME_NR_OFFSET, frameCount);
        request.set(ValueLayout.JAVA_INT, TpacketReq3.RETIRE_BLK_TOV_OFFSET, retireTimeoutMs);
    }

    /**
     * TX ring geometry: blocks of one page holding whole slots, or one slot per block, rounded up to
     * whole pages, when a slot is larger than a page; so slot {@code i} always starts at
     * {@code i * frameSizeBytes}.
     */
    record TxGeometry(int blockSizeBytes, int blockCount, int frameSizeBytes, int frameCount) {
        static TxGeometry of(PacketSocketOptions options, int pageSize) {
            int frameSize = options.txFrameSizeBytes();
            if (options.txFrameCount() == 0) {
                return new TxGeometry(0, 0, frameSize, 0);
            }
            if (frameSize <= pageSize && pageSize % frameSize != 0) {
                throw new IllegalArgumentException("txFrameSizeBytes up to a page must divide the page size "
                        + pageSize + ": " + frameSize);
            }
            if (frameSize > pageSize && frameSize % pageSize != 0) {
                // A slot larger than a page gets a block of its own, so round it up to whole pages: the
                // kernel's blocks are page multiples, and a slot never straddles two blocks. The rest of
                // the last page is padding (e.g. 65,664 -> 69,632 bytes).
                frameSize = (frameSize + pageSize - 1) / pageSize * pageSize;
            }
            int blockSize = Math.max(pageSize, frameSize);
            int framesPerBlock = blockSize / frameSize;
            int blockCount = (options.txFrameCount() + framesPerBlock - 1) / framesPerBlock;
            return new TxGeometry(blockSize, blockCount, frameSize, blockCount * framesPerBlock);
        }

        long bytes() {
            return (long) blockSizeBytes * blockCount;
        }
    }

    /** The availability probe, run once. */
    private static final class Availability {
        static final String CAUSE = probe();

        private static String probe() {
            String os = System.getProperty("os.name", "");
            if (!os.startsWith("Linux")) {
                return "AF_PACKET sockets need Linux; this is " + os;
            }
            try {
                LibC libc = new LibC();
                int fd = libc.socket(AF_PACKET, KernelConstants.SOCK_RAW | KernelConstants.SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    return libc.failure("socket(AF_PACKET, SOCK_RAW)").getMessage() + " (needs CAP_NET_RAW)";
                }
                libc.close(fd);
                return null;
            } catch (RuntimeException | LinkageError e) {
                return "native access unavailable (run with --enable-native-access=ALL-UNNAMED): " + e;
            }
        }
    }
}
