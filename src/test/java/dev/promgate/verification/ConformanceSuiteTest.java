package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The sigstore-conformance bundle-verification suite, driven from its directory listing with its
 * conventions: a directory name ending in {@code _fail} must fail; {@code artifact} (else
 * {@code a.txt}) is the signed artifact or the in-toto subject; {@code identity} and {@code issuer}
 * (else the conformance beacon workflow on GitHub Actions) are the expected signer; {@code key.pub}
 * means verification with that key instead of an identity; {@code trusted_root.json} (else the
 * production root). Every case goes through the evaluator as an image would: a DSSE bundle as an
 * attestation of its predicate type, a message signature as the image signature.
 *
 * <p>Where sigstore-java 2.0.0 disagrees with the suite (its result table in the fixtures), promgate
 * reaches the suite's answer:
 * <ul>
 *   <li>{@code integrated-time-in-future_fail}: promgate checks the Rekor integrated time against
 *       the certificate's validity;</li>
 *   <li>{@code trust-root-tlog-missing-validity-start_fail}: promgate refuses a log key without
 *       {@code validFor.start};</li>
 *   <li>{@code intoto-with-custom-trust-root}: intoto 0.0.2 log entries are checked by promgate;</li>
 *   <li>{@code rekor2-dsse-happy-path} (hashedrekord-over-DSSE on Rekor v2): checked by promgate;</li>
 *   <li>{@code managed-key-happy-path}, {@code managed-key-and-trusted-root}: key-signed bundles
 *       (which sigstore-java 2.0.0 cannot read) are verified with the key and, as a key authority
 *       with {@code transparencyLog: required} does, their log entry and timestamps against the
 *       case's trusted root.</li>
 * </ul>
 */
class ConformanceSuiteTest {

  private static final String DEFAULT_IDENTITY = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
      + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  private static final String DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);

  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  @TestFactory
  Stream<DynamicTest> bundleVerify() {
    return cases(Fixtures.path("sigstore-conformance", "bundle-verify"));
  }

  @TestFactory
  Stream<DynamicTest> bundleVerifyAsOfV0024() {
    return cases(Fixtures.path("sigstore-conformance", "bundle-verify-v0.0.24-changed"));
  }

  @Test
  void everyCaseIsDriven() throws IOException {
    try (Stream<Path> dirs = Files.list(Fixtures.path("sigstore-conformance", "bundle-verify"))) {
      assertEquals(70, dirs.filter(Files::isDirectory).count());
    }
  }

  /** promgate agrees with the suite wherever sigstore-java 2.0.0 does not (the table's "NO" rows). */
  @Test
  void disagreementsOfSigstoreJavaAreResolved() throws IOException {
    Path suite = Fixtures.path("sigstore-conformance");
    List<String> rows = Files.readAllLines(suite.resolve("sigstore-java-2.0.0-results.tsv"));
    int disagreements = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] columns = row.split("\t");
      if (!"NO".equals(columns[3])) {
        continue;
      }
      disagreements++;
      Path dir = suite.resolve(columns[0]);
      boolean suiteSaysPass = "PASS".equals(columns[1]);
      Verdict v = verify(dir);
      assertEquals(suiteSaysPass, v instanceof Verdict.Verified, () -> columns[0] + ": " + v);
    }
    assertEquals(6, disagreements);
  }

  private Stream<DynamicTest> cases(Path root) {
    List<Path> dirs;
    try (Stream<Path> list = Files.list(root)) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      boolean mustFail = dir.getFileName().toString().endsWith("_fail");
      Verdict v = verify(dir);
      if (mustFail) {
        assertFalse(v instanceof Verdict.Verified, () -> dir.getFileName() + " must fail: " + v);
        if (dir.getFileName().toString().startsWith("trust-root-")) {
          // A malformed trusted root leaves the bundle unchecked: Unverifiable, never a cached denial.
          assertTrue(v instanceof Verdict.Unverifiable u && u.category() == Verdict.Unverifiable.Category.TRUSTED_ROOT,
              () -> dir.getFileName() + " must be Unverifiable (its trusted root cannot be used), not " + v);
        } else {
          assertTrue(v instanceof Verdict.Rejected, () -> dir.getFileName() + " must be rejected, not " + v);
        }
      } else {
        assertTrue(v instanceof Verdict.Verified, () -> dir.getFileName() + " must pass: " + v);
      }
    }));
  }

  private Verdict verify(Path dir) {
    Path artifact = Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : dir.getParent().resolve("a.txt");
    if (!Files.exists(artifact)) {
      artifact = Fixtures.path("sigstore-conformance", "a.txt");
    }
    Digest digest = Digest.sha256Of(TestPolicies.bytes(artifact));
    Path trustedRoot = Files.exists(dir.resolve("trusted_root.json")) ? dir.resolve("trusted_root.json")
        : CosignLegacyFixturesTest.productionRoot();
    Authority authority;
    if (Files.exists(dir.resolve("key.pub"))) {
      try {
        authority = TestPolicies.loggedKey("key", dir.resolve("key.pub"), trustedRoot);
      } catch (IllegalArgumentException e) {
        // promgate refuses such a key when it loads the policy: nothing can verify with it
        return Verdict.Rejected.because("key.pub cannot be used: " + e.getMessage(), "");
      }
    } else {
      authority = TestPolicies.keyless("identity", trustedRoot, TestPolicies.identity(
          optional(dir.resolve("issuer"), DEFAULT_ISSUER), optional(dir.resolve("identity"), DEFAULT_IDENTITY)));
    }
    return BundleVerdicts.verify(evaluator, dir.resolve("bundle.sigstore.json"), digest, authority);
  }

  private static String optional(Path file, String otherwise) {
    return Files.exists(file) ? TestPolicies.read(file).strip() : otherwise;
  }
}
