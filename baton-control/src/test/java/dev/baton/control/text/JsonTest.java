package dev.baton.control.text;

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

    /** Issue #7, item 8: 60,000 '[' overflowed the parser's stack; now a clear error at the limit. */
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
}
