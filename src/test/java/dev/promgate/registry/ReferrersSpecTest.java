package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.HostPattern;
import dev.promgate.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Referrer discovery as the OCI distribution spec 1.1 tells a client to do it, against answers
 * real registries give: a 404 (with or without an error body) falls back to the referrers tag
 * schema unless it says NAME_UNKNOWN; a referrers tag that holds a manifest is "no referrers" and
 * the cosign tags are still read; a redirect of the referrers endpoint is followed like a blob
 * redirect; 429 and 5xx are failures that name the registry and its Retry-After.
 */
class ReferrersSpecTest {

  static Vertx vertx;
  FakeRegistry fake;
  final List<RegistryClient> clients = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    Await.result(vertx.close());
  }

  @BeforeEach
  void startFake() {
    fake = new FakeRegistry(vertx);
  }

  @AfterEach
  void stopFake() {
    clients.forEach(RegistryClient::close);
    fake.close();
  }

  private RegistryClient client() {
    return client(fake.settings());
  }

  private RegistryClient client(GateConfig.RegistrySettings settings) {
    RegistryClient c = RegistryClient.builder(vertx).registries(List.of(settings))
        .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20))).build();
    clients.add(c);
    return c;
  }

  private static Predicate<HttpServerRequest> path(String part) {
    return r -> r.path().contains(part);
  }

  private Digest image(String repository) {
    fake.putBlob(repository, "{}".getBytes(StandardCharsets.UTF_8));
    return fake.putManifest(repository, "1.0", MediaTypes.OCI_MANIFEST, manifestBytes());
  }

  private Digest bundleReferrer(String repository, Digest subject) {
    byte[] layer = "{\"bundle\":true}".getBytes(StandardCharsets.UTF_8);
    Digest layerDigest = fake.putBlob(repository, layer);
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
        + MediaTypes.SIGSTORE_BUNDLE_V03 + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\""
        + Digest.sha256Of("{}".getBytes(StandardCharsets.UTF_8)) + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
        + MediaTypes.SIGSTORE_BUNDLE_V03 + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length
        + "}],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":100}}";
    return fake.putManifest(repository, null, MediaTypes.OCI_MANIFEST, json.getBytes(StandardCharsets.UTF_8));
  }

  private String index(Digest referrer) {
    return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + referrer + "\",\"size\":1,\"artifactType\":\""
        + MediaTypes.SIGSTORE_BUNDLE_V03 + "\"}]}";
  }

  private void referrersTag(String repository, Digest subject, Digest referrer) {
    fake.putManifest(repository, subject.tagPrefix(), MediaTypes.OCI_INDEX,
        index(referrer).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a404WithAnErrorBodyOtherThanNameUnknownFallsBackToTheTagSchema() {
    Digest image = image("quay/web");
    Digest bundle = bundleReferrer("quay/web", image);
    referrersTag("quay/web", image, bundle);
    fake.when(path("/v2/quay/web/referrers/"), r -> FakeRegistry.error(r, 404, "MANIFEST_UNKNOWN", "manifest unknown"));
    RegistryClient client = client();

    Attachments a = Await.result(client.attachments(fake.reference("quay/web@" + image), Await.deadline()));

    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource());
    assertEquals(bundle, a.referrers().get(0).manifest().digest());
    // Only that answer lacked a list: the registry is not marked as having no API.
    Digest other = image("api/web");
    Digest otherBundle = bundleReferrer("api/web", other);
    Attachments b = Await.result(client.attachments(fake.reference("api/web@" + other), Await.deadline()));
    assertEquals(Attachments.ReferrersSource.API, b.referrersSource());
    assertEquals(otherBundle, b.referrers().get(0).manifest().digest());
  }

  @Test
  void a404WithoutABodyFallsBackToTheTagSchema() {
    Digest image = image("bare/web");
    Digest bundle = bundleReferrer("bare/web", image);
    referrersTag("bare/web", image, bundle);
    fake.when(path("/referrers/"), r -> r.response().setStatusCode(404).end());

    Attachments a = Await.result(client().attachments(fake.reference("bare/web@" + image), Await.deadline()));

    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource());
    assertEquals(bundle, a.referrers().get(0).manifest().digest());
  }

  @Test
  void nameUnknownEndsTheSearchWithoutTheTagSchema() {
    Digest image = image("gone/web");
    fake.when(path("/referrers/"), r -> FakeRegistry.error(r, 404, "NAME_UNKNOWN", "repository name not known"));

    Await.result(client().attachments(fake.reference("gone/web@" + image), Await.deadline()));

    assertTrue(fake.requests(image.tagPrefix()).stream().allMatch(r -> r.path().endsWith(".sig") || r.path().endsWith(".att")),
        "no referrers tag was read: " + fake.requests(image.tagPrefix()));
  }

  @Test
  void aReferrersTagHoldingTheImageItselfMeansNoReferrersAndTheCosignTagsStillCount() {
    Digest image = image("gitlab/web");
    fake.referrersApi(false);
    // GitLab's registry is reported to resolve the sha256-<hex> tag to the image manifest.
    fake.putManifest("gitlab/web", image.tagPrefix(), MediaTypes.OCI_MANIFEST, manifestBytes());
    byte[] payload = "{\"critical\":{}}".getBytes(StandardCharsets.UTF_8);
    Digest layer = fake.putBlob("gitlab/web", payload);
    String sig = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of("{}".getBytes(StandardCharsets.UTF_8))
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\""
        + layer + "\",\"size\":" + payload.length + ",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"c2ln\"}}]}";
    fake.putManifest("gitlab/web", image.tagPrefix() + ".sig", MediaTypes.OCI_MANIFEST, sig.getBytes(StandardCharsets.UTF_8));

    Attachments a = Await.result(client().attachments(fake.reference("gitlab/web@" + image), Await.deadline()));

    assertTrue(a.referrers().isEmpty());
    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource());
    assertEquals(1, a.signatures().orElseThrow().layers().size(), "the .sig is read as before");
  }

  private static byte[] manifestBytes() {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":2},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRedirectOfTheReferrersEndpointIsFollowedLikeABlobRedirect() throws Exception {
    Digest image = image("ghcr/web");
    Digest bundle = bundleReferrer("ghcr/web", image);
    try (FakeRegistry elsewhere = new FakeRegistry(vertx)) {
      elsewhere.when(path("/referrers-elsewhere/"), r -> r.response().putHeader("Content-Type", MediaTypes.OCI_INDEX)
          .end(index(bundle)));
      fake.when(path("/referrers/"), r -> r.response().setStatusCode(303)
          .putHeader("Location", elsewhere.origin() + "/referrers-elsewhere/" + image.hex()).end());

      // Only to a host the GateConfig allows for this registry, as for blob redirects.
      RegistryException refused = Await.failure(client().attachments(fake.reference("ghcr/web@" + image),
          Await.deadline()), RegistryException.class);
      assertTrue(refused.getMessage().contains("not allowed for this registry (redirectHosts"), refused.getMessage());
      assertEquals(0, elsewhere.requests().size());

      RegistryClient allowing = client(new GateConfig.RegistrySettings(fake.host(), true, Optional.empty(),
          Optional.empty(), Optional.of(List.of(HostPattern.parse(elsewhere.host())))));
      Attachments a = Await.result(allowing.attachments(fake.reference("ghcr/web@" + image), Await.deadline()));

      assertEquals(Attachments.ReferrersSource.API, a.referrersSource());
      assertEquals(bundle, a.referrers().get(0).manifest().digest());
      assertEquals(1, elsewhere.requests().size());
      assertNull(elsewhere.requests().get(0).authorization());
    }
  }

  @Test
  void rateLimitedReferrersNameTheRegistryAndItsRetryAfter() {
    Digest image = image("limited/web");
    fake.when(path("/referrers/"), r -> r.response().setStatusCode(429).putHeader("Retry-After", "0").end());

    RegistryException e = Await.failure(client().attachments(fake.reference("limited/web@" + image), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.RATE_LIMITED, e.kind());
    assertTrue(e.getMessage().contains(fake.host()), e.getMessage());
    assertTrue(e.getMessage().contains("it asks to retry in 0 s"), e.getMessage());
    assertTrue(!e.kind().imageFails(), "Unverifiable, not a property of the image");
  }

  @Test
  void serverErrorsOnTheReferrersEndpointAreUnverifiableNotUnsigned() {
    Digest image = image("broken/web");
    fake.when(path("/referrers/"), r -> r.response().setStatusCode(503).end());

    RegistryException e = Await.failure(client().attachments(fake.reference("broken/web@" + image), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains(fake.host()), e.getMessage());
    assertTrue(!e.kind().imageFails());
  }
}
