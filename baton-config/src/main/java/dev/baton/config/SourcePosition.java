package dev.baton.config;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A 1-based line and column in the configuration file (snakeyaml-engine's {@link Mark} counts from 0).
 */
record SourcePosition(int line, int column) {

    /** The first character of the file: where problems about the document as a whole point. */
    static final SourcePosition FILE_START = new SourcePosition(1, 1);

    /** Where {@code node} starts; the file start when the parser kept no mark. */
    static SourcePosition of(Node node) {
        return node.getStartMark().map(SourcePosition::of).orElse(FILE_START);
    }

    static SourcePosition of(Mark mark) {
        return new SourcePosition(mark.getLine() + 1, mark.getColumn() + 1);
    }
}
