package dev.baton.control.router;

import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.HighAvailabilitySettings;
import dev.baton.config.PeerLinkSettings;
import dev.baton.config.PeerSettings;
import dev.baton.probe.ProbeEngine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the router's own kernel away from VIP traffic, which Baton forwards itself.
 *
 * <p>Why: the packet socket sees every frame, but the kernel processes the same frames too. With
 * forwarding on and a route it would forward VIP packets as well (duplicates); with forwarding off it counts
 * them as address errors; with proxy ARP it might answer ARP for a VIP. So Baton installs an nftables table
 * of the {@code netdev} family with an <em>ingress</em> chain on every client-facing interface that drops
 * IPv4 to a VIP and ARP requests for a VIP; with health checks or a reachability set, every interface's chain also
 * drops the answers to the probes Baton sends from its packet rings ({@link ProbeEngine#ringAnswerIngressRules()}),
 * which the kernel would otherwise process a second time. Ingress hooks run after packet taps, so Baton's AF_PACKET socket
 * still receives those frames (measured: an {@code ETH_P_ALL} socket sees frames a netdev ingress rule drops;
 * an {@code ETH_P_IP} socket does not). The table is named after the router id, replaced
 * atomically at start and deleted at stop.
 *
 * <p>With high availability, a second table of the {@code inet} family guards the peer port
 * ({@code docs/operations.md} "Peer port floods"): on the input hook, UDP to a local link address at the peer
 * port is accepted only as one of the configured links (local address, peer address, and the peer port at
 * both ends) and dropped otherwise, with a counter, so junk from elsewhere never reaches the socket's receive
 * buffer where it would crowd out keep-alives. The input hook covers every interface, including heartbeat
 * links that carry no VIP traffic and are not in {@code interfaces}. Spoofed sources pass it; the MAC and the
 * transport's own source filter handle those.
 *
 * <p>The VIP itself is never configured on the router's interfaces ({@code baton check} rejects a VIP that
 * equals an interface address), so the kernel has nothing to answer for.
 */
public final class HostGuard implements AutoCloseable {

    private final String table;
    /** The rules in force: a reload that adds or removes every probe replaces them ({@link #update}). */
    private volatile String ruleset;
    private final boolean guardsPeerPort;

    public HostGuard(BatonConfig config) {
        this.table = "baton_" + config.router().id().replaceAll("[^A-Za-z0-9_]", "_");
        this.ruleset = ruleset(table, config);
        this.guardsPeerPort = config.highAvailability().isPresent();
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
        boolean probes = ProbeThread.needed(config);
        for (InterfaceConfig itf : config.interfaces()) {
            if (!itf.role().facesClients() && !probes) {
                continue;
            }
            String chain = "ingress_" + itf.name().replaceAll("[^A-Za-z0-9_]", "_");
            nft.append("  chain ").append(chain).append(" {\n");
            nft.append("    type filter hook ingress device \"").append(itf.name()).append("\" priority -500; policy accept;\n");
            if (itf.role().facesClients()) {
                nft.append("    ip daddr { ").append(vips).append(" } counter drop comment \"Baton forwards VIP traffic itself\"\n");
                nft.append("    arp operation request arp daddr ip { ").append(vips).append(" } counter drop comment \"Baton answers ARP for VIPs\"\n");
            }
            if (probes) {
                for (String answers : ProbeEngine.ringAnswerIngressRules()) {
                    nft.append("    ").append(answers).append(" counter drop comment \"answers to Baton's probes: read from its rings\"\n");
                }
            }
            nft.append("  }\n");
        }
        nft.append("}\n");
        config.highAvailability().ifPresent(ha -> peerPortGuard(nft, table, ha));
        return nft.toString();
    }

    private static void peerPortGuard(StringBuilder nft, String table, HighAvailabilitySettings ha) {
        int port = ha.port();
        StringJoiner links = new StringJoiner(", ");
        Set<String> locals = new LinkedHashSet<>();
        for (PeerSettings peer : ha.peers()) {
            for (PeerLinkSettings link : peer.links()) {
                String local = Ipv4.format(link.localAddress());
                locals.add(local);
                links.add(local + " . " + Ipv4.format(link.peerAddress()) + " . " + port + " . " + port);
            }
        }
        nft.append("add table inet ").append(table).append('\n');
        nft.append("delete table inet ").append(table).append('\n');
        nft.append("table inet ").append(table).append(" {\n");
        nft.append("  chain peer_port {\n");
        // Priority -150 (mangle): before the host's own filter rules, which might accept the port wholesale.
        nft.append("    type filter hook input priority -150; policy accept;\n");
        nft.append("    ip daddr . ip saddr . udp sport . udp dport { ").append(links)
                .append(" } counter accept comment \"Baton peer links\"\n");
        nft.append("    ip daddr { ").append(String.join(", ", locals)).append(" } udp dport ").append(port)
                .append(" counter drop comment \"Baton peer port: not a configured peer link\"\n");
        nft.append("  }\n");
        nft.append("}\n");
    }

    public void install() throws IOException {
        nft(ruleset);
    }

    /**
     * After a reload: installs {@code next}'s rules when they differ from those in force (its first health check
     * needs the probe answers dropped before the kernel sees them; its last one leaves them to the kernel again), in
     * one atomic nft transaction as at start. The VIPs and peers cannot change by reload, so only that part can.
     *
     * @return whether the rules changed
     */
    public synchronized boolean update(BatonConfig next) throws IOException {
        String rules = ruleset(table, next);
        if (rules.equals(ruleset)) {
            return false;
        }
        nft(rules);
        ruleset = rules;
        return true;
    }

    @Override
    public void close() {
        try {
            nft("delete table netdev " + table + "\n"
                    + (guardsPeerPort ? "delete table inet " + table + "\n" : ""));
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
