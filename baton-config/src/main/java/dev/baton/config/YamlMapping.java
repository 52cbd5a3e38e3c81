package dev.baton.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One mapping of the document after its keys were checked: unknown keys (with a did-you-mean), duplicate
 * keys and keys that are not plain words are reported once here, so readers only look values up.
 */
final class YamlMapping {

    private final String keyPath;
    private final SourcePosition at;
    private final Map<String, Node> values;

    private YamlMapping(String keyPath, SourcePosition at, Map<String, Node> values) {
        this.keyPath = keyPath;
        this.at = at;
        this.values = values;
    }

    /**
     * Checks {@code node} as a mapping with the {@code allowed} keys.
     *
     * @return the mapping, or empty when {@code node} is not a mapping (reported, with {@code example})
     */
    static Optional<YamlMapping> read(Node node, String keyPath, List<ConfigSchema.Key> allowed,
                                      ProblemCollector problems, String example) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(SourcePosition.of(node), keyPath, "expected a mapping (key: value), found " + describe(node), example);
            return Optional.empty();
        }
        List<String> allowedNames = ConfigSchema.names(allowed);
        Map<String, Node> values = new HashMap<>();
        Map<String, SourcePosition> firstSeen = new HashMap<>();
        for (NodeTuple entry : mapping.getValue()) {
            Node keyNode = entry.getKeyNode();
            SourcePosition keyAt = SourcePosition.of(keyNode);
            if (!(keyNode instanceof ScalarNode keyScalar) || isNull(keyNode)) {
                problems.add(keyAt, keyPath, "a key must be a plain word, found " + describe(keyNode), "");
                continue;
            }
            String name = keyScalar.getValue();
            SourcePosition earlier = firstSeen.putIfAbsent(name, keyAt);
            if (earlier != null) {
                problems.add(keyAt, keyPath, "duplicate key '" + name + "' (first at line " + earlier.line() + ")", "");
                continue;
            }
            if (!allowedNames.contains(name)) {
                Optional<String> suggestion = Suggestions.closest(name, allowedNames);
                if (suggestion.isPresent()) {
                    String suggestedExample = allowed.get(allowedNames.indexOf(suggestion.get())).example();
                    problems.add(keyAt, keyPath, "unknown key '" + name + "'; did you mean '" + suggestion.get() + "'?", suggestedExample);
                } else {
                    problems.add(keyAt, keyPath, "unknown key '" + name + "' (known here: " + String.join(", ", allowedNames) + ")", "");
                }
                continue;
            }
            values.put(name, entry.getValueNode());
        }
        return Optional.of(new YamlMapping(keyPath, SourcePosition.of(mapping), values));
    }

    /** A mapping that is not in the file (or was unusable): every lookup finds nothing, so defaults apply. */
    static YamlMapping absent(String keyPath, SourcePosition at) {
        return new YamlMapping(keyPath, at, Map.of());
    }

    /** The value node of {@code name}, or {@code null} when the key is not in the mapping. */
    Node value(String name) {
        return values.get(name);
    }

    /** Where the mapping starts: where a missing key is reported. */
    SourcePosition at() {
        return at;
    }

    String keyPath() {
        return keyPath;
    }

    /** The key path of {@code name} inside this mapping, e.g. {@code router.ring} for {@code ring} in {@code router}. */
    String pathOf(String name) {
        return keyPath.isEmpty() ? name : keyPath + "." + name;
    }

    /**
     * Whether a node is YAML's null: an empty value or a plain {@code ~}/{@code null} (YAML 1.2, section
     * 10.3.2, "Tag Resolution").
     */
    static boolean isNull(Node node) {
        if (!(node instanceof ScalarNode scalar) || scalar.getScalarStyle() != ScalarStyle.PLAIN) {
            return false;
        }
        String value = scalar.getValue();
        return value.isEmpty() || value.equals("~") || value.equals("null") || value.equals("Null") || value.equals("NULL");
    }

    /** How a node is named in messages: "a mapping", "a list", "nothing" or the quoted scalar. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
