package dev.promgate.policy;

import dev.promgate.policy.LoadContext.EnvironmentReference;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One policy file being read: where its problems go, where its referenced files are resolved
 * from, and the checks both kinds of document share (environment names, modes, globs, files).
 */
final class PolicyFile {

  /** Environment and authority names: they become URL path segments and label values. */
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final List<String> MODES = List.of("enforce", "audit");

  final LoadContext context;
  final FileProblems problems;
  /** The file's real location, to resolve relative paths for reading. */
  private final Path file;
  /** The file as the user named it, to show resolved paths in messages. */
  final Path displayFile;
  /** The file's text as code points, which is how SnakeYAML marks count. */
  final int[] source;

  PolicyFile(LoadContext context, FileProblems problems, Path file, Path displayFile, String text) {
    this.context = context;
    this.problems = problems;
    this.file = file;
    this.displayFile = displayFile;
    this.source = text.codePoints().toArray();
  }

  Mode mode(Fields fields) {
    String text = fields.string("mode");
    if (text == null) {
      return null;
    }
    if (!MODES.contains(text)) {
      problems.at(fields.value("mode"), "mode must be enforce or audit, not \"" + text + "\""
          + Suggestions.didYouMean(text, MODES));
      return null;
    }
    return text.equals("audit") ? Mode.AUDIT : Mode.ENFORCE;
  }

  Glob glob(Node node, String text, String what) {
    try {
      return Glob.compile(text);
    } catch (IllegalArgumentException e) {
      problems.at(node, what + ": " + e.getMessage());
      return null;
    }
  }

  Duration positive(Fields fields, String key) {
    Duration d = fields.duration(key);
    if (d != null && d.isZero()) {
      problems.at(fields.value(key), key + " must be longer than 0s");
      return null;
    }
    return d;
  }


  String environmentName(Node node, String what) {
    String name = Fields.string(node, what, problems);
    if (name == null) {
      return null;
    }
    if (!DNS_LABEL.matcher(name).matches()) {
      problems.at(node, what + " \"" + name + "\" is not a valid environment name: use lower-case letters,"
          + " digits and '-', at most 63, starting and ending with a letter or digit"
          + " (it becomes a URL path segment and a label value)");
      return null;
    }
    return name;
  }

  void reference(String environment, Node at, String role) {
    context.environmentReferences.add(new EnvironmentReference(environment, at, problems, role));
  }

  /** The directory paths in this file are relative to (the file's real location). */
  Path directory() {
    return file.toAbsolutePath().getParent();
  }

  /** A referenced file: its real path, how to show it, its bytes and their digest. */
  record ReadFile(Path path, String display, byte[] bytes, String digest) {}

  /** A path written in a policy file, resolved next to that file, and how problems show it. */
  record Referenced(Path path, String display) {}

  /** The path a key names relative to this policy file; null (reported) when blank or not a path. */
  Referenced referenced(Node node, String key) {
    String written = Fields.string(node, key, problems);
    if (written == null) {
      return null;
    }
    if (written.isBlank()) {
      problems.at(node, key + " must not be empty");
      return null;
    }
    try {
      Path shownBase = displayFile.getParent();
      return new Referenced(directory().resolve(written).normalize(),
          (shownBase == null ? Path.of(written) : shownBase.resolve(written)).normalize().toString());
    } catch (InvalidPathException e) {
      problems.at(node, key + " \"" + written + "\" is not a valid path");
      return null;
    }
  }

  /** Reads a file named relative to this policy file; null (reported) when it cannot be read. */
  ReadFile readReferenced(Node node, String key, int maxBytes) {
    Referenced at = referenced(node, key);
    if (at == null) {
      return null;
    }
    try {
      byte[] bytes = context.inputs.read(at.path(), maxBytes);
      return new ReadFile(at.path(), at.display(), bytes, InputFiles.sha256(bytes));
    } catch (InputFiles.Unreadable e) {
      problems.at(node, key + " " + at.display() + " " + e.getMessage());
      return null;
    }
  }
}
