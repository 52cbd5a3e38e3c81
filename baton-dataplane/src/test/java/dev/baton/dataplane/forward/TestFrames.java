package dev.baton.dataplane.forward;

import java.nio.ByteBuffer;

/**
 * Builds frames byte by byte, independently of the codecs under test, for the forwarding tests.
 * Checksums are computed here too (RFC 1071) so frames are what a real host would send.
 */
public final class TestFrames {

    public static final int TCP_FIN = 1;
    public static final int TCP_SYN = 2;
    public static final int TCP_RST = 4;
    public static final int TCP_PSH = 8;
    public static final int TCP_ACK = 16;

    private TestFrames() {
    }

    /** A broadcast who-has, as a host sends it: the Ethernet source is the sender, the target MAC unknown (zero). */
    public static byte[] arpRequest(long senderMac, int senderIp, int targetIp) {
        return arp(0xFFFF_FFFF_FFFFL, senderMac, 1, senderMac, senderIp, 0, targetIp);
    }

    /** A unicast is-at, as a host sends it: from the sender's MAC to the asker's. */
    public static byte[] arpReply(long senderMac, int senderIp, long targetMac, int targetIp) {
        return arp(targetMac, senderMac, 2, senderMac, senderIp, targetMac, targetIp);
    }

    /** Any ARP packet, with an Ethernet source chosen apart from the ARP sender MAC (spoofing tests). */
    public static byte[] arp(long ethernetDestination, long ethernetSource, int operation,
                             long senderMac, int senderIp, long targetMac, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(42);
        putMac(b, ethernetDestination);
        putMac(b, ethernetSource);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) operation);
        putMac(b, senderMac);
        b.putInt(senderIp);
        putMac(b, targetMac);
        b.putInt(targetIp);
        return b.array();
    }

    public static byte[] tcp(long dstMac, long srcMac, int srcIp, int srcPort, int dstIp, int dstPort, int flags, byte[] payload) {
        return tcp(dstMac, srcMac, srcIp, srcPort, dstIp, dstPort, flags, 1000, payload);
    }

    /** A TCP segment with sequence number {@code sequence} (a SYN's: the connection's ISN). */
    public static byte[] tcp(long dstMac, long srcMac, int srcIp, int srcPort, int dstIp, int dstPort, int flags, int sequence,
                             byte[] payload) {
        int l4 = 20 + payload.length;
        ByteBuffer b = ipv4Frame(dstMac, srcMac, 6, srcIp, dstIp, l4);
        int tcpAt = b.position();
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(sequence).putInt((flags & TCP_ACK) != 0 ? 2000 : 0);
        b.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        b.putShort(tcpAt + 16, (short) transportChecksum(b.array(), 14, tcpAt, l4, 6));
        return b.array();
    }

    public static byte[] udp(long dstMac, long srcMac, int srcIp, int srcPort, int dstIp, int dstPort, byte[] payload) {
        int l4 = 8 + payload.length;
        ByteBuffer b = ipv4Frame(dstMac, srcMac, 17, srcIp, dstIp, l4);
        int udpAt = b.position();
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) l4).putShort((short) 0);
        b.put(payload);
        b.putShort(udpAt + 6, (short) transportChecksum(b.array(), 14, udpAt, l4, 17));
        return b.array();
    }

    /** An ICMP error from {@code routerIp} to the VIP about the server's reply VIP:vipPort -> client:clientPort. */
    public static byte[] icmpError(long dstMac, long srcMac, int routerIp, int vip, int type, int code,
                            int innerProtocol, int vipPort, int clientIp, int clientPort) {
        // What RFC 792 asks a router to quote: the whole IP header (well formed, DF set) and 8 bytes beyond it.
        ByteBuffer quoted = ByteBuffer.allocate(20 + 8);
        putIpv4(quoted, 1500, innerProtocol, vip, clientIp, 0x4000);
        quoted.putShort((short) vipPort).putShort((short) clientPort).putInt(12345);
        return icmpErrorQuoting(dstMac, srcMac, routerIp, vip, type, code, quoted.array());
    }

    /**
     * An ICMP error from {@code routerIp} to the VIP quoting {@code quoted} as it is: the tests of hostile
     * input build odd inner headers byte by byte.
     */
    public static byte[] icmpErrorQuoting(long dstMac, long srcMac, int routerIp, int vip, int type, int code, byte[] quoted) {
        int l4 = 8 + quoted.length;
        ByteBuffer b = ipv4Frame(dstMac, srcMac, 1, routerIp, vip, l4);
        int icmpAt = b.position();
        b.put((byte) type).put((byte) code).putShort((short) 0).putShort((short) 0).putShort((short) 1400);
        b.put(quoted);
        b.putShort(icmpAt + 2, (short) checksum(b.array(), icmpAt, l4, 0));
        return b.array();
    }

    /**
     * A quoted datagram for {@link #icmpErrorQuoting}: an IPv4 header with {@code versionAndIhl},
     * {@code totalLength}, {@code flagsFragment}, {@code optionBytes} zero bytes of options, then {@code l4}.
     */
    public static byte[] quotedDatagram(int versionAndIhl, int totalLength, int protocol, int flagsFragment,
                                        int src, int dst, int optionBytes, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(20 + optionBytes + l4.length);
        b.put((byte) versionAndIhl).put((byte) 0).putShort((short) totalLength).putShort((short) 0x1234)
                .putShort((short) flagsFragment).put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(src).putInt(dst);
        b.put(new byte[optionBytes]);
        b.put(l4);
        return b.array();
    }

    public static byte[] withFragmentOffset(byte[] frame, int offsetUnits) {
        return withFlagsAndFragmentOffset(frame, offsetUnits & 0x1FFF);
    }

    /** The first fragment of a datagram (RFC 791): more fragments (MF) set, offset 0; it carries the ports. */
    public static byte[] asFirstFragment(byte[] frame) {
        return withFlagsAndFragmentOffset(frame, 0x2000);
    }

    private static byte[] withFlagsAndFragmentOffset(byte[] frame, int flagsAndOffset) {
        byte[] copy = frame.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putShort(14 + 6, (short) flagsAndOffset);
        b.putShort(14 + 10, (short) 0);
        b.putShort(14 + 10, (short) checksum(copy, 14, 20, 0));
        return copy;
    }

    /** An IPv4 datagram of any protocol carrying {@code payload} as it is (no transport checksum). */
    public static byte[] ipv4(long dstMac, long srcMac, int protocol, int srcIp, int dstIp, byte[] payload) {
        ByteBuffer b = ipv4Frame(dstMac, srcMac, protocol, srcIp, dstIp, payload.length);
        b.put(payload);
        return b.array();
    }

    /** A frame of any EtherType: {@code payload} after the 14-byte Ethernet header. */
    public static byte[] ethernet(long dstMac, long srcMac, int etherType, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) etherType);
        b.put(payload);
        return b.array();
    }

    /** An Ethernet frame sized for {@code l4Length} bytes after an IPv4 header, written up to that point. */
    private static ByteBuffer ipv4Frame(long dstMac, long srcMac, int protocol, int src, int dst, int l4Length) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4Length);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) 0x0800);
        putIpv4(b, 20 + l4Length, protocol, src, dst, 0);
        return b;
    }

    private static void putIpv4(ByteBuffer b, int totalLength, int protocol, int src, int dst, int flagsFragment) {
        int at = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) 0x1234).putShort((short) flagsFragment)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(src).putInt(dst);
        b.putShort(at + 10, (short) checksum(b.array(), at, 20, 0));
    }

    public static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    public static long mac(byte[] frame, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (frame[offset + i] & 0xFF);
        }
        return v;
    }

    private static int transportChecksum(byte[] frame, int ipAt, int l4At, int l4Length, int protocol) {
        long sum = 0;
        for (int i = 12; i < 20; i += 2) {
            sum += ((frame[ipAt + i] & 0xFF) << 8) | (frame[ipAt + i + 1] & 0xFF);
        }
        sum += protocol + l4Length;
        return checksum(frame, l4At, l4Length, sum);
    }

    public static int checksum(byte[] data, int offset, int length, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((data[offset + i] & 0xFF) << 8) | (data[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0) {
            sum += (data[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
