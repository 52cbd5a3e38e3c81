package dev.baton.control.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.control.protocol.Json;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzz target, kept in the build: the control protocol's JSON parser on any text a
 * client can send in one request line (UTF-8, at most the server's 64 KiB limit).
 *
 * <p>Invariant: the parser returns a value or rejects the text with a {@link RuntimeException}; no
 * {@link Error} escapes (a stack overflow kills the client's thread with no reply), and no
 * text takes longer than libFuzzer's per-input timeout. The control server answers every {@link Exception}
 * with an error reply; that contract is checked end to end by {@code ControlRequestFuzzTest}.
 */
class JsonFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            Object value = Json.parse(text);
            assertNotNull(Json.write(value));
        } catch (RuntimeException rejected) {
            assertNotNull(rejected.getMessage(), "a rejection says why: " + rejected);
        }
    }
}
