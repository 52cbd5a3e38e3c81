package dev.baton.dataplane.forward;

import dev.baton.codec.InternetChecksum;
import dev.baton.codec.Ipv4;
import dev.baton.codec.NetworkOrder;
import dev.baton.codec.pcap.PcapFixtures;
import dev.baton.codec.pcap.PcapRecord;
import dev.baton.codec.pcap.PcapWriter;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.arp.NeighbourTable;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Golden packets: real frames captured with tcpdump (baton-codec's fixtures: a curl to an HTTP server,
 * client 203.0.113.10 -> 203.0.113.130:8080) replayed through the forwarder with 203.0.113.130 as the VIP.
 * Expected output: each client frame byte for byte, but for the two Ethernet addresses. On a mismatch
 * the input, actual and expected frames are written to {@code target/golden-failures/} as pcap files to
 * open in Wireshark.
 */
class GoldenFramesTest {

    static final long CLIENT_MAC = 0x02_00_00_00_01_0aL;
    static final long ROUTER_MAC = 0x02_00_00_00_01_01L;
    static final long BACK_MAC = 0x02_00_00_00_02_02L;
    static final long SERVER_MAC = 0x02_00_00_00_02_0bL;
    static final int VIP = Ipv4.parse("203.0.113.130");
    static final int SERVER = Ipv4.parse("198.51.100.11");
    /** Mirrors TP_STATUS_CSUMNOTREADY. */
    static final int CSUM_NOT_READY = 0x8;

    private static Forwarder forwarder(MemoryPacketPort front, MemoryPacketPort back) {
        ServiceMap services = ServiceMap.of(List.of(new ServiceConfig("http", VIP, ServiceConfig.Protocol.TCP,
                List.of(new ServiceConfig.PortRange(8080, 8080)), ServiceConfig.SchedulerKind.WRR, Duration.ZERO,
                List.of(new ServiceConfig.ServerConfig(SERVER, 1)))));
        NeighbourTable neighbours = new NeighbourTable(services.neighbourAddresses(), new int[1], 30_000, 1_000, 90_000);
        neighbours.learn(SERVER, SERVER_MAC, 0);
        return new ForwarderBuilder().services(services).neighbours(neighbours)
                .port(front, true, false, Ipv4.parse("203.0.113.1"))
                .port(back, false, true, Ipv4.parse("198.51.100.2")).capacity(64).build();
    }

    private static List<byte[]> clientFrames(String fixture) {
        List<byte[]> frames = new ArrayList<>();
        for (PcapRecord record : PcapFixtures.load(fixture)) {
            if (TestFrames.mac(record.data(), 6) == CLIENT_MAC) {
                frames.add(record.data());
            }
        }
        return frames;
    }

    private static byte[] expected(byte[] input) {
        byte[] out = input.clone();
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (SERVER_MAC >>> (40 - 8 * i));
            out[6 + i] = (byte) (BACK_MAC >>> (40 - 8 * i));
        }
        return out;
    }

    @Test
    void realCurlExchangeIsForwardedWithOnlyTheEthernetAddressesChanged() throws IOException {
        List<byte[]> inputs = clientFrames(PcapFixtures.TCP_HTTP);
        assertTrue(inputs.size() >= 5, "handshake, request, ACKs and FIN from the client");
        try (MemoryPacketPort front = new MemoryPacketPort("front", ROUTER_MAC);
             MemoryPacketPort back = new MemoryPacketPort("back", BACK_MAC);
             Forwarder f = forwarder(front, back)) {
            f.doWork(0);
            back.drainTransmitted();
            for (byte[] frame : inputs) {
                front.inject(frame);
            }
            f.doWork(1);
            List<byte[]> outputs = back.drainTransmitted();
            assertEquals(inputs.size(), outputs.size(), "every client frame forwarded");
            for (int i = 0; i < inputs.size(); i++) {
                byte[] want = expected(inputs.get(i));
                if (!Arrays.equals(want, outputs.get(i))) {
                    Path dir = writeFailure("curl-frame-" + i, inputs.get(i), outputs.get(i), want);
                    fail("frame " + i + " differs from the golden output; pcaps in " + dir);
                }
            }
            assertEquals(1, f.table().size(), "one connection");
        }
    }

    @Test
    void partialChecksumsFromAnOffloadingSenderAreCompletedWithoutAVirtioHeader() {
        List<byte[]> inputs = clientFrames(PcapFixtures.TCP_CSUM_PARTIAL);
        try (MemoryPacketPort front = new MemoryPacketPort("front", ROUTER_MAC);
             MemoryPacketPort back = new MemoryPacketPort("back", BACK_MAC);
             Forwarder f = forwarder(front, back)) {
            f.doWork(0);
            back.drainTransmitted();
            for (byte[] frame : inputs) {
                front.inject(frame, CSUM_NOT_READY, 0, null);
            }
            f.doWork(1);
            List<byte[]> outputs = back.drainTransmitted();
            assertEquals(inputs.size(), outputs.size());
            for (byte[] out : outputs) {
                MemorySegment segment = MemorySegment.ofArray(out);
                int totalLength = ((out[16] & 0xFF) << 8) | (out[17] & 0xFF);
                int headerLength = (out[14] & 0x0F) * 4;
                int source = segment.get(NetworkOrder.INT, 26);
                int destination = segment.get(NetworkOrder.INT, 30);
                assertTrue(InternetChecksum.transportChecksumValid(segment, 14 + headerLength, totalLength - headerLength,
                        source, destination, 6), "TCP checksum completed in software");
            }
            assertEquals(0, f.counters().drops(DropReason.MALFORMED));
        }
    }

    private static Path writeFailure(String name, byte[] input, byte[] actual, byte[] expected) throws IOException {
        Path dir = Path.of("target", "golden-failures");
        Files.createDirectories(dir);
        PcapWriter.write(dir.resolve(name + "-input.pcap"), List.of(new PcapRecord(0, input, input.length)), false);
        PcapWriter.write(dir.resolve(name + "-actual.pcap"), List.of(new PcapRecord(0, actual, actual.length)), false);
        PcapWriter.write(dir.resolve(name + "-expected.pcap"), List.of(new PcapRecord(0, expected, expected.length)), false);
        return dir;
    }
}
