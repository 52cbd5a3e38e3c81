package dev.baton.keepalive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two network namespaces joined by two veth pairs, two independent links between two routers:
 * link A {@code 198.51.100.1/30 <-> 198.51.100.2/30}, link B {@code 203.0.113.1/30 <-> 203.0.113.2/30}
 * (TEST-NET ranges, RFC 5737). Names carry a random per-run prefix; {@link #close()} deletes both namespaces
 * (and with them the veth pairs), as does a shutdown hook if the JVM stops first. IPv6 is off so the kernel
 * sends nothing unasked.
 */
final class TwoLinkLab implements AutoCloseable {
    static final String LINK_A_1 = "198.51.100.1";
    static final String LINK_A_2 = "198.51.100.2";
    static final String LINK_B_1 = "203.0.113.1";
    static final String LINK_B_2 = "203.0.113.2";

    final String namespace1;
    final String namespace2;
    final String linkA1;
    final String linkA2;
    final String linkB1;
    final String linkB2;
    private final List<String> createdNamespaces = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::deleteNamespaces, "two-link-lab-cleanup");

    private TwoLinkLab(String prefix) {
        namespace1 = prefix + "r1";
        namespace2 = prefix + "r2";
        linkA1 = prefix + "a1";
        linkA2 = prefix + "a2";
        linkB1 = prefix + "b1";
        linkB2 = prefix + "b2";
    }

    /** Skips the calling test, with the reason, unless namespaces can be made here. */
    static void assumeLabAvailable() {
        assumeTrue(isRoot(), "lab test needs root (CAP_SYS_ADMIN to create and enter network namespaces)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 'ip' command not installed");
    }

    static TwoLinkLab create() throws IOException, InterruptedException {
        String prefix = "bk" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        TwoLinkLab lab = new TwoLinkLab(prefix);
        Runtime.getRuntime().addShutdownHook(lab.cleanupOnExit);
        try {
            for (String namespace : List.of(lab.namespace1, lab.namespace2)) {
                run("ip", "netns", "add", namespace);
                lab.createdNamespaces.add(namespace);
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                run("ip", "-n", namespace, "link", "set", "lo", "up");
            }
            lab.pair(lab.linkA1, LINK_A_1, lab.linkA2, LINK_A_2);
            lab.pair(lab.linkB1, LINK_B_1, lab.linkB2, LINK_B_2);
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void pair(String interface1, String address1, String interface2, String address2)
            throws IOException, InterruptedException {
        run("ip", "link", "add", interface1, "netns", namespace1, "type", "veth", "peer", "name", interface2,
                "netns", namespace2);
        run("ip", "-n", namespace1, "addr", "add", address1 + "/30", "dev", interface1);
        run("ip", "-n", namespace2, "addr", "add", address2 + "/30", "dev", interface2);
        run("ip", "-n", namespace1, "link", "set", interface1, "up");
        run("ip", "-n", namespace2, "link", "set", interface2, "up");
    }

    /** Sets an interface of namespace 1 up or down (cutting or restoring that link). */
    void setLinkUp(String interfaceInNamespace1, boolean up) throws IOException, InterruptedException {
        run("ip", "-n", namespace1, "link", "set", interfaceInNamespace1, up ? "up" : "down");
    }

    /** Runs a command (bounded to 20 s) and returns its output; fails on a non-zero exit. */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }

    @Override
    public void close() {
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void deleteNamespaces() {
        for (String namespace : List.copyOf(createdNamespaces)) {
            try {
                run("ip", "netns", "del", namespace);
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete lab namespace " + namespace + ": " + e);
            }
            createdNamespaces.remove(namespace);
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
