package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keyless authority over the public-good Sigstore trusted root, read offline. */
class KeylessAuthorityTest {

  @TempDir
  Path dir;

  private PolicySet load(Path trustedRoot) {
    return new PolicyFiles(dir).write("people.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: people}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
            - name: release-managers
              keyless:
                trustedRoot: %s
                identities:
                  - {issuer: "https://accounts.acme.example", subjectRegExp: '.*@acme\\.example'}
                  - {issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com', subject: "https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/main"}
          environments:
            prod:
              promotions:
                - {environment: prod, signedBy: [release-managers]}
        """.formatted(trustedRoot)).loaded();
  }

  @Test
  void loadsTheTrustedRootAndMatchesIdentitiesFullyAnchored() throws Exception {
    Path root = Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json");
    PolicySet set = load(root);
    Authority.Keyless rm = assertInstanceOf(Authority.Keyless.class,
        set.policies().get(0).authorities().get("release-managers"));

    assertEquals(root.toAbsolutePath().normalize(), rm.trustedRootFile());
    assertFalse(rm.trustedRoot().getCAs().isEmpty(), "Fulcio CAs");
    assertFalse(rm.trustedRoot().getTLogs().isEmpty(), "Rekor logs");
    assertEquals(InputFiles.sha256(Files.readAllBytes(root)), rm.trustedRootDigest());
    assertEquals(2, rm.identities().size());

    Authority.Identity people = rm.identities().get(0);
    assertTrue(people.matches("https://accounts.acme.example", "alice@acme.example"));
    assertFalse(people.matches("https://accounts.acme.example", "alice@acme.example.evil.com"), "anchored at the end");
    assertFalse(people.matches("https://accounts.acme.example", "alice@acmeXexample"), "the dot is escaped");
    assertFalse(people.matches("https://accounts.acme.example.evil", "alice@acme.example"), "issuer is exact");
    assertFalse(people.matches("https://accounts.acme.example", null));

    Authority.Identity workflow = rm.identities().get(1);
    assertTrue(workflow.matches("https://token.actions.githubusercontent.com",
        "https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/main"));
    assertFalse(workflow.matches("https://evil.example/https://token.actions.githubusercontent.com",
        "https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/main"), "anchored at the start");
    assertFalse(workflow.matches("https://token.actions.githubusercontent.com",
        "https://github.com/acme/shop/.github/workflows/release.yaml@refs/heads/evil"));
  }

  @Test
  void anotherTrustedRootIsAnotherRequirement() {
    String production = load(Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json"))
        .policies().get(0).rulesFor("prod").orElseThrow().fingerprint();
    String staging = load(Fixtures.path("sigstore-trusted-roots", "staging_trusted_root.json"))
        .policies().get(0).rulesFor("prod").orElseThrow().fingerprint();
    assertNotEquals(production, staging);
  }
}
