package dev.baton.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RX ring format and its V2 slot settings. */
class RingVersionConfigTest {

    private static final String BASE = """
            router:
              ring: %s
            interfaces: [ { name: eth0, role: both, address: 192.0.2.2/24 } ]
            services: [ { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 192.0.2.11 } ] } ]
            """;

    private static BatonConfig load(String ring) throws ConfigException {
        return ConfigLoader.load(BASE.formatted(ring), Path.of("r.yaml"), "baton-1");
    }

    @Test
    void v3IsTheDefaultAndV2TakesItsSlotSettings() throws ConfigException {
        RingSettings defaults = load("{ block-size: 1MiB }").router().ring();
        assertEquals(RingSettings.Version.V3, defaults.version());
        assertEquals(1L << 24, defaults.rxRingBytes(), "v3: block-size x block-count");
        RingSettings v2 = load("{ version: v2, rx-frame-size: 68KiB, rx-frame-count: 1024 }").router().ring();
        assertEquals(RingSettings.Version.V2, v2.version());
        assertEquals(69_632, v2.rxFrameSizeBytes());
        assertEquals(1024, v2.rxFrameCount());
        assertEquals(69_632L * 1024, v2.rxRingBytes(), "v2: rx-frame-size x rx-frame-count");
    }

    @Test
    void aV2SlotTakesTheRxLimitsNotTheTxSlotLimits() throws ConfigException {
        RingSettings largeSlots = load("{ version: v2, rx-frame-size: 2MiB, rx-frame-count: 16 }").router().ring();
        assertEquals(2 << 20, largeSlots.rxFrameSizeBytes(), "above the largest TX slot (1 MiB), within the RX slot limit (64 MiB)");
        RingSettings onePage = load("{ version: v2, rx-frame-size: 4KiB }").router().ring();
        assertEquals(4096, onePage.rxFrameSizeBytes(), "one page, the smallest slot");
        ConfigException halfAPage = assertThrows(ConfigException.class, () -> load("{ version: v2, rx-frame-size: 2KiB }"));
        assertTrue(halfAPage.getMessage().contains("router.ring.rx-frame-size: 2KiB is out of range (4KiB..64MiB)"),
                halfAPage.getMessage());
    }

    @Test
    void aV2RingIsNotHeldToTheV3BlockAgainstTheTxSlot() throws ConfigException {
        RingSettings v2 = load("{ version: v2, block-size: 64KiB, tx-frame-size: 65664 }").router().ring();
        assertEquals(RingSettings.Version.V2, v2.version(), "its RX slots are rx-frame-size; block-size is not used");
        ConfigException v3 = assertThrows(ConfigException.class, () -> load("{ version: v3, block-size: 64KiB, tx-frame-size: 65664 }"));
        assertTrue(v3.getMessage().contains("router.ring.block-size: 64KiB is smaller than tx-frame-size (65664 bytes)"), v3.getMessage());
    }

    @Test
    void badValuesNameTheKeyAndGiveAnExample() {
        ConfigException version = assertThrows(ConfigException.class, () -> load("{ version: v4 }"));
        assertTrue(version.getMessage().startsWith("r.yaml:2:20: router.ring.version: 'v4' is not one of v2, v3"), version.getMessage());
        ConfigException size = assertThrows(ConfigException.class, () -> load("{ version: v2, rx-frame-size: 65664 }"));
        assertTrue(size.getMessage().contains("router.ring.rx-frame-size: 65664 is not a multiple of the 4096-byte page"), size.getMessage());
        assertTrue(size.getMessage().contains("for example: rx-frame-size: 69632"), size.getMessage());
        ConfigException tooBig = assertThrows(ConfigException.class, () -> load("{ rx-frame-size: 1MiB, rx-frame-count: 2048 }"));
        assertTrue(tooBig.getMessage().contains("router.ring.rx-frame-count: 2048 slots of 1MiB make a 2GiB V2 RX ring"), tooBig.getMessage());
    }
}
