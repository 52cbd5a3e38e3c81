package dev.baton.config;

/**
 * A value read from the file with where it came from, so that a check that runs later (duplicate VIPs,
 * subnets) can point at the line that caused it. A key left out and defaulted is located at its parent
 * mapping.
 *
 * @param value     the value, or {@code null} when it was missing or malformed (already reported)
 * @param at        where it was written
 * @param keyPath   where in the document, e.g. {@code services[0].vip}
 * @param defaulted whether the key was left out and {@code value} is its default, so that a message about it
 *                  can say so rather than quote a line that does not hold it
 */
record Located<T>(T value, SourcePosition at, String keyPath, boolean defaulted) {

    /** A value written in the file (or reported invalid). */
    Located(T value, SourcePosition at, String keyPath) {
        this(value, at, keyPath, false);
    }

    static <T> Located<T> invalid(SourcePosition at, String keyPath) {
        return new Located<>(null, at, keyPath);
    }

    /** The default of a key left out of the mapping at {@code at}. */
    static <T> Located<T> ofDefault(T value, SourcePosition at, String keyPath) {
        return new Located<>(value, at, keyPath, true);
    }

    boolean valid() {
        return value != null;
    }
}
