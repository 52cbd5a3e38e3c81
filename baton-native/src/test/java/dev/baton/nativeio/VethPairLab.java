package dev.baton.nativeio;

import java.io.IOException;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two network namespaces joined by a veth pair, for lab tests: {@code <prefix>a} holds
 * {@code <prefix>va} with 198.51.100.1/24, {@code <prefix>b} holds {@code <prefix>vb} with
 * 198.51.100.2/24. Built on {@link NamespaceLab}, which removes everything on {@link #close()}.
 */
final class VethPairLab implements AutoCloseable {
    static final String ADDRESS_A = "198.51.100.1";
    static final String ADDRESS_B = "198.51.100.2";

    final String namespaceA;
    final String namespaceB;
    final String interfaceA;
    final String interfaceB;
    private final NamespaceLab lab;

    private VethPairLab(NamespaceLab lab) {
        this.lab = lab;
        this.namespaceA = lab.name("a");
        this.namespaceB = lab.name("b");
        this.interfaceA = lab.name("va");
        this.interfaceB = lab.name("vb");
    }

    /** Skips the calling test, with the reason, unless namespaces and packet sockets can be used here. */
    static void assumeLabAvailable() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(PacketSocket.isAvailable(), "packet sockets unavailable: " + PacketSocket.unavailabilityCause());
    }

    /** Creates the namespaces and the veth pair, both ends up with their addresses. */
    static VethPairLab create() throws IOException, InterruptedException {
        NamespaceLab namespaces = NamespaceLab.create("bn", "a", "b");
        try {
            VethPairLab lab = new VethPairLab(namespaces);
            namespaces.vethPair(lab.namespaceA, lab.interfaceA, ADDRESS_A + "/24", lab.namespaceB, lab.interfaceB, ADDRESS_B + "/24");
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            namespaces.close();
            throw e;
        }
    }

    /** Runs a command (bounded to 20 s) and returns its output; fails on a non-zero exit. */
    static String run(String... command) throws IOException, InterruptedException {
        return NamespaceLab.run(command);
    }

    @Override
    public void close() {
        lab.close();
    }
}
