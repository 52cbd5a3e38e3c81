package dev.baton.nativeio;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.baton.nativeio.RingTestIo.Collector;
import dev.baton.nativeio.RingTestIo.Received;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link ClientShardFanout} program in a real {@code PACKET_FANOUT_CBPF} group: every frame lands
 * on the member {@code shardOf(client, 2)} names, both on the receive path (packet data starts at
 * the network header) and for frames this host sends (data starts at the MAC header), which is what
 * the {@code SKF_NET_OFF}-relative loads are for. Runs with V2 and with V3 rings.
 */
@Tag("lab")
class ClientShardFanoutLabTest {
    private static final int WORKERS = 2;

    @BeforeEach
    void requireLab() {
        VethPairLab.assumeLabAvailable();
    }

    /** A frame the test sends and the client address it is about. */
    private record Probe(int sequence, byte[] frame, int clientAddress) {
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void everyFrameLandsOnTheWorkerOwningItsClientOnReceiveAndTransmitPaths(TpacketVersion version) throws Exception {
        try (VethPairLab lab = VethPairLab.create()) {
            int receiveGroup = 1 + ThreadLocalRandom.current().nextInt(0xfffe);
            int transmitGroup = 1 + (receiveGroup % 0xfffe);
            List<PacketSocket> receivePath = new ArrayList<>();
            List<PacketSocket> transmitPath = new ArrayList<>();
            PacketSocket sender = null;
            try {
                // Members join in worker order: the kernel indexes the group by join order.
                for (int worker = 0; worker < WORKERS; worker++) {
                    receivePath.add(NetworkNamespace.callIn(lab.namespaceB, () -> PacketSocket.open(lab.interfaceB,
                            member(version, receiveGroup).ignoreOutgoing(true).build())));
                    transmitPath.add(NetworkNamespace.callIn(lab.namespaceA, () -> PacketSocket.open(lab.interfaceA,
                            member(version, transmitGroup).build())));
                }
                sender = NetworkNamespace.callIn(lab.namespaceA, () -> PacketSocket.open(lab.interfaceA,
                        PacketSocketOptions.builder().ringVersion(version).rxBlockCount(0).txFrameCount(128).build()));
                long macA = NetworkNamespace.callIn(lab.namespaceA, () -> NetworkInterfaces.macAddress(lab.interfaceA));
                long macB = NetworkNamespace.callIn(lab.namespaceB, () -> NetworkInterfaces.macAddress(lab.interfaceB));

                List<Probe> probes = probes(macA, macB);
                for (Probe probe : probes) {
                    RingTestIo.send(sender, null, probe.frame());
                }
                RingTestIo.flushAll(sender);

                assertLandedOnOwningWorker("receive path", receivePath, probes);
                assertLandedOnOwningWorker("transmit path", transmitPath, probes);
            } finally {
                for (PacketSocket socket : receivePath) {
                    socket.close();
                }
                for (PacketSocket socket : transmitPath) {
                    socket.close();
                }
                if (sender != null) {
                    sender.close();
                }
            }
        }
    }

    private static PacketSocketOptions.Builder member(TpacketVersion version, int groupId) {
        return PacketSocketOptions.builder().ringVersion(version).rxBlockSizeBytes(64 * 1024).rxBlockCount(4)
                .rxFrameSizeBytes(2048).rxBlockTimeoutMs(2)
                .txFrameCount(0).fanout(PacketFanout.classicBpf(groupId, ClientShardFanout.program(WORKERS)));
    }

    private static void assertLandedOnOwningWorker(String path, List<PacketSocket> members, List<Probe> probes) {
        List<Collector> collectors = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            collectors.add(new Collector());
        }
        long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (marked(collectors) < probes.size() && System.nanoTime() < deadlineNs) {
            for (int worker = 0; worker < members.size(); worker++) {
                if (members.get(worker).awaitFrames(2)) {
                    members.get(worker).receive(collectors.get(worker), 16);
                }
            }
        }
        Map<Integer, Integer> landedOn = new HashMap<>();
        int[] perWorker = new int[members.size()];
        for (int worker = 0; worker < members.size(); worker++) {
            for (Received frame : collectors.get(worker).marked()) {
                landedOn.put(frame.sequence(), worker);
                perWorker[worker]++;
            }
        }
        assertEquals(probes.size(), landedOn.size(), path + ": every probe arrived");
        assertEquals(probes.size(), Arrays.stream(perWorker).sum(), path + ": no probe arrived twice");
        for (Probe probe : probes) {
            int owner = ClientShardFanout.shardOf(probe.clientAddress(), WORKERS);
            MemorySegment frame = MemorySegment.ofArray(probe.frame());
            int etherType = Short.toUnsignedInt(ByteBuffer.wrap(probe.frame(), 12, 2).getShort());
            assertEquals(owner, ClientShardFanout.workerOf(etherType, frame, 14, probe.frame().length - 14, WORKERS));
            assertEquals(owner, landedOn.get(probe.sequence()), path + ": probe " + probe.sequence()
                    + " about client " + Integer.toHexString(probe.clientAddress()));
        }
        for (int worker = 0; worker < members.size(); worker++) {
            assertTrue(perWorker[worker] > 0, path + ": worker " + worker + " got no frame");
        }
    }

    private static int marked(List<Collector> collectors) {
        return collectors.stream().mapToInt(c -> c.marked().size()).sum();
    }

    /** UDP from many clients, ICMP errors about many clients, ICMP echo, and an ARP frame. */
    private static List<Probe> probes(long macA, long macB) {
        List<Probe> probes = new ArrayList<>();
        int server = Ipv4.parse(VethPairLab.ADDRESS_B);
        int sequence = 0;
        for (int host = 10; host < 74; host++) {
            int client = Ipv4.parse("198.51.100." + host);
            probes.add(new Probe(sequence, Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP,
                    Ipv4TestPackets.udp(client, server, 40000 + host, 9, RingTestIo.markedPayload(sequence, 32))),
                    client));
            sequence++;
        }
        int[] errorTypes = {3, 4, 5, 11, 12};
        for (int i = 0; i < 16; i++) {
            int client = Ipv4.parse("198.51.100." + (100 + i));
            probes.add(new Probe(sequence, Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP,
                    Ipv4TestPackets.icmp(5, errorTypes[i % errorTypes.length], 0, Ipv4.parse("192.0.2.1"), server,
                            client, RingTestIo.markedPayload(sequence, 16))), client));
            sequence++;
        }
        for (int host = 200; host < 204; host++) {
            int client = Ipv4.parse("198.51.100." + host);
            probes.add(new Probe(sequence, Ipv4TestPackets.ethernet(macB, macA, KernelConstants.ETH_P_IP,
                    Ipv4TestPackets.icmp(5, 8, 0, client, server, 0, RingTestIo.markedPayload(sequence, 16))),
                    client));
            sequence++;
        }
        // ARP who-has 203.0.113.77 (no one here), with the marker in the trailing padding: worker 0.
        ByteBuffer arp = ByteBuffer.allocate(28 + 16);
        arp.putShort((short) 1).putShort((short) KernelConstants.ETH_P_IP).put((byte) 6).put((byte) 4)
                .putShort((short) 1).putShort((short) (macA >>> 32)).putInt((int) macA)
                .putInt(Ipv4.parse(VethPairLab.ADDRESS_A)).putShort((short) 0).putInt(0).putInt(Ipv4.parse("203.0.113.77"))
                .put(RingTestIo.markedPayload(sequence, 16));
        probes.add(new Probe(sequence, Ipv4TestPackets.ethernet(0xffff_ffff_ffffL, macA, KernelConstants.ETH_P_ARP,
                arp.array()), 0));
        return probes;
    }
}
