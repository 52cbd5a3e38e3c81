package dev.baton.dataplane.io;

import dev.baton.config.RingSettings;
import dev.baton.dataplane.engine.PortFactory;
import dev.baton.nativeio.ClientShardFanout;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.PacketFanout;
import dev.baton.nativeio.PacketSocket;
import dev.baton.nativeio.PacketSocketOptions;
import dev.baton.nativeio.PacketStatistics;
import dev.baton.nativeio.RxVisitor;
import dev.baton.nativeio.TpacketVersion;

import java.lang.foreign.MemorySegment;

/**
 * A {@link PacketPort} on an AF_PACKET socket with TPACKET_V3 RX and TX rings (PACKET_MMAP): frames are
 * read from and written to memory shared with the kernel, one {@code poll} per idle period and one
 * {@code send} kick per transmitted batch.
 *
 * <p>Options, and why (measured on this kind of machine: kernel 6.18, 2 vCPUs, veth):
 * <ul>
 *   <li>TPACKET_V3 or V2 ({@code ring.version}): V3 packs small frames densely but hands a block over only
 *       when full or after its timer; V2 hands each frame over at once (docs/benchmarks.md).</li>
 *   <li>PACKET_VNET_HDR: TCP from senders with offloads arrives as GSO super-frames with partial checksums;
 *       the virtio header carries that state through to the egress device unchanged.</li>
 *   <li>PACKET_QDISC_BYPASS: forwarded frames go straight to the driver.</li>
 *   <li>PACKET_IGNORE_OUTGOING: the socket never sees the frames it sends.</li>
 *   <li>PACKET_FANOUT with the {@link ClientShardFanout} program when there are several workers.</li>
 * </ul>
 */
public final class AfPacketPort implements PacketPort, RxVisitor {

    private final PacketSocket socket;
    private final long macAddress;
    private final boolean virtioHeader;
    private PacketPort.FrameSink sink;
    private long truncatedFrames;

    private AfPacketPort(PacketSocket socket, long macAddress) {
        this.socket = socket;
        this.macAddress = macAddress;
        this.virtioHeader = socket.options().vnetHeader();
    }

    /** Opens a port on {@code interfaceName} in the current network namespace. */
    public static AfPacketPort open(String interfaceName, RingSettings ring, int worker, int workers) {
        PacketSocketOptions.Builder options = PacketSocketOptions.builder()
                .rxBlockSizeBytes(ring.blockSizeBytes())
                .rxBlockCount(ring.blockCount())
                .rxBlockTimeoutMs(ring.blockTimeoutMs())
                .txFrameSizeBytes(ring.txFrameSizeBytes())
                .txFrameCount(ring.txFrameCount())
                .vnetHeader(true)
                .qdiscBypass(true)
                .ignoreOutgoing(true)
                .promiscuous(false);
        if (ring.version() == RingSettings.Version.V2) {
            // One slot per block: a V2 slot is whole pages (a GSO super-frame needs 17), and the kernel wants
            // a block to hold a whole number of slots.
            options.ringVersion(TpacketVersion.V2).rxFrameSizeBytes(ring.rxFrameSizeBytes())
                    .rxBlockSizeBytes(ring.rxFrameSizeBytes()).rxBlockCount(ring.rxFrameCount());
        }
        if (workers > 1) {
            // One fanout group per interface and process (group ids are per network namespace).
            int groupId = (int) ((ProcessHandle.current().pid() * 31 + NetworkInterfaces.index(interfaceName)) & 0xFFFF);
            options.fanout(PacketFanout.classicBpf(groupId, ClientShardFanout.program(workers)));
        }
        PacketSocket socket = PacketSocket.open(interfaceName, options.build());
        return new AfPacketPort(socket, NetworkInterfaces.macAddress(interfaceName));
    }

    /** A factory for {@code Dataplane}: every worker opens its own socket on every interface. */
    public static PortFactory factory(RingSettings ring) {
        return (interfaceName, worker, workers) -> open(interfaceName, ring, worker, workers);
    }

    @Override
    public String name() {
        return socket.interfaceName();
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
        this.sink = sink;
        return socket.receive(this, maxBatches);
    }

    @Override
    public void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, int status, int vlanTci, long vnetHeaderOffset) {
        if (snapLength < wireLength) {
            // A frame larger than an RX block: forwarding a truncated frame would corrupt it.
            truncatedFrames++;
            return;
        }
        sink.onFrame(this, ring, macOffset, snapLength, vnetHeaderOffset, status, vlanTci < 0 ? 0 : vlanTci);
    }

    @Override
    public long claim(int length) {
        return socket.txClaim(length);
    }

    @Override
    public int maxTransmitLength() {
        return socket.txFrameCapacityBytes();
    }

    @Override
    public MemorySegment txBuffer() {
        return socket.txRing();
    }

    @Override
    public void commit(int length) {
        socket.txCommit(length);
    }

    @Override
    public void flush() {
        socket.txFlush();
    }

    @Override
    public boolean awaitFrames(int timeoutMs) {
        return socket.awaitFrames(timeoutMs);
    }

    public PacketStatistics statistics() {
        return socket.statistics();
    }

    public long truncatedFrames() {
        return truncatedFrames;
    }

    @Override
    public void close() {
        socket.close();
    }
}
