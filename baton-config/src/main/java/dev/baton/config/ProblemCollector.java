package dev.baton.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the problems of one file in one pass, so that a user sees all of them at once. */
final class ProblemCollector {

    private final Path file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    ProblemCollector(Path file) {
        this.file = file;
    }

    void add(SourcePosition at, String keyPath, String message, String example) {
        problems.add(new ConfigProblem(file, at.line(), at.column(), keyPath, message, example));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The problems by line, then column; problems at the same place keep the order they were found in. */
    List<ConfigProblem> inFileOrder() {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return List.copyOf(sorted);
    }
}
