package dev.baton.codec;

/**
 * Flyweight over an ARP packet (RFC 826) for Ethernet hardware and IPv4 protocol addresses, the only
 * combination Baton speaks: it learns server MACs from replies, answers requests for VIPs and announces a
 * VIP on takeover with gratuitous ARP (RFC 5227 §3: sender and target protocol address both the VIP).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Hardware type (1 = Ether)   |   Protocol type (0x0800)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HLEN (6)     |   PLEN (4)    |  Operation (1 req, 2 reply)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Sender hardware (MAC) address, bytes 8-13          |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |  Sender protocol (IPv4)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  address, bytes 14-17         +
 * |                               |  Target hardware (MAC)        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  address, bytes 18-23         +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Target protocol (IPv4) address, bytes 24-27        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Wrap, check {@link #valid()}, then read. Offsets are absolute within the wrapped segment. Not
 * thread-safe: one instance per thread.
 */
public final class ArpFlyweight extends Flyweight<ArpFlyweight> {

    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_ADDRESS_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_ADDRESS_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet, in bytes. */
    public static final int LENGTH = 28;

    /** ar$hrd for Ethernet (IANA ARP hardware types). */
    public static final int HARDWARE_TYPE_ETHERNET = 1;
    /** ar$pro: protocol addresses are IPv4 (the IPv4 EtherType). */
    public static final int PROTOCOL_TYPE_IPV4 = EthernetFlyweight.ETHER_TYPE_IPV4;
    public static final int HARDWARE_LENGTH_ETHERNET = MacAddress.LENGTH;
    public static final int PROTOCOL_LENGTH_IPV4 = 4;

    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /**
     * Whether the packet is a complete Ethernet/IPv4 ARP packet: 28 bytes present, hardware type 1,
     * protocol type 0x0800, hardware length 6, protocol length 4. Never throws.
     */
    public boolean valid() {
        return wrappedRangeHolds(LENGTH)
                && hardwareType() == HARDWARE_TYPE_ETHERNET
                && protocolType() == PROTOCOL_TYPE_IPV4
                && hardwareLength() == HARDWARE_LENGTH_ETHERNET
                && protocolLength() == PROTOCOL_LENGTH_IPV4;
    }

    /**
     * Writes a whole Ethernet/IPv4 ARP packet: the fixed fields ({@link #initialiseEthernetIpv4}), then the
     * operation and both parties (RFC 826). A request names target MAC 0.
     */
    public ArpFlyweight message(int operation, long senderMac, int senderAddress, long targetMac, int targetAddress) {
        return initialiseEthernetIpv4().operation(operation).senderMac(senderMac).senderAddress(senderAddress)
                .targetMac(targetMac).targetAddress(targetAddress);
    }

    /** Writes the four fixed fields of an Ethernet/IPv4 ARP packet (types and lengths). */
    public ArpFlyweight initialiseEthernetIpv4() {
        putU16At(HARDWARE_TYPE_OFFSET, HARDWARE_TYPE_ETHERNET);
        putU16At(PROTOCOL_TYPE_OFFSET, PROTOCOL_TYPE_IPV4);
        putU8At(HARDWARE_LENGTH_OFFSET, HARDWARE_LENGTH_ETHERNET);
        putU8At(PROTOCOL_LENGTH_OFFSET, PROTOCOL_LENGTH_IPV4);
        return this;
    }

    public int hardwareType() {
        return u16At(HARDWARE_TYPE_OFFSET);
    }

    public int protocolType() {
        return u16At(PROTOCOL_TYPE_OFFSET);
    }

    public int hardwareLength() {
        return u8At(HARDWARE_LENGTH_OFFSET);
    }

    public int protocolLength() {
        return u8At(PROTOCOL_LENGTH_OFFSET);
    }

    /** {@link #OP_REQUEST} or {@link #OP_REPLY} (other values exist for RARP/InARP). */
    public int operation() {
        return u16At(OPERATION_OFFSET);
    }

    public ArpFlyweight operation(int operation) {
        putU16At(OPERATION_OFFSET, operation);
        return this;
    }

    public long senderMac() {
        return macAt(SENDER_MAC_OFFSET);
    }

    public ArpFlyweight senderMac(long mac) {
        putMacAt(SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderAddress() {
        return i32At(SENDER_ADDRESS_OFFSET);
    }

    public ArpFlyweight senderAddress(int address) {
        putI32At(SENDER_ADDRESS_OFFSET, address);
        return this;
    }

    public long targetMac() {
        return macAt(TARGET_MAC_OFFSET);
    }

    public ArpFlyweight targetMac(long mac) {
        putMacAt(TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetAddress() {
        return i32At(TARGET_ADDRESS_OFFSET);
    }

    public ArpFlyweight targetAddress(int address) {
        putI32At(TARGET_ADDRESS_OFFSET, address);
        return this;
    }

    /** Whether this is a gratuitous ARP (RFC 5227 §3): sender and target protocol addresses are equal. */
    public boolean isGratuitous() {
        return senderAddress() == targetAddress();
    }
}
