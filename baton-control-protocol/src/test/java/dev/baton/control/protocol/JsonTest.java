package dev.baton.control.protocol;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void writesAndParsesBackEveryKind() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "a \"b\"\n\\c\u0001");
        value.put("n", 42L);
        value.put("d", 1.5);
        value.put("t", true);
        value.put("z", null);
        value.put("l", Arrays.asList(1L, "x", null, List.of()));
        value.put("m", Map.of());
        String text = Json.write(value);
        assertEquals("{\"s\":\"a \\\"b\\\"\\n\\\\c\\u0001\",\"n\":42,\"d\":1.5,\"t\":true,\"z\":null,\"l\":[1,\"x\",null,[]],\"m\":{}}", text);
        assertEquals(value, Json.parse(text));
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : List.of("", "{", "[1,", "{\"a\" 1}", "tru", "1 2", "\"open")) {
            assertThrows(RuntimeException.class, () -> Json.parse(bad), bad);
        }
    }

    /** 60,000 '[' overflowed the parser's stack; now a clear error at the limit. */
    @Test
    void nestingDeeperThanTheLimitIsAnErrorNotAStackOverflow() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Json.parse("[".repeat(60_000)));
        assertEquals("JSON: nested deeper than " + Json.MAX_DEPTH + " arrays and objects at offset " + Json.MAX_DEPTH, e.getMessage());
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertEquals(deepest, Json.write(Json.parse(deepest)), "the limit itself is accepted");
    }

    @Test
    void truncatedTextIsAnErrorWithItsOffset() {
        for (String bad : java.util.List.of("{", "[", "[1,", "{\"a\":1,", "\"abc", "\"\\u12", "\"\\")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Json.parse(bad), bad);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("JSON: "), bad + " -> " + e.getMessage());
        }
    }
    /**
     * Found by the bounded fuzzing of the control socket: a raw control character inside a string was
     * taken, and a reply quoting it back grew sixfold (one character in, a six-character escape out). RFC 8259 section 7
     * requires them escaped; unknown escapes, short hex escapes and numbers beyond double's range (written
     * back as {@code Infinity}, not JSON) are refused the same way, each with its offset.
     */
    @Test
    void refusesWhatRfc8259RefusesSoNothingGrowsWhenQuotedBack() {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("\"a\u0001b\"", "JSON: unescaped control character in a string at offset 2");
        refused.put("\"\\x\"", "JSON: unknown escape \\x at offset 2");
        refused.put("\"\\u+123\"", "JSON: \\u must be followed by four hex digits at offset 3");
        refused.put("[1e999]", "JSON: number out of range at offset 1");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Json.parse(bad.getKey()), bad.getKey());
            assertEquals(bad.getValue(), e.getMessage(), bad.getKey());
        }
        String escapes = "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"";
        assertEquals("\"\\/\b\f\n\r\tA", Json.parse(escapes));
        for (int c = 0; c < 0x20; c++) {
            String one = String.valueOf((char) c);
            String written = Json.write(one);
            assertEquals(one, Json.parse(written));
            org.junit.jupiter.api.Assertions.assertTrue(written.length() <= 2 + 6, written);
        }
        assertEquals("\"\\b\\f\"", Json.write("\b\f"), "short escapes: a reply never outgrows the request that carried them");
    }
}
