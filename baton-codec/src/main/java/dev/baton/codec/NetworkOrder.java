package dev.baton.codec;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The value layouts of network byte order: big-endian (RFC 1700, "Data Notations") and byte-aligned, since a
 * header field may start at any byte of a frame or a datagram. Every module that reads or writes wire data uses
 * these rather than building its own: a layout is an object, and one built where it is used
 * ({@code withOrder} in the read) is an allocation per read, 128 bytes each, measured on the forwarding path.
 *
 * <p>Static finals, so the JIT folds each into a plain (byte-swapping) load or store. Carriers are Java's
 * signed types; read an unsigned field with {@link Short#toUnsignedInt} or {@link Integer#toUnsignedLong}.
 */
public final class NetworkOrder {

    /** A 16-bit field: ports, lengths, EtherTypes, checksums. */
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A 32-bit field: IPv4 addresses, TCP sequence numbers. */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** A 64-bit field. */
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {
    }
}
