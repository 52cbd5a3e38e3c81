package dev.baton.control.cli;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per log record: time, level, logger, message (and the stack trace when there is one). */
final class LogFormat extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /** The formats {@code baton run --log-format} takes. */
    static final List<String> NAMES = List.of("text", "json");

    static void install() {
        // Must be set before anything touches java.util.logging (the first line of main calls this).
        System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        if (LogManager.getLogManager() instanceof ShutdownSafeLogManager manager) {
            manager.configured();
        }
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /**
     * Switches every handler of the root logger to {@code format} ({@code text}: this class; {@code json}:
     * {@link JsonLogFormat}), after {@link #install}.
     */
    static void use(String format) {
        Formatter formatter = switch (format) {
            case "text" -> new LogFormat();
            case "json" -> new JsonLogFormat();
            default -> throw new IllegalArgumentException("log format '" + format + "' is not one of " + NAMES);
        };
        for (var h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(formatter);
        }
    }

    @Override
    public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
        StringBuilder out = new StringBuilder()
                .append(LocalTime.now().format(TIME)).append(' ').append(r.getLevel()).append(' ').append(name).append(": ")
                .append(formatMessage(r)).append('\n');
        if (r.getThrown() != null) {
            var w = new java.io.StringWriter();
            r.getThrown().printStackTrace(new java.io.PrintWriter(w));
            out.append(w);
        }
        return out.toString();
    }
}
