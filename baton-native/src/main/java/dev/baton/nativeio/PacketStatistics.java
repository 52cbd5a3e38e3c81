package dev.baton.nativeio;

/**
 * Counters of a {@link PacketSocket} since it was opened: the kernel's {@code PACKET_STATISTICS}
 * (which resets on every read, so the socket accumulates them) and the socket's own TX counters.
 *
 * @param packets            RX: frames the socket saw, including dropped ones ({@code tp_packets})
 * @param drops              RX: frames dropped because no block was free ({@code tp_drops})
 * @param freezes            RX: times the queue froze with all blocks user-owned ({@code tp_freeze_q_cnt})
 * @param txFramesCommitted  TX: frames handed to the ring with {@code txCommit}
 * @param txKicks            TX: {@code send} calls that started transmission
 * @param txKicksDeferred    TX: {@code send} calls answered with EAGAIN, ENOBUFS or ENETDOWN; the
 *                           frames stay queued and the next flush tries again
 * @param txMalformedFrames  TX: frames the kernel rejected ({@code TP_STATUS_WRONG_FORMAT}) and the
 *                           socket removed so the ring kept moving
 */
public record PacketStatistics(long packets, long drops, long freezes, long txFramesCommitted, long txKicks,
                               long txKicksDeferred, long txMalformedFrames) {
}
