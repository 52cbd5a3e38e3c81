package dev.baton.control.cli;

import dev.baton.control.protocol.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@code baton run --log-format json}: one JSON object (RFC 8259) per line and per log record, for the journal's
 * consumers and log shippers (Vector, Fluent Bit, Promtail) that take JSON lines: {@code time} (ISO 8601, UTC, in
 * milliseconds), {@code level} (java.util.logging's: SEVERE, WARNING, INFO, ...), {@code logger} (the class's full
 * name), {@code message}, and {@code thrown} (the stack trace) when there is one.
 *
 * <p>Quotes, backslashes, newlines and every other control character are escaped by the control protocol's writer
 * ({@link Json}), so a record is one line whatever its message holds, a multi-line stack trace or a value an attacker
 * put in a peer datagram. {@code message} and {@code thrown} are cut at {@link #MAX_FIELD_CHARS} characters each:
 * journald splits a longer line ({@code LineMax=}, 48 KiB by default), and half a JSON object is no JSON.
 */
final class JsonLogFormat extends Formatter {

    /** ISO 8601 in UTC, always to the millisecond (ISO_INSTANT drops a fraction of .000, which sorts wrongly as text). */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    /** The longest {@code message} or {@code thrown} kept; the rest is replaced by a note of how much was cut. */
    static final int MAX_FIELD_CHARS = 16 * 1024;

    @Override
    public String format(LogRecord r) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", TIME.format(r.getInstant()));
        line.put("level", r.getLevel().getName());
        line.put("logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        line.put("message", bounded(formatMessage(r)));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("thrown", bounded(trace.toString()));
        }
        return Json.write(line) + '\n';
    }

    private static String bounded(String text) {
        if (text == null) {
            return "";
        }
        if (text.length() <= MAX_FIELD_CHARS) {
            return text;
        }
        int end = MAX_FIELD_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never cut a pair in two
        }
        return text.substring(0, end) + "... (" + (text.length() - end) + " more characters)";
    }
}
