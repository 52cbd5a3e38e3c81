package dev.baton.bench.lab;

import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.Ipv4;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.MacAddress;
import dev.baton.codec.TcpFlyweight;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynFramesTest {

    private static final long SOURCE_MAC = MacAddress.parse("0a:00:00:00:00:01");
    private static final long ROUTER_MAC = MacAddress.parse("0a:00:00:00:00:02");
    private static final int FIRST_CLIENT = Ipv4.parse("203.0.113.16");
    private static final int VIP = Ipv4.parse("192.0.2.10");

    private static SynFrames frames() {
        return new SynFrames(SOURCE_MAC, ROUTER_MAC, FIRST_CLIENT, 235, 1024, 64_512, VIP, 8080);
    }

    private static byte[] write(SynFrames frames, SynFrames.Kind kind, long connection) {
        // Written into the middle of a dirty buffer, as into a ring slot that held an earlier frame.
        MemorySegment buffer = Arena.ofAuto().allocate(200);
        buffer.fill((byte) 0x5A);
        assertEquals(SynFrames.FRAME_LENGTH_BYTES, frames.write(buffer, 70, kind, connection));
        assertEquals((byte) 0x5A, buffer.get(ValueLayout.JAVA_BYTE, 69), "nothing written before the frame");
        assertEquals((byte) 0x5A, buffer.get(ValueLayout.JAVA_BYTE, 70 + SynFrames.FRAME_LENGTH_BYTES), "nor after it");
        return buffer.asSlice(70, SynFrames.FRAME_LENGTH_BYTES).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Byte for byte against frames built independently (Python's struct module and an RFC 1071 sum of its own, in the
     * commit that added this test): Ethernet to the router, IPv4 with DF, TTL 64 and its header checksum, TCP with its
     * checksum over the pseudo-header, zero padding to 60 bytes.
     */
    @Test
    void framesMatchOnesBuiltIndependently() {
        SynFrames frames = frames();
        assertArrayEquals(HexFormat.of().parseHex("0a00000000020a00000000010800450000280000400040063cb5cb007110c000020a04001f90"
                        + "00000000000000005002faf093460000000000000000"), write(frames, SynFrames.Kind.SYN, 0));
        assertArrayEquals(HexFormat.of().parseHex("0a00000000020a00000000010800450000280001400040063cb4cb007110c000020a04001f90"
                        + "00000001f2cbbd7c5010faf0e2ee0000000000000000"), write(frames, SynFrames.Kind.ACK, 0));
        assertArrayEquals(HexFormat.of().parseHex("0a00000000020a00000000010800450000290bba4000400630becb00714cc000020a04041f90"
                        + "eba4ead86fc3bac55018faf087e800000a0000000000"), write(frames, SynFrames.Kind.CONFIRM, 1000));
    }

    @Test
    void everyFrameCarriesValidChecksumsAndTheConnectionsFields() {
        SynFrames frames = frames();
        for (long n : new long[]{0, 1, 234, 235, 999_999, frames.distinctConnections() - 1}) {
            for (SynFrames.Kind kind : SynFrames.Kind.values()) {
                MemorySegment frame = MemorySegment.ofArray(write(frames, kind, n));
                EthernetFlyweight ethernet = new EthernetFlyweight().wrap(frame, 0, SynFrames.FRAME_LENGTH_BYTES);
                assertTrue(ethernet.valid());
                assertEquals(ROUTER_MAC, ethernet.destinationMac());
                assertEquals(SOURCE_MAC, ethernet.sourceMac());
                Ipv4Flyweight ip = new Ipv4Flyweight().wrap(frame, 14, SynFrames.FRAME_LENGTH_BYTES - 14);
                assertTrue(ip.valid() && ip.headerChecksumValid(), kind + " " + n);
                assertEquals(frames.clientAddress(n), ip.sourceAddress());
                assertEquals(VIP, ip.destinationAddress());
                assertTrue(ip.dontFragment() && !ip.isFragment());
                int segmentLength = ip.totalLength() - ip.headerLength();
                TcpFlyweight tcp = new TcpFlyweight().wrap(frame, 34, segmentLength);
                assertTrue(tcp.valid() && tcp.checksumValid(ip.sourceAddress(), VIP, segmentLength), kind + " " + n);
                assertEquals(frames.clientPort(n), tcp.sourcePort());
                assertEquals(8080, tcp.destinationPort());
                assertEquals(kind.tcpFlags, tcp.flags());
                assertEquals(kind == SynFrames.Kind.SYN ? SynFrames.clientIsn(n) : SynFrames.clientIsn(n) + 1, tcp.sequenceNumber());
                assertEquals(kind == SynFrames.Kind.SYN ? 0 : SynFrames.serverIsn(n) + 1, tcp.acknowledgmentNumber());
                assertEquals(kind.dataBytes, segmentLength - tcp.dataOffset());
            }
        }
    }

    @Test
    void consecutiveConnectionsComeFromDifferentClientsThenTheNextPort() {
        SynFrames frames = frames();
        assertEquals(Ipv4.parse("203.0.113.16"), frames.clientAddress(0));
        assertEquals(Ipv4.parse("203.0.113.17"), frames.clientAddress(1));
        assertEquals(Ipv4.parse("203.0.113.250"), frames.clientAddress(234));
        assertEquals(1024, frames.clientPort(234));
        assertEquals(Ipv4.parse("203.0.113.16"), frames.clientAddress(235));
        assertEquals(1025, frames.clientPort(235));
        assertEquals(235L * 64_512, frames.distinctConnections());
        assertEquals(65_535, frames.clientPort(frames.distinctConnections() - 1));
    }

    @Test
    void aConnectionBeyondTheDistinctOnesIsRefused() {
        SynFrames frames = frames();
        MemorySegment buffer = Arena.ofAuto().allocate(SynFrames.FRAME_LENGTH_BYTES);
        assertThrows(IllegalArgumentException.class, () -> frames.write(buffer, 0, SynFrames.Kind.SYN, frames.distinctConnections()));
        assertThrows(IllegalArgumentException.class, () -> frames.write(buffer, 0, SynFrames.Kind.SYN, -1));
    }

    @Test
    void clientsOutsideTestNetThreeAndPortsOutOfRangeAreRefused() {
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
                () -> new SynFrames(SOURCE_MAC, ROUTER_MAC, FIRST_CLIENT, 241, 1024, 64_512, VIP, 8080));
        assertEquals("241 client addresses from 203.0.113.16 do not fit 203.0.113.0/24 (TEST-NET-3)", beyond.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SynFrames(SOURCE_MAC, ROUTER_MAC, Ipv4.parse("198.51.100.16"), 1, 1024, 1, VIP, 8080));
        assertThrows(IllegalArgumentException.class, () -> new SynFrames(SOURCE_MAC, ROUTER_MAC, FIRST_CLIENT, 1, 1024, 64_513, VIP, 8080));
        assertThrows(IllegalArgumentException.class, () -> new SynFrames(SOURCE_MAC, ROUTER_MAC, FIRST_CLIENT, 1, 1024, 1, VIP, 0));
    }
}
