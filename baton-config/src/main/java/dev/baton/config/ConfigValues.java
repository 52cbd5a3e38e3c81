package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.time.Duration;
import java.util.Objects;

/**
 * The value syntaxes of the configuration file, shared with anything else that reads or prints them (the
 * CLI, status output): durations such as {@code 250ms}, sizes such as {@code 1MiB}, whole numbers, port
 * ranges such as {@code 8000-8010} and interface addresses such as {@code 192.0.2.2/24}. IPv4 addresses
 * themselves are {@link Ipv4}'s.
 *
 * <p>Every {@code parse} method throws {@link IllegalArgumentException} whose message says, in words a user
 * can act on, what is wrong with the text (it is shown after the key path in a {@link ConfigProblem}).
 */
public final class ConfigValues {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;
    /** More digits than this cannot be a sensible value; such numbers are reported as out of range. */
    private static final int MAX_DIGITS = 15;

    private ConfigValues() {
    }

    /**
     * Parses a whole number: optional minus sign, then decimal digits. Numbers too long for any range are
     * returned as {@link Long#MAX_VALUE} (or {@link Long#MIN_VALUE}) so that the caller reports them as
     * out of range rather than as malformed.
     */
    public static long parseWholeNumber(String text) {
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text;
        if (!allDigits(digits)) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
        if (digits.length() > MAX_DIGITS) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long value = Long.parseLong(digits);
        return negative ? -value : value;
    }

    /**
     * Parses a duration: a whole number followed by one of {@code ms}, {@code s}, {@code m}, {@code h}
     * ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}). A number without unit is rejected: whether
     * {@code 30} means seconds or milliseconds is exactly the ambiguity that breaks configurations.
     */
    public static Duration parseDuration(String text) {
        int unitStart = text.length();
        while (unitStart > 0 && Character.isLetter(text.charAt(unitStart - 1))) {
            unitStart--;
        }
        String number = text.substring(0, unitStart);
        String unit = text.substring(unitStart);
        boolean negative = number.startsWith("-");
        String digits = negative ? number.substring(1) : number;
        if (!allDigits(digits)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a whole number followed by ms, s, m or h)");
        }
        if (unit.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no unit (ms, s, m or h)");
        }
        if (digits.length() > MAX_DIGITS) {
            return negative ? Duration.ofSeconds(Long.MIN_VALUE) : Duration.ofSeconds(Long.MAX_VALUE);
        }
        long amount = Long.parseLong(digits) * (negative ? -1 : 1);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit + "' (ms, s, m or h)");
        };
    }

    /** Formats a duration in the largest unit that represents it exactly: {@code 15m}, {@code 90s}, {@code 2ms}. */
    public static String formatDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.getNano() % 1_000_000 != 0) {
            return duration.toNanos() + "ns";
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /**
     * Parses a size in bytes: a whole number of bytes ({@code 65664}) or a whole number followed by a binary
     * unit {@code KiB}, {@code MiB} or {@code GiB} ({@code 64KiB}, {@code 1MiB}). Decimal units (kB, MB) are
     * rejected because ring geometry is about powers of two.
     */
    public static long parseSize(String text) {
        int unitStart = text.length();
        while (unitStart > 0 && Character.isLetter(text.charAt(unitStart - 1))) {
            unitStart--;
        }
        String number = text.substring(0, unitStart);
        String unit = text.substring(unitStart);
        long multiplier = switch (unit) {
            case "" -> 1;
            case "KiB" -> KIB;
            case "MiB" -> MIB;
            case "GiB" -> GIB;
            default -> 0;
        };
        boolean negative = number.startsWith("-");
        String digits = negative ? number.substring(1) : number;
        if (multiplier == 0 || !allDigits(digits)) {
            throw new IllegalArgumentException("'" + text + "' is not a size (bytes, or a whole number followed by KiB, MiB or GiB)");
        }
        if (digits.length() > MAX_DIGITS) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return Long.parseLong(digits) * multiplier * (negative ? -1 : 1);
    }

    /** Formats a size in the largest binary unit that represents it exactly: {@code 1MiB}, {@code 64KiB}, {@code 65664}. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return Long.toString(bytes);
    }

    /** Parses a port ({@code 80}) or an inclusive port range ({@code 8000-8010}), each port 1..65535. */
    public static ServiceConfig.PortRange parsePortRange(String text) {
        int dash = text.indexOf('-');
        String firstText = dash < 0 ? text : text.substring(0, dash);
        String lastText = dash < 0 ? text : text.substring(dash + 1);
        if (!allDigits(firstText) || !allDigits(lastText)) {
            throw new IllegalArgumentException("'" + text + "' is not a port or a port range (such as 80 or 8000-8010)");
        }
        int first = port(firstText);
        int last = port(lastText);
        if (first > last) {
            throw new IllegalArgumentException("'" + text + "' runs backwards (" + first + " > " + last + ")");
        }
        return new ServiceConfig.PortRange(first, last);
    }

    /** Parses an address with prefix length, {@code a.b.c.d/n} with n in 0..32. */
    public static Ipv4Prefix parsePrefix(String text) {
        return parsePrefix(text, 0);
    }

    /** Parses an address with prefix length, {@code a.b.c.d/n} with n in {@code minPrefixLength..32}. */
    public static Ipv4Prefix parsePrefix(String text, int minPrefixLength) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length (address/length, such as 192.0.2.2/24)");
        }
        int address = Ipv4.parse(text.substring(0, slash));
        String lengthText = text.substring(slash + 1);
        if (!allDigits(lengthText)) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length (address/length, such as 192.0.2.2/24)");
        }
        if (lengthText.length() > 2 || Integer.parseInt(lengthText) > 32 || Integer.parseInt(lengthText) < minPrefixLength) {
            throw new IllegalArgumentException("'" + text + "' has a prefix length out of range (" + minPrefixLength + "..32)");
        }
        return new Ipv4Prefix(address, Integer.parseInt(lengthText));
    }

    /** Rejects a missing, zero or negative duration in a model record. */
    static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }

    private static int port(String digits) {
        long value = digits.length() > 6 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(digits + " is out of range (1..65535)");
        }
        return (int) value;
    }

    private static boolean allDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
