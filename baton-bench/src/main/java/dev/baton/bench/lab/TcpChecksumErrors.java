package dev.baton.bench.lab;

import dev.baton.lab.ServerHost;

import java.time.Duration;
import java.util.List;

/**
 * The servers' count of TCP segments that arrived with a bad checksum ({@code InCsumErrors} of the {@code Tcp:} lines in
 * {@code /proc/net/snmp}, per network namespace). A veth in native XDP mode loses the partial-checksum state of a frame a
 * local sender left to checksum offload, and forwards it with the checksum unfinished (docs/operations.md, "XDP on a
 * veth"): the benchmark switches the client's transmit checksum offload off, and this count, taken around each iperf3
 * run, shows that it worked.
 */
final class TcpChecksumErrors {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private TcpChecksumErrors() {
    }

    /** The sum over {@code servers}. */
    static long read(List<ServerHost> servers) {
        long sum = 0;
        for (ServerHost server : servers) {
            sum += parse(KernelForwarding.run(server, "cat", "/proc/net/snmp").stdout());
        }
        return sum;
    }

    /**
     * {@code InCsumErrors} from a {@code /proc/net/snmp} text: a {@code Tcp:} line of names, then one of values.
     *
     * @throws IllegalArgumentException when the lines or the field are missing
     */
    static long parse(String snmp) {
        List<String> tcp = snmp.lines().filter(line -> line.startsWith("Tcp:")).toList();
        if (tcp.size() < 2) {
            throw new IllegalArgumentException("no Tcp: name and value lines in /proc/net/snmp:\n" + snmp);
        }
        String[] names = tcp.get(0).strip().split("\\s+");
        String[] values = tcp.get(1).strip().split("\\s+");
        for (int i = 1; i < names.length; i++) {
            if (names[i].equals("InCsumErrors")) {
                if (i >= values.length) {
                    throw new IllegalArgumentException("Tcp: values line shorter than its names line:\n" + snmp);
                }
                return Long.parseLong(values[i]);
            }
        }
        throw new IllegalArgumentException("no InCsumErrors among the Tcp: names of /proc/net/snmp:\n" + snmp);
    }
}
