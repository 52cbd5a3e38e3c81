package dev.baton.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a Baton configuration file (docs/configuration.md) and checks it as a whole before anything
 * starts, in the spirit of Aeron's {@code conclude()}: a configuration either loads completely or is
 * rejected with every problem found, each with file, line, column, key path and a correct example:
 *
 * <pre>
 * examples/bad.yaml:14:15: services[0].servers[1].weight: 5000 is out of range (0..1000); for example: weight: 10
 * </pre>
 *
 * <p>The file is composed with snakeyaml-engine into nodes (not objects) so that every value keeps its
 * position; then {@link ConfigReader} checks shapes, keys, value syntaxes and ranges and applies defaults,
 * and {@link ConfigChecks} checks what relates several values (duplicate VIP ports, server subnets, ...).
 * A YAML syntax error stops at that point, since nothing after it can be read reliably.
 *
 * <p>Runs on whichever thread starts or reloads the router, never on a forwarding thread.
 */
public final class ConfigLoader {

    /** Where Linux keeps this machine's host name (proc_sys_kernel(5)), the default router id. */
    private static final Path HOSTNAME_FILE = Path.of("/proc/sys/kernel/hostname");
    /** The router id when the host name cannot be found at all. */
    private static final String FALLBACK_HOSTNAME = "baton";

    /**
     * The deepest nesting of lists and mappings accepted. The schema needs 5 (services, a service, servers,
     * a server, ...); the rest is room for flow style, and far below what overflows the composer's stack.
     */
    public static final int MAX_NESTING_DEPTH = 32;

    private ConfigLoader() {
    }

    /**
     * Reads and checks {@code file} (UTF-8); the router id defaults to this machine's host name. Only a
     * regular file of at most {@link BoundedFile#MAX_CONFIG_BYTES} is read: a FIFO, a device or a huge file
     * must not hang or exhaust the process.
     */
    public static BatonConfig load(Path file) throws ConfigException {
        return load(readText(file), file);
    }

    /**
     * Checks configuration {@code text}; {@code nameForMessages} names it in problems and becomes
     * {@link BatonConfig#source()}. The router id defaults to this machine's host name.
     */
    public static BatonConfig load(String text, Path nameForMessages) throws ConfigException {
        return load(text, nameForMessages, localHostname());
    }

    /**
     * Checks configuration {@code text} with {@code hostname} as the default router id (for tests, and for
     * callers that name the router themselves).
     */
    public static BatonConfig load(String text, Path nameForMessages, String hostname) throws ConfigException {
        return readChecked(text, nameForMessages, hostname).draft().toConfig(nameForMessages);
    }

    /**
     * A document that passed every check of the loader: its node tree (for positions the draft keeps no value for,
     * such as where a section starts) and its draft, which {@link ConfigDraft#toConfig} turns into the configuration.
     */
    record Checked(Node root, ConfigDraft draft) {
    }

    /**
     * The steps {@link #load(String, Path, String)} and {@link ConfigReload} share: compose, read, check. Throws
     * with every problem found, in file order, exactly as the loader reports them.
     */
    static Checked readChecked(String text, Path nameForMessages, String hostname) throws ConfigException {
        ProblemCollector problems = new ProblemCollector(nameForMessages);
        Optional<Node> root = compose(text, nameForMessages, problems);
        if (problems.isEmpty() && root.isEmpty()) {
            problems.add(SourcePosition.FILE_START, "", "the file has no configuration", ConfigSchema.DOCUMENT_EXAMPLE);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.inFileOrder());
        }
        Optional<ConfigDraft> draft = new ConfigReader(problems, hostname).read(root.get());
        draft.ifPresent(new ConfigChecks(problems)::check);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.inFileOrder());
        }
        return new Checked(root.get(), draft.orElseThrow());
    }

    /**
     * The text of {@code file} (UTF-8). Only a regular file of at most {@link BoundedFile#MAX_CONFIG_BYTES} is read:
     * a FIFO, a device or a huge file must not hang or exhaust the process.
     */
    static String readText(Path file) throws ConfigException {
        try {
            return BoundedFile.readUtf8(file, BoundedFile.MAX_CONFIG_BYTES);
        } catch (BoundedFile.RefusedException e) {
            throw fileProblem(file, e.getMessage());
        } catch (CharacterCodingException e) {
            throw fileProblem(file, "is not valid UTF-8 text");
        } catch (NoSuchFileException e) {
            throw fileProblem(file, "does not exist");
        } catch (IOException e) {
            throw fileProblem(file, "cannot be read: " + e);
        }
    }

    /** This machine's host name, the default router id. */
    public static String localHostname() {
        try {
            String name = Files.readString(HOSTNAME_FILE).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux or no procfs: fall back below.
        }
        String fromEnvironment = System.getenv("HOSTNAME");
        return fromEnvironment == null || fromEnvironment.isBlank() ? FALLBACK_HOSTNAME : fromEnvironment.strip();
    }

    /** The node tree of the single document in {@code text}; a syntax error is reported instead. */
    private static Optional<Node> compose(String text, Path name, ProblemCollector problems) {
        LoadSettings settings = LoadSettings.builder().setLabel(name.toString()).setUseMarks(true)
                .setCodePointLimit(BoundedFile.MAX_CONFIG_BYTES).build();
        try {
            // snakeyaml-engine's composer recurses once per nesting level and 2.9 has no depth setting: 1,600
            // nested '[' in a 3 KB file overflowed the stack. Its parser is iterative, so the depth is
            // checked on the event stream first and the composer only sees a shallow document.
            Optional<Event> tooDeep = firstTooDeep(new Parse(settings).parseString(text));
            if (tooDeep.isPresent()) {
                SourcePosition at = tooDeep.get().getStartMark().map(SourcePosition::of).orElse(SourcePosition.FILE_START);
                problems.add(at, "", "nested deeper than " + MAX_NESTING_DEPTH
                        + " lists and mappings; Baton's configuration needs at most 5", "services: [ { name: web, ports: [80] } ]");
                return Optional.empty();
            }
            return new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            SourcePosition at = e.getProblemMark().or(e::getContextMark).map(SourcePosition::of).orElse(SourcePosition.FILE_START);
            // snakeyaml-engine words a problem as the continuation of its context ("expected a single document
            // ..., but found another document"); the message leads with the problem and adds the context.
            String problem = e.getProblem().strip();
            problem = problem.startsWith("but ") ? problem.substring(4) : problem;
            String context = e.getContext() == null || e.getContext().isBlank() ? "" : " (" + e.getContext().strip()
                    + e.getContextMark().map(mark -> " at line " + (mark.getLine() + 1)).orElse("") + ")";
            problems.add(at, "", "YAML syntax error: " + problem + context, "");
        } catch (ReaderException e) {
            problems.add(positionOfCodePoint(text, e.getPosition()), "", "YAML syntax error: character U+"
                    + String.format("%04X", e.getCodePoint()) + " is not allowed in YAML", "");
        } catch (YamlEngineException e) {
            problems.add(SourcePosition.FILE_START, "", "YAML error: " + e.getMessage(), "");
        }
        return Optional.empty();
    }

    /** The first collection start nested deeper than {@link #MAX_NESTING_DEPTH}, if any. */
    private static Optional<Event> firstTooDeep(Iterable<Event> events) {
        int depth = 0;
        for (Event event : events) {
            switch (event.getEventId()) {
                case SequenceStart, MappingStart -> {
                    if (++depth > MAX_NESTING_DEPTH) {
                        return Optional.of(event);
                    }
                }
                case SequenceEnd, MappingEnd -> depth--;
                default -> {
                }
            }
        }
        return Optional.empty();
    }

    /** Line and column of the {@code index}-th code point of {@code text}. */
    private static SourcePosition positionOfCodePoint(String text, int index) {
        int line = 1;
        int column = 1;
        int offset = 0;
        for (int i = 0; i < index && offset < text.length(); i++) {
            int codePoint = text.codePointAt(offset);
            offset += Character.charCount(codePoint);
            if (codePoint == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SourcePosition(line, column);
    }

    private static ConfigException fileProblem(Path file, String message) {
        return new ConfigException(List.of(new ConfigProblem(file, 0, 0, "", message, "")));
    }
}
