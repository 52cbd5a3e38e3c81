package dev.baton.bench.lab;

import dev.baton.lab.ExecResult;
import dev.baton.lab.ServerHost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the benchmark's UDP packets where they arrive: on every server, an nftables {@code netdev} ingress
 * chain on its lab interface with one {@code counter drop} rule for frames addressed to that server's own MAC,
 * to the VIP and the benchmark's UDP port. Ingress is the first hook after the driver (nft(8), "NETDEV
 * ADDRESS FAMILY"), so counting costs the server almost nothing, nothing answers, and a frame a bridge floods
 * to the wrong port (another server's MAC) is not counted.
 */
public final class UdpSinks {

    /** The nftables table created in each server namespace. */
    public static final String TABLE = "baton_bench_sink";
    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes (\\d+)");

    private final List<ServerHost> servers;

    private UdpSinks(List<ServerHost> servers) {
        this.servers = List.copyOf(servers);
    }

    /**
     * Installs a sink on every server.
     *
     * @param workDirectory where the nftables scripts are written (the lab's work directory)
     */
    public static UdpSinks install(List<ServerHost> servers, String vip, int port, Path workDirectory) {
        for (ServerHost server : servers) {
            Path script = workDirectory.resolve(server.name() + "-udp-sink.nft");
            try {
                Files.writeString(script, ruleset(server.interfaceName(), server.mac(), vip, port));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + script, e);
            }
            require(server.exec(NFT_TIMEOUT, "nft", "-f", script.toString()), server, "nft -f " + script);
        }
        return new UdpSinks(servers);
    }

    /** The nftables script for one server: one table, one ingress chain, one counting rule. */
    static String ruleset(String interfaceName, String mac, String vip, int port) {
        // "add" then "delete" then the definition: one atomic transaction that also replaces an older table.
        return "add table netdev " + TABLE + "\n"
                + "delete table netdev " + TABLE + "\n"
                + "table netdev " + TABLE + " {\n"
                + "  chain ingress {\n"
                + "    type filter hook ingress device \"" + interfaceName + "\" priority -500; policy accept;\n"
                + "    ether daddr " + mac + " ip daddr " + vip + " udp dport " + port
                + " counter drop comment \"benchmark sink\"\n"
                + "  }\n"
                + "}\n";
    }

    /** Packets counted so far on each server, in server order. */
    public long[] perServer() {
        long[] counts = new long[servers.size()];
        for (int i = 0; i < counts.length; i++) {
            ServerHost server = servers.get(i);
            ExecResult listing = require(server.exec(NFT_TIMEOUT, "nft", "list", "table", "netdev", TABLE), server,
                    "nft list table netdev " + TABLE);
            counts[i] = parseCounterPackets(listing.stdout());
        }
        return counts;
    }

    /** Packets counted so far on all servers together. */
    public long total() {
        long sum = 0;
        for (long count : perServer()) {
            sum += count;
        }
        return sum;
    }

    /** The packet count of the single counter in an {@code nft list table} listing. */
    static long parseCounterPackets(String listing) {
        Matcher matcher = COUNTER.matcher(listing);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no counter in nft listing:\n" + listing);
        }
        long packets = Long.parseLong(matcher.group(1));
        if (matcher.find()) {
            throw new IllegalArgumentException("more than one counter in nft listing:\n" + listing);
        }
        return packets;
    }

    private static ExecResult require(ExecResult result, ServerHost server, String command) {
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + command + "' in " + server.namespace() + " failed"
                    + (result.timedOut() ? " (timed out)" : " with status " + result.exitCode()) + ": " + result.stderr().strip());
        }
        return result;
    }
}
