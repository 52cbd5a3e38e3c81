package dev.baton.config.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.config.ConfigProblem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzz target, kept in the build: {@link ConfigLoader#load(Path)} on any bytes
 * written to a file, as an operator's typo, a truncated copy or a hostile file would be.
 *
 * <p>Invariants: the loader returns a configuration or throws its declared {@link ConfigException}, which
 * carries at least one problem, each with a message, and a message naming them; nothing else escapes (no
 * parser exception, no stack overflow, no out-of-memory error). A configuration it returns loads again, from
 * the same file, to an equal one (no hidden state).
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
    }
}
