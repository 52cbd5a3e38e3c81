package dev.baton.ha;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Wire layouts for peeking at a payload's first field (the stream or VIP id) before routing it. */
final class PeerHeaderFlyweightLayouts {

    /** Big-endian, unaligned: every peer message field is network order ({@code docs/protocol.md}). */
    static final ValueLayout.OfInt BE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private PeerHeaderFlyweightLayouts() {
    }
}
