package dev.baton.bench.lab;

import dev.baton.lab.Host;
import dev.baton.lab.LabProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The load: trafgen(8) (Debian netsniff-ng) sending minimum-size UDP frames straight onto a lab segment from
 * a packet socket's TX ring, addressed at Ethernet level to the router, so that they arrive at the router's
 * client-facing interface exactly as from a previous-hop router.
 *
 * <p>Frames are {@value #FRAME_LENGTH_BYTES} bytes (Ethernet 14 + IPv4 20 + UDP 8 + 18 bytes of payload): the
 * classic 64-byte minimum frame once a physical NIC adds its 4-byte FCS. The source port runs through
 * {@code flows} consecutive values (trafgen's {@code dinc}, which also refreshes the UDP checksum), so the
 * router sees that many distinct 5-tuples, round robin.
 *
 * <p>Bounded twice: trafgen stops after {@code maxPackets}, and {@code timeout(1)} interrupts it after the time
 * limit even if the benchmark's JVM died.
 */
public final class UdpGenerator {

    /** Frame length on a veth (no FCS): 64 bytes on a wire. */
    public static final int FRAME_LENGTH_BYTES = 60;
    static final int ETHERNET_HEADER_BYTES = 14;
    static final int IPV4_HEADER_BYTES = 20;
    static final int UDP_HEADER_BYTES = 8;
    static final int PAYLOAD_BYTES = FRAME_LENGTH_BYTES - ETHERNET_HEADER_BYTES - IPV4_HEADER_BYTES - UDP_HEADER_BYTES;
    private static final int TTL = 64;

    /** What trafgen prints once its socket and ring are set up and it starts sending. */
    static final String RUNNING_LINE = "Running!";

    private UdpGenerator() {
    }

    /**
     * The trafgen packet configuration (trafgen(8), "PACKET CONFIGURATION", protocol header functions).
     *
     * @param firstSourcePort the first of {@code flows} consecutive source ports
     */
    static String packetConfig(String sourceMac, String destinationMac, String sourceAddress, String vip,
                               int firstSourcePort, int flows, int destinationPort) {
        if (flows < 1 || firstSourcePort < 1 || firstSourcePort + flows - 1 > 65535) {
            throw new IllegalArgumentException("source ports " + firstSourcePort + " + " + flows + " flows do not fit 1..65535");
        }
        return "{\n"
                + "  eth(da=" + destinationMac + ", sa=" + sourceMac + "),\n"
                + "  ipv4(sa=" + sourceAddress + ", da=" + vip + ", ttl=" + TTL + "),\n"
                + "  udp(sp=dinc(" + firstSourcePort + ", " + (firstSourcePort + flows - 1) + "), dp=" + destinationPort + "),\n"
                + "  fill(0x00, " + PAYLOAD_BYTES + ")\n"
                + "}\n";
    }

    /** Writes {@code packetConfig} to {@code file}. */
    static Path writeConfig(Path file, String packetConfig) {
        try {
            Files.writeString(file, packetConfig);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The command line, run inside the generator's namespace. */
    static List<String> command(String interfaceName, Path config, long maxPackets, Duration timeLimit, int cpu) {
        return List.of("timeout", "-s", "INT", Long.toString(Math.max(1, timeLimit.toSeconds())),
                "taskset", "-c", Integer.toString(cpu),
                "trafgen", "--dev", interfaceName, "--conf", config.toString(), "--num", Long.toString(maxPackets),
                // One process; leave the machine's socket memory limits and IRQ affinities alone.
                "--cpus", "1", "--no-sock-mem", "--notouch-irq");
    }

    /**
     * Starts trafgen in {@code host}'s namespace on {@code interfaceName}, pinned to {@code cpu}; it runs until
     * {@code maxPackets} are sent, {@code timeLimit} passes or it is stopped.
     */
    public static LabProcess start(Host host, String interfaceName, Path config, long maxPackets, Duration timeLimit,
                                   int cpu, Path log) {
        return host.spawn(command(interfaceName, config, maxPackets, timeLimit, cpu), log);
    }
}
