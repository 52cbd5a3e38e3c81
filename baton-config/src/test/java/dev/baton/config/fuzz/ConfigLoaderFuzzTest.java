package dev.baton.config.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigChanges;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.config.ConfigProblem;
import dev.baton.config.ConfigReload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target, kept in the build: {@link ConfigLoader#load(Path)} on any bytes
 * written to a file, as an operator's typo, a truncated copy or a hostile file would be.
 *
 * <p>Invariants: the loader returns a configuration or throws its declared {@link ConfigException}, which
 * carries at least one problem, each with a message, and a message naming them; nothing else escapes (no
 * parser exception, no stack overflow, no out-of-memory error). A configuration it returns loads again, from
 * the same file, to an equal one (no hidden state), and a reload of it against what it loaded to ({@link ConfigReload})
 * is accepted unchanged with no {@link ConfigChanges}; against another running configuration a reload, too, returns or
 * throws only its {@link ConfigException}.
 */
class ConfigLoaderFuzzTest {

    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("baton-fuzz-config");
            FILE = dir.resolve("baton.yaml");
            dir.toFile().deleteOnExit();
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void load(byte[] input) throws IOException {
        Files.write(FILE, input);
        BatonConfig config;
        try {
            config = ConfigLoader.load(FILE);
        } catch (ConfigException rejected) {
            assertNotNull(rejected.getMessage());
            assertFalse(rejected.getMessage().isBlank(), "a rejection says why");
            assertFalse(rejected.problems().isEmpty());
            for (ConfigProblem problem : rejected.problems()) {
                assertFalse(problem.toString().isBlank(), "each problem says what is wrong");
            }
            return;
        }
        assertNotNull(config);
        try {
            assertEquals(config, ConfigLoader.load(FILE), "loading the same file again gives the same configuration");
        } catch (ConfigException e) {
            throw new AssertionError("accepted once, rejected the second time: " + e.getMessage(), e);
        }
        BatonConfig reloaded;
        try {
            reloaded = ConfigReload.load(FILE, config);
        } catch (ConfigException e) {
            throw new AssertionError("a reload of the file the router runs is refused: " + e.getMessage(), e);
        }
        assertEquals(config, reloaded, "a reload of the same file gives the same configuration");
        assertTrue(ConfigChanges.between(config, reloaded).isEmpty(), "a reload of the same file changes nothing");
        // Against another running router, the comparison sees the same hostile file: a configuration or the declared
        // exception, with problems, and nothing else.
        try {
            assertNotNull(ConfigChanges.between(OTHER_RUNNING, ConfigReload.load(FILE, OTHER_RUNNING)).lines());
        } catch (ConfigException refused) {
            assertFalse(refused.problems().isEmpty());
        }
    }

    /** A running router that is not the file's: the four examples and most inputs differ from it. */
    private static final BatonConfig OTHER_RUNNING = loadOrFail("""
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - { name: web, vip: 192.0.2.10, ports: [80, 443], servers: [{ address: 198.51.100.11 }, { address: 198.51.100.12 }] }
            """);

    private static BatonConfig loadOrFail(String text) {
        try {
            return ConfigLoader.load(text, Path.of("running.yaml"));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
