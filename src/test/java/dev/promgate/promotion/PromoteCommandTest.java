package dev.promgate.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.Outcome;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.TestImages;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** {@code promgate promote} end to end: a real registry, the CLI, and the webhook's own pipeline. */
class PromoteCommandTest {

  static final ObjectMapper JSON = Mappers.JSON;
  static LocalRegistry registry;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  Path directory;
  Release release;
  Vertx vertx;

  @BeforeAll
  static void startRegistry() {
    registry = LocalRegistry.start();
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  @BeforeEach
  void setUp() {
    release = new Release(registry, directory, "");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    Await.result(vertx.close());
  }

  // ---- the workflow ----------------------------------------------------------------------------

  @Test
  void promoteToPreprodThenProdAndTheWebhookAdmitsInProd() throws Exception {
    ImageReference web = release.signedImage("shop/web", "1.0").pinned();
    assertFalse(release.admitPod(vertx, "preprod", web).allowed(), "not promoted yet");

    Release.Run preprod = release.promote(web, "preprod", "--change", "CHG-1");
    assertEquals(0, preprod.exit(), preprod.toString());
    assertTrue(preprod.out().contains("promoted " + web + " to preprod"), preprod.out());
    assertTrue(preprod.out().contains("counts as    promotion by release-managers (key sha256:"), preprod.out());
    assertTrue(preprod.out().contains("admissible   yes, in preprod now"), preprod.out());
    assertTrue(preprod.out().contains("no check of an earlier environment"), preprod.out());
    assertTrue(release.admitPod(vertx, "preprod", web).allowed());

    Decision notYet = release.admitPod(vertx, "prod", web);
    assertFalse(notYet.allowed());
    assertTrue(notYet.message().contains("has no promotion to prod signed by release-managers (found: preprod,"),
        notYet.message());

    Release.Run prod = release.promote(web, "prod", "--change", "CHG-2", "--pipeline-run",
        "https://ci.acme.example/runs/42", "--source-repo", "https://git.acme.example/shop/web",
        "--source-commit", "4f1c2e");
    assertEquals(0, prod.exit(), prod.toString());
    assertTrue(prod.out().contains("note: admissible in preprod (prod requires a promotion to preprod)"), prod.out());
    assertTrue(prod.out().contains("\"from\":\"preprod\""), prod.out());
    Decision admitted = release.admitPod(vertx, "prod", web);
    assertTrue(admitted.allowed(), admitted.message());
    assertEquals(Outcome.ALLOW, admitted.outcome());
  }

  @Test
  void withoutThePreviousEnvironmentsEvidenceThePromotionIsRefusedAndNothingIsPushed() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run run = release.promote(web, "prod");
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains("not promoted: " + web + " is not admissible in preprod (prod requires a promotion "
        + "to preprod), so it is not promoted to prod:"), run.err());
    assertTrue(run.err().contains("has no promotion to preprod signed by release-managers"), run.err());
    assertTrue(run.err().contains("--force"), run.err());
    assertEquals(404, get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att").statusCode());

    Release.Run explicit = release.promote(web, "preprod", "--from", "dev");
    assertEquals(0, explicit.exit(), "signed by ci, so admissible in dev: " + explicit);
  }

  @Test
  void forceRecordsItselfInThePredicate() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run run = release.promote(web, "prod", "--force", "--force-reason", "INC-42: hotfix");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("note: --force: promoted although it is not admissible in preprod:"), run.out());
    assertTrue(run.out().contains("\"forced\":true,\"forceReason\":\"INC-42: hotfix\""), run.out());
    JsonNode predicate = statement(attestationLayers(web).get(0)).path("predicate");
    assertTrue(predicate.path("forced").asBoolean(), predicate.toString());
    assertEquals("INC-42: hotfix", predicate.path("forceReason").asText());
    assertTrue(predicate.path("from").isMissingNode(), "never a from the digest was not admissible in: " + predicate);
    assertTrue(run.out().contains("admissible   not yet in prod:"), run.out());
    assertFalse(release.admitPod(vertx, "prod", web).allowed(), "forcing does not make up for preprod");
  }

  @Test
  void aTagIsRefusedNamingTheDigestItResolvesTo() {
    TestImages.Pushed web = release.signedImage("shop/web", "2.0");
    Release.Run run = release.promote(registry.reference("shop/web:2.0"), "preprod");
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains("promote by digest; " + registry.host() + "/shop/web:2.0 resolves to "
        + registry.host() + "/shop/web@" + web.digest() + " now"), run.err());
  }

  @Test
  void aDigestThatDoesNotExistIsRefused() {
    ImageReference missing = registry.reference("shop/web@sha256:" + "ab".repeat(32));
    Release.Run run = release.promote(missing, "preprod");
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains(missing + " does not exist in its registry"), run.err());
  }

  @Test
  void anUnknownEnvironmentOrAnImageNoPolicyGovernsIsRefused() {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run unknown = release.promote(web, "staging");
    assertEquals(2, unknown.exit(), "an unknown environment is an input error");
    assertTrue(unknown.err().contains("environment \"staging\" is not defined by the policies (known: dev, preprod, prod)"),
        unknown.err());
    ImageReference other = release.signedImage("other/app", null).pinned();
    Release.Run ungoverned = release.promote(other, "preprod");
    assertEquals(1, ungoverned.exit());
    assertTrue(ungoverned.err().contains("no PromotionPolicy governs " + registry.host() + "/other/app"), ungoverned.err());
  }

  @Test
  void aPromotionDatedInTheFutureIsRefused() {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run run = release.promote(web, "preprod", "--promoted-at", Instant.now().plus(Duration.ofHours(1)).toString());
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains("is in the future; the webhook does not count promotions dated ahead"), run.err());
    Release.Run malformed = release.promote(web, "preprod", "--promoted-at", "yesterday");
    assertEquals(2, malformed.exit(), malformed.toString());
    assertTrue(malformed.err().contains("is not an RFC 3339 time"), malformed.err());
  }

  @Test
  void aKeyThatIsNotAnAuthorityIsRefusedBeforeAnythingIsPushed() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    KeyPair stranger = TestKeys.ed25519();
    Path key = TestKeys.write(directory.resolve("stranger.pem"), TestKeys.pkcs8(stranger));
    Release.Run run = Release.cli("promote", web.toString(), "--env", "preprod", "--key", key.toString(),
        "--policies", release.policies.toString());
    assertEquals(1, run.exit(), run.toString());
    assertTrue(run.err().contains("the policies would not count a promotion to preprod signed with Ed25519 key"),
        run.err());
    assertTrue(run.err().contains("Promotions to preprod must be signed by: release-managers (key "), run.err());
    assertTrue(run.err().contains("release-managers.pub, sha256:"), run.err());
    assertTrue(run.err().contains("nothing pushed"), run.err());
    assertEquals(404, get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att").statusCode());
  }

  @Test
  void anUnsignedDigestIsRefusedWhereASignatureIsRequiredEvenWithForce() throws Exception {
    ImageReference unsigned = release.images.pushImage("shop/web", null).pinned();
    for (String env : List.of("preprod", "prod")) {
      Release.Run run = release.promote(unsigned, env, "--force", "--force-reason", "INC-9");
      assertEquals(1, run.exit(), env + ": " + run);
      assertTrue(run.err().contains("does not meet the signature requirement of " + env), run.err());
      assertTrue(run.err().contains("ci"), run.err());
    }
    assertEquals(404, get("/v2/shop/web/manifests/" + unsigned.digest().tagPrefix() + ".att").statusCode());
  }

  @Test
  void forceNeedsAReason() {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run run = release.promote(web, "prod", "--force");
    assertEquals(2, run.exit(), run.toString());
    assertTrue(run.err().contains("--force needs --force-reason"), run.err());
  }

  @Test
  void aWrongPasswordIsAClearErrorAndNothingIsPushed() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Path wrong = TestKeys.write(directory.resolve("wrong"), "not the password\n");
    Release.Run run = Release.cli("promote", web.toString(), "--env", "preprod", "--key",
        release.releaseKey.toString(), "--password-file", wrong.toString(), "--policies", release.policies.toString());
    assertEquals(2, run.exit(), "a wrong password is an input error: " + run);
    assertEquals("promgate: " + release.releaseKey + ": wrong password for the encrypted key (or the key file is damaged)"
        + "; nothing promoted", run.err().strip());
    assertEquals(404, get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att").statusCode());
  }

  @Test
  void plainKeyFormatsSignPromotionsTheWebhookAccepts() throws Exception {
    for (String format : List.of("pkcs8", "ec")) {
      Path key = TestKeys.write(directory.resolve(format + ".pem"), format.equals("pkcs8")
          ? TestKeys.pkcs8(release.releaseManager) : TestKeys.secEcPrivateKey(release.releaseManager));
      ImageReference web = release.signedImage("shop/web", null).pinned();
      Release.Run run = Release.cli("promote", web.toString(), "--env", "preprod", "--key", key.toString(),
          "--policies", release.policies.toString());
      assertEquals(0, run.exit(), format + ": " + run);
      assertTrue(release.admitPod(vertx, "preprod", web).allowed(), format);
    }
  }

  @Test
  void aKeyMadeByCosignSignsPromotionsTheWebhookAccepts() throws Exception {
    SigningKey cosignKey = SigningKey.fromPem(CosignKeyVectors.COSIGN_GENERATED_EMPTY_PASSWORD, "cosign.key", () -> new char[0]);
    TestKeys.write(release.policies.resolve("keys/release-managers.pub"), TestKeys.publicPem(cosignKey.publicKey()));
    Path key = TestKeys.write(directory.resolve("cosign.key"), CosignKeyVectors.COSIGN_GENERATED_EMPTY_PASSWORD);
    Path empty = TestKeys.write(directory.resolve("empty-password"), "");
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Release.Run run = Release.cli("promote", web.toString(), "--env", "preprod", "--key", key.toString(),
        "--password-file", empty.toString(), "--policies", release.policies.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("signed with  ECDSA P-256 key " + key + " (sha256:" + cosignKey.fingerprint() + ")"),
        run.out());
    assertTrue(release.admitPod(vertx, "preprod", web).allowed());
  }

  @Test
  void rsaAndEd25519AuthoritiesWork() throws Exception {
    for (KeyPair pair : List.of(TestKeys.rsa(2048), TestKeys.ed25519())) {
      TestKeys.write(release.policies.resolve("keys/release-managers.pub"), TestKeys.publicPem(pair.getPublic()));
      Path key = TestKeys.write(directory.resolve("k-" + pair.getPublic().getAlgorithm() + ".key"),
          TestKeys.cosignEncrypted(pair, "pw"));
      Path password = TestKeys.write(directory.resolve("pw"), "pw");
      ImageReference web = release.signedImage("shop/web", null).pinned();
      Release.Run run = Release.cli("promote", web.toString(), "--env", "preprod", "--key", key.toString(),
          "--password-file", password.toString(), "--policies", release.policies.toString());
      assertEquals(0, run.exit(), pair.getPublic().getAlgorithm() + ": " + run);
      assertTrue(release.admitPod(vertx, "preprod", web).allowed(), pair.getPublic().getAlgorithm());
    }
  }

  // ---- the format cosign reads -----------------------------------------------------------------

  @Test
  void thePushedManifestHasCosignsShape() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    Instant at = Instant.parse("2026-11-26T09:00:00Z");
    Release.Run run = release.promote(web, "preprod", "--promoted-at", "2026-11-26T09:00:00Z", "--change", "CHG-7");
    assertEquals(0, run.exit(), run.toString());

    HttpResponse<byte[]> response = get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att");
    assertEquals(200, response.statusCode());
    assertEquals("application/vnd.oci.image.manifest.v1+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode manifest = JSON.readTree(response.body());
    List<String> fields = List.copyOf(manifest.propertyNames());
    assertEquals(List.of("schemaVersion", "mediaType", "config", "layers"), fields);
    assertEquals(2, manifest.path("schemaVersion").asInt());
    assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.path("mediaType").asText());
    JsonNode config = manifest.path("config");
    assertEquals(List.of("mediaType", "size", "digest"), List.copyOf(config.propertyNames()));
    assertEquals("application/vnd.oci.image.config.v1+json", config.path("mediaType").asText());
    JsonNode layer = manifest.path("layers").get(0);
    assertEquals(1, manifest.path("layers").size());
    assertEquals(List.of("mediaType", "size", "digest", "annotations"), List.copyOf(layer.propertyNames()));
    assertEquals("application/vnd.dsse.envelope.v1+json", layer.path("mediaType").asText());
    assertEquals("{\"dev.cosignproject.cosign/signature\":\"\",\"predicateType\":\"https://promgate.dev/promotion/v1\"}",
        layer.path("annotations").toString());

    String configJson = Release.utf8(blob(config.path("digest").asText()));
    assertEquals("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":"
        + "\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + layer.path("digest").asText() + "\"]},\"config\":{}}", configJson);

    byte[] envelopeBytes = blob(layer.path("digest").asText());
    assertEquals(layer.path("size").asLong(), envelopeBytes.length);
    JsonNode envelope = JSON.readTree(envelopeBytes);
    assertEquals(List.of("payloadType", "payload", "signatures"), List.copyOf(envelope.propertyNames()));
    assertEquals("application/vnd.in-toto+json", envelope.path("payloadType").asText());
    assertEquals(1, envelope.path("signatures").size());
    assertEquals(List.of("keyid", "sig"), List.copyOf(envelope.path("signatures").get(0).propertyNames()));
    assertEquals("", envelope.path("signatures").get(0).path("keyid").asText());

    byte[] payload = Base64.getDecoder().decode(envelope.path("payload").asText());
    JsonNode statement = JSON.readTree(payload);
    assertEquals("https://in-toto.io/Statement/v1", statement.path("_type").asText());
    assertEquals("https://promgate.dev/promotion/v1", statement.path("predicateType").asText());
    assertEquals(web.name(), statement.path("subject").get(0).path("name").asText());
    assertEquals(web.digest().hex(), statement.path("subject").get(0).path("digest").path("sha256").asText());
    assertEquals("{\"environment\":\"preprod\",\"promotedAt\":\"" + at + "\",\"approver\":\"alice@acme.example\","
        + "\"change\":\"CHG-7\"}", statement.path("predicate").toString());

    // The signature is over the DSSE pre-authentication encoding, checked here independently.
    byte[] type = "application/vnd.in-toto+json".getBytes(StandardCharsets.UTF_8);
    byte[] pae = concat(("DSSEv1 " + type.length + " application/vnd.in-toto+json " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8), payload);
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(release.releaseManager.getPublic());
    verifier.update(pae);
    assertTrue(verifier.verify(Base64.getDecoder().decode(envelope.path("signatures").get(0).path("sig").asText())));
  }

  @Test
  void appendingKeepsTheAttestationsAlreadyThere() throws Exception {
    ImageReference web = release.signedImage("shop/web", null).pinned();
    byte[] provenance = ("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":"
        + "[{\"keyid\":\"\",\"sig\":\"AAAA\"}]}").getBytes(StandardCharsets.UTF_8);
    release.images.pushCosignAttestations(web, List.of(
        TestImages.Layer.of(TestImages.DSSE_ENVELOPE, provenance)
            .annotate("predicateType", "https://slsa.dev/provenance/v1")
            .annotate("dev.sigstore.cosign/bundle", "{\"SignedEntryTimestamp\":\"x\"}")));
    JsonNode before = JSON.readTree(get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att").body());

    assertEquals(0, release.promote(web, "preprod").exit());
    Release.Run second = release.promote(web, "preprod", "--change", "again");
    assertEquals(0, second.exit(), second.toString());
    assertTrue(second.out().contains(".att layer 2"), second.out());

    JsonNode after = JSON.readTree(get("/v2/shop/web/manifests/" + web.digest().tagPrefix() + ".att").body());
    assertEquals(3, after.path("layers").size());
    assertEquals(before.path("layers").get(0), after.path("layers").get(0), "the existing layer is kept as it was");
    for (int i = 1; i < 3; i++) {
      assertEquals("https://promgate.dev/promotion/v1", after.path("layers").get(i).path("annotations")
          .path("predicateType").asText());
    }
    JsonNode config = JSON.readTree(blob(after.path("config").path("digest").asText()));
    assertEquals(3, config.path("rootfs").path("diff_ids").size());
    for (int i = 0; i < 3; i++) {
      assertEquals(after.path("layers").get(i).path("digest").asText(),
          config.path("rootfs").path("diff_ids").get(i).asText());
    }
    assertTrue(release.admitPod(vertx, "preprod", web).allowed());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private List<byte[]> attestationLayers(ImageReference image) throws Exception {
    JsonNode manifest = JSON.readTree(get("/v2/shop/web/manifests/" + image.digest().tagPrefix() + ".att").body());
    List<byte[]> layers = new java.util.ArrayList<>();
    for (JsonNode layer : manifest.path("layers")) {
      layers.add(blob(layer.path("digest").asText()));
    }
    return layers;
  }

  private static JsonNode statement(byte[] envelope) throws Exception {
    return JSON.readTree(Base64.getDecoder().decode(JSON.readTree(envelope).path("payload").asText()));
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(registry.uri(path))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] blob(String digest) throws Exception {
    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(registry.uri("/v2/shop/web/blobs/" + digest)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertTrue(Digest.parse(digest).matches(r.body()));
    return r.body();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
