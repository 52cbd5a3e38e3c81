package dev.baton.config;

/**
 * A value read from the file with where it came from, so that a check that runs later (duplicate VIPs,
 * subnets) can point at the line that caused it. A key left out and defaulted is located at its parent
 * mapping.
 *
 * @param value   the value, or {@code null} when it was missing or malformed (already reported)
 * @param at      where it was written
 * @param keyPath where in the document, e.g. {@code services[0].vip}
 */
record Located<T>(T value, SourcePosition at, String keyPath) {

    static <T> Located<T> invalid(SourcePosition at, String keyPath) {
        return new Located<>(null, at, keyPath);
    }

    boolean valid() {
        return value != null;
    }
}
