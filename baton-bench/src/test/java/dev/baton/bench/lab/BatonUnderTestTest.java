package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatonUnderTestTest {

    private static final String LAB_YAML = """
            router:
              id: bt0001-r0
              workers: 1
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
}
