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

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two network namespaces joined by a veth pair, for lab tests: {@code <prefix>a} holds
 * {@code <prefix>va} with 198.51.100.1/24, {@code <prefix>b} holds {@code <prefix>vb} with
 * 198.51.100.2/24. The prefix is random per run; {@link #close()} deletes both namespaces (and with
 * them the veth pair), and a shutdown hook does the same if the JVM is stopped first. IPv6 is off so
 * the kernel sends nothing unasked.
 */
final class VethPairLab implements AutoCloseable {
    static final String ADDRESS_A = "198.51.100.1";
    static final String ADDRESS_B = "198.51.100.2";

    final String namespaceA;
    final String namespaceB;
    final String interfaceA;
    final String interfaceB;
    private final List<String> createdNamespaces = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::deleteNamespaces, "veth-lab-cleanup");

    private VethPairLab(String prefix) {
        this.namespaceA = prefix + "a";
        this.namespaceB = prefix + "b";
        this.interfaceA = prefix + "va";
        this.interfaceB = prefix + "vb";
    }

    /** Skips the calling test, with the reason, unless namespaces and packet sockets can be used here. */
    static void assumeLabAvailable() {
        assumeTrue(isRoot(), "lab test needs root (CAP_SYS_ADMIN for network namespaces, CAP_NET_RAW)");
        assumeTrue(PacketSocket.isAvailable(), "packet sockets unavailable: " + PacketSocket.unavailabilityCause());
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 'ip' command not installed");
    }

    /** Creates the namespaces and the veth pair, both ends up with their addresses. */
    static VethPairLab create() throws IOException, InterruptedException {
        String prefix = "bn" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        VethPairLab lab = new VethPairLab(prefix);
        Runtime.getRuntime().addShutdownHook(lab.cleanupOnExit);
        try {
            for (String namespace : List.of(lab.namespaceA, lab.namespaceB)) {
                run("ip", "netns", "add", namespace);
                lab.createdNamespaces.add(namespace);
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                run("ip", "-n", namespace, "link", "set", "lo", "up");
            }
            run("ip", "link", "add", lab.interfaceA, "netns", lab.namespaceA, "type", "veth",
                    "peer", "name", lab.interfaceB, "netns", lab.namespaceB);
            run("ip", "-n", lab.namespaceA, "addr", "add", ADDRESS_A + "/24", "dev", lab.interfaceA);
            run("ip", "-n", lab.namespaceB, "addr", "add", ADDRESS_B + "/24", "dev", lab.interfaceB);
            run("ip", "-n", lab.namespaceA, "link", "set", lab.interfaceA, "up");
            run("ip", "-n", lab.namespaceB, "link", "set", lab.interfaceB, "up");
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
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
