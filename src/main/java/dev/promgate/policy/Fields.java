package dev.promgate.policy;

import dev.promgate.policy.PolicyShapes.Shape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A checked view of one YAML mapping against its {@link Shape}: unknown keys (with a suggestion),
 * duplicate keys and missing required keys are reported when the view is made; the typed getters
 * report a wrong type at the value and return null, so the loader carries on and finds every
 * problem of a file in one pass.
 */
final class Fields {

  private static final Set<String> TRUE = Set.of("true", "yes", "on", "y");

  private final Shape shape;
  private final MappingNode mapping;
  private final FileProblems problems;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  private Fields(Shape shape, MappingNode mapping, FileProblems problems) {
    this.shape = shape;
    this.mapping = mapping;
    this.problems = problems;
  }

  /** The mapping at {@code node} read as {@code shape}, or null (reported) if it is not a mapping. */
  static Fields of(Node node, Shape shape, FileProblems problems) {
    if (!(node instanceof MappingNode mapping)) {
      problems.at(node, shape.label() + " must be a mapping (key: value), not " + describe(node));
      return null;
    }
    Fields fields = new Fields(shape, mapping, problems);
    fields.index();
    return fields;
  }

  private void index() {
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (keyNode.getTag().equals(Tag.MERGE)) {
        problems.at(keyNode, "YAML merge keys (<<) are not supported in policy files; write the keys out");
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalar)) {
        problems.at(keyNode, "keys in " + shape.label() + " must be plain names, not " + describe(keyNode));
        continue;
      }
      String key = scalar.getValue();
      if (!shape.keys().contains(key)) {
        problems.at(keyNode, "unknown key \"" + key + "\" in " + shape.label()
            + Suggestions.closest(key, shape.keys()).map(c -> "; did you mean \"" + c + "\"?")
                .orElse(" (allowed: " + String.join(", ", shape.keys()) + ")"));
        continue;
      }
      NodeTuple first = entries.putIfAbsent(key, tuple);
      if (first != null) {
        problems.at(keyNode, "duplicate key \"" + key + "\" in " + shape.label()
            + "; it is already set at " + problems.where(first.getKeyNode()));
      }
    }
    for (String key : shape.required()) {
      NodeTuple tuple = entries.get(key);
      if (tuple == null) {
        problems.at(mapping, shape.label() + " is missing the required key \"" + key + "\"");
      } else if (isNull(tuple.getValueNode())) {
        problems.at(tuple.getValueNode(), key + " must have a value");
      }
    }
  }

  MappingNode node() {
    return mapping;
  }

  FileProblems problems() {
    return problems;
  }

  /** Whether the key is present with a non-null value. */
  boolean has(String key) {
    return value(key) != null;
  }

  /** The value node, or null when the key is absent or its value is null (as Kubernetes treats it). */
  Node value(String key) {
    check(key);
    NodeTuple tuple = entries.get(key);
    return tuple == null || isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
  }

  /** The key node, or null when absent; for problems about the key itself. */
  Node keyNode(String key) {
    check(key);
    NodeTuple tuple = entries.get(key);
    return tuple == null ? null : tuple.getKeyNode();
  }

  String string(String key) {
    Node node = value(key);
    return node == null ? null : string(node, key, problems);
  }

  Boolean bool(String key) {
    Node node = value(key);
    if (node == null) {
      return null;
    }
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      return TRUE.contains(scalar.getValue().toLowerCase(Locale.ROOT));
    }
    problems.at(node, key + " must be true or false, not " + describe(node));
    return null;
  }

  Long wholeNumber(String key) {
    Node node = value(key);
    if (node == null) {
      return null;
    }
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
      String digits = scalar.getValue().replace("_", "");
      try {
        return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
      } catch (NumberFormatException e) {
        problems.at(node, key + " must be a whole number written in decimal, not " + scalar.getValue());
        return null;
      }
    }
    problems.at(node, key + " must be a whole number, not " + describe(node));
    return null;
  }

  Duration duration(String key) {
    Node node = value(key);
    return node == null ? null : duration(node, key, problems);
  }

  /** The items of a list value; null when absent or not a list (reported). */
  List<Node> list(String key) {
    Node node = value(key);
    return node == null ? null : list(node, key, problems);
  }

  /** A list of strings; null when absent or not a list; wrong items are reported and skipped. */
  List<ScalarNode> strings(String key) {
    List<Node> items = list(key);
    if (items == null) {
      return null;
    }
    List<ScalarNode> strings = new ArrayList<>(items.size());
    for (Node item : items) {
      if (string(item, key + " entries", problems) != null) {
        strings.add((ScalarNode) item);
      }
    }
    return strings;
  }

  private void check(String key) {
    if (!shape.keys().contains(key)) {
      throw new IllegalStateException("the loader reads \"" + key + "\", which shape " + shape.name()
          + " does not declare");
    }
  }

  // --- typed reading of single nodes -------------------------------------------------------

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  /** A string scalar's value; anything else (a number, a boolean, a list…) is reported. */
  static String string(Node node, String what, FileProblems problems) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
      return scalar.getValue();
    }
    String hint = node instanceof ScalarNode scalar && !isNull(node)
        ? " (quote it, \"" + scalar.getValue() + "\", if you mean the text)" : "";
    problems.at(node, what + " must be a string, not " + describe(node) + hint);
    return null;
  }

  static Duration duration(Node node, String what, FileProblems problems) {
    if (node instanceof ScalarNode scalar && (scalar.getTag().equals(Tag.STR)
        || (scalar.getTag().equals(Tag.INT) && scalar.getValue().equals("0")))) {
      try {
        return Durations.parse(scalar.getValue());
      } catch (IllegalArgumentException e) {
        problems.at(node, what + ": " + e.getMessage());
        return null;
      }
    }
    problems.at(node, what + " must be a duration such as 30s, 10m or 720h, not " + describe(node));
    return null;
  }

  static List<Node> list(Node node, String what, FileProblems problems) {
    if (node instanceof SequenceNode seq) {
      return seq.getValue();
    }
    problems.at(node, what + " must be a list, not " + describe(node));
    return null;
  }

  /** How a node reads to a person: {@code a number (42)}, {@code a list}, {@code a mapping}. */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode scalar = (ScalarNode) node;
    Tag tag = scalar.getTag();
    String value = scalar.getValue();
    String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
    if (tag.equals(Tag.NULL)) {
      return "null";
    }
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      return "a number (" + shown + ")";
    }
    if (tag.equals(Tag.BOOL)) {
      return "a boolean (" + shown + ")";
    }
    if (tag.equals(Tag.TIMESTAMP)) {
      return "a date (" + shown + ")";
    }
    if (tag.equals(Tag.STR)) {
      return "the string \"" + shown + "\"";
    }
    return "a value tagged " + tag.getValue();
  }
}
