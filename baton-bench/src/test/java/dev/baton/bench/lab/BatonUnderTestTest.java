package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatonUnderTestTest {

    private static final String LAB_YAML = """
            router:
              id: bt0001-r0
              workers: 1
              datapath: xdp
              ring: { block-size: 1MiB, block-count: 4 }
            interfaces:
              - { name: bt0001r0f, role: client, address: 192.0.2.2/24 }
            """;

    @Test
    void defaultRingLeavesTheLineOutSoBatonsOwnDefaultsApply() {
        assertEquals("""
                router:
                  id: bt0001-r0
                  workers: 1
                  datapath: xdp
                interfaces:
                  - { name: bt0001r0f, role: client, address: 192.0.2.2/24 }
                """, BatonUnderTest.withRing(LAB_YAML, "default"));
    }

    @Test
    void labRingKeepsTheConfigurationAsItIs() {
        assertEquals(LAB_YAML, BatonUnderTest.withRing(LAB_YAML, "lab"));
    }

    @Test
    void aFlowMappingReplacesTheRingLine() {
        String yaml = BatonUnderTest.withRing(LAB_YAML, "{ block-count: 32 }");
        assertEquals(LAB_YAML.replace("{ block-size: 1MiB, block-count: 4 }", "{ block-count: 32 }"), yaml);
    }

    @Test
    void aConfigurationWithoutRingLineIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> BatonUnderTest.withRing("router:\n  id: x\n", "default"));
    }

    @Test
    void theTableLineTakesTheCapacityAndThePerSourceLimit() {
        String yaml = LAB_YAML + "table: { capacity: 100000 }\nneighbours: { refresh: 5s }\n";
        assertEquals(LAB_YAML + "table: { capacity: 3000000, per-source-limit: 0 }\nneighbours: { refresh: 5s }\n",
                BatonUnderTest.withTable(yaml, 3_000_000, 0));
        assertThrows(IllegalArgumentException.class, () -> BatonUnderTest.withTable(LAB_YAML, 10, 0), "no table line");
    }

    @Test
    void afPacketReplacesTheDatapathLine() {
        assertEquals(LAB_YAML.replace("  datapath: xdp\n", "  datapath: af-packet\n"),
                BatonUnderTest.withDatapath(LAB_YAML, Contestant.AF_PACKET));
    }

    @Test
    void xdpForcesNativeModeWhichAVethWouldNotGetByDefault() {
        assertEquals(LAB_YAML.replace("  datapath: xdp\n", "  datapath: xdp\n  xdp-mode: native\n"),
                BatonUnderTest.withDatapath(LAB_YAML, Contestant.XDP));
        // whatever the lab's property chose
        String afPacketLab = LAB_YAML.replace("  datapath: xdp\n", "  datapath: af-packet\n");
        assertEquals(BatonUnderTest.withDatapath(LAB_YAML, Contestant.XDP), BatonUnderTest.withDatapath(afPacketLab, Contestant.XDP));
    }

    @Test
    void xdpGenericAsksForGenericModeExplicitly() {
        assertEquals(LAB_YAML.replace("  datapath: xdp\n", "  datapath: xdp\n  xdp-mode: generic\n"),
                BatonUnderTest.withDatapath(LAB_YAML, Contestant.XDP_GENERIC));
        BatonUnderTest.checkDatapath("xdp (generic on bt0001r0f)", Contestant.XDP_GENERIC, "bt0001r0f");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BatonUnderTest.checkDatapath("xdp (native on bt0001r0f)", Contestant.XDP_GENERIC, "bt0001r0f"));
        assertTrue(e.getMessage().contains("in generic mode on bt0001r0f"), e.getMessage());
    }

    @Test
    void theKernelHasNoDatapathAndAConfigurationWithoutOneIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> BatonUnderTest.withDatapath(LAB_YAML, Contestant.KERNEL));
        assertThrows(IllegalArgumentException.class, () -> BatonUnderTest.withDatapath("router:\n  id: x\n", Contestant.XDP));
    }

    @Test
    void theRouterMustRunTheContestantsDatapathAndNothingElse() {
        BatonUnderTest.checkDatapath("af-packet (configured: router.datapath: af-packet)", Contestant.AF_PACKET, "bt0001r0f");
        BatonUnderTest.checkDatapath("xdp (native on bt0001r0f)", Contestant.XDP, "bt0001r0f");
        for (String fellBack : List.of("xdp (generic on bt0001r0f: bpf_link_create(XDP, native) failed: Operation not supported)",
                "af-packet (XDP unavailable: libbpf.so.1 not found)", "xdp (native on bt0001r0b)")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BatonUnderTest.checkDatapath(fellBack, Contestant.XDP, "bt0001r0f"));
            assertTrue(e.getMessage().endsWith("ctl status says datapath: " + fellBack), e.getMessage());
        }
        assertThrows(IllegalStateException.class,
                () -> BatonUnderTest.checkDatapath("xdp (native on bt0001r0f)", Contestant.AF_PACKET, "bt0001r0f"));
    }
}
