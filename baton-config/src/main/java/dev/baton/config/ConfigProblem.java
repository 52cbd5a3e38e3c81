package dev.baton.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with a configuration file, with where it is and how it could look instead. Printed by
 * {@link #toString()} in the format compilers use, so editors can jump to it:
 *
 * <pre>
 * examples/bad.yaml:14:15: services[0].servers[1].weight: 5000 is out of range (0..1000); for example: weight: 10
 * </pre>
 *
 * @param file    the file, as the caller named it
 * @param line    1-based line, or 0 when the problem concerns the whole file (it cannot be read)
 * @param column  1-based column (in characters), or 0 with line 0
 * @param keyPath where in the document, e.g. {@code services[0].servers[1].weight}; empty for the
 *                document itself (syntax errors, an empty file)
 * @param message what is wrong, in words
 * @param example a correct line to copy from; empty when there is nothing useful to show
 */
public record ConfigProblem(Path file, int line, int column, String keyPath, String message, String example) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(message, "message");
        example = example == null ? "" : example;
    }

    /** {@code file:line:column: keyPath: message; for example: example}, leaving out the parts that are empty. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file.toString());
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!keyPath.isEmpty()) {
            text.append(keyPath).append(": ");
        }
        text.append(message);
        if (!example.isEmpty()) {
            text.append("; for example: ").append(example);
        }
        return text.toString();
    }
}
