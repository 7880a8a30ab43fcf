package dev.promgate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared interoperability fixtures: real signatures, bundles, trusted roots and
 * AdmissionReviews made by other projects. They live outside this repository; their folder is the
 * system property {@code promgate.fixtures}, else the environment variable
 * {@code PROMGATE_FIXTURES}, else {@code ../shared/fixtures}. Without them these tests are skipped
 * with a message, except under {@code CI=true}, where their absence fails the build.
 */
public final class Fixtures {

  private Fixtures() {}

  /** The fixtures folder, or a skipped (or, under CI, failed) test. */
  public static Path root() {
    String configured = System.getProperty("promgate.fixtures");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("PROMGATE_FIXTURES");
    }
    Path root = Path.of(configured == null || configured.isBlank() ? "../shared/fixtures" : configured)
        .toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      String message = "interoperability fixtures not found at " + root
          + " (set -Dpromgate.fixtures or PROMGATE_FIXTURES)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + "; under CI=true they are required");
      }
      System.err.println("SKIPPED: " + message);
      Assumptions.abort(message);
    }
    return root;
  }

  /** A path inside the fixtures folder, e.g. {@code path("kyverno", "other.pub")}. */
  public static Path path(String first, String... more) {
    Path p = root().resolve(Path.of(first, more));
    if (!Files.exists(p)) {
      throw new AssertionError("fixture missing: " + p);
    }
    return p;
  }
}
