package dev.baton.xdp;

import dev.baton.nativeio.NamespaceLab;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.nativeio.NetworkNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Attaching the program to a real interface (a veth in a namespace of the test's own; root and libbpf1): through a
 * BPF link, native where the driver takes it and generic when asked, detached when the link closes; a Baton program
 * left attached the older way (netlink, as a crashed router of an older version would leave it) is replaced; a link
 * another live process holds, and another's program, are refused with the reason.
 */
class XdpAttachmentTest {

    private static NamespaceLab lab;
    private static String namespace;
    private static String itf;
    private static int ifindex;

    @BeforeAll
    static void veth() throws Exception {
        String reason = NamespaceLab.unavailableReason();
        if (reason == null) {
            reason = Libbpf.unavailableReason();
        }
        assumeTrue(reason == null, reason);
        lab = NamespaceLab.create("ba", "a", "b");
        namespace = lab.name("a");
        itf = lab.name("x");
        lab.vethPair(namespace, itf, "192.0.2.2/24", lab.name("b"), lab.name("y"), "192.0.2.1/24");
        ifindex = inNamespace(() -> NetworkInterfaces.index(itf));
    }

    @AfterAll
    static void remove() {
        if (lab != null) {
            lab.close();
        }
    }

    private static <T> T inNamespace(Callable<T> task) throws Exception {
        return NetworkNamespace.callIn(namespace, task);
    }

    private static XdpObject load() {
        return XdpObject.load(new XdpObject.Capacity(16, 2, 2, 2, 2));
    }

    /** The id of the program attached to the interface, 0 when none. */
    private static int attachedId() throws Exception {
        return inNamespace(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment id = arena.allocate(ValueLayout.JAVA_INT);
                Libbpf.orThrow(Libbpf.xdpQueryId(ifindex, 0, id), "bpf_xdp_query_id");
                return id.get(ValueLayout.JAVA_INT, 0);
            }
        });
    }

    @Test
    void aLinkAttachesNativelyOrGenericallyAndClosingItDetaches() throws Exception {
        try (XdpObject program = load()) {
            XdpAttachment nativeMode = inNamespace(() -> XdpAttachment.attach(program, itf, ifindex, true));
            assertEquals(XdpAttachment.Mode.NATIVE, nativeMode.mode(), "a veth takes native XDP");
            int id = attachedId();
            assertNotEquals(0, id);
            assertEquals(XdpObject.PROGRAM, XdpAttachment.programName(id));
            nativeMode.close();
            assertEquals(0, attachedId(), "detached when the link closed");

            XdpAttachment generic = inNamespace(() -> XdpAttachment.attach(program, itf, ifindex, false));
            assertEquals(XdpAttachment.Mode.GENERIC, generic.mode());
            assertNotEquals(0, attachedId());
            generic.close();
            assertEquals(0, attachedId());
        }
    }

    @Test
    void batonsProgramLeftAttachedTheOldWayIsReplacedAndALiveLinkIsRefused() throws Exception {
        try (XdpObject stale = load(); XdpObject fresh = load(); XdpObject second = load()) {
            // Attached through netlink, as no link: it outlives its descriptors.
            inNamespace(() -> Libbpf.orThrow(Libbpf.xdpAttach(ifindex, stale.programFd(), Libbpf.XDP_FLAGS_SKB_MODE,
                    MemorySegment.NULL), "bpf_xdp_attach"));
            int staleId = attachedId();
            assertNotEquals(0, staleId);
            try (XdpAttachment attachment = inNamespace(() -> XdpAttachment.attach(fresh, itf, ifindex, true))) {
                int freshId = attachedId();
                assertNotEquals(staleId, freshId, "the stale program was replaced");
                XdpUnavailableException refused = assertThrows(XdpUnavailableException.class,
                        () -> inNamespace(() -> XdpAttachment.attach(second, itf, ifindex, true)));
                assertTrue(refused.getMessage().contains("attached by a live process"), refused.getMessage());
                assertEquals(freshId, attachedId(), "the live link keeps its program");
                assertEquals(XdpAttachment.Mode.NATIVE, attachment.mode());
            }
            assertEquals(0, attachedId());
        }
    }

    @Test
    void anotherProgramIsNeverReplaced(@TempDir Path directory) throws Exception {
        Path source = directory.resolve("other.c");
        Files.writeString(source, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("xdp") int other_program(struct xdp_md *ctx) { return XDP_PASS; }
                char _license[] SEC("license") = "GPL";
                """);
        Path object = directory.resolve("other.o");
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        NamespaceLab.run("clang", "-O2", "-target", "bpf", "-I/usr/include/" + arch + "-linux-gnu", "-c", source.toString(),
                "-o", object.toString());
        NamespaceLab.run("ip", "-n", namespace, "link", "set", "dev", itf, "xdpgeneric", "obj", object.toString(), "sec", "xdp");
        try (XdpObject program = load()) {
            XdpUnavailableException refused = assertThrows(XdpUnavailableException.class,
                    () -> inNamespace(() -> XdpAttachment.attach(program, itf, ifindex, true)));
            assertTrue(refused.getMessage().contains("'other_program'") && refused.getMessage().contains("does not replace"),
                    refused.getMessage());
        } finally {
            NamespaceLab.run("ip", "-n", namespace, "link", "set", "dev", itf, "xdpgeneric", "off");
        }
        assertEquals(0, attachedId());
    }
}
