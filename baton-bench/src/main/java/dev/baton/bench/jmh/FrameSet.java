package dev.baton.bench.jmh;

import dev.baton.codec.ArpFlyweight;
import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.TcpFlyweight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Pre-built Ethernet frames in one off-heap segment, one per fixed-size slot, for {@link ReplayPacketPort} to
 * hand to a forwarder over and over. Frames are written with the project's own codecs, checksums included, so
 * they are what a real host would send.
 *
 * <p>Made and filled during a benchmark's setup; the benchmark thread owns it.
 */
final class FrameSet implements AutoCloseable {

    /** Bytes per frame slot: room for the 54-byte TCP and 42-byte ARP frames used here, cache-line aligned. */
    static final int SLOT_BYTES = 128;

    /** TCP header length without options (RFC 9293 §3.1). */
    static final int TCP_HEADER_BYTES = TcpFlyweight.MIN_HEADER_LENGTH;
    /** A TCP segment without options or data: Ethernet 14 + IPv4 20 + TCP 20 = 54 bytes. */
    static final int TCP_FRAME_BYTES = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + TCP_HEADER_BYTES;
    /** Ethernet 14 + ARP 28 = 42 bytes (RFC 826). */
    static final int ARP_FRAME_BYTES = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
    /** Offset of the IPv4 header in a TCP frame of this set. */
    static final int IP_OFFSET = EthernetFlyweight.HEADER_LENGTH;
    /** Offset of the TCP header in a TCP frame of this set. */
    static final int TCP_OFFSET = IP_OFFSET + Ipv4Flyweight.MIN_HEADER_LENGTH;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment frames;
    private final int[] lengths;
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();

    FrameSet(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a frame set holds at least one frame: " + count);
        }
        this.frames = arena.allocate((long) count * SLOT_BYTES, 64);
        this.lengths = new int[count];
    }

    MemorySegment segment() {
        return frames;
    }

    int count() {
        return lengths.length;
    }

    /** Offset of frame {@code index} in {@link #segment()}. */
    long offset(int index) {
        return (long) index * SLOT_BYTES;
    }

    int length(int index) {
        return lengths[index];
    }

    /**
     * Writes frame {@code index}: a TCP segment without data from {@code client}:{@code clientPort} to
     * {@code vip}:{@code vipPort}, addressed to {@code destinationMac}, with valid IPv4 and TCP checksums.
     *
     * @param tcpFlags {@link TcpFlyweight#SYN}, {@link TcpFlyweight#ACK}, ...
     */
    void tcp(int index, long destinationMac, long sourceMac, int client, int clientPort, int vip, int vipPort, int tcpFlags) {
        long at = offset(index);
        frames.asSlice(at, SLOT_BYTES).fill((byte) 0);
        ethernet.wrap(frames, at, TCP_FRAME_BYTES)
                .destinationMac(destinationMac)
                .sourceMac(sourceMac)
                .etherType(EthernetFlyweight.ETHER_TYPE_IPV4);
        int ipLength = Ipv4Flyweight.MIN_HEADER_LENGTH + TCP_HEADER_BYTES;
        ip.wrap(frames, at + IP_OFFSET, ipLength)
                .version(Ipv4Flyweight.VERSION)
                .headerLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
                .totalLength(ipLength)
                .identification(index & 0xFFFF)
                .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT)
                .ttl(64)
                .protocol(Ipv4Flyweight.PROTOCOL_TCP)
                .sourceAddress(client)
                .destinationAddress(vip)
                .writeHeaderChecksum();
        tcp.wrap(frames, at + TCP_OFFSET, TCP_HEADER_BYTES)
                .sourcePort(clientPort)
                .destinationPort(vipPort)
                .sequenceNumber(0x1000_0000 + index)
                .acknowledgmentNumber((tcpFlags & TcpFlyweight.ACK) != 0 ? 0x2000_0000 : 0)
                .dataOffset(TCP_HEADER_BYTES)
                .flags(tcpFlags)
                .window(65_535);
        tcp.checksum(tcp.computeChecksum(client, vip, TCP_HEADER_BYTES));
        lengths[index] = TCP_FRAME_BYTES;
    }

    /** Writes frame {@code index}: a broadcast ARP request (RFC 826) from {@code senderMac}/{@code sender} for {@code target}. */
    void arpRequest(int index, long senderMac, int sender, int target) {
        long at = offset(index);
        frames.asSlice(at, SLOT_BYTES).fill((byte) 0);
        ethernet.wrap(frames, at, ARP_FRAME_BYTES)
                .destinationMac(MacAddress.BROADCAST)
                .sourceMac(senderMac)
                .etherType(EthernetFlyweight.ETHER_TYPE_ARP);
        arp.wrap(frames, at + EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH)
                .initialiseEthernetIpv4()
                .operation(ArpFlyweight.OP_REQUEST)
                .senderMac(senderMac)
                .senderAddress(sender)
                .targetMac(0)
                .targetAddress(target);
        lengths[index] = ARP_FRAME_BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }
}
