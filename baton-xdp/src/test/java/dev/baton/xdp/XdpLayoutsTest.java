package dev.baton.xdp;

import dev.baton.nativeio.CHeaderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the XDP maps' keys and values, the program's flags and counters, and the libbpf structs passed by pointer
 * against the C: a program including the XDP program's own header (src/main/c/baton_xdp.h) and libbpf's headers
 * prints every offset, size and value (baton-native's {@link CHeaderCheck}).
 */
class XdpLayoutsTest {

    private static final Path PROGRAM_HEADER = Path.of("src/main/c/baton_xdp.h").toAbsolutePath();

    @Test
    void mapStructsCountersAndLibbpfStructsMatchTheCHeaders(@TempDir Path directory) throws Exception {
        CHeaderCheck check = new CHeaderCheck();
        for (StructLayout layout : List.of(XdpLayouts.FLOW_KEY, XdpLayouts.FLOW, XdpLayouts.SERVER, XdpLayouts.PORT,
                XdpLayouts.VIP, XdpLayouts.TRAFFIC, XdpLayouts.OBJECT_OPEN_OPTS, XdpLayouts.TEST_RUN_OPTS,
                XdpLayouts.MAP_BATCH_OPTS, XdpLayouts.XDP_MD, XdpLayouts.LINK_CREATE_OPTS)) {
            check.struct(layout);
        }
        check.structHead(XdpLayouts.PROG_INFO_HEAD);
        check.constants(Libbpf.class, "", List.of());
        check.add("BATON_VIP_FORWARDS", "BATON_VIP_FORWARDS", XdpLayouts.VIP_FORWARDS);
        check.add("BATON_SERVER_USABLE", "BATON_SERVER_USABLE", XdpLayouts.SERVER_USABLE);
        for (XdpCounter counter : XdpCounter.values()) {
            check.add("BATON_" + counter.name(), "BATON_" + counter.name(), counter.ordinal());
        }
        check.add("BATON_COUNTER_LIMIT", "BATON_COUNTER_LIMIT", XdpCounter.values().length);

        String headers = """
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/bpf.h>
                #include <linux/if_link.h>
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #include "%s"
                """.formatted(PROGRAM_HEADER);
        List<String> mismatches = check.mismatches(directory, headers, "libbpf-dev linux-libc-dev");
        assertTrue(mismatches.isEmpty(), "XDP layouts differ from the C:\n" + String.join("\n", mismatches));
        assertTrue(check.checks().size() > 100, "every member and constant is checked, got " + check.checks().size());
    }

    @Test
    void theBuildShipsTheCompiledProgram() {
        byte[] object = XdpObject.objectBytes();
        // An ELF file for the BPF machine (EM_BPF = 247), little-endian, 64-bit.
        assertTrue(object.length > 1000, "object of " + object.length + " bytes");
        assertTrue(object[0] == 0x7f && object[1] == 'E' && object[2] == 'L' && object[3] == 'F', "ELF magic");
        assertTrue(object[4] == 2 && object[5] == 1, "ELFCLASS64, little-endian");
        assertTrue((object[18] & 0xff) == 247, "e_machine EM_BPF, got " + (object[18] & 0xff));
    }
}
