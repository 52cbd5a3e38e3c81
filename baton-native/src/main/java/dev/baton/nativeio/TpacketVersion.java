package dev.baton.nativeio;

/**
 * The ring format of a {@link PacketSocket} ({@code PACKET_VERSION}, packet(7),
 * Documentation/networking/packet_mmap.rst). The version applies to the whole socket, so it fixes
 * the frame header of both rings: the RX ring's layout and latency, and where TX frame data starts.
 * Codes are the kernel's {@code TPACKET_V*} values, never {@code ordinal()}.
 */
public enum TpacketVersion {
    /**
     * Fixed-size RX frame slots, each with its own status word: user space sees a frame as soon as
     * the kernel has written it (tpacket_rcv sets TP_STATUS_USER per frame and wakes the poller).
     * Lowest latency; every slot must hold the largest frame. TX slots start with a 32-byte
     * {@code tpacket2_hdr}.
     */
    V2(KernelConstants.TPACKET_V2, KernelStructs.Tpacket2Hdr.TX_DATA_OFFSET),
    /**
     * Variable-size RX frames packed into blocks: the kernel hands a block over only when it is full
     * or its retire timer ({@code tp_retire_blk_tov}, at least 1 ms, jiffies-based) fires, so the last
     * frame of a burst can wait that long. Fewer cache misses and less memory at high rates. TX slots
     * start with a 48-byte {@code tpacket3_hdr}.
     */
    V3(KernelConstants.TPACKET_V3, KernelStructs.Tpacket3Hdr.TX_DATA_OFFSET);

    private final int code;
    private final int txDataOffset;

    TpacketVersion(int code, int txDataOffset) {
        this.code = code;
        this.txDataOffset = txDataOffset;
    }

    /** The kernel's {@code TPACKET_V*} value for {@code PACKET_VERSION}. */
    public int code() {
        return code;
    }

    /**
     * Where frame data starts in a TX slot: {@code TPACKET{2,3}_HDRLEN - sizeof(sockaddr_ll)}
     * (net/packet/af_packet.c, tpacket_parse_header).
     */
    public int txDataOffset() {
        return txDataOffset;
    }
}
