package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authority kinds and options for Sigstore and X.509 trust as {@code policy check} reads them:
 * keys with {@code transparencyLog}, keyless authorities for instances without a log or CT log,
 * enterprise certificate chains, and identity rules on Fulcio certificate extensions; each mistake
 * reported at its {@code file:line:column}.
 */
class SigstoreAuthoritiesTest {

  @TempDir
  Path dir;
  private PolicyFiles files;

  @BeforeEach
  void copyTrustMaterial() throws IOException {
    files = PolicyFiles.withKeys(dir);
    Files.createDirectories(dir.resolve("trust"));
    Files.copy(Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json"), dir.resolve("trust/public-good.json"));
    Files.copy(Fixtures.path("sigstore-java-github-private", "derived", "github-trusted-root.json"),
        dir.resolve("trust/github.json"));
    Files.copy(Fixtures.path("containers-image", "pki_root_crts.pem"), dir.resolve("trust/root.pem"));
    Files.copy(Fixtures.path("containers-image", "pki_intermediate_crts.pem"), dir.resolve("trust/intermediates.pem"));
    Files.copy(Fixtures.path("containers-image", "derived", "dir-img-cosign-pki-valid__signature-1.cert.pem"),
        dir.resolve("trust/leaf.pem"));
  }

  /** A policy with these authorities (YAML list items, indented by six spaces) signing for prod. */
  private PolicyFiles policy(String authorities, String... names) {
    return files.write("p.yaml", API + """
        kind: PromotionPolicy
        metadata: {name: p}
        spec:
          images: ["registry.acme.example/**"]
          authorities:
        %s
          environments:
            prod:
              signatures: [%s]
        """.formatted(authorities.stripTrailing(), String.join(", ", names)));
  }

  private Authority authority(PolicySet set, String name) {
    return set.policies().get(0).authorities().get(name);
  }

  @Test
  void aKeyWithARequiredLog() {
    PolicySet set = policy("""
            - name: ci
              key: {publicKeyFile: keys/ci.pub, transparencyLog: required, trustedRoot: trust/public-good.json}
            - name: implied
              key: {publicKeyFile: keys/ci.pub, trustedRoot: trust/public-good.json}
            - name: plain
              key: {publicKeyFile: keys/ci.pub}
        """, "ci", "implied", "plain").loaded();
    Authority.Key ci = assertInstanceOf(Authority.Key.class, authority(set, "ci"));
    assertTrue(ci.transparency().orElseThrow().logRequired());
    assertEquals("trusted root public-good.json", ci.transparency().get().root().description());
    assertTrue(assertInstanceOf(Authority.Key.class, authority(set, "implied")).transparency().orElseThrow().logRequired());
    assertEquals(Optional.empty(), assertInstanceOf(Authority.Key.class, authority(set, "plain")).transparency());
  }

  @Test
  void keyTransparencyMistakes() {
    List<String> problems = policy("""
            - name: a
              key: {publicKeyFile: keys/ci.pub, transparencyLog: required}
            - name: b
              key: {publicKeyFile: keys/ci.pub, transparencyLog: requried, trustedRoot: trust/public-good.json}
            - name: c
              key: {publicKeyFile: keys/ci.pub, trustedRoot: trust/github.json}
            - name: d
              key: {publicKeyFile: keys/ci.pub, trustedRoot: trust/missing.json}
        """, "a").problems();
    assertEquals(List.of(
        "p.yaml:8:58: transparencyLog: required needs trustedRoot: the Sigstore trusted root whose Rekor logs the"
            + " signatures must be in",
        "p.yaml:10:58: transparencyLog must be required or ignored, not \"requried\"; did you mean \"required\"?",
        "p.yaml:12:54: trustedRoot " + dir.resolve("trust/github.json") + " has no transparency logs, and"
            + " transparencyLog is required",
        "p.yaml:14:54: trustedRoot " + dir.resolve("trust/missing.json") + " does not exist"), problems);
  }

  @Test
  void keylessForGitHubsPrivateInstance() {
    PolicySet set = policy("""
            - name: github
              keyless:
                trustedRoot: trust/github.json
                transparencyLog: ignored
                certificateTransparency: ignored
                identities:
                  - issuer: https://token.actions.githubusercontent.com
                    subjectRegExp: 'https://github\\.com/acme/workflows/\\.github/workflows/attest\\.yml@.*'
                    sourceRepositoryURI: https://github.com/acme/shop
                    sourceRepositoryRefRegExp: 'refs/tags/v.*'
        """, "github").loaded();
    Authority.Keyless github = assertInstanceOf(Authority.Keyless.class, authority(set, "github"));
    assertFalse(github.transparencyLogRequired());
    assertFalse(github.certificateTransparencyRequired());
    Authority.Identity id = github.identities().get(0);
    assertEquals(2, id.extensions().size());
    Map<CertificateExtension, String> cert = Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, "https://github.com/acme/shop",
        CertificateExtension.SOURCE_REPOSITORY_REF, "refs/tags/v1.2.0");
    String san = "https://github.com/acme/workflows/.github/workflows/attest.yml@refs/heads/main";
    assertTrue(id.matches(Optional.of("https://token.actions.githubusercontent.com"), List.of(san),
        e -> Optional.ofNullable(cert.get(e))));
    assertFalse(id.matches(Optional.of("https://token.actions.githubusercontent.com"), List.of(san),
        e -> Optional.ofNullable(Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, "https://github.com/acme/shop-fork",
            CertificateExtension.SOURCE_REPOSITORY_REF, "refs/tags/v1.2.0").get(e))), "exact means the whole value");
    assertFalse(id.matches(Optional.of("https://token.actions.githubusercontent.com"), List.of(san),
        e -> Optional.ofNullable(Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, "https://github.com/acme/shop").get(e))),
        "an extension the rule names must be present");
    assertTrue(id.toString().contains("sourceRepositoryURI https://github.com/acme/shop"), id.toString());
  }

  @Test
  void aTrustedRootMustHoldWhatTheRulesNeed() {
    List<String> problems = policy("""
            - name: a
              keyless:
                trustedRoot: trust/github.json
                identities: [{issuer: x, subject: y}]
            - name: b
              keyless:
                trustedRoot: trust/github.json
                transparencyLog: ignored
                identities: [{issuer: x, subject: y}]
            - name: c
              keyless:
                trustedRoot: trust/public-good.json
                transparencyLog: ignored
                certificateTransparency: ignored
                identities: [{issuer: x, subject: y}]
            - name: d
              keyless:
                trustedRoot: trust/public-good.json
                transparencyLog: optional
                identities: [{issuer: x, subject: y, sourceRepository: z, buildSignerURI: u, buildSignerURIRegExp: v}]
        """, "a").problems();
    String github = dir.resolve("trust/github.json").toString();
    assertEquals(List.of(
        "p.yaml:9:22: trustedRoot " + github + " has no transparency logs; keyless signatures need a Rekor log key, or,"
            + " for a Sigstore instance without one (GitHub's for private repositories), transparencyLog: ignored",
        "p.yaml:13:22: trustedRoot " + github + " has no CT logs to check certificate timestamps (SCTs) against; for a"
            + " Sigstore instance without one, set certificateTransparency: ignored",
        "p.yaml:25:26: transparencyLog must be required or ignored, not \"optional\"",
        "p.yaml:26:46: unknown key \"sourceRepository\" in identity; did you mean \"sourceRepositoryURI\"?",
        "p.yaml:26:86: give either buildSignerURI or buildSignerURIRegExp, not both"), problems);
  }

  @Test
  void aCertificateChain() {
    PolicySet set = policy("""
            - name: pki
              certificateChain:
                roots: trust/root.pem
                intermediates: trust/intermediates.pem
                identities:
                  - {subject: qiwan@redhat.com}
                  - {subjectRegExp: 'CN=Team A .*'}
            - name: logged
              certificateChain:
                roots: trust/root.pem
                trustedRoot: trust/public-good.json
        """, "pki", "logged").loaded();
    Authority.CertificateChain pki = assertInstanceOf(Authority.CertificateChain.class, authority(set, "pki"));
    assertEquals(1, pki.roots().size());
    assertEquals(1, pki.intermediates().size());
    assertEquals(2, pki.identities().size());
    assertEquals(Optional.empty(), pki.transparency());
    Authority.CertificateChain logged = assertInstanceOf(Authority.CertificateChain.class, authority(set, "logged"));
    assertTrue(logged.transparency().orElseThrow().logRequired());
    assertTrue(logged.identities().isEmpty());
    assertNotEquals(set.policies().get(0).rulesFor("prod").orElseThrow().fingerprint(),
        policy("""
                - name: pki
                  certificateChain: {roots: trust/root.pem}
                - name: logged
                  certificateChain: {roots: trust/root.pem, trustedRoot: trust/public-good.json}
            """, "pki", "logged").loaded().policies().get(0).rulesFor("prod").orElseThrow().fingerprint(),
        "intermediates and identities are part of the requirement");
  }

  @Test
  void certificateChainMistakes() {
    List<String> problems = policy("""
            - name: a
              certificateChain: {intermediates: trust/intermediates.pem}
            - name: b
              certificateChain: {roots: keys/ci.pub}
            - name: c
              certificateChain: {roots: trust/leaf.pem}
            - name: d
              certificateChain: {roots: trust/root.pem, identities: [{}]}
            - name: e
              certificateChain: {roots: trust/root.pem, identities: [{subject: a, subjectRegExp: b}]}
            - name: f
              key: {publicKeyFile: keys/ci.pub}
              certificateChain: {roots: trust/root.pem}
        """, "a").problems();
    assertEquals(List.of(
        "p.yaml:8:25: certificateChain is missing the required key \"roots\"",
        "p.yaml:10:33: roots " + dir.resolve("keys/ci.pub") + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        "p.yaml:12:33: roots " + dir.resolve("trust/leaf.pem") + " holds CN=Team A Cosign Certificate,OU=Security,O=IT,"
            + "L=Valencia,C=ES, which is not a CA certificate (basic constraints); list the CAs that issue signing"
            + " certificates",
        "p.yaml:14:62: identity needs subject or subjectRegExp (a name of the certificate: email, URI, DNS name or"
            + " subject DN), issuer or issuerRegExp, or a certificate extension",
        "p.yaml:16:75: give either subject or subjectRegExp, not both",
        "p.yaml:19:7: an authority is exactly one of key, keyless, certificateChain, notation, not key and certificateChain;"
            + " split it in two"), problems);
  }
}
