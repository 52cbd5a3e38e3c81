package dev.baton.nativeio;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.baton.codec.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.baton.nativeio.ClassicBpf.Instruction;

import static dev.baton.nativeio.Ipv4TestPackets.ICMP;
import static dev.baton.nativeio.Ipv4TestPackets.TCP;
import static dev.baton.nativeio.Ipv4TestPackets.UDP;
import static dev.baton.nativeio.Ipv4TestPackets.icmp;
import static dev.baton.nativeio.Ipv4TestPackets.ipv4;
import static dev.baton.nativeio.Ipv4TestPackets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ClientShardFanoutTest {

    private static final int IPV4 = KernelConstants.ETH_P_IP;
    private static final int CLIENT = Ipv4.parse("198.51.100.7");
    private static final int SERVER = Ipv4.parse("203.0.113.10");
    private static final int ROUTER = Ipv4.parse("192.0.2.254");

    /** A frame for the table and the agreement test. */
    private record Frame(String description, int etherType, byte[] network) {
        @Override
        public String toString() {
            return description;
        }
    }

    static List<Arguments> clientAddressRules() {
        byte[] icmpError = icmp(5, 3, 3, ROUTER, SERVER, CLIENT, new byte[0]);
        return List.of(
                Arguments.of("UDP from the client", IPV4, udp(CLIENT, SERVER, 5000, 53, new byte[4]), CLIENT),
                Arguments.of("TCP from the client", IPV4, ipv4(5, 0, TCP, CLIENT, SERVER, new byte[20]), CLIENT),
                Arguments.of("ICMP echo request from the client", IPV4, icmp(5, 8, 0, CLIENT, SERVER, ROUTER,
                        new byte[0]), CLIENT),
                Arguments.of("destination unreachable about a datagram to the client", IPV4, icmpError, CLIENT),
                Arguments.of("source quench", IPV4, icmp(5, 4, 0, ROUTER, SERVER, CLIENT, new byte[0]), CLIENT),
                Arguments.of("redirect", IPV4, icmp(5, 5, 1, ROUTER, SERVER, CLIENT, new byte[0]), CLIENT),
                Arguments.of("time exceeded", IPV4, icmp(5, 11, 0, ROUTER, SERVER, CLIENT, new byte[0]), CLIENT),
                Arguments.of("parameter problem", IPV4, icmp(5, 12, 0, ROUTER, SERVER, CLIENT, new byte[0]), CLIENT),
                Arguments.of("time exceeded with IP options before the ICMP header", IPV4,
                        icmp(7, 11, 0, ROUTER, SERVER, CLIENT, new byte[0]), CLIENT),
                Arguments.of("non-first fragment of an ICMP packet: its bytes are payload", IPV4,
                        ipv4(5, 0x00b9, ICMP, ROUTER, SERVER, Arrays.copyOfRange(icmpError, 20, icmpError.length)),
                        ROUTER),
                Arguments.of("first fragment (more-fragments flag only) of an ICMP error", IPV4,
                        ipv4(5, 0x2000, ICMP, ROUTER, SERVER, Arrays.copyOfRange(icmpError, 20, icmpError.length)),
                        CLIENT),
                Arguments.of("ICMP error cut inside the embedded header", IPV4,
                        Arrays.copyOf(icmpError, 20 + 8 + 19), 0),
                Arguments.of("IPv4 header cut before the source address", IPV4,
                        Arrays.copyOf(udp(CLIENT, SERVER, 1, 2, new byte[0]), 15), 0),
                Arguments.of("ARP", KernelConstants.ETH_P_ARP, new byte[28], 0),
                Arguments.of("IPv6", KernelConstants.ETH_P_IPV6, new byte[60], 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientAddressRules")
    void clientAddressFollowsTheShardingRules(String description, int etherType, byte[] network, int expected) {
        assertEquals(expected, ClientShardFanout.clientAddress(etherType, MemorySegment.ofArray(network), 0,
                network.length), description);
    }

    @Test
    void kernelProgramAndJavaAgreeOnEveryKindOfFrame() {
        List<Frame> frames = frames(new Random(6_148_410L));
        for (int workers : new int[] {1, 2, 3, 4, 5, 8, 16, 61, 256}) {
            ClassicBpfProgram program = ClientShardFanout.program(workers);
            for (Frame frame : frames) {
                int java = ClientShardFanout.workerOf(frame.etherType(), MemorySegment.ofArray(frame.network()), 0,
                        frame.network().length, workers);
                int kernel = ClassicBpfInterpreter.run(program, frame.etherType(), frame.network());
                if (java != kernel) {
                    fail(workers + " workers, " + frame + ": Java says " + java + ", program says " + kernel);
                }
                assertTrue(java >= 0 && java < workers);
            }
        }
        assertTrue(frames.size() > 3_000, "frames checked: " + frames.size());
    }

    @Test
    void frameAtAnOffsetInALargerSegmentGivesTheSameWorker() {
        byte[] network = icmp(6, 11, 0, ROUTER, SERVER, CLIENT, new byte[3]);
        byte[] frame = Ipv4TestPackets.ethernet(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, IPV4, network);
        assertEquals(ClientShardFanout.shardOf(CLIENT, 7), ClientShardFanout.workerOf(IPV4,
                MemorySegment.ofArray(frame), 14, network.length, 7));
    }

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {2, 3, 4, 8})
    void shardOfSpreadsNeighbouringClientsEvenly(int workers) {
        int[] counts = new int[workers];
        int base = Ipv4.parse("198.51.0.0");
        for (int host = 0; host < 65_536; host++) {
            counts[ClientShardFanout.shardOf(base + host, workers)]++;
        }
        double fairShare = 65_536.0 / workers;
        for (int worker = 0; worker < workers; worker++) {
            assertTrue(Math.abs(counts[worker] - fairShare) < fairShare * 0.05,
                    "worker " + worker + " got " + counts[worker] + " of 65536: " + Arrays.toString(counts));
        }
    }

    @Test
    void shardOfTreatsAddressesAsUnsignedAndNoClientAsWorkerZero() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            int clientAddress = random.nextInt() | 0x8000_0000;
            int workers = 1 + random.nextInt(100);
            int worker = ClientShardFanout.shardOf(clientAddress, workers);
            assertTrue(worker >= 0 && worker < workers);
        }
        assertEquals(0, ClientShardFanout.shardOf(0, 5));
        assertEquals(0, ClientShardFanout.shardOf(Ipv4.parse("203.0.113.9"), 1));
    }

    @Test
    void programLoadsOnlyRelativeToTheNetworkHeaderOrTheProtocolAncillary() {
        for (Instruction insn : ClientShardFanout.program(4).instructions()) {
            int mode = insn.code() & 0xe0;
            if (insn.instructionClass() == ClassicBpf.BPF_LD
                    && (mode == ClassicBpf.BPF_ABS || mode == ClassicBpf.BPF_IND)) {
                boolean protocol = insn.k() == ClassicBpf.SKF_AD_OFF + ClassicBpf.SKF_AD_PROTOCOL;
                boolean networkRelative = insn.k() >= ClassicBpf.SKF_NET_OFF && insn.k() < ClassicBpf.SKF_AD_OFF;
                assertTrue(protocol || networkRelative, "load not relative to SKF_NET_OFF: " + insn);
            }
        }
    }

    /** Every kind of frame the rules distinguish, with random addresses, plus every truncation of some. */
    private static List<Frame> frames(Random random) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            frames.add(new Frame("udp #" + i, IPV4, udp(random.nextInt(), random.nextInt(), random.nextInt(65536),
                    random.nextInt(65536), new byte[random.nextInt(40)])));
            frames.add(new Frame("tcp #" + i, IPV4, ipv4(5, 0, TCP, random.nextInt(), random.nextInt(),
                    new byte[20 + random.nextInt(40)])));
        }
        for (int i = 0; i < 300; i++) {
            int words = 5 + random.nextInt(11);
            frames.add(new Frame("ihl " + words + " protocol random #" + i, IPV4, ipv4(words, 0, random.nextInt(256),
                    random.nextInt(), random.nextInt(), new byte[random.nextInt(80)])));
        }
        for (int type : new int[] {3, 4, 5, 11, 12}) {
            for (int i = 0; i < 100; i++) {
                frames.add(new Frame("icmp error type " + type + " #" + i, IPV4, icmp(5 + random.nextInt(3), type,
                        random.nextInt(16), random.nextInt(), random.nextInt(), random.nextInt(),
                        new byte[random.nextInt(20)])));
            }
        }
        for (int i = 0; i < 300; i++) {
            int type = random.nextInt(256);
            frames.add(new Frame("icmp type " + type + " #" + i, IPV4, icmp(5, type, 0, random.nextInt(),
                    random.nextInt(), random.nextInt(), new byte[0])));
        }
        for (int i = 0; i < 200; i++) {
            byte[] error = icmp(5, 3, 1, random.nextInt(), random.nextInt(), random.nextInt(), new byte[0]);
            int fragment = (random.nextBoolean() ? 0x2000 : 0) | random.nextInt(0x2000);
            frames.add(new Frame("fragment 0x" + Integer.toHexString(fragment) + " of an icmp error", IPV4,
                    ipv4(5, fragment, ICMP, random.nextInt(), random.nextInt(),
                            Arrays.copyOfRange(error, 20, error.length))));
        }
        for (int i = 0; i < 100; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            frames.add(new Frame("random bytes as IPv4 #" + i, IPV4, garbage));
            frames.add(new Frame("random bytes as ARP #" + i, KernelConstants.ETH_P_ARP, garbage));
            frames.add(new Frame("random bytes as EtherType random #" + i, random.nextInt(65536), garbage));
        }
        for (int i = 0; i < 10; i++) {
            byte[] error = icmp(5 + random.nextInt(4), 11, 0, random.nextInt(), random.nextInt(), random.nextInt(),
                    new byte[0]);
            byte[] plain = udp(random.nextInt(), random.nextInt(), 1, 2, new byte[8]);
            for (int length = 0; length <= error.length; length++) {
                frames.add(new Frame("icmp error cut at " + length, IPV4, Arrays.copyOf(error, length)));
            }
            for (int length = 0; length <= plain.length; length++) {
                frames.add(new Frame("udp cut at " + length, IPV4, Arrays.copyOf(plain, length)));
            }
        }
        return frames;
    }
}
