package dev.baton.nativeio;

import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.lang.foreign.MemorySegment;

/**
 * Receives the frames of the RX ring, one call per frame, from {@link PacketSocket#receive}.
 *
 * <p>The frame bytes are valid only during the call: a V3 block is handed back to the kernel after
 * its last frame, a V2 frame slot right after its call. Implementations must not allocate if the forwarding loop is to stay
 * allocation-free; keep the visitor in a field rather than passing a capturing lambda per call.
 */
@FunctionalInterface
public interface RxVisitor {
    /**
     * One received frame.
     *
     * @param ring             the RX ring
     * @param macOffset        where the Ethernet header starts in {@code ring}
     * @param snapLength       bytes of the frame present in the ring ({@code tp_snaplen})
     * @param wireLength       the frame's length on the wire ({@code tp_len}); larger than
     *                         {@code snapLength} only when truncated (on V2: a frame longer than
     *                         the slot allows; nothing in {@code status} flags it)
     * @param status           {@code tp_status}: {@link KernelConstants#TP_STATUS_CSUMNOTREADY},
     *                         {@link KernelConstants#TP_STATUS_VLAN_VALID}, ...
     * @param vlanTci          the stripped VLAN tag control information, or -1 when the frame had no tag
     * @param vnetHeaderOffset where the {@link dev.baton.codec.VirtioNetHeaderFlyweight} of the frame starts (just before the
     *                         Ethernet header), or -1 without {@code PACKET_VNET_HDR}
     */
    void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, int status, int vlanTci,
                 long vnetHeaderOffset);
}
