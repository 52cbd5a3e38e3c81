package dev.baton.keepalive;

import dev.baton.nativeio.NamespaceLab;

import java.io.IOException;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two network namespaces joined by two veth pairs, two independent links between two routers:
 * link A {@code 198.51.100.1/30 <-> 198.51.100.2/30}, link B {@code 203.0.113.1/30 <-> 203.0.113.2/30}
 * (TEST-NET ranges, RFC 5737). Built on baton-native's {@link NamespaceLab}, which removes everything on
 * {@link #close()}.
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
    private final NamespaceLab lab;

    private TwoLinkLab(NamespaceLab lab) {
        this.lab = lab;
        namespace1 = lab.name("r1");
        namespace2 = lab.name("r2");
        linkA1 = lab.name("a1");
        linkA2 = lab.name("a2");
        linkB1 = lab.name("b1");
        linkB2 = lab.name("b2");
    }

    /** Skips the calling test, with the reason, unless namespaces can be made here. */
    static void assumeLabAvailable() {
        String reason = NamespaceLab.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    static TwoLinkLab create() throws IOException, InterruptedException {
        NamespaceLab namespaces = NamespaceLab.create("bk", "r1", "r2");
        try {
            TwoLinkLab lab = new TwoLinkLab(namespaces);
            namespaces.vethPair(lab.namespace1, lab.linkA1, LINK_A_1 + "/30", lab.namespace2, lab.linkA2, LINK_A_2 + "/30");
            namespaces.vethPair(lab.namespace1, lab.linkB1, LINK_B_1 + "/30", lab.namespace2, lab.linkB2, LINK_B_2 + "/30");
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            namespaces.close();
            throw e;
        }
    }

    /** Sets an interface of namespace 1 up or down (cutting or restoring that link). */
    void setLinkUp(String interfaceInNamespace1, boolean up) throws IOException, InterruptedException {
        lab.setLinkUp(namespace1, interfaceInNamespace1, up);
    }

    @Override
    public void close() {
        lab.close();
    }
}
