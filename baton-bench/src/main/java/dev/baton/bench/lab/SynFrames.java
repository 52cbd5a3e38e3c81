package dev.baton.bench.lab;

import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.Ipv4;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.TcpFlyweight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The SYN-rate generator's frames: the client's three segments of one new connection, as a previous-hop router hands
 * them to Baton (addressed at Ethernet level to the router's client-facing interface, to the VIP at IP level).
 *
 * <pre>
 *    0                   14                    34                    54   55       60
 *   +--------------------+---------------------+---------------------+----+--------+
 *   | Ethernet           | IPv4, no options    | TCP, no options     |data| zeros  |
 *   | router MAC, ours,  | DF, TTL 64, to the  | to the VIP's port   | (1)| (pad)  |
 *   | 0x0800             | VIP, checksum       | checksum            |    |        |
 *   +--------------------+---------------------+---------------------+----+--------+
 *   (1) the confirming segment only
 * </pre>
 *
 * <ul>
 *   <li>{@link Kind#SYN}: the client's SYN (RFC 9293 §3.5, its ISN), which makes Baton schedule the connection and
 *       insert an embryonic entry;</li>
 *   <li>{@link Kind#ACK}: its handshake ACK (ISN + 1, acknowledging the server's ISN + 1), which Baton sees without
 *       the SYN-ACK between (direct server return) and which makes the entry UNCONFIRMED;</li>
 *   <li>{@link Kind#CONFIRM}: one byte of data with PSH, the client's first segment a second or more after its ACK,
 *       which makes the entry ESTABLISHED ({@code ConnectionTable.CONFIRM_AFTER_MS}) and, on the XDP path, puts the
 *       flow into the program's map.</li>
 * </ul>
 *
 * <p>Connection {@code n} is client address {@code firstClient + n % clients}, source port {@code firstPort + n /
 * clients}: consecutive connections come from different addresses, so they spread over the table like many clients.
 * The ISNs are a fixed mix of {@code n}, so every frame is reproducible. Frames are {@value #FRAME_LENGTH_BYTES}
 * bytes, the minimum Ethernet frame without its FCS, padded with zeros after the IP datagram as on a wire; the IPv4
 * header checksum (RFC 791) and the TCP checksum over the pseudo-header (RFC 9293 §3.1) are computed in full
 * (RFC 1071), none left to offload. Writing a frame allocates nothing. One owner thread.
 */
final class SynFrames {

    /** Every frame's length: 64 bytes on a wire once a NIC adds its FCS. */
    static final int FRAME_LENGTH_BYTES = 60;
    static final int TCP_WINDOW = 64_240;
    private static final int TTL = 64;
    private static final int IP_OFFSET = EthernetFlyweight.HEADER_LENGTH;
    private static final int TCP_OFFSET = IP_OFFSET + Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final int HEADERS_BYTES = TCP_OFFSET + TcpFlyweight.MIN_HEADER_LENGTH;
    private static final byte CONFIRM_DATA = '\n';

    /** One of the three segments of a connection, with the flags it carries. */
    enum Kind {
        SYN(0, TcpFlyweight.SYN, 0),
        ACK(1, TcpFlyweight.ACK, 0),
        CONFIRM(2, TcpFlyweight.PSH | TcpFlyweight.ACK, 1);

        /** Stable code, part of the IP identification field. */
        final int code;
        final int tcpFlags;
        final int dataBytes;

        Kind(int code, int tcpFlags, int dataBytes) {
            this.code = code;
            this.tcpFlags = tcpFlags;
            this.dataBytes = dataBytes;
        }
    }

    private final int firstClient;
    private final int clients;
    private final int firstPort;
    private final int ports;
    private final int vip;
    private final MemorySegment template;
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();

    /**
     * @param firstClient the first client address; {@code clients} consecutive ones are used
     * @param firstPort   the first client port; {@code ports} consecutive ones are used
     * @throws IllegalArgumentException for a client range outside 203.0.113.0/24 (TEST-NET-3, the lab's client side) or
     *                                  ports outside 1..65535
     */
    SynFrames(long sourceMac, long routerMac, int firstClient, int clients, int firstPort, int ports, int vip, int vipPort) {
        if (clients < 1 || !Ipv4.inSubnet(firstClient, Ipv4.TEST_NET_3, Ipv4.TEST_NET_PREFIX_LENGTH)
                || !Ipv4.inSubnet(firstClient + clients - 1, Ipv4.TEST_NET_3, Ipv4.TEST_NET_PREFIX_LENGTH)
                || Integer.compareUnsigned(firstClient + clients - 1, firstClient) < 0) {
            throw new IllegalArgumentException(clients + " client addresses from " + Ipv4.format(firstClient)
                    + " do not fit 203.0.113.0/24 (TEST-NET-3)");
        }
        if (ports < 1 || firstPort < 1 || firstPort + ports - 1 > 65_535) {
            throw new IllegalArgumentException(ports + " client ports from " + firstPort + " do not fit 1..65535");
        }
        if (vipPort < 1 || vipPort > 65_535) {
            throw new IllegalArgumentException("VIP port " + vipPort + " outside 1..65535");
        }
        this.firstClient = firstClient;
        this.clients = clients;
        this.firstPort = firstPort;
        this.ports = ports;
        this.vip = vip;
        this.template = Arena.ofAuto().allocate(FRAME_LENGTH_BYTES);
        new EthernetFlyweight().wrap(template, 0, FRAME_LENGTH_BYTES)
                .destinationMac(routerMac).sourceMac(sourceMac).etherType(EthernetFlyweight.ETHER_TYPE_IPV4);
        ip.wrap(template, IP_OFFSET, FRAME_LENGTH_BYTES - IP_OFFSET).version(Ipv4Flyweight.VERSION)
                .headerLength(Ipv4Flyweight.MIN_HEADER_LENGTH).flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).ttl(TTL)
                .protocol(Ipv4Flyweight.PROTOCOL_TCP).destinationAddress(vip);
        tcp.wrap(template, TCP_OFFSET, FRAME_LENGTH_BYTES - TCP_OFFSET).destinationPort(vipPort)
                .dataOffset(TcpFlyweight.MIN_HEADER_LENGTH).window(TCP_WINDOW);
    }

    /** Distinct connections (4-tuples) this generator can open: one per client address and port. */
    long distinctConnections() {
        return (long) clients * ports;
    }

    /** Connection {@code n}'s client address. */
    int clientAddress(long n) {
        return firstClient + (int) (n % clients);
    }

    /** Connection {@code n}'s client port. */
    int clientPort(long n) {
        return firstPort + (int) (n / clients);
    }

    /** The client's initial sequence number of connection {@code n}. */
    static int clientIsn(long n) {
        return (int) mix(n);
    }

    /** The (never seen) server's initial sequence number of connection {@code n}, which the client's ACK acknowledges. */
    static int serverIsn(long n) {
        return (int) mix(~n);
    }

    /**
     * Writes connection {@code n}'s segment of {@code kind} at {@code offset} in {@code buffer}.
     *
     * @return the frame's length, {@link #FRAME_LENGTH_BYTES}
     * @throws IllegalArgumentException for a connection beyond {@link #distinctConnections()}
     */
    int write(MemorySegment buffer, long offset, Kind kind, long n) {
        if (n < 0 || n >= distinctConnections()) {
            throw new IllegalArgumentException("connection " + n + " outside 0.." + (distinctConnections() - 1));
        }
        MemorySegment.copy(template, 0, buffer, offset, FRAME_LENGTH_BYTES);
        int client = clientAddress(n);
        int segmentLength = TcpFlyweight.MIN_HEADER_LENGTH + kind.dataBytes;
        boolean syn = kind == Kind.SYN;
        tcp.wrap(buffer, offset + TCP_OFFSET, FRAME_LENGTH_BYTES - TCP_OFFSET).sourcePort(clientPort(n))
                .sequenceNumber(syn ? clientIsn(n) : clientIsn(n) + 1).acknowledgmentNumber(syn ? 0 : serverIsn(n) + 1)
                .flags(kind.tcpFlags);
        if (kind.dataBytes > 0) {
            buffer.set(ValueLayout.JAVA_BYTE, offset + HEADERS_BYTES, CONFIRM_DATA);
        }
        tcp.checksum(tcp.computeChecksum(client, vip, segmentLength));
        ip.wrap(buffer, offset + IP_OFFSET, FRAME_LENGTH_BYTES - IP_OFFSET).totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + segmentLength)
                .identification((int) ((3 * n + kind.code) & 0xFFFF)).sourceAddress(client).writeHeaderChecksum();
        return FRAME_LENGTH_BYTES;
    }

    /** SplitMix64's finalizer: a fixed, well-spread mix of a counter. */
    private static long mix(long x) {
        long z = (x ^ (x >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** For messages: "0a:00:00:00:00:01 -> 0a:00:00:00:00:02, 203.0.113.16 +235 ports 1024 +64512 -> 192.0.2.10". */
    String describe(long sourceMac, long routerMac) {
        return MacAddress.format(sourceMac) + " -> " + MacAddress.format(routerMac) + ", " + Ipv4.format(firstClient) + " .. "
                + Ipv4.format(firstClient + clients - 1) + " ports " + firstPort + " .. " + (firstPort + ports - 1) + " -> "
                + Ipv4.format(vip);
    }
}
