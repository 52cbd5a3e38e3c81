package dev.baton.nativeio;

/**
 * How a {@code PACKET_FANOUT} group picks the socket for a frame (packet(7)). Codes are the kernel's
 * {@code PACKET_FANOUT_*} values, never {@code ordinal()}.
 */
public enum FanoutMode {
    /** By the flow hash of the frame. */
    HASH(KernelConstants.PACKET_FANOUT_HASH),
    /** Round robin. */
    LOAD_BALANCE(KernelConstants.PACKET_FANOUT_LB),
    /** By the CPU the frame arrived on. */
    CPU(KernelConstants.PACKET_FANOUT_CPU),
    /** All to one socket until it is full, then the next. */
    ROLLOVER(KernelConstants.PACKET_FANOUT_ROLLOVER),
    /** Random. */
    RANDOM(KernelConstants.PACKET_FANOUT_RND),
    /** By the recorded receive queue. */
    QUEUE_MAPPING(KernelConstants.PACKET_FANOUT_QM),
    /** A classic BPF program returns the member index (see {@link ClientShardFanout}). */
    CLASSIC_BPF(KernelConstants.PACKET_FANOUT_CBPF);

    private final int code;

    FanoutMode(int code) {
        this.code = code;
    }

    /** The kernel's {@code PACKET_FANOUT_*} value. */
    public int code() {
        return code;
    }
}
