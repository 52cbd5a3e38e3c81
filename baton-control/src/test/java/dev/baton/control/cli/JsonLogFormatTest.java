package dev.baton.control.cli;

import dev.baton.control.protocol.Json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code baton run --log-format json}: one valid JSON object per line, whatever the message holds. */
class JsonLogFormatTest {

    private static final String HOSTILE = "quote \" backslash \\ newline \n carriage \r tab \t nul \u0000 bell \u0007"
            + " escape \u001b[31m unit-separator \u001f del \u007f slash / unicode é ✓ \uD83D\uDE00 line-separator \u2028";

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("dev.baton.ha.HaAgent");
        r.setInstant(Instant.parse("2026-12-07T04:35:10.123456Z"));
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aRecordIsOneLineWithTimeLevelLoggerAndMessage() {
        LogRecord r = record(Level.WARNING, "peer {0} silent for {1} ms", null);
        r.setParameters(new Object[]{"baton-2", 61});
        String line = new JsonLogFormat().format(r);
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), "exactly one line: " + line);
        assertEquals("{\"time\":\"2026-12-07T04:35:10.123Z\",\"level\":\"WARNING\",\"logger\":\"dev.baton.ha.HaAgent\","
                + "\"message\":\"peer baton-2 silent for 61 ms\"}\n", line);
    }

    @Test
    void theTimeAlwaysHasItsMilliseconds() {
        LogRecord r = record(Level.INFO, "m", null);
        r.setInstant(Instant.parse("2026-12-07T04:35:10Z"));
        assertTrue(new JsonLogFormat().format(r).startsWith("{\"time\":\"2026-12-07T04:35:10.000Z\","));
    }

    @Test
    void quotesNewlinesAndControlCharactersAreEscaped() {
        String line = new JsonLogFormat().format(record(Level.SEVERE, HOSTILE, null));
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
        assertFalse(line.strip().chars().anyMatch(c -> c < 0x20), "no raw control character: " + line);
        assertTrue(line.contains("quote \\\" backslash \\\\ newline \\n carriage \\r tab \\t nul \\u0000 bell \\u0007"
                + " escape \\u001b[31m unit-separator \\u001f"), line);
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(line.strip());
        assertEquals(HOSTILE, parsed.get("message"), "the message comes back unchanged");
    }

    @Test
    void aStackTraceIsTheThrownFieldOfTheSameLine() {
        Exception cause = new IllegalStateException("inner \"cause\"\nsecond line");
        String line = new JsonLogFormat().format(record(Level.SEVERE, "worker 0 failed a duty cycle", new RuntimeException("outer", cause)));
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(line.strip());
        assertEquals(List.of("time", "level", "logger", "message", "thrown"), List.copyOf(parsed.keySet()));
        String thrown = (String) parsed.get("thrown");
        assertTrue(thrown.startsWith("java.lang.RuntimeException: outer\n\tat "), thrown);
        assertTrue(thrown.contains("Caused by: java.lang.IllegalStateException: inner \"cause\"\nsecond line"), thrown);
    }

    @Test
    void aHugeMessageIsCutSoTheLineStaysWhole() {
        String huge = "x".repeat(JsonLogFormat.MAX_FIELD_CHARS - 1) + "\uD83D\uDE00" + "y".repeat(100_000);
        String line = new JsonLogFormat().format(record(Level.INFO, huge, null));
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(line.strip());
        String message = (String) parsed.get("message");
        assertEquals("x".repeat(JsonLogFormat.MAX_FIELD_CHARS - 1) + "... (100002 more characters)", message,
                "cut before the surrogate pair, never inside it");
        assertTrue(line.length() < 2 * JsonLogFormat.MAX_FIELD_CHARS);
    }

    @Test
    void everyLineIsValidJsonToAnotherParser() throws Exception {
        assumeTrue(python3(), "python3 is not installed (apt install python3)");
        JsonLogFormat format = new JsonLogFormat();
        StringBuilder lines = new StringBuilder();
        List<String> messages = new ArrayList<>();
        for (int c = 0; c < 0x80; c++) {
            String message = "char " + c + " [" + (char) c + "]";
            messages.add(message);
            lines.append(format.format(record(Level.INFO, message, null)));
        }
        messages.add(HOSTILE);
        lines.append(format.format(record(Level.SEVERE, HOSTILE, new IllegalArgumentException("bad\nvalue"))));
        // Python's json module, strict: every line an object, every message back as sent (as code points, in hex).
        Process python = new ProcessBuilder("python3", "-c", """
                import json, sys
                for line in sys.stdin.buffer.read().decode('utf-8').split('\\n')[:-1]:
                    obj = json.loads(line, strict=True)
                    assert isinstance(obj, dict), line
                    assert set(obj) <= {'time', 'level', 'logger', 'message', 'thrown'}, obj
                    print(obj['message'].encode('utf-8', 'surrogatepass').hex())
                """).redirectErrorStream(true).start();
        python.getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
        python.getOutputStream().close();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, python.exitValue(), output);
        List<String> expected = messages.stream()
                .map(m -> java.util.HexFormat.of().formatHex(m.getBytes(StandardCharsets.UTF_8))).toList();
        assertEquals(expected, output.lines().toList());
    }

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
