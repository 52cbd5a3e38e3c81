package dev.baton.config;

import org.junit.jupiter.params.provider.Arguments;

import java.util.List;

/** A rejection test's row: a valid file with one change, and the exact messages the loader must print for it. */
final class RejectionRows {

    private RejectionRows() {
    }

    /**
     * @param base        the valid file the row changes
     * @param name        the rule, as the test reports it
     * @param original    text that occurs exactly once in {@code base}
     * @param replacement what it becomes
     * @param expected    the messages, one per line
     */
    static Arguments row(String base, String name, String original, String replacement, String... expected) {
        int first = base.indexOf(original);
        if (first < 0 || base.indexOf(original, first + 1) >= 0) {
            throw new IllegalArgumentException(name + ": '" + original + "' must occur exactly once in the valid file");
        }
        return Arguments.of(name, base.replace(original, replacement), String.join("\n", List.of(expected)));
    }
}
