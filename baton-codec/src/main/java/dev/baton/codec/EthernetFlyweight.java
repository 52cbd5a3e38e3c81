package dev.baton.codec;

import java.lang.foreign.MemorySegment;


/**
 * Flyweight over an Ethernet II frame header (IEEE 802.3 clause 3), optionally carrying one IEEE 802.1Q
 * VLAN tag. The frame check sequence is not part of the view (the kernel strips it).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Destination MAC address (48 bits)              |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                  Source MAC address (48 bits)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   EtherType (or TPID 0x8100)  |  PCP  |D|       VLAN ID        |  &lt;- tag (TCI) only
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     when TPID is 0x8100
 * |  inner EtherType (if tagged)  |  L3 header at 14 (untagged) or 18 (tagged)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Wrap it over a frame, check {@link #valid()}, then read; accessors do no checks of their own. Every
 * offset given to or returned by this class is absolute within the wrapped segment. Stacked tags
 * (802.1ad, TPID 0x88A8) are not decoded: such frames report that EtherType and are not forwarded.
 * Not thread-safe: one instance per thread.
 */
public final class EthernetFlyweight extends Flyweight<EthernetFlyweight> {

    public static final int DESTINATION_MAC_OFFSET = 0;
    public static final int SOURCE_MAC_OFFSET = 6;
    /** The EtherType of an untagged frame, or the TPID of a tagged one. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Tag control information (PCP, DEI, VLAN ID) of a tagged frame. */
    public static final int VLAN_TCI_OFFSET = 14;
    /** The EtherType of the payload of a tagged frame. */
    public static final int VLAN_INNER_ETHER_TYPE_OFFSET = 16;

    /** Length of an untagged header, in bytes. */
    public static final int HEADER_LENGTH = 14;
    /** Length of one 802.1Q tag, in bytes. */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Length of a header with one 802.1Q tag, in bytes. */
    public static final int VLAN_HEADER_LENGTH = HEADER_LENGTH + VLAN_TAG_LENGTH;

    public static final int ETHER_TYPE_IPV4 = 0x0800;
    public static final int ETHER_TYPE_ARP = 0x0806;
    /** 802.1Q tag protocol identifier. */
    public static final int ETHER_TYPE_VLAN = 0x8100;
    public static final int ETHER_TYPE_IPV6 = 0x86DD;

    private static final int VLAN_ID_MASK = 0x0FFF;

    /** The segment the frame lives in, as given to {@link #wrap}. */
    public MemorySegment segment() {
        return wrappedSegment();
    }

    /**
     * Whether the header, including the 802.1Q tag when the TPID says there is one, lies within the wrapped
     * length (and the wrapped range within the segment). Never throws.
     */
    public boolean valid() {
        if (!wrappedRangeHolds(HEADER_LENGTH)) {
            return false;
        }
        return !vlanTagged() || length() >= VLAN_HEADER_LENGTH;
    }

    public long destinationMac() {
        return macAt(DESTINATION_MAC_OFFSET);
    }

    public EthernetFlyweight destinationMac(long mac) {
        putMacAt(DESTINATION_MAC_OFFSET, mac);
        return this;
    }

    public long sourceMac() {
        return macAt(SOURCE_MAC_OFFSET);
    }

    public EthernetFlyweight sourceMac(long mac) {
        putMacAt(SOURCE_MAC_OFFSET, mac);
        return this;
    }

    /** The type field at offset 12: the payload's EtherType, or {@link #ETHER_TYPE_VLAN} when tagged. */
    public int outerEtherType() {
        return u16At(ETHER_TYPE_OFFSET);
    }

    /** Writes the type field at offset 12; write {@link #ETHER_TYPE_VLAN} here to build a tagged frame. */
    public EthernetFlyweight outerEtherType(int etherType) {
        putU16At(ETHER_TYPE_OFFSET, etherType);
        return this;
    }

    /** Whether the frame carries an 802.1Q tag (TPID 0x8100 at offset 12). */
    public boolean vlanTagged() {
        return outerEtherType() == ETHER_TYPE_VLAN;
    }

    /** The payload's EtherType: the inner one when the frame is tagged. */
    public int etherType() {
        int outer = outerEtherType();
        if (outer != ETHER_TYPE_VLAN) {
            return outer;
        }
        return u16At(VLAN_INNER_ETHER_TYPE_OFFSET);
    }

    /** Writes the payload's EtherType: at offset 16 when the frame is tagged, else at offset 12. */
    public EthernetFlyweight etherType(int etherType) {
        putU16At(vlanTagged() ? VLAN_INNER_ETHER_TYPE_OFFSET : ETHER_TYPE_OFFSET, etherType);
        return this;
    }

    /** The 16-bit tag control information of a tagged frame; 0 when untagged. */
    public int vlanTci() {
        return vlanTagged() ? u16At(VLAN_TCI_OFFSET) : 0;
    }

    /** Writes the tag control information; only meaningful once the TPID says the frame is tagged. */
    public EthernetFlyweight vlanTci(int tci) {
        putU16At(VLAN_TCI_OFFSET, tci);
        return this;
    }

    /** The 12-bit VLAN identifier of a tagged frame; 0 when untagged (0 also means "priority tag only"). */
    public int vlanId() {
        return vlanTci() & VLAN_ID_MASK;
    }

    /** The 3-bit priority code point of a tagged frame; 0 when untagged. */
    public int vlanPriority() {
        return vlanTci() >>> 13;
    }

    /** Bytes of Ethernet header before the L3 header: 14, or 18 with an 802.1Q tag. */
    public int headerLength() {
        return vlanTagged() ? VLAN_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** Absolute offset of the L3 header in the segment: {@code offset() + headerLength()}. */
    public long payloadOffset() {
        return absoluteOffset(headerLength());
    }

    /** Bytes of the wrapped frame after the Ethernet header. */
    public int payloadLength() {
        return length() - headerLength();
    }
}
