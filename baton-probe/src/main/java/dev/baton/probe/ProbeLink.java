package dev.baton.probe;

import dev.baton.nativeio.NativeException;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.PacketSocket;
import dev.baton.nativeio.PacketSocketOptions;
import dev.baton.nativeio.TpacketVersion;

/**
 * One interface's probe rings: a packet socket (packet(7)) with a TX ring the probe frames are written to and an
 * RX ring into which the kernel copies, through {@link ProbeReplyFilter}, only what may answer them; and the
 * {@link ProbeNeighbours} of the interface's on-link targets. Shared by every ring-probed target on the interface,
 * counted so the last one removed closes it.
 *
 * <p>TPACKET_V2, not V3: a V2 frame is the probe thread's as soon as the kernel wrote it, while a V3 block waits
 * for its retire timer, which would wake a CPU every few milliseconds for nothing and hold answers back past short
 * timeouts. Slots of {@value #RX_SLOT_BYTES} bytes hold the {@link ProbeReplyFilter#SNAP_BYTES} bytes the filter
 * keeps. {@value #RX_FRAMES} of them hold the answers to as many probes sent at once (a thousand targets due in
 * the same cycle, after a stall); {@value #TX_FRAMES} TX slots the probes of one cycle.
 *
 * <p>A socket that cannot be opened (the interface is missing, no CAP_NET_RAW) keeps why, and every probe through
 * it fails with that cause; it is opened again at most every {@link DatagramProbes#REOPEN_AFTER_MS}, so an
 * interface that comes later is found, and one that went away and came back (a new index) is bound anew. Opened
 * in the calling thread's network namespace. Engine thread only.
 */
final class ProbeLink implements AutoCloseable {

    static final int RX_SLOT_BYTES = 256;
    static final int RX_FRAMES = 1_024;
    static final int TX_SLOT_BYTES = 128;
    static final int TX_FRAMES = 1_024;
    private static final int PAGE_BYTES = 4_096;

    private final String interfaceName;
    private final PacketSocketOptions options;
    final ProbeNeighbours neighbours;
    private PacketSocket socket;
    private long interfaceMac;
    private String openFailure;
    private long reopenAtMs = Long.MIN_VALUE;
    private int users;

    /** @param localAddresses the interface's addresses the probes leave from: only answers to them are let in */
    ProbeLink(String interfaceName, int icmpIdentifier, int neighbours, int[] localAddresses) {
        this.interfaceName = interfaceName;
        this.options = PacketSocketOptions.builder()
                .ringVersion(TpacketVersion.V2)
                .rxFrameSizeBytes(RX_SLOT_BYTES)
                .rxBlockSizeBytes(PAGE_BYTES)
                .rxBlockCount(RX_FRAMES * RX_SLOT_BYTES / PAGE_BYTES)
                .txFrameSizeBytes(TX_SLOT_BYTES)
                .txFrameCount(TX_FRAMES)
                .ignoreOutgoing(true)
                .receiveFilter(ProbeReplyFilter.program(icmpIdentifier, RingProbes.FIRST_PROBE_PORT,
                        RingProbes.PROBE_PORTS, localAddresses))
                .build();
        this.neighbours = new ProbeNeighbours(neighbours);
        open();
    }

    private void open() {
        try {
            long mac = NetworkInterfaces.macAddress(interfaceName);
            socket = PacketSocket.open(interfaceName, options);
            interfaceMac = mac;
            openFailure = null;
        } catch (NativeException | IllegalArgumentException e) {
            socket = null;
            openFailure = "cannot open the probe rings on " + interfaceName + ": " + e.getMessage();
        }
    }

    String interfaceName() {
        return interfaceName;
    }

    /** The socket, or null while it cannot be opened. */
    PacketSocket socket() {
        return socket;
    }

    long interfaceMac() {
        return interfaceMac;
    }

    /** Why the socket is not open, or null. */
    String openFailure() {
        return openFailure;
    }

    /** Opens a socket that is not open, at most once per {@code backoffMs}; whether it is open now. */
    boolean usable(long nowMs, long backoffMs) {
        if (socket == null && nowMs >= reopenAtMs) {
            reopenAtMs = nowMs + backoffMs;
            open();
        }
        return socket != null;
    }

    /**
     * Closes the socket after {@code why}: every probe fails with it until the socket is opened again, which is
     * tried {@code backoffMs} after {@code nowMs}.
     */
    void fail(String why, long nowMs, long backoffMs) {
        close();
        openFailure = why;
        reopenAtMs = nowMs + backoffMs;
    }

    void retain() {
        users++;
    }

    /** One target fewer; whether none is left. */
    boolean release() {
        return --users == 0;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
