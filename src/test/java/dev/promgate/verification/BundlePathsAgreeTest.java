package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * promgate checks a certificate bundle with sigstore-java's {@code KeylessVerifier} where that can
 * read it, and by parts where it cannot. Here every bundle that {@code KeylessVerifier} can read is
 * checked both ways: the two must agree on every valid and every tampered bundle.
 */
class BundlePathsAgreeTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private record Case(String name, Path bundle, Digest digest, Path root) {}

  @Test
  void sigstoreJavaAndPartsAgree() throws Exception {
    List<Case> cases = new ArrayList<>();
    Path conformance = Fixtures.path("sigstore-conformance");
    for (String suite : List.of("bundle-verify", "bundle-verify-v0.0.24-changed")) {
      try (Stream<Path> dirs = Files.list(conformance.resolve(suite))) {
        for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
          if (Files.exists(dir.resolve("key.pub"))) {
            continue;
          }
          Path artifact = Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : conformance.resolve("a.txt");
          Path root = Files.exists(dir.resolve("trusted_root.json")) ? dir.resolve("trusted_root.json")
              : CosignLegacyFixturesTest.productionRoot();
          cases.add(new Case(suite + "/" + dir.getFileName(), dir.resolve("bundle.sigstore.json"),
              Digest.sha256Of(TestPolicies.bytes(artifact)), root));
        }
      }
    }
    Path javaBundles = Fixtures.path("sigstore-java", "bundles");
    Digest artifact = Digest.sha256Of(TestPolicies.bytes(javaBundles.resolve("artifact.txt")));
    try (Stream<Path> files = Files.list(javaBundles)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".sigstore")).sorted().toList()) {
        boolean staging = f.getFileName().toString().contains("rekor-v2") || f.getFileName().toString().contains("timestamp");
        cases.add(new Case("sigstore-java/" + f.getFileName(), f, artifact,
            staging ? CosignLegacyFixturesTest.stagingRoot() : CosignLegacyFixturesTest.productionRoot()));
      }
    }
    cases.add(new Case("cosign/oci-attestation", Fixtures.path("cosign", "oci-attestation.sigstore.json"),
        Digest.parse("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"),
        Fixtures.path("cosign", "trusted_root_pgi.json")));

    int compared = 0;
    int verified = 0;
    for (Case c : cases) {
      var attachment = SigstoreBundleAttachment.of(new SignedContent.SigstoreBundle(c.name(), null,
          TestPolicies.bytes(c.bundle())), c.digest());
      if (attachment.unusable().isPresent()) {
        continue;
      }
      TrustMaterial trust = TrustMaterial.of(TestPolicies.keyless("t", c.root()).trustedRoot(), c.name());
      String viaSigstoreJava = outcome(attachment, trust, true);
      String viaParts = outcome(attachment, trust, false);
      assertEquals(viaSigstoreJava.startsWith("ok"), viaParts.startsWith("ok"),
          () -> c.name() + ": sigstore-java says " + viaSigstoreJava + ", parts say " + viaParts);
      if (viaSigstoreJava.startsWith("ok")) {
        assertEquals(viaSigstoreJava, viaParts, c.name());
        verified++;
      }
      compared++;
    }
    assertTrue(compared >= 70, "compared " + compared);
    assertTrue(verified >= 25, "verified " + verified);
  }

  private static String outcome(SigstoreBundleAttachment attachment, TrustMaterial trust, boolean sigstoreJava) {
    try {
      return "ok " + attachment.verifyKeyless(trust, NOW, sigstoreJava);
    } catch (Invalid e) {
      return "invalid: " + e.getMessage();
    }
  }
}
