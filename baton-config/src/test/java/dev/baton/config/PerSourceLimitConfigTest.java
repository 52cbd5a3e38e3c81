package dev.baton.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code table.per-source-limit}: the quota of connection entries per client address. */
class PerSourceLimitConfigTest {

    private static final String BASE = """
            table: %s
            interfaces: [ { name: eth0, role: both, address: 192.0.2.2/24 } ]
            services: [ { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 192.0.2.11 } ] } ]
            """;

    private static BatonConfig load(String table) throws ConfigException {
        return ConfigLoader.load(BASE.formatted(table), Path.of("q.yaml"), "baton-1");
    }

    @Test
    void theDefaultIs1024AndZeroTurnsTheQuotaOff() throws ConfigException {
        assertEquals(1_024, load("{ capacity: 5000 }").table().perSourceLimit());
        assertEquals(ConfigDefaults.TABLE_PER_SOURCE_LIMIT, ConfigDefaults.TABLE.perSourceLimit());
        assertEquals(0, load("{ per-source-limit: 0 }").table().perSourceLimit());
        assertEquals(64, load("{ per-source-limit: 64 }").table().perSourceLimit());
    }

    @Test
    void aNegativeOrHugeLimitNamesTheKeyAndGivesAnExample() {
        ConfigException negative = assertThrows(ConfigException.class, () -> load("{ per-source-limit: -1 }"));
        assertTrue(negative.getMessage().contains("table.per-source-limit: -1 is out of range (0..100000000)"), negative.getMessage());
        assertTrue(negative.getMessage().contains("per-source-limit: 1024"), negative.getMessage());
        ConfigException huge = assertThrows(ConfigException.class, () -> load("{ per-source-limit: 100000001 }"));
        assertTrue(huge.getMessage().contains("out of range"), huge.getMessage());
    }
}
