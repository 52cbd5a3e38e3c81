package dev.baton.codec;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rewrapping and reading every flyweight, as the forwarding path does once per packet, allocates nothing
 * once warmed up: the views are reused cursors, and the shared base adds no per-call objects.
 */
class FlyweightAllocationTest {

    private static final int PACKETS_PER_CYCLE = 10_000;
    private static final int VIRTIO_AT = 0;
    private static final int ETHERNET_AT = VIRTIO_AT + VirtioNetHeaderFlyweight.LENGTH;
    private static final int IP_AT = ETHERNET_AT + EthernetFlyweight.HEADER_LENGTH;
    private static final int L4_AT = IP_AT + Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final int TCP_PAYLOAD_BYTES = 12;
    private static final int FRAME_BYTES = L4_AT + TcpFlyweight.MIN_HEADER_LENGTH + TCP_PAYLOAD_BYTES;
    /** ICMP error quoting an IPv4 header and 8 bytes of UDP, then a separate ARP packet. */
    private static final int ICMP_AT = FRAME_BYTES;
    private static final int ICMP_BYTES = IcmpFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH;
    private static final int ARP_AT = ICMP_AT + ICMP_BYTES;
    private static final int BUFFER_BYTES = ARP_AT + ArpFlyweight.LENGTH;

    private final VirtioNetHeaderFlyweight virtio = new VirtioNetHeaderFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight quotedIp = new Ipv4Flyweight();
    private final UdpFlyweight quotedUdp = new UdpFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();

    @Test
    void wrappingValidatingAndReadingEveryFlyweightAllocatesNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean candidate
                        && candidate.isThreadAllocatedMemorySupported() && candidate.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot measure per-thread allocation");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threads;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER_BYTES);
            build(buffer);
            LongSupplier cycle = () -> {
                long digest = 0;
                for (int packet = 0; packet < PACKETS_PER_CYCLE; packet++) {
                    digest = digest * 31 + readAll(buffer, packet);
                }
                return digest;
            };
            long expected = cycle.getAsLong();
            for (int warmUp = 0; warmUp < 30; warmUp++) {
                assertEquals(expected, cycle.getAsLong(), "the reads are deterministic");
            }
            // The least of five measurements: a steady per-packet allocation shows in every one, while a
            // one-off (a compilation finishing late on a busy machine) does not fail the test.
            long least = Long.MAX_VALUE;
            for (int measured = 0; measured < 5; measured++) {
                long before = bean.getCurrentThreadAllocatedBytes();
                long digest = cycle.getAsLong();
                least = Math.min(least, bean.getCurrentThreadAllocatedBytes() - before);
                // Uses the result, so the JIT cannot drop the reads being measured.
                assertEquals(expected, digest);
            }
            assertEquals(0, least, "bytes allocated by " + PACKETS_PER_CYCLE + " packets' worth of flyweight reads");
        }
    }

    /** One packet's worth of work: wrap each view, check it, read its fields, rewrite the Ethernet addresses. */
    private long readAll(MemorySegment buffer, int packet) {
        long digest = 0;
        virtio.wrap(buffer, VIRTIO_AT, VirtioNetHeaderFlyweight.LENGTH);
        assertTrue(virtio.valid());
        digest += virtio.flags() + virtio.gsoType() + virtio.headerLength() + virtio.gsoSize()
                + virtio.checksumStart() + virtio.checksumOffset() + (virtio.isGso() ? 1 : 0);

        ethernet.wrap(buffer, ETHERNET_AT, FRAME_BYTES - ETHERNET_AT);
        assertTrue(ethernet.valid());
        // Direct server return: only the MAC addresses change (write, then read back).
        ethernet.destinationMac(0x02_00_00_00_00_00L | packet).sourceMac(0x02_00_00_00_01_00L);
        digest += ethernet.destinationMac() + ethernet.sourceMac() + ethernet.etherType() + ethernet.vlanId();

        ip.wrap(buffer, ethernet.payloadOffset(), ethernet.payloadLength());
        assertTrue(ip.valid());
        digest += ip.sourceAddress() + ip.destinationAddress() + ip.protocol() + ip.ttl() + ip.totalLength()
                + ip.identification() + ip.flags() + ip.fragmentOffset() + ip.typeOfService() + ip.version()
                + (ip.headerChecksumValid() ? 1 : 0);

        tcp.wrap(buffer, ip.payloadOffset(), ip.payloadLength());
        assertTrue(tcp.valid());
        digest += tcp.sourcePort() + tcp.destinationPort() + tcp.sequenceNumber() + tcp.acknowledgmentNumber()
                + tcp.dataOffset() + tcp.flags() + tcp.window() + tcp.checksum() + tcp.urgentPointer()
                + (tcp.checksumValid(ip.sourceAddress(), ip.destinationAddress(), ip.payloadLength()) ? 1 : 0);

        icmp.wrap(buffer, ICMP_AT, ICMP_BYTES);
        assertTrue(icmp.valid());
        digest += icmp.type() + icmp.code() + icmp.nextHopMtu() + (icmp.checksumValid(ICMP_BYTES) ? 1 : 0);
        quotedIp.wrap(buffer, icmp.innerOffset(), icmp.innerLength());
        assertTrue(quotedIp.validHeader());
        quotedUdp.wrap(buffer, quotedIp.payloadOffset(), icmp.innerLength() - quotedIp.headerLength());
        assertTrue(quotedUdp.valid());
        digest += quotedIp.destinationAddress() + quotedUdp.sourcePort() + quotedUdp.destinationPort()
                + quotedUdp.datagramLength();

        arp.wrap(buffer, ARP_AT, ArpFlyweight.LENGTH);
        assertTrue(arp.valid());
        digest += arp.operation() + arp.senderMac() + arp.senderAddress() + arp.targetMac() + arp.targetAddress()
                + (arp.isGratuitous() ? 1 : 0);
        return digest;
    }

    /** Writes a virtio header, an Ethernet/IPv4/TCP frame with valid checksums, an ICMP error and an ARP reply. */
    private void build(MemorySegment buffer) {
        virtio.wrap(buffer, VIRTIO_AT, VirtioNetHeaderFlyweight.LENGTH).clear()
                .flags(VirtioNetHeaderFlyweight.F_DATA_VALID);
        ethernet.wrap(buffer, ETHERNET_AT, FRAME_BYTES - ETHERNET_AT)
                .etherType(EthernetFlyweight.ETHER_TYPE_IPV4);
        int client = Ipv4.parse("198.51.100.7");
        int vip = Ipv4.parse("203.0.113.10");
        int tcpBytes = TcpFlyweight.MIN_HEADER_LENGTH + TCP_PAYLOAD_BYTES;
        ip.wrap(buffer, IP_AT, Ipv4Flyweight.MIN_HEADER_LENGTH + tcpBytes)
                .version(Ipv4Flyweight.VERSION).headerLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
                .totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + tcpBytes).identification(0x1234)
                .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).ttl(64).protocol(Ipv4Flyweight.PROTOCOL_TCP)
                .sourceAddress(client).destinationAddress(vip).writeHeaderChecksum();
        tcp.wrap(buffer, L4_AT, tcpBytes)
                .sourcePort(40_000).destinationPort(80).sequenceNumber(0x7000_0001).acknowledgmentNumber(0x1000_0001)
                .dataOffset(TcpFlyweight.MIN_HEADER_LENGTH).flags(TcpFlyweight.ACK | TcpFlyweight.PSH).window(64_240);
        tcp.checksum(tcp.computeChecksum(client, vip, tcpBytes));

        icmp.wrap(buffer, ICMP_AT, ICMP_BYTES).type(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE)
                .code(IcmpFlyweight.CODE_FRAGMENTATION_NEEDED).nextHopMtu(1_400);
        quotedIp.wrap(buffer, icmp.innerOffset(), icmp.innerLength())
                .version(Ipv4Flyweight.VERSION).headerLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
                .totalLength(1_500).ttl(1).protocol(Ipv4Flyweight.PROTOCOL_UDP)
                .sourceAddress(vip).destinationAddress(client).writeHeaderChecksum();
        quotedUdp.wrap(buffer, quotedIp.payloadOffset(), UdpFlyweight.HEADER_LENGTH)
                .sourcePort(53).destinationPort(33_000).datagramLength(1_480);
        icmp.checksum(icmp.computeChecksum(ICMP_BYTES));

        arp.wrap(buffer, ARP_AT, ArpFlyweight.LENGTH).initialiseEthernetIpv4().operation(ArpFlyweight.OP_REPLY)
                .senderMac(0x02_00_00_00_00_0AL).senderAddress(vip).targetMac(0x02_00_00_00_00_07L).targetAddress(client);

        // The built packets must be what the readers accept, or the measured loop would measure nothing.
        assertTrue(ip.headerChecksumValid());
        assertTrue(tcp.checksumValid(client, vip, tcpBytes));
        assertTrue(icmp.checksumValid(ICMP_BYTES));
    }
}
