package dev.baton.nativeio;

import java.util.Objects;

/**
 * Membership of a {@code PACKET_FANOUT} group: sockets on the same interface that share a group id
 * split its frames between them (packet(7)). The group lives in one network namespace; all members
 * must use the same mode and flags.
 *
 * @param groupId  the group id (u16), chosen by the application
 * @param mode     how the kernel picks a member
 * @param defrag   {@code PACKET_FANOUT_FLAG_DEFRAG}: reassemble IPv4 fragments before picking, so all
 *                 fragments of a datagram reach the same member
 * @param rollover {@code PACKET_FANOUT_FLAG_ROLLOVER}: use another member when the chosen one's ring
 *                 is full (breaks per-client affinity; off for client sharding)
 * @param program  the classic BPF program for {@link FanoutMode#CLASSIC_BPF}, else {@code null}
 */
public record PacketFanout(int groupId, FanoutMode mode, boolean defrag, boolean rollover, ClassicBpfProgram program) {
    /** Validates the combination. */
    public PacketFanout {
        if (groupId < 0 || groupId > 0xffff) {
            throw new IllegalArgumentException("fanout group id must fit in u16: " + groupId);
        }
        Objects.requireNonNull(mode, "mode");
        if ((mode == FanoutMode.CLASSIC_BPF) != (program != null)) {
            throw new IllegalArgumentException("a program is required with CLASSIC_BPF and only there");
        }
    }

    /** Flow-hash fanout with defragmentation. */
    public static PacketFanout hash(int groupId) {
        return new PacketFanout(groupId, FanoutMode.HASH, true, false, null);
    }

    /** Fanout by a classic BPF program (e.g. {@link ClientShardFanout#program(int)}). */
    public static PacketFanout classicBpf(int groupId, ClassicBpfProgram program) {
        return new PacketFanout(groupId, FanoutMode.CLASSIC_BPF, false, false, Objects.requireNonNull(program));
    }

    /** The {@code PACKET_FANOUT} option value: {@code (mode | flags) << 16 | groupId}. */
    public int optionValue() {
        int typeFlags = mode.code()
                | (defrag ? KernelConstants.PACKET_FANOUT_FLAG_DEFRAG : 0)
                | (rollover ? KernelConstants.PACKET_FANOUT_FLAG_ROLLOVER : 0);
        return typeFlags << 16 | groupId;
    }
}
