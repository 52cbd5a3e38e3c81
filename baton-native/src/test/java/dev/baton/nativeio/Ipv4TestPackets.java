package dev.baton.nativeio;

import java.nio.ByteBuffer;

/**
 * Builds IPv4 packets (network layer only) and Ethernet frames for tests, byte by byte, so the
 * tests do not depend on the code under test to produce their input.
 */
final class Ipv4TestPackets {
    private Ipv4TestPackets() {
    }

    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;

    /**
     * An IPv4 packet with a header of {@code headerWords} 32-bit words (the version/IHL byte holds the
     * low nibble as given, so malformed lengths are possible), the fragment field (flags and offset),
     * and a correct header checksum.
     */
    static byte[] ipv4(int headerWords, int fragmentField, int protocol, int source, int destination, byte[] payload) {
        int headerBytes = Math.max(20, headerWords * 4);
        ByteBuffer packet = ByteBuffer.allocate(headerBytes + payload.length);
        packet.put((byte) (0x40 | (headerWords & 0x0f)));
        packet.put((byte) 0);
        packet.putShort((short) (headerBytes + payload.length));
        packet.putShort((short) 0x1234);
        packet.putShort((short) fragmentField);
        packet.put((byte) 64);
        packet.put((byte) protocol);
        packet.putShort((short) 0);
        packet.putInt(source);
        packet.putInt(destination);
        packet.position(headerBytes);
        packet.put(payload);
        byte[] bytes = packet.array();
        int checksum = checksum(bytes, 0, headerBytes, 0);
        bytes[10] = (byte) (checksum >>> 8);
        bytes[11] = (byte) checksum;
        return bytes;
    }

    /** A UDP datagram (checksum 0, allowed for IPv4) inside an IPv4 packet. */
    static byte[] udp(int source, int destination, int sourcePort, int destinationPort, byte[] data) {
        ByteBuffer udp = ByteBuffer.allocate(8 + data.length);
        udp.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + data.length))
                .putShort((short) 0).put(data);
        return ipv4(5, 0, UDP, source, destination, udp.array());
    }

    /**
     * An ICMP message of {@code type}/{@code code} from {@code source} to {@code destination}; for error
     * types the body starts with the header of an original datagram from {@code destination} to
     * {@code originalDestination} plus 8 bytes of it, followed by {@code trailer}.
     */
    static byte[] icmp(int headerWords, int type, int code, int source, int destination, int originalDestination,
                       byte[] trailer) {
        byte[] original = udp(destination, originalDestination, 40000, 80, new byte[0]);
        ByteBuffer icmp = ByteBuffer.allocate(8 + original.length + trailer.length);
        icmp.put((byte) type).put((byte) code).putShort((short) 0).putInt(0).put(original).put(trailer);
        byte[] body = icmp.array();
        int checksum = checksum(body, 0, body.length, 0);
        body[2] = (byte) (checksum >>> 8);
        body[3] = (byte) checksum;
        return ipv4(headerWords, 0, ICMP, source, destination, body);
    }

    /** An Ethernet frame: destination MAC, source MAC, EtherType, payload. */
    static byte[] ethernet(long destinationMac, long sourceMac, int etherType, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.putShort((short) (destinationMac >>> 32)).putInt((int) destinationMac);
        frame.putShort((short) (sourceMac >>> 32)).putInt((int) sourceMac);
        frame.putShort((short) etherType).put(payload);
        return frame.array();
    }

    /** The ones' complement sum of RFC 1071 over {@code bytes[offset, offset + length)}, plus {@code initial}. */
    static int checksum(byte[] bytes, int offset, int length, int initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((bytes[offset + i] & 0xff) << 8) | (bytes[offset + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (bytes[offset + length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
