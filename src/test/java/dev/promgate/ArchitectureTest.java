package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way, from the command line and the HTTP edge inward: a package uses only
 * packages of a lower layer (docs/architecture.md draws the same picture). Read from the sources:
 * every import and every fully qualified name outside comments and string literals counts.
 */
class ArchitectureTest {

  /** Top first. A package may use only packages of later rows; the root package is "". */
  static final List<List<String>> LAYERS = List.of(
      List.of("cli"),
      List.of(""),
      List.of("http", "promotion"),
      List.of("decision"),
      List.of("judgement"),
      List.of("verification", "trustroot"),
      List.of("notation"),
      List.of("verdict"),
      List.of("registry"),
      List.of("workload", "environment", "manifests", "tls", "log"),
      List.of("admission"),
      List.of("policy"),
      List.of("image"),
      List.of("json"));

  static final Path MAIN = Path.of("src/main/java/dev/promgate");
  static final Pattern REFERENCE = Pattern.compile("\\bdev\\.promgate\\.(?:([a-z][a-z0-9]*)\\.|([A-Z]))");
  static final Pattern COMMENTS_AND_STRINGS = Pattern.compile(
      "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])+'", Pattern.DOTALL);

  static int layer(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    return -1;
  }

  /** Package → the packages its sources use, with one file that does, for the message. */
  static Map<String, Map<String, Path>> uses() throws IOException {
    Map<String, Map<String, Path>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
        String pkg = MAIN.relativize(file.getParent() == null ? MAIN : file.getParent()).toString()
            .replace('/', '.');
        String code;
        try {
          code = COMMENTS_AND_STRINGS.matcher(Files.readString(file)).replaceAll(" ");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        Map<String, Path> used = uses.computeIfAbsent(pkg, p -> new TreeMap<>());
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          String target = m.group(1) != null ? m.group(1) : "";
          if (!target.equals(pkg)) {
            used.putIfAbsent(target, file);
          }
        }
      });
    }
    return uses;
  }

  @Test
  void everyPackageHasItsPlaceInTheLayers() throws IOException {
    TreeSet<String> unplaced = new TreeSet<>();
    for (String pkg : uses().keySet()) {
      if (layer(pkg) < 0) {
        unplaced.add(pkg.isEmpty() ? "(root)" : pkg);
      }
    }
    assertEquals(new TreeSet<>(), unplaced,
        "packages without a place in ArchitectureTest.LAYERS and docs/architecture.md");
  }

  @Test
  void noPackageUsesOneAboveItOrBesideIt() throws IOException {
    List<String> violations = new ArrayList<>();
    uses().forEach((pkg, used) -> used.forEach((target, file) -> {
      int from = layer(pkg);
      int to = layer(target);
      if (from >= 0 && to >= 0 && to <= from) {
        violations.add(name(pkg) + " (layer " + from + ") uses " + name(target) + " (layer " + to + "), e.g. in "
            + MAIN.relativize(file));
      }
    }));
    assertEquals(List.of(), violations);
  }

  @Test
  void theScanSeesTheEdgesItMustJudge() throws IOException {
    // Guards the test itself: if the scan read nothing, every layering would pass.
    Map<String, Map<String, Path>> uses = uses();
    assertTrue(uses.get("judgement").containsKey("verdict"), uses.get("judgement").toString());
    assertTrue(uses.get("").containsKey("http"), uses.get("").toString());
    assertTrue(uses.get("cli").containsKey(""), "cli starts the server: " + uses.get("cli"));
    assertTrue(uses.get("http").keySet().stream().noneMatch(""::equals), "http is given an AdmissionHandler");
  }

  private static String name(String pkg) {
    return pkg.isEmpty() ? "the root package" : pkg;
  }
}
