package dev.baton.codec;

import java.lang.foreign.MemorySegment;

/**
 * IEEE 802 48-bit MAC addresses held in the low 48 bits of a {@code long}, first octet most significant:
 * {@code 00:11:22:33:44:55} is {@code 0x001122334455L}. A primitive, so the forwarding path compares and
 * stores addresses without allocating.
 */
public final class MacAddress {

    /** {@code ff:ff:ff:ff:ff:ff}. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** Length of a MAC address on the wire, in bytes. */
    public static final int LENGTH = 6;

    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    /** The I/G bit: least significant bit of the first octet (IEEE 802-2014 §8.2). */
    private static final long GROUP_BIT = 0x0100_0000_0000L;
    private static final String SEPARATORS = ":-";

    private MacAddress() {
    }

    /**
     * Parses six two-digit hexadecimal octets separated by {@code :} or {@code -} (one separator kind
     * throughout), upper or lower case.
     *
     * @throws IllegalArgumentException if {@code text} is not such an address
     */
    public static long parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address (expected xx:xx:xx:xx:xx:xx): " + text);
        }
        char separator = text.charAt(2);
        if (SEPARATORS.indexOf(separator) < 0) {
            throw new IllegalArgumentException("not a MAC address (separator must be ':' or '-'): " + text);
        }
        long value = 0;
        for (int octet = 0; octet < LENGTH; octet++) {
            int at = octet * 3;
            if (octet > 0 && text.charAt(at - 1) != separator) {
                throw new IllegalArgumentException("not a MAC address (mixed or missing separators): " + text);
            }
            int high = Character.digit(text.charAt(at), 16);
            int low = Character.digit(text.charAt(at + 1), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("not a MAC address (bad hex digit): " + text);
            }
            value = (value << 8) | (high << 4) | low;
        }
        return value;
    }

    /** Formats as six lower-case two-digit hexadecimal octets separated by colons. */
    public static String format(long mac) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (mac >>> shift) & 0xFF;
            if (shift != 40) {
                text.append(':');
            }
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return text.toString();
    }

    /** Whether the address is a group (multicast or broadcast) address: the I/G bit of the first octet. */
    public static boolean isGroup(long mac) {
        return (mac & GROUP_BIT) != 0;
    }

    /** Whether the address is {@link #BROADCAST}. */
    public static boolean isBroadcast(long mac) {
        return (mac & MASK) == BROADCAST;
    }

    /** Reads the 6 bytes at {@code offset} (network order) into the low 48 bits of a long. */
    public static long read(MemorySegment segment, long offset) {
        long high = Short.toUnsignedLong(segment.get(NetworkOrder.SHORT, offset));
        long low = Integer.toUnsignedLong(segment.get(NetworkOrder.INT, offset + 2));
        return (high << 32) | low;
    }

    /** Writes the low 48 bits of {@code mac} as 6 bytes at {@code offset} (network order). */
    public static void write(MemorySegment segment, long offset, long mac) {
        segment.set(NetworkOrder.SHORT, offset, (short) (mac >>> 32));
        segment.set(NetworkOrder.INT, offset + 2, (int) mac);
    }
}
