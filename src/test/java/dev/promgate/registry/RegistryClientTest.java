package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.Await;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import dev.promgate.testing.TestImages.Pushed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading and writing against a real distribution 2.8 registry (anonymous, plain HTTP). */
class RegistryClientTest {

  private static final Digest ABSENT = Digest.sha256Of("no such image".getBytes(StandardCharsets.UTF_8));

  static Vertx vertx;
  static LocalRegistry registry;
  static TestImages images;
  static RegistryClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    client = RegistryClient.builder(vertx).registries(List.of(registry.settings())).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
    Await.result(vertx.close());
  }

  @Test
  void resolvesATagToTheDigestOfItsManifest() {
    Pushed image = images.pushImage("resolve/web", "1.0");

    Digest resolved = Await.result(client.resolve(registry.reference("resolve/web:1.0"), Await.deadline()));

    assertEquals(image.digest(), resolved);
    assertEquals(Digest.sha256Of(image.manifest()), resolved);
  }

  @Test
  void resolvingAPinnedReferenceAnswersItsDigest() {
    ImageReference pinned = registry.reference("resolve/pinned@" + ABSENT);

    assertEquals(ABSENT, Await.result(client.resolve(pinned, Await.deadline())));
  }

  @Test
  void aMissingTagIsNotFoundWithTheDistributionErrorCode() {
    images.pushImage("resolve/missing", "1.0");

    RegistryException e = Await.failure(client.resolve(registry.reference("resolve/missing:2.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.kind().imageFails());
    assertEquals(Optional.of(404), e.httpStatus());
    assertTrue(e.getMessage().startsWith(registry.host() + ": tag resolve/missing:2.0: not found"), e.getMessage());
  }

  @Test
  void readsAManifestByTagAndByDigest() {
    Pushed image = images.pushImage("manifests/web", "1.0");

    Manifest byTag = Await.result(client.manifest(registry.reference("manifests/web:1.0"), Await.deadline()));
    Manifest byDigest = Await.result(client.manifest(image.pinned(), Await.deadline()));

    assertEquals(image.digest(), byTag.digest());
    assertEquals(byTag, byDigest);
    assertArrayEquals(image.manifest(), byDigest.bytes());
    assertEquals(MediaTypes.OCI_MANIFEST, byDigest.mediaType());
    assertFalse(byDigest.isIndex());
    assertEquals(MediaTypes.OCI_CONFIG, byDigest.config().orElseThrow().mediaType());
    assertEquals(1, byDigest.layers().size());
    assertEquals(MediaTypes.OCI_LAYER_TAR_GZIP, byDigest.layers().get(0).mediaType());
  }

  @Test
  void aMissingDigestIsNotFoundAndTheMessageSaysWhatToDo() {
    images.pushImage("manifests/missing", "1.0");

    RegistryException e = Await.failure(client.manifest(registry.reference("manifests/missing@" + ABSENT),
        Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
    assertEquals(Optional.of(DistributionErrorCode.MANIFEST_UNKNOWN), e.errorCode());
    assertEquals("manifest manifests/missing@" + ABSENT, e.endpoint());
    assertTrue(e.getMessage().contains("check that the image was pushed to this repository"), e.getMessage());
  }

  @Test
  void readsAMultiArchIndexWithPlatforms() {
    Pushed amd64 = images.pushImage("index/web", null, "linux", "amd64");
    Pushed arm64 = images.pushImage("index/web", null, "linux", "arm64");
    Pushed index = images.pushIndex("index/web", "1.0", List.of(amd64, arm64));

    Manifest m = Await.result(client.manifest(registry.reference("index/web:1.0"), Await.deadline()));

    assertTrue(m.isIndex());
    assertEquals(index.digest(), m.digest());
    assertEquals(List.of(amd64.digest(), arm64.digest()), m.manifests().stream().map(Descriptor::digest).toList());
    assertEquals("linux/arm64", m.manifests().get(1).platform().orElseThrow().toString());
    assertEquals(index.digest(), Await.result(client.resolve(registry.reference("index/web:1.0"), Await.deadline())));
  }

  @Test
  void readsABlobAndChecksItsDigest() {
    Pushed image = images.pushImage("blobs/web", "1.0");
    Manifest m = Await.result(client.manifest(image.pinned(), Await.deadline()));
    Descriptor config = m.config().orElseThrow();

    byte[] bytes = Await.result(client.blob(image.pinned(), config, Await.deadline()));

    assertEquals(config.size(), bytes.length);
    assertTrue(config.digest().matches(bytes));
  }

  @Test
  void aLargeBlobIsCheckedOffTheEventLoopAndReadWhole() {
    byte[] content = TestImages.randomBytes(3 * 1024 * 1024 + 17);
    TestImages.Blob pushed = images.pushBlob("blobs/large", MediaTypes.OCI_LAYER_TAR_GZIP, content);

    byte[] bytes = Await.result(client.blob(registry.reference("blobs/large"),
        Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, pushed.digest(), content.length), Await.deadline()));

    assertArrayEquals(content, bytes);
  }

  @Test
  void attachmentsStopAtTheirTotalByteBudget() {
    Pushed image = images.pushImage("cosign/heavy", "1.0");
    images.pushCosignSignatures(image.pinned(), List.of(
        Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, TestImages.randomBytes(600)),
        Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, TestImages.randomBytes(600))));
    RegistryClient small = RegistryClient.builder(vertx).registries(List.of(registry.settings()))
        .maxAttachmentBytes(1000).build();
    try {
      RegistryException e = Await.failure(small.attachments(image.pinned(), Await.deadline()), RegistryException.class);

      assertEquals(RegistryException.Kind.TOO_LARGE, e.kind());
      assertTrue(e.getMessage().contains("raise GateConfig spec.limits.maxAttachmentBytes"), e.getMessage());
    } finally {
      small.close();
    }
  }

  @Test
  void aBlobOverTheCapIsRefusedBeforeAnyRequest() {
    RegistryClient small = RegistryClient.builder(vertx).registries(List.of(registry.settings()))
        .maxBlobBytes(100).build();
    try {
      Descriptor big = Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, ABSENT, 101);

      Future<byte[]> f = small.blob(registry.reference("blobs/big"), big, Await.deadline());

      assertTrue(f.failed(), "refused at once");
      assertEquals(RegistryException.Kind.TOO_LARGE, Await.failure(f, RegistryException.class).kind());
    } finally {
      small.close();
    }
  }

  @Test
  void readsCosignSignaturesAndAttestationsWithTheirAnnotations() {
    Pushed image = images.pushImage("cosign/web", "1.0");
    byte[] payload = TestImages.simpleSigningPayload(image.pinned());
    images.pushCosignSignatures(image.pinned(), List.of(
        Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, payload).annotate(Attachments.COSIGN_SIGNATURE, "c2lnLTE="),
        Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, payload).annotate(Attachments.COSIGN_SIGNATURE, "c2lnLTI=")
            .annotate("dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----")));
    byte[] envelope = "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":[]}"
        .getBytes(StandardCharsets.UTF_8);
    images.pushCosignAttestations(image.pinned(), List.of(Layer.of(TestImages.DSSE_ENVELOPE, envelope)
        .annotate(Attachments.PREDICATE_TYPE, "https://promgate.dev/promotion/v1")));

    Attachments a = Await.result(client.attachments(image.pinned(), Await.deadline()));

    assertEquals(image.digest(), a.digest());
    assertTrue(a.imageManifest().isEmpty(), "with attachments found, the image manifest is not fetched");
    Attachments.Artifact sig = a.signatures().orElseThrow();
    assertEquals(image.pinned().name() + ":" + image.digest().tagPrefix() + ".sig", sig.source());
    assertEquals(2, sig.layers().size());
    assertArrayEquals(payload, sig.layers().get(0).content());
    assertEquals(Optional.of("c2lnLTE="), sig.layers().get(0).annotation(Attachments.COSIGN_SIGNATURE));
    assertEquals(Optional.of("-----BEGIN CERTIFICATE-----"), sig.layers().get(1).annotation("dev.sigstore.cosign/certificate"));
    Attachments.Artifact att = a.attestations().orElseThrow();
    assertArrayEquals(envelope, att.layers().get(0).content());
    assertEquals(MediaTypes.DSSE_ENVELOPE, att.layers().get(0).mediaType());
    assertEquals(Optional.of("https://promgate.dev/promotion/v1"), att.layers().get(0).annotation(Attachments.PREDICATE_TYPE));
    assertTrue(a.referrers().isEmpty());
    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource(), "distribution 2.8 has no referrers API");
    assertTrue(a.unavailable().isEmpty());
    assertEquals(7, a.roundTrips(), ".sig, 2 layers, .att, 1 layer, referrers API probe, referrers tag");

    // The registry is now known to lack the referrers API: the next digest skips the probe.
    Pushed other = images.pushImage("cosign/signed", "2.0");
    images.pushCosignSignatures(other.pinned(), List.of(Layer.of(TestImages.COSIGN_SIMPLE_SIGNING, payload)
        .annotate(Attachments.COSIGN_SIGNATURE, "c2lnLTE=")));
    Attachments second = Await.result(client.attachments(other.pinned(), Await.deadline()));
    assertEquals(4, second.roundTrips(), ".sig, 1 layer, .att (missing), referrers tag (missing)");
  }

  @Test
  void anImageWithNothingAttachedIsEmptyNotAnError() {
    Pushed image = images.pushImage("cosign/unsigned", "1.0");

    Attachments a = Await.result(client.attachments(image.pinned(), Await.deadline()));

    assertTrue(a.isEmpty());
    assertTrue(a.signatures().isEmpty());
    assertTrue(a.attestations().isEmpty());
    assertTrue(a.referrers().isEmpty());
  }

  @Test
  void attachmentsOfAMissingImageFailAsNotFoundRatherThanLookingUnsigned() {
    images.pushImage("cosign/gone", "1.0");

    RegistryException e = Await.failure(client.attachments(registry.reference("cosign/gone@" + ABSENT), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.kind().imageFails());
  }

  @Test
  void referrersFallBackToTheTagSchemaAndAreFetchedByArtifactType() {
    Pushed image = images.pushImage("referrers/web", "1.0");
    byte[] bundle = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}".getBytes(StandardCharsets.UTF_8);
    Pushed bundleReferrer = images.pushReferrer(image, TestImages.SIGSTORE_BUNDLE_V03,
        List.of(Layer.of(TestImages.SIGSTORE_BUNDLE_V03, bundle)),
        Map.of("dev.sigstore.bundle.predicateType", "https://slsa.dev/provenance/v1"));
    Pushed sbom = images.pushReferrer(image, "application/spdx+json",
        List.of(Layer.of("application/spdx+json", TestImages.randomBytes(64))), Map.of());

    Attachments a = Await.result(client.attachments(image.pinned(), Await.deadline()));

    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource());
    assertEquals(1, a.referrers().size());
    Attachments.Artifact referrer = a.referrers().get(0);
    assertEquals(bundleReferrer.digest(), referrer.manifest().digest());
    assertEquals(Optional.of(MediaTypes.SIGSTORE_BUNDLE_V03), referrer.artifactType());
    assertEquals(image.digest(), referrer.manifest().subject().orElseThrow().digest());
    assertArrayEquals(bundle, referrer.layers().get(0).content());
    assertEquals(List.of(sbom.digest()), a.otherReferrers().stream().map(Descriptor::digest).toList());

    List<Descriptor> onlySboms = Await.result(client.referrers(image.pinned(), image.digest(),
        Optional.of("application/spdx+json"), Await.deadline()));
    assertEquals(List.of(sbom.digest()), onlySboms.stream().map(Descriptor::digest).toList());
    List<Descriptor> all = Await.result(client.referrers(image.pinned(), image.digest(), Optional.empty(),
        Await.deadline()));
    assertEquals(2, all.size());
  }

  @Test
  void otherReferrerTypesCanBeFetchedOnRequest() {
    Pushed image = images.pushImage("referrers/sbom", "1.0");
    byte[] spdx = TestImages.randomBytes(100);
    images.pushReferrer(image, "application/spdx+json", List.of(Layer.of("application/spdx+json", spdx)), Map.of());

    Attachments a = Await.result(client.attachments(image.pinned(), Set.of("application/spdx+json"), Await.deadline()));

    assertArrayEquals(spdx, a.referrers().get(0).layers().get(0).content());
    assertTrue(a.otherReferrers().isEmpty());
  }

  @Test
  void listsTags() {
    images.pushImage("tags/web", "1.0");
    images.pushImage("tags/web", "1.1");
    images.pushImage("tags/web", "latest");

    List<String> tags = Await.result(client.tags(registry.reference("tags/web"), Await.deadline()));

    assertEquals(Set.of("1.0", "1.1", "latest"), Set.copyOf(tags));
  }

  @Test
  void pushesBlobsAndManifestsThatReadBackIdentically() {
    ImageReference repo = registry.reference("push/web");
    byte[] layer = TestImages.randomBytes(300);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    Descriptor layerD = Await.result(client.pushBlob(repo, MediaTypes.OCI_LAYER_TAR_GZIP, layer, Await.deadline()));
    Descriptor again = Await.result(client.pushBlob(repo, MediaTypes.OCI_LAYER_TAR_GZIP, layer, Await.deadline()));
    Descriptor configD = Await.result(client.pushBlob(repo, MediaTypes.OCI_CONFIG, config, Await.deadline()));
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
        + descriptorJson(configD) + ",\"layers\":[" + descriptorJson(layerD) + "]}").getBytes(StandardCharsets.UTF_8);

    Digest digest = Await.result(client.pushManifest(repo, "2.0", MediaTypes.OCI_MANIFEST, manifest, Await.deadline()));

    assertEquals(layerD, again);
    assertEquals(Digest.sha256Of(manifest), digest);
    assertArrayEquals(manifest, Await.result(client.manifest(repo, "2.0", Await.deadline())).bytes());
    assertArrayEquals(layer, Await.result(client.blob(repo, layerD, Await.deadline())));
    assertEquals(digest, Await.result(client.pushManifest(repo, digest.toString(), MediaTypes.OCI_MANIFEST,
        manifest, Await.deadline())));
  }

  @Test
  void readsDockerSchema2Manifests() {
    ImageReference repo = registry.reference("docker/web");
    TestImages.Blob config = images.pushBlob("docker/web", MediaTypes.DOCKER_CONFIG,
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{"
        + "\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\"" + config.digest() + "\",\"size\":"
        + config.size() + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    images.pushManifest("docker/web", "1.0", MediaTypes.DOCKER_MANIFEST, manifest);

    Manifest m = Await.result(client.manifest(repo, "1.0", Await.deadline()));

    assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
    assertEquals(Digest.sha256Of(manifest), m.digest());
  }

  @Test
  void aRegistryOutsideTheAllowListIsRefusedAtOnce() {
    Future<Attachments> f = client.attachments(ImageReference.parse("evil.example/shop/web@" + ABSENT), Await.deadline());

    assertTrue(f.failed(), "refused synchronously, before any network activity");
    RegistryException e = Await.failure(f, RegistryException.class);
    assertEquals(RegistryException.Kind.NOT_ALLOWED, e.kind());
    assertFalse(e.kind().imageFails(), "the decision step denies such images itself; here it means a lagging allow-list");
    assertTrue(e.getMessage().startsWith("evil.example: image evil.example/shop/web: this registry is not in the allow-list"),
        e.getMessage());
    assertFalse(client.allows("evil.example"));
    assertTrue(client.allows(registry.host()));
  }

  private static String descriptorJson(Descriptor d) {
    return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
  }
}
