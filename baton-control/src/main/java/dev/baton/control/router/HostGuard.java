package dev.baton.control.router;

import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.Ipv4;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the router's own kernel away from VIP traffic, which Baton forwards itself.
 *
 * <p>Why: the packet socket sees every frame, but the kernel processes the same frames too. With
 * forwarding on and a route it would forward VIP packets as well (duplicates); with forwarding off it counts
 * them as address errors; with proxy ARP it might answer ARP for a VIP. So Baton installs an nftables table
 * of the {@code netdev} family with an <em>ingress</em> chain on every client-facing interface that drops
 * IPv4 to a VIP and ARP requests for a VIP. Ingress hooks run after packet taps, so Baton's AF_PACKET socket
 * still receives those frames (measured: DATAPLANE.md). The table is named after the router id, replaced
 * atomically at start and deleted at stop.
 *
 * <p>The VIP itself is never configured on the router's interfaces ({@code baton check} rejects a VIP that
 * equals an interface address), so the kernel has nothing to answer for.
 */
public final class HostGuard implements AutoCloseable {

    private final String table;
    private final String ruleset;

    public HostGuard(BatonConfig config) {
        this.table = "baton_" + config.router().id().replaceAll("[^A-Za-z0-9_]", "_");
        this.ruleset = ruleset(table, config);
    }

    /** The nftables script that {@link #install()} loads. */
    public String ruleset() {
        return ruleset;
    }

    public String tableName() {
        return table;
    }

    static String ruleset(String table, BatonConfig config) {
        StringJoiner vips = new StringJoiner(", ");
        config.services().stream().map(s -> Ipv4.format(s.vip())).distinct().forEach(vips::add);
        StringBuilder nft = new StringBuilder();
        // "add table" then "delete table" then the definition: one atomic transaction that also works when
        // the table does not exist yet.
        nft.append("add table netdev ").append(table).append('\n');
        nft.append("delete table netdev ").append(table).append('\n');
        nft.append("table netdev ").append(table).append(" {\n");
        List<InterfaceConfig> clientSide = config.interfaces().stream().filter(i -> i.role().facesClients()).toList();
        for (InterfaceConfig itf : clientSide) {
            String chain = "ingress_" + itf.name().replaceAll("[^A-Za-z0-9_]", "_");
            nft.append("  chain ").append(chain).append(" {\n");
            nft.append("    type filter hook ingress device \"").append(itf.name()).append("\" priority -500; policy accept;\n");
            nft.append("    ip daddr { ").append(vips).append(" } counter drop comment \"Baton forwards VIP traffic itself\"\n");
            nft.append("    arp operation request arp daddr ip { ").append(vips).append(" } counter drop comment \"Baton answers ARP for VIPs\"\n");
            nft.append("  }\n");
        }
        nft.append("}\n");
        return nft.toString();
    }

    public void install() throws IOException {
        nft(ruleset);
    }

    @Override
    public void close() {
        try {
            nft("delete table netdev " + table + "\n");
        } catch (IOException e) {
            System.err.println("baton: could not remove nftables table " + table + ": " + e.getMessage());
        }
    }

    private static void nft(String script) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run nft (install the Debian package nftables): " + e.getMessage(), e);
        }
        try (var in = process.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("nft did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for nft", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("nft failed (exit " + process.exitValue() + "): " + output.strip() + "\nscript:\n" + script);
        }
    }
}
