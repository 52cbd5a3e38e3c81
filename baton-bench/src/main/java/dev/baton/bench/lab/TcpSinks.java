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
 * Counts the SYN-rate benchmark's segments where they arrive, as {@link UdpSinks} counts UDP: on every server an
 * nftables {@code netdev} ingress chain on its lab interface, with one {@code counter drop} rule per kind of segment,
 * for frames addressed to that server's own MAC, to the VIP and the service's TCP port. Ingress is the first hook after
 * the driver, so the server's kernel does no TCP work for them (no SYN-ACK, no RST) and nothing answers.
 *
 * <p>The kinds, by their flags among FIN, SYN, RST, PSH and ACK ({@link SynFrames.Kind}): {@link Kind#SYN} (SYN
 * alone), {@link Kind#ACK} (ACK alone: the handshake's), {@link Kind#CONFIRM} (PSH and ACK: the confirming segment),
 * and {@link Kind#OTHER} for anything else to the port, which should stay 0.
 */
final class TcpSinks {

    /** The nftables table created in each server namespace. */
    static final String TABLE = "baton_bench_tcp_sink";
    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern RULE = Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"([a-z]+)\"");

    /** The counters, each named by its rule's comment. */
    enum Kind {
        SYN("syn", "tcp flags & (fin | syn | rst | psh | ack) == syn "),
        ACK("ack", "tcp flags & (fin | syn | rst | psh | ack) == ack "),
        CONFIRM("confirm", "tcp flags & (fin | syn | rst | psh | ack) == psh | ack "),
        OTHER("other", "");

        final String comment;
        final String match;

        Kind(String comment, String match) {
            this.comment = comment;
            this.match = match;
        }
    }

    private final List<ServerHost> servers;

    private TcpSinks(List<ServerHost> servers) {
        this.servers = List.copyOf(servers);
    }

    /** Installs a sink on every server; the scripts are written to {@code workDirectory}. */
    static TcpSinks install(List<ServerHost> servers, String vip, int port, Path workDirectory) {
        for (ServerHost server : servers) {
            Path script = workDirectory.resolve(server.name() + "-tcp-sink.nft");
            try {
                Files.writeString(script, ruleset(server.interfaceName(), server.mac(), vip, port));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + script, e);
            }
            require(server.exec(NFT_TIMEOUT, "nft", "-f", script.toString()), server, "nft -f " + script);
        }
        return new TcpSinks(servers);
    }

    /** The nftables script for one server: one table, one ingress chain, a counting rule per {@link Kind}, in order. */
    static String ruleset(String interfaceName, String mac, String vip, int port) {
        StringBuilder rules = new StringBuilder();
        for (Kind kind : Kind.values()) {
            rules.append("    ether daddr ").append(mac).append(" ip daddr ").append(vip).append(" tcp dport ").append(port)
                    .append(' ').append(kind.match).append("counter drop comment \"").append(kind.comment).append("\"\n");
        }
        // "add" then "delete" then the definition: one atomic transaction that also replaces an older table.
        return "add table netdev " + TABLE + "\n"
                + "delete table netdev " + TABLE + "\n"
                + "table netdev " + TABLE + " {\n"
                + "  chain ingress {\n"
                + "    type filter hook ingress device \"" + interfaceName + "\" priority -500; policy accept;\n"
                + rules
                + "  }\n"
                + "}\n";
    }

    /** Segments counted so far on all servers together, indexed by {@link Kind#ordinal()} (an in-memory index only). */
    long[] total() {
        long[] sum = new long[Kind.values().length];
        for (ServerHost server : servers) {
            ExecResult listing = require(server.exec(NFT_TIMEOUT, "nft", "list", "table", "netdev", TABLE), server,
                    "nft list table netdev " + TABLE);
            long[] counts = parseCounters(listing.stdout());
            for (int i = 0; i < sum.length; i++) {
                sum[i] += counts[i];
            }
        }
        return sum;
    }

    /**
     * The packet counts of an {@code nft list table} listing, by {@link Kind}.
     *
     * @throws IllegalArgumentException unless every kind's counter is there exactly once
     */
    static long[] parseCounters(String listing) {
        long[] counts = new long[Kind.values().length];
        boolean[] seen = new boolean[counts.length];
        Matcher matcher = RULE.matcher(listing);
        while (matcher.find()) {
            Kind kind = null;
            for (Kind k : Kind.values()) {
                if (k.comment.equals(matcher.group(2))) {
                    kind = k;
                }
            }
            if (kind == null) {
                throw new IllegalArgumentException("a counter of unknown kind '" + matcher.group(2) + "' in the nft listing:\n" + listing);
            }
            if (seen[kind.ordinal()]) {
                throw new IllegalArgumentException("two '" + kind.comment + "' counters in the nft listing:\n" + listing);
            }
            seen[kind.ordinal()] = true;
            counts[kind.ordinal()] = Long.parseLong(matcher.group(1));
        }
        for (Kind kind : Kind.values()) {
            if (!seen[kind.ordinal()]) {
                throw new IllegalArgumentException("no '" + kind.comment + "' counter in the nft listing:\n" + listing);
            }
        }
        return counts;
    }

    private static ExecResult require(ExecResult result, ServerHost server, String command) {
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + command + "' in " + server.namespace() + " failed"
                    + (result.timedOut() ? " (timed out)" : " with status " + result.exitCode()) + ": " + result.stderr().strip());
        }
        return result;
    }
}
