package dev.baton.codec;

import java.lang.foreign.MemorySegment;

import static dev.baton.codec.WireLayouts.U8;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data
 * taken as big-endian 16-bit words, an odd last byte padded with a zero byte.
 *
 * <p>Vocabulary follows Linux ({@code csum_partial}, {@code csum_fold}): a <em>sum</em> is an unfolded
 * {@code long} accumulator, which may be added to other sums and carried between calls; {@link #fold}
 * turns a sum into the checksum to store. Because 2<sup>16</sup> &equiv; 1 (mod 0xFFFF), adding 32-bit
 * words instead of 16-bit ones changes nothing once folded (RFC 1071 §2(C), "parallel summation"), so
 * {@link #partial} takes eight bytes per load. When sums of consecutive pieces are combined, every piece
 * but the last must have even length (RFC 1071 §2(A) byte order independence only holds per word).
 *
 * <p>Allocation-free and stateless; safe from any thread.
 */
public final class InternetChecksum {

    /** Offset of the checksum field within a TCP header (RFC 9293 §3.1). */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** Offset of the checksum field within a UDP header (RFC 768). */
    public static final int UDP_CHECKSUM_OFFSET = 6;

    private static final long LOW_32 = 0xFFFF_FFFFL;
    private static final int IPV6_HEADER_LENGTH = 40;

    private InternetChecksum() {
    }

    /** The unfolded sum of {@code length} bytes at {@code offset}: {@code partial(segment, offset, length, 0)}. */
    public static long sum(MemorySegment segment, long offset, int length) {
        return partial(segment, offset, length, 0);
    }

    /**
     * Adds the bytes {@code [offset, offset + length)} to {@code initialSum} and returns the unfolded sum.
     * Reads eight bytes at a time; the result is congruent (mod 0xFFFF) to the sum of 16-bit words.
     */
    public static long partial(MemorySegment segment, long offset, int length, long initialSum) {
        // Reduce the carried sum to 33 bits first (2^32 = 1 mod 0xFFFF) so that the loop below, adding at
        // most 2^33 per eight bytes, cannot overflow for any int length.
        long sum = (initialSum & LOW_32) + (initialSum >>> 32);
        long at = offset;
        long end = offset + length;
        while (end - at >= Long.BYTES) {
            long eight = segment.get(NetworkOrder.LONG, at);
            sum += (eight >>> 32) + (eight & LOW_32);
            at += Long.BYTES;
        }
        if (end - at >= Integer.BYTES) {
            sum += segment.get(NetworkOrder.INT, at) & LOW_32;
            at += Integer.BYTES;
        }
        if (end - at >= Short.BYTES) {
            sum += Short.toUnsignedLong(segment.get(NetworkOrder.SHORT, at));
            at += Short.BYTES;
        }
        if (at < end) {
            // RFC 1071 §4.1: an odd trailing byte is the high byte of a word whose low byte is zero.
            sum += Byte.toUnsignedLong(segment.get(U8, at)) << 8;
        }
        return sum;
    }

    /**
     * Folds a sum to 16 bits with end-around carry, without complementing: the one's complement sum itself
     * (what a CHECKSUM_PARTIAL packet carries in its checksum field for the pseudo-header).
     */
    public static int sum16(long sum) {
        long folded = (sum & LOW_32) + (sum >>> 32);
        folded = (folded & LOW_32) + (folded >>> 32);
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int) folded;
    }

    /** Folds a sum to 16 bits and complements it: the checksum to store (Linux {@code csum_fold}). */
    public static int fold(long sum) {
        return ~sum16(sum) & 0xFFFF;
    }

    /**
     * The checksum of {@code length} bytes at {@code offset}. Over data that includes a correct checksum
     * field, the result is 0 (RFC 1071 §1(3)).
     */
    public static int checksum(MemorySegment segment, long offset, int length) {
        return fold(sum(segment, offset, length));
    }

    /**
     * The unfolded sum of the IPv4 pseudo-header that TCP (RFC 9293 §3.1) and UDP (RFC 768) checksums
     * cover: source address, destination address, zero, protocol, and the TCP/UDP length in bytes.
     */
    public static long pseudoHeaderSum(int sourceAddress, int destinationAddress, int protocol, int transportLength) {
        return (sourceAddress & LOW_32) + (destinationAddress & LOW_32) + protocol + transportLength;
    }

    /**
     * The TCP or UDP checksum over IPv4 to store, computed as if the checksum field (at
     * {@code checksumFieldOffset} within the transport header) were zero, whatever it holds now. For UDP a
     * computed 0 must be sent as 0xFFFF (RFC 768); see {@link UdpFlyweight#computeChecksum}.
     */
    public static int transportChecksum(MemorySegment segment, long transportOffset, int transportLength,
                                        int checksumFieldOffset, int sourceAddress, int destinationAddress,
                                        int protocol) {
        long sum = pseudoHeaderSum(sourceAddress, destinationAddress, protocol, transportLength);
        return fold(partialSkippingField(segment, transportOffset, transportLength, checksumFieldOffset, sum));
    }

    /**
     * {@link #partial} over {@code [offset, offset + length)} leaving out the 16-bit checksum field at
     * {@code checksumFieldOffset} (relative to {@code offset}, and even, so both pieces keep word alignment):
     * the sum as if the field were zero, for computing the value to store into it.
     */
    static long partialSkippingField(MemorySegment segment, long offset, int length, int checksumFieldOffset,
                                     long initialSum) {
        long sum = partial(segment, offset, checksumFieldOffset, initialSum);
        int afterField = checksumFieldOffset + Short.BYTES;
        return partial(segment, offset + afterField, length - afterField, sum);
    }

    /** Whether the TCP or UDP segment's checksum, pseudo-header included, verifies (sums to all ones). */
    public static boolean transportChecksumValid(MemorySegment segment, long transportOffset, int transportLength,
                                                 int sourceAddress, int destinationAddress, int protocol) {
        long sum = pseudoHeaderSum(sourceAddress, destinationAddress, protocol, transportLength);
        return fold(partial(segment, transportOffset, transportLength, sum)) == 0;
    }

    /**
     * Finishes a CHECKSUM_PARTIAL packet in software, as the kernel's {@code skb_checksum_help} does: the
     * checksum field already holds the pseudo-header sum, so the checksum of everything from
     * {@code checksumStart} to the end of the L3 packet, field included, is the final value. Offsets are
     * those of {@code struct virtio_net_hdr} ({@code csum_start} relative to the start of the frame,
     * {@code csum_offset} relative to {@code csum_start}). The end is taken from the IPv4 total length (or
     * IPv6 payload length) so that Ethernet padding is not summed. A result of 0 is stored as 0xFFFF
     * ({@code CSUM_MANGLED_0}; RFC 768 reserves 0 in UDP for "no checksum").
     *
     * @param frameOffset    absolute offset of the Ethernet frame in {@code frame}
     * @param frameLength    bytes of the frame
     * @param l3Offset       offset of the IP header from the start of the frame (14 or 18)
     * @param checksumStart  offset from the start of the frame where checksumming starts (the L4 header)
     * @param checksumOffset offset of the checksum field from {@code checksumStart} (16 TCP, 6 UDP)
     * @return false, writing nothing, when the offsets do not fit the frame
     */
    public static boolean completePartialChecksum(MemorySegment frame, long frameOffset, int frameLength,
                                                  int l3Offset, int checksumStart, int checksumOffset) {
        if (!WireLayouts.withinSegment(frame.byteSize(), frameOffset, frameLength)
                || l3Offset < 0 || l3Offset >= frameLength) {
            return false;
        }
        long l3 = frameOffset + l3Offset;
        long end = frameLength;
        int version = Byte.toUnsignedInt(frame.get(U8, l3)) >>> 4;
        if (version == 4 && l3Offset + Ipv4Flyweight.MIN_HEADER_LENGTH <= frameLength) {
            end = Math.min(end, (long) l3Offset + Short.toUnsignedInt(frame.get(NetworkOrder.SHORT, l3 + Ipv4Flyweight.TOTAL_LENGTH_OFFSET)));
        } else if (version == 6 && l3Offset + IPV6_HEADER_LENGTH <= frameLength) {
            // RFC 8200 §3: the payload length (offset 4) excludes the 40-byte fixed header.
            end = Math.min(end, (long) l3Offset + IPV6_HEADER_LENGTH + Short.toUnsignedInt(frame.get(NetworkOrder.SHORT, l3 + 4)));
        }
        long field = (long) checksumStart + checksumOffset;
        if (checksumStart < l3Offset || checksumOffset < 0 || field + Short.BYTES > end) {
            return false;
        }
        int checksum = checksum(frame, frameOffset + checksumStart, (int) (end - checksumStart));
        frame.set(NetworkOrder.SHORT, frameOffset + field, (short) (checksum == 0 ? 0xFFFF : checksum));
        return true;
    }

    /**
     * Updates a checksum for one 16-bit word of the covered data changing from {@code oldWord} to
     * {@code newWord}, without re-reading the data: RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}.
     */
    public static int adjust(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return fold(sum);
    }

    /** {@link #adjust} for a 32-bit field, such as an IPv4 address, changing from {@code oldValue} to {@code newValue}. */
    public static int adjust32(int checksum, int oldValue, int newValue) {
        long sum = (~checksum & 0xFFFF)
                + (~oldValue >>> 16 & 0xFFFF) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return fold(sum);
    }
}
