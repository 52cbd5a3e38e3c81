package dev.baton.control.router;

import dev.baton.control.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Whole-number arguments of control requests, as the JSON parser hands them over. */
class RequestArgumentsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> args(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    @Test
    void aWholeNumberInRangeIsTakenAndAMissingOneDefaults() {
        assertEquals(250, RouterDaemon.intArg(args("{\"limit\": 250}"), "limit", 100));
        assertEquals(250, RouterDaemon.intArg(args("{\"limit\": \"250\"}"), "limit", 100));
        assertEquals(100, RouterDaemon.intArg(args("{}"), "limit", 100));
        assertEquals(Integer.MAX_VALUE, RouterDaemon.intArg(args("{\"limit\": 2147483647}"), "limit", 100));
    }

    /** Before: 4294967297 became a limit of 1 and 1.9 became 1; a value must never wrap or be truncated. */
    @Test
    void aValueBeyondAnIntOrNotWholeIsRefusedWithItsNameNotWrapped() {
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
                () -> RouterDaemon.intArg(args("{\"limit\": 4294967297}"), "limit", 100));
        assertEquals("limit 4294967297 is out of range (at most 2147483647)", beyond.getMessage());
        IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
                () -> RouterDaemon.intArg(args("{\"limit\": 1.9}"), "limit", 100));
        assertEquals("limit must be a whole number, e.g. \"limit\": 100; got double 1.9", fraction.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> RouterDaemon.intArg(args("{\"limit\": \"" + "9".repeat(400) + "\"}"), "limit", 100));
        assertEquals("limit must be a whole number, e.g. \"limit\": 100; got text " + "9".repeat(32) + "...", text.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RouterDaemon.intArg(args("{\"limit\": [1]}"), "limit", 100));
        assertThrows(IllegalArgumentException.class, () -> RouterDaemon.intArg(args("{\"limit\": \"99999999999\"}"), "limit", 100));
    }
}
