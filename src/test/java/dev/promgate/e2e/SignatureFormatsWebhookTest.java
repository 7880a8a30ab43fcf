package dev.promgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import dev.promgate.testing.TestImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signatures and attestations that other tools made, pushed into a real registry the way those
 * tools attach them, and decided by the real webhook under policies written as users write them:
 * <ul>
 *   <li>cosign v3's default image signature (a Sigstore bundle referrer, kubewarden-controller
 *       v1.34.0 from GitHub Actions), trusted keyless through the public-good root;</li>
 *   <li>{@code cosign sign --key} with its Rekor entry (a {@code .sig} layer with a SET), trusted by
 *       the key with {@code transparencyLog: required};</li>
 *   <li>a key-signed Sigstore bundle with an inclusion proof (the conformance suite's managed key);</li>
 *   <li>an enterprise-CA certificate signature ({@code .sig} layer with certificate and chain,
 *       containers/image's BYO-PKI case), trusted through {@code certificateChain};</li>
 *   <li>a GitHub artifact attestation from a private repository (GitHub's Sigstore instance: no log,
 *       no SCT, a TSA timestamp), trusted keyless with {@code transparencyLog: ignored} and pinned to
 *       the calling repository by a Fulcio extension.</li>
 * </ul>
 * The fixtures' images themselves are not in the fixtures: their signatures name them by digest,
 * and nothing in promgate needs the image's manifest once something is attached to it.
 */
class SignatureFormatsWebhookTest {

  static final String ACTIONS = "https://token.actions.githubusercontent.com";
  static final String KUBEWARDEN = "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0";
  static final Digest KUBEWARDEN_IMAGE = Digest.parse("sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172");
  static final Digest GITHUB_JAR = Digest.parse("sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551");
  static final String BUNDLE = TestImages.SIGSTORE_BUNDLE_V03;
  private static final ObjectMapper JSON = Mappers.JSON;

  @TempDir static Path work;
  static LocalRegistry registry;
  static TestImages images;
  static Webhook webhook;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("gate.yaml", """
        apiVersion: promgate.dev/v1alpha1
        kind: GateConfig
        metadata: {name: gate}
        spec:
          defaultEnvironment: prod
          registries:
            - {host: "%s", insecure: true}
        """.formatted(registry.host()));
    files.put("formats.yaml", policies(registry.host()));
    Path policies = Webhook.writePolicies(work.resolve("policies"), files);
    Files.createDirectories(policies.resolve("trust"));
    copy("sigstore-trusted-roots/production_trusted_root.json", policies.resolve("trust/public-good.json"));
    copy("sigstore-java-github-private/derived/github-trusted-root.json", policies.resolve("trust/github.json"));
    copy("containers-image/cosign2.pub", policies.resolve("trust/cosign2.pub"));
    copy("containers-image/pki_root_crts.pem", policies.resolve("trust/pki-root.pem"));
    copy("sigstore-conformance/bundle-verify/managed-key-happy-path/key.pub", policies.resolve("trust/managed.pub"));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private static void copy(String fixture, Path to) throws Exception {
    String[] parts = fixture.split("/");
    Files.copy(Fixtures.path(parts[0], Arrays.copyOfRange(parts, 1, parts.length)), to);
  }

  static String policies(String host) {
    return """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: cosign-v3}
        spec:
          images: ["%1$s/kubewarden/**"]
          authorities:
            - name: release
              keyless:
                trustedRoot: trust/public-good.json
                identities:
                  - {issuer: "%2$s", subject: "%3$s"}
          environments:
            prod: {signatures: [release]}
        ---
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: key-with-rekor}
        spec:
          images: ["%1$s/key-rekor/**"]
          authorities:
            - name: ci
              key: {publicKeyFile: trust/cosign2.pub, transparencyLog: required, trustedRoot: trust/public-good.json}
            - name: managed
              key: {publicKeyFile: trust/managed.pub, transparencyLog: required, trustedRoot: trust/public-good.json}
          environments:
            prod: {signatures: [ci, managed]}
        ---
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: enterprise-ca}
        spec:
          images: ["%1$s/pki/**"]
          authorities:
            - name: team-a
              certificateChain:
                roots: trust/pki-root.pem
                identities: [{subject: qiwan@redhat.com}]
          environments:
            prod: {signatures: [team-a]}
        ---
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: github-private}
        spec:
          images: ["%1$s/github/**"]
          authorities:
            - name: nes
              keyless:
                trustedRoot: trust/github.json
                transparencyLog: ignored
                certificateTransparency: ignored
                identities:
                  - issuer: "%2$s"
                    subjectRegExp: 'https://github\\.com/neverendingsupport/slsa-attestations/\\.github/workflows/attest\\.yml@.*'
                    sourceRepositoryURI: https://github.com/neverendingsupport/nes-java-test-lib-a
          environments:
            prod:
              attestations:
                - {predicateType: "https://slsa.dev/provenance/v1", signedBy: [nes]}
        """.formatted(host, ACTIONS, KUBEWARDEN);
  }

  /** An image the registry does not hold, named by digest: the subject its attachments point at. */
  static Pushed subject(String repository, Digest digest) {
    return new Pushed(registry.reference(repository + "@" + digest), TestImages.OCI_MANIFEST,
        new byte[0], Optional.empty());
  }

  static void referrer(String repository, Digest digest, byte[] bundle) {
    images.pushReferrer(subject(repository, digest), BUNDLE, List.of(Layer.of(BUNDLE, bundle)), Map.of());
  }

  /** A containers/image signature file pushed as the layer of cosign's {@code .sig} manifest. */
  static ImageReference legacySignature(String repository, Path dir, Map<String, String> changedAnnotations)
      throws Exception {
    byte[] file = Files.readAllBytes(dir.resolve("signature-1"));
    JsonNode json = JSON.readTree(Arrays.copyOfRange(file, "\0sigstore-json\n".length(), file.length));
    Map<String, String> annotations = new HashMap<>();
    json.get("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    annotations.putAll(changedAnnotations);
    annotations.values().removeIf(String::isEmpty);
    Layer layer = new Layer(json.get("mimeType").asText(), Base64.getDecoder().decode(json.get("payload").asText()),
        annotations);
    Digest image = Digest.sha256Of(Files.readAllBytes(dir.resolve("manifest.json")));
    ImageReference pinned = registry.reference(repository + "@" + image);
    images.pushCosignSignatures(pinned, List.of(layer));
    return pinned;
  }

  static Answer deploy(ImageReference image) throws Exception {
    return webhook.admit("prod", Reviews.pod("shop-prod", image.toString()));
  }

  static Answer deploy(String repository, Digest digest) throws Exception {
    return deploy(registry.reference(repository + "@" + digest));
  }

  static void assertDenied(Answer a, String... reasons) {
    assertFalse(a.allowed(), a.toString());
    assertEquals(403, a.code(), a.toString());
    for (String reason : reasons) {
      assertTrue(a.message().contains(reason), () -> "expected \"" + reason + "\" in: " + a.message());
    }
  }

  @Test
  void cosignV3ImageSignature() throws Exception {
    referrer("kubewarden/kubewarden-controller", KUBEWARDEN_IMAGE, Files.readAllBytes(Fixtures.path("cosign-v3", "bundle_v03.json")));
    Answer a = deploy("kubewarden/kubewarden-controller", KUBEWARDEN_IMAGE);
    assertTrue(a.allowed(), a.toString());

    referrer("kubewarden/tampered", KUBEWARDEN_IMAGE,
        Files.readAllBytes(Fixtures.path("cosign-v3", "derived", "bundle_v03.payloadtype-application-json.json")));
    assertDenied(deploy("kubewarden/tampered", KUBEWARDEN_IMAGE), "is not signed by release (found: Sigstore bundle (DSSE) ",
        "the bundle's DSSE payload type is application/json, not application/vnd.in-toto+json");
  }

  @Test
  void keyWithRekorEntry() throws Exception {
    Path dir = Fixtures.path("containers-image", "dir-img-cosign-key-rekor-valid");
    assertTrue(deploy(legacySignature("key-rekor/valid", dir, Map.of())).allowed());

    JsonNode bundle = JSON.readTree(legacyAnnotation(dir, "dev.sigstore.cosign/bundle"));
    byte[] set = Base64.getDecoder().decode(bundle.get("SignedEntryTimestamp").asText());
    set[10] ^= 0x01;
    ((ObjectNode) bundle).put("SignedEntryTimestamp", Base64.getEncoder().encodeToString(set));
    assertDenied(deploy(legacySignature("key-rekor/tampered-set", dir, Map.of("dev.sigstore.cosign/bundle",
        JSON.writeValueAsString(bundle)))), "is not signed by ci or managed (found: cosign signature ",
        "signed with the key of ci, but its Rekor signed entry timestamp does not verify with the log's key");

    assertDenied(deploy(legacySignature("key-rekor/unlogged", dir, Map.of("dev.sigstore.cosign/bundle", ""))),
        "signed with the key of ci, but it carries no Rekor bundle (dev.sigstore.cosign/bundle)");
  }

  @Test
  void keySignedBundleWithInclusionProof() throws Exception {
    Path dir = Fixtures.path("sigstore-conformance", "bundle-verify", "managed-key-happy-path");
    Digest artifact = Digest.sha256Of(Files.readAllBytes(Fixtures.path("sigstore-conformance", "a.txt")));
    referrer("key-rekor/managed", artifact, Files.readAllBytes(dir.resolve("bundle.sigstore.json")));
    assertTrue(deploy("key-rekor/managed", artifact).allowed());
  }

  @Test
  void enterpriseCertificate() throws Exception {
    Path dir = Fixtures.path("containers-image", "dir-img-cosign-pki-valid");
    assertTrue(deploy(legacySignature("pki/valid", dir, Map.of())).allowed());
    assertDenied(deploy(legacySignature("pki/without-chain", dir, Map.of("dev.sigstore.cosign/chain", ""))),
        "is not signed by team-a (found: cosign signature ", "does not chain to the roots pki-root.pem");
  }

  @Test
  void gitHubAttestationFromAPrivateRepository() throws Exception {
    referrer("github/nes-java-test-lib-a", GITHUB_JAR,
        Files.readAllBytes(Fixtures.path("sigstore-java-github-private", "attestation.sigstore.json")));
    assertTrue(deploy("github/nes-java-test-lib-a", GITHUB_JAR).allowed());

    // GitHub's demo attestation: the same instance, but another workflow and repository
    Digest wheel = Digest.parse("sha256:ae57936def59bc4c75edd3a837d89bcefc6d3a5e31d55a6fa7a71624f92c3c3b");
    referrer("github/attest-demo", wheel, Files.readAllBytes(
        Fixtures.path("gh-cli-attestation", "github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl")));
    assertDenied(deploy("github/attest-demo", wheel),
        "has no https://slsa.dev/provenance/v1 attestation signed by nes (found: Sigstore bundle (DSSE attestation) ",
        "signed by https://github.com/actions/attest-demo/.github/workflows/build-python.yml@refs/heads/main (issuer "
            + ACTIONS + "), which is not an identity of nes");
  }

  private static String legacyAnnotation(Path dir, String key) throws Exception {
    byte[] file = Files.readAllBytes(dir.resolve("signature-1"));
    return JSON.readTree(new String(file, "\0sigstore-json\n".length(), file.length - "\0sigstore-json\n".length(),
        StandardCharsets.UTF_8)).get("annotations").get(key).asText();
  }
}
