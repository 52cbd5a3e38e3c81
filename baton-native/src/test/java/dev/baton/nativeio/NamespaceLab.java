package dev.baton.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces joined by veth pairs, for module-level lab tests that need less than a whole
 * {@code baton-lab} topology (shared through baton-native's test-jar). Every name starts with a random
 * per-run prefix; {@link #close()} deletes the namespaces (and with them their veth pairs), and a shutdown
 * hook does the same if the JVM stops first. IPv6 is off so the kernel sends nothing unasked.
 */
public final class NamespaceLab implements AutoCloseable {

    private final String prefix;
    private final List<String> createdNamespaces = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::deleteNamespaces, "namespace-lab-cleanup");

    private NamespaceLab(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Creates one namespace per suffix, named {@code <stem><6 random hex><suffix>}.
     *
     * @param stem two letters naming the test module, e.g. "bn"
     */
    public static NamespaceLab create(String stem, String... namespaceSuffixes) throws IOException, InterruptedException {
        NamespaceLab lab = new NamespaceLab(stem + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6));
        Runtime.getRuntime().addShutdownHook(lab.cleanupOnExit);
        try {
            for (String suffix : namespaceSuffixes) {
                String namespace = lab.name(suffix);
                run("ip", "netns", "add", namespace);
                lab.createdNamespaces.add(namespace);
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                run("ip", "-n", namespace, "link", "set", "lo", "up");
            }
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** {@code <prefix><suffix>}: the name of a namespace or interface of this lab. */
    public String name(String suffix) {
        return prefix + suffix;
    }

    /**
     * Joins two namespaces with a veth pair, both ends addressed ({@code a.b.c.d/len}) and up.
     */
    public void vethPair(String namespace1, String interface1, String address1, String namespace2, String interface2,
                         String address2) throws IOException, InterruptedException {
        run("ip", "link", "add", interface1, "netns", namespace1, "type", "veth", "peer", "name", interface2, "netns", namespace2);
        run("ip", "-n", namespace1, "addr", "add", address1, "dev", interface1);
        run("ip", "-n", namespace2, "addr", "add", address2, "dev", interface2);
        setLinkUp(namespace1, interface1, true);
        setLinkUp(namespace2, interface2, true);
    }

    /** Sets an interface up or down (cutting or restoring its link). */
    public void setLinkUp(String namespace, String interfaceName, boolean up) throws IOException, InterruptedException {
        run("ip", "-n", namespace, "link", "set", interfaceName, up ? "up" : "down");
    }

    /** Runs a command (bounded to 20 s) and returns its output; fails on a non-zero exit. */
    public static String run(String... command) throws IOException, InterruptedException {
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

    /** Why namespaces cannot be made here, or null when they can (root and iproute2's {@code ip}). */
    public static String unavailableReason() {
        if (!isRoot()) {
            return "lab test needs root (CAP_SYS_ADMIN to create and enter network namespaces)";
        }
        if (!(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")))) {
            return "iproute2 'ip' command not installed";
        }
        return null;
    }

    @Override
    public void close() {
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to do
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
