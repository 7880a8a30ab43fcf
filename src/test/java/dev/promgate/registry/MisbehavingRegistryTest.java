package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.GateConfig;
import dev.promgate.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real registry does not do on demand: errors, rate limits, hangs, lies, endless bodies,
 * redirects to other hosts, and the OCI referrers API. Against {@link FakeRegistry}.
 */
class MisbehavingRegistryTest {

  static Vertx vertx;
  FakeRegistry fake;
  final List<RegistryClient> clients = new ArrayList<>();

  @TempDir
  Path temp;

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

  private RegistryClientBuilder builder() {
    return RegistryClient.builder(vertx).registries(List.of(fake.settings()))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  private RegistryClient client(RegistryClientBuilder b) {
    RegistryClient c = b.build();
    clients.add(c);
    return c;
  }

  private RegistryClient client() {
    return client(builder());
  }

  private static Predicate<HttpServerRequest> path(String part) {
    return r -> r.path().contains(part);
  }

  private Digest manifest(String repository, String tag) {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Digest configDigest = fake.putBlob(repository, config);
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}";
    return fake.putManifest(repository, tag, MediaTypes.OCI_MANIFEST, json.getBytes(StandardCharsets.UTF_8));
  }

  // Status codes and retries -----------------------------------------------------------------

  @Test
  void serverErrorsAreRetriedThenSucceed() {
    Digest d = manifest("retry/web", "1.0");
    AtomicInteger failures = new AtomicInteger();
    fake.when(r -> path("/manifests/").test(r) && failures.getAndIncrement() < 2,
        r -> FakeRegistry.error(r, 503, "UNAVAILABLE", "try later"));

    assertEquals(d, Await.result(client().resolve(fake.reference("retry/web:1.0"), Await.deadline())));
    assertEquals(3, fake.requests("/manifests/").size());
  }

  @Test
  void persistentServerErrorsFailAfterTheAllowedAttempts() {
    fake.when(path("/manifests/"), r -> r.response().setStatusCode(500).end("boom"));

    RegistryException e = Await.failure(client().resolve(fake.reference("retry/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.SERVER_ERROR, e.kind());
    assertFalse(e.kind().imageFails());
    assertTrue(e.getMessage().contains("registry error (500) after 3 attempts"), e.getMessage());
    assertEquals(3, fake.requests().size());
  }

  @Test
  void retryAfterInSecondsIsHonoured() {
    Digest d = manifest("ratelimit/web", "1.0");
    AtomicInteger limited = new AtomicInteger();
    fake.when(r -> limited.getAndIncrement() == 0,
        r -> r.response().setStatusCode(429).putHeader("Retry-After", "1").end());

    Instant before = Instant.now();
    assertEquals(d, Await.result(client().resolve(fake.reference("ratelimit/web:1.0"), Await.deadline())));

    assertEquals(2, fake.requests().size());
    assertFalse(Instant.now().isBefore(before.plusSeconds(1)), "waited as asked");
  }

  @Test
  void retryAfterPastTheDeadlineFailsAtOnceAsRateLimited() {
    fake.when(path("/manifests/"), r -> r.response().setStatusCode(429).putHeader("Retry-After", "3600")
        .putHeader("Content-Type", "application/json")
        .end("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}"));

    RegistryException e = Await.failure(client().manifest(fake.reference("ratelimit/web:1.0"),
        Instant.now().plusSeconds(20)), RegistryException.class);

    assertEquals(RegistryException.Kind.RATE_LIMITED, e.kind());
    assertEquals(Optional.of(DistributionErrorCode.TOOMANYREQUESTS), e.errorCode());
    assertTrue(e.getMessage().contains("it asks to retry in 3600 s, past this admission request's deadline"),
        e.getMessage());
    assertEquals(1, fake.requests().size(), "no wait was begun that could not end in time");
  }

  @Test
  void retryAfterAsAnHttpDateIsUnderstood() {
    String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(3600).atZone(ZoneOffset.UTC));
    fake.when(path("/manifests/"), r -> r.response().setStatusCode(429).putHeader("Retry-After", inAnHour).end());

    RegistryException e = Await.failure(client().resolve(fake.reference("ratelimit/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.RATE_LIMITED, e.kind());
    // The seconds left of the hour depend on how long the request took: anything close to an hour.
    java.util.regex.Matcher asked = java.util.regex.Pattern.compile("it asks to retry in (\\d+) s").matcher(e.getMessage());
    assertTrue(asked.find(), e.getMessage());
    long seconds = Long.parseLong(asked.group(1));
    assertTrue(seconds > 3000 && seconds <= 3600, e.getMessage());
  }

  @Test
  void unauthorizedWithoutAChallengeIsUnauthorized() {
    fake.when(path("/manifests/"), r -> FakeRegistry.error(r, 401, "UNAUTHORIZED", "authentication required"));

    RegistryException e = Await.failure(client().manifest(fake.reference("auth/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
    assertEquals(Optional.of(DistributionErrorCode.UNAUTHORIZED), e.errorCode());
    assertTrue(e.getMessage().contains("the answer carries no Basic or Bearer challenge"), e.getMessage());
  }

  @Test
  void forbiddenIsUnauthorized() {
    fake.when(path("/manifests/"), r -> FakeRegistry.error(r, 403, "DENIED", "requested access to the resource is denied"));

    RegistryException e = Await.failure(client().manifest(fake.reference("auth/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
    assertEquals(Optional.of(DistributionErrorCode.DENIED), e.errorCode());
    assertEquals(Optional.of(403), e.httpStatus());
  }

  @Test
  void aRefusedConnectionIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    GateConfig.RegistrySettings nobody = new GateConfig.RegistrySettings("127.0.0.1:" + closedPort, true, Optional.empty());
    RegistryClient client = client(builder().registries(List.of(nobody)));

    RegistryException e = Await.failure(client.resolve(
        ImageReference.parse("127.0.0.1:" + closedPort + "/x/web:1.0"), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  void aResetConnectionIsRetried() {
    Digest d = manifest("reset/web", "1.0");
    AtomicInteger resets = new AtomicInteger();
    fake.when(r -> resets.getAndIncrement() == 0, r -> r.connection().close());

    assertEquals(d, Await.result(client().resolve(fake.reference("reset/web:1.0"), Await.deadline())));
    assertEquals(2, fake.requests().size());
  }

  // Time --------------------------------------------------------------------------------------

  @Test
  void aHangingRegistryTimesOutPerRequest() {
    fake.when(path("/manifests/"), r -> { });
    RegistryClient client = client(builder().requestTimeout(Duration.ofMillis(300)));

    RegistryException e = Await.failure(client.manifest(fake.reference("slow/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("no complete answer within the request timeout of 300 ms"), e.getMessage());
    assertEquals(1, fake.requests().size(), "a timeout is not retried");
  }

  @Test
  void aHangingRegistryCannotHoldACallPastItsDeadline() {
    fake.when(path("/manifests/"), r -> { });

    RegistryException e = Await.failure(client().manifest(fake.reference("slow/web:1.0"),
        Instant.now().plusMillis(300)), RegistryException.class);

    assertEquals(RegistryException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("the admission request's time budget ran out"), e.getMessage());
  }

  @Test
  void aSlowDripIsCutOffByTheRequestTimeout() throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    fake.when(path("/manifests/"), r -> {
      r.response().closeHandler(v -> closed.complete(null));
      r.response().putHeader("Content-Type", MediaTypes.OCI_MANIFEST);
      fake.drip(r, 200, Buffer.buffer(" "), Duration.ofMillis(20));
    });
    RegistryClient client = client(builder().requestTimeout(Duration.ofMillis(400)));

    RegistryException e = Await.failure(client.manifest(fake.reference("slow/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TIMEOUT, e.kind());
    closed.get(Await.SAFETY.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void anExpiredDeadlineMakesNoRequest() {
    RegistryException e = Await.failure(client().manifest(fake.reference("slow/web:1.0"), Instant.now().minusSeconds(1)),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TIMEOUT, e.kind());
    assertEquals(0, fake.requests().size());
  }

  // Integrity and size --------------------------------------------------------------------------

  @Test
  void aManifestThatDoesNotHashToItsDigestIsAnIntegrityFailureNamingTheRegistry() {
    Digest asked = manifest("lies/web", "1.0");
    fake.when(path("/manifests/sha256:"), r -> r.response().putHeader("Content-Type", MediaTypes.OCI_MANIFEST)
        .putHeader("Docker-Content-Digest", asked.toString())
        .end("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}"));

    RegistryException e = Await.failure(client().manifest(fake.reference("lies/web@" + asked), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.INTEGRITY, e.kind());
    assertFalse(e.kind().imageFails());
    assertTrue(e.getMessage().startsWith(fake.host() + ": manifest lies/web@" + asked + ": served a manifest whose bytes hash to sha256:"),
        e.getMessage());
  }

  @Test
  void aBlobThatDoesNotHashToItsDigestIsAnIntegrityFailure() {
    byte[] real = "real content".getBytes(StandardCharsets.UTF_8);
    Digest d = fake.putBlob("lies/web", real);
    fake.when(path("/blobs/"), r -> r.response().end(Buffer.buffer("fake content")));

    RegistryException e = Await.failure(client().blob(fake.reference("lies/web"),
        Descriptor.of("application/octet-stream", d, real.length), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("served a blob whose bytes hash to"), e.getMessage());
  }

  @Test
  void aBlobLongerThanItsDescriptorIsCutOffAsAnIntegrityFailure() {
    byte[] real = "real".getBytes(StandardCharsets.UTF_8);
    Digest d = fake.putBlob("lies/web", real);
    fake.when(path("/blobs/"), r -> r.response().setChunked(true).end(Buffer.buffer(new byte[100_000])));

    RegistryException e = Await.failure(client().blob(fake.reference("lies/web"),
        Descriptor.of("application/octet-stream", d, real.length), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("served more than the 4 bytes its descriptor declares"), e.getMessage());
  }

  @Test
  void anAnnouncedOversizedManifestIsRefusedWithoutReadingIt() {
    fake.when(path("/manifests/"), r -> r.response().putHeader("Content-Length", String.valueOf(100 * 1024 * 1024))
        .write(Buffer.buffer(new byte[1024])));
    RegistryClient client = client(builder().maxManifestBytes(64 * 1024));

    RegistryException e = Await.failure(client.manifest(fake.reference("big/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TOO_LARGE, e.kind());
    assertTrue(e.getMessage().contains("answer larger than the 64 KiB cap"), e.getMessage());
    assertTrue(e.getMessage().contains("raise GateConfig spec.limits.maxManifestBytes"), e.getMessage());
  }

  @Test
  void anEndlessBodyIsCutOffAtTheCap() throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    fake.when(path("/manifests/"), r -> {
      r.response().closeHandler(v -> closed.complete(null));
      fake.drip(r, 200, Buffer.buffer(new byte[16 * 1024]), Duration.ofMillis(1));
    });
    RegistryClient client = client(builder().maxManifestBytes(256 * 1024));

    RegistryException e = Await.failure(client.manifest(fake.reference("big/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TOO_LARGE, e.kind());
    closed.get(Await.SAFETY.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void anEndlessErrorBodyIsTruncatedAndTheStatusStillCounts() {
    fake.when(path("/manifests/"), r -> fake.drip(r, 404, Buffer.buffer(new byte[16 * 1024]), Duration.ofMillis(1)));

    RegistryException e = Await.failure(client().manifest(fake.reference("big/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
  }

  @Test
  void malformedManifestsAreProtocolFailures() {
    fake.when(path("/manifests/json"), r -> r.response().end("{not json"));
    fake.when(path("/manifests/schema1"), r -> r.response()
        .putHeader("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")
        .end("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}"));

    RegistryException json = Await.failure(client().manifest(fake.reference("bad/web:json"), Await.deadline()),
        RegistryException.class);
    RegistryException schema1 = Await.failure(client().manifest(fake.reference("bad/web:schema1"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.PROTOCOL, json.kind());
    assertTrue(json.getMessage().contains("the manifest is not valid JSON"), json.getMessage());
    assertEquals(RegistryException.Kind.PROTOCOL, schema1.kind());
    assertTrue(schema1.getMessage().contains("Docker schema 1"), schema1.getMessage());
  }

  // Safety ----------------------------------------------------------------------------------------

  @Test
  void aRegistryOutsideTheAllowListIsNeverContacted() {
    RegistryClient client = client(builder().registries(List.of()));

    Future<Attachments> f = client.attachments(fake.reference("x/web@" + Digest.sha256Of(new byte[1])), Await.deadline());
    Future<Digest> g = client.resolve(fake.reference("x/web:1.0"), Await.deadline());

    assertTrue(f.failed() && g.failed(), "refused synchronously");
    assertEquals(RegistryException.Kind.NOT_ALLOWED, Await.failure(f, RegistryException.class).kind());
    assertEquals(RegistryException.Kind.NOT_ALLOWED, Await.failure(g, RegistryException.class).kind());
    assertEquals(0, fake.connections());
  }

  @Test
  void blobRedirectsToAnotherHostAreFollowedWithoutCredentials() throws IOException {
    byte[] content = "blob behind a redirect".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256Of(content);
    try (FakeRegistry storage = new FakeRegistry(vertx)) {
      storage.when(path("/storage/"), r -> r.response().end(Buffer.buffer(content)));
      fake.when(r -> r.getHeader("Authorization") == null,
          r -> r.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"fake\"").end());
      fake.when(path("/blobs/"), r -> r.response().setStatusCode(307)
          .putHeader("Location", storage.origin() + "/storage/" + d.hex() + "?X-Signature=abc").end());
      Path config = temp.resolve("config.json");
      Files.writeString(config, "{\"auths\":{\"" + fake.host() + "\":{\"username\":\"u\",\"password\":\"p\"}}}");
      RegistryClient client = client(builder().credentials(config).registries(List.of(new GateConfig.RegistrySettings(
          fake.host(), true, Optional.empty(), Optional.empty(),
          Optional.of(List.of(dev.promgate.policy.HostPattern.parse(storage.host())))))));

      byte[] bytes = Await.result(client.blob(fake.reference("redirect/web"),
          Descriptor.of("application/octet-stream", d, content.length), Await.deadline()));

      assertArrayEquals(content, bytes);
      assertEquals(1, storage.requests().size());
      assertNull(storage.requests().get(0).authorization(), "credentials stay with the registry");
      assertEquals("X-Signature=abc", storage.requests().get(0).query());
      assertTrue(fake.requests().get(fake.requests().size() - 1).authorization().startsWith("Basic "));
    }
  }

  @Test
  void basicCredentialsAreSentUpFrontOnceTheRegistryAskedForThem() throws IOException {
    Digest d = manifest("basic/web", "1.0");
    fake.when(r -> r.getHeader("Authorization") == null,
        r -> r.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"fake\"").end());
    Path config = temp.resolve("config.json");
    Files.writeString(config, "{\"auths\":{\"http://" + fake.host() + "/v2/\":{\"username\":\"u\",\"password\":\"p\"}}}");
    RegistryClient client = client(builder().credentials(config));

    assertEquals(d, Await.result(client.resolve(fake.reference("basic/web:1.0"), Await.deadline())));
    assertEquals(d, Await.result(client.resolve(fake.reference("basic/web:1.0"), Await.deadline())));

    List<FakeRegistry.Recorded> requests = fake.requests();
    assertEquals(3, requests.size(), "anonymous, then with credentials, then with credentials at once");
    assertNull(requests.get(0).authorization());
    assertEquals("Basic dTpw", requests.get(1).authorization());
    assertEquals("Basic dTpw", requests.get(2).authorization());
  }

  @Test
  void redirectLoopsAreCutShort() {
    fake.when(path("/blobs/"), r -> r.response().setStatusCode(302).putHeader("Location", r.path()).end());
    Digest d = Digest.sha256Of(new byte[1]);

    RegistryException e = Await.failure(client().blob(fake.reference("loop/web"),
        Descriptor.of("application/octet-stream", d, 1), Await.deadline()), RegistryException.class);

    assertEquals(RegistryException.Kind.PROTOCOL, e.kind());
    assertTrue(e.getMessage().contains("more than 5 redirects"), e.getMessage());
    assertEquals(6, fake.requests().size());
  }

  @Test
  void requestsPerRegistryAreCappedAndQueuedNotRefused() {
    List<Descriptor> blobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      byte[] b = ("blob " + i).getBytes(StandardCharsets.UTF_8);
      blobs.add(Descriptor.of("application/octet-stream", fake.putBlob("cap/web", b), b.length));
    }
    fake.when(path("/blobs/"), r -> vertx.setTimer(50, id -> {
      String digest = r.path().substring(r.path().lastIndexOf('/') + 1);
      for (int i = 0; i < 8; i++) {
        byte[] b = ("blob " + i).getBytes(StandardCharsets.UTF_8);
        if (Digest.sha256Of(b).toString().equals(digest)) {
          r.response().end(Buffer.buffer(b));
        }
      }
    }));
    RegistryClient client = client(builder().maxConcurrentRequestsPerRegistry(2));

    List<Future<byte[]>> all = new ArrayList<>();
    for (Descriptor d : blobs) {
      all.add(client.blob(fake.reference("cap/web"), d, Await.deadline()));
    }

    Await.result(Future.all(all));
    assertEquals(8, fake.requests().size());
    assertTrue(fake.maxInFlight() <= 2, "at most 2 in flight, saw " + fake.maxInFlight());
  }

  @Test
  void waitingForARequestSlotEndsAtTheDeadline() {
    fake.when(path("/manifests/"), r -> { });
    RegistryClient client = client(builder().maxConcurrentRequestsPerRegistry(1));
    Future<Manifest> first = client.manifest(fake.reference("cap/web:1.0"), Instant.now().plusSeconds(20));

    RegistryException e = Await.failure(client.manifest(fake.reference("cap/web:2.0"), Instant.now().plusMillis(500)),
        RegistryException.class);

    assertEquals(RegistryException.Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("request slots"), e.getMessage());
    assertFalse(first.isComplete());
  }

  // Bearer tokens -------------------------------------------------------------------------------

  @Test
  void aCachedTokenRefusedWith401IsReplaced() {
    Digest d = manifest("token/web", "1.0");
    AtomicInteger issued = new AtomicInteger();
    String[] valid = {"token-1"};
    fake.when(r -> r.path().equals("/token"), r -> r.response().putHeader("Content-Type", "application/json")
        .end("{\"token\":\"token-" + issued.incrementAndGet() + "\",\"expires_in\":300}"));
    fake.when(r -> !("Bearer " + valid[0]).equals(r.getHeader("Authorization")),
        r -> r.response().setStatusCode(401).putHeader("WWW-Authenticate",
            "Bearer realm=\"" + fake.origin() + "/token\",service=\"fake\",scope=\"repository:token/web:pull\"").end());
    RegistryClient client = client();

    assertEquals(d, Await.result(client.resolve(fake.reference("token/web:1.0"), Await.deadline())));
    assertEquals(1, issued.get());
    valid[0] = "token-2";
    assertEquals(d, Await.result(client.resolve(fake.reference("token/web:1.0"), Await.deadline())));

    assertEquals(2, issued.get(), "the refused token was replaced");
    assertEquals("service=fake&scope=repository%3Atoken%2Fweb%3Apull",
        fake.requests().stream().filter(r -> r.path().equals("/token")).findFirst().orElseThrow().query());
  }

  @Test
  void aTokenRealmThatIsNotHttpIsRefused() {
    fake.when(path("/manifests/"), r -> r.response().setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer realm=\"ftp://example.com/token\"").end());

    RegistryException e = Await.failure(client().resolve(fake.reference("token/web:1.0"), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
    assertTrue(e.getMessage().contains("is not an http(s) URL"), e.getMessage());
  }

  // Referrers API and pagination -------------------------------------------------------------------

  private String referrerJson(Digest subject, int subjectSize, String artifactType, Digest layer, int layerSize) {
    return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"" + artifactType
        + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + Digest.sha256Of("{}".getBytes(StandardCharsets.UTF_8))
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + artifactType + "\",\"digest\":\"" + layer + "\",\"size\":"
        + layerSize + "}],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject
        + "\",\"size\":" + subjectSize + "}}";
  }

  private Digest referrer(String repository, Digest subject, String artifactType, byte[] layer) {
    Digest layerDigest = fake.putBlob(repository, layer);
    return fake.putManifest(repository, null, MediaTypes.OCI_MANIFEST,
        referrerJson(subject, 100, artifactType, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theReferrersApiIsUsedWhenTheRegistryHasItAcrossPages() {
    Digest image = manifest("api/web", "1.0");
    byte[] bundle1 = "{\"bundle\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] bundle2 = "{\"bundle\":2}".getBytes(StandardCharsets.UTF_8);
    referrer("api/web", image, MediaTypes.SIGSTORE_BUNDLE_V03, bundle1);
    referrer("api/web", image, MediaTypes.SIGSTORE_BUNDLE_V03, bundle2);
    Digest sbom = referrer("api/web", image, "application/spdx+json", "{}".getBytes(StandardCharsets.UTF_8));
    fake.referrersPageSize(2);
    RegistryClient client = client();
    ImageReference pinned = fake.reference("api/web@" + image);

    Attachments a = Await.result(client.attachments(pinned, Await.deadline()));

    assertEquals(Attachments.ReferrersSource.API, a.referrersSource());
    assertEquals(2, a.referrers().size());
    List<String> contents = a.referrers().stream()
        .map(r -> new String(r.layers().get(0).content(), StandardCharsets.UTF_8)).sorted().toList();
    assertEquals(List.of("{\"bundle\":1}", "{\"bundle\":2}"), contents);
    assertEquals(List.of(sbom), a.otherReferrers().stream().map(Descriptor::digest).toList());
    assertEquals(2, fake.requests("/referrers/").size(), "two pages");
    assertTrue(fake.requests(image.tagPrefix()).stream().noneMatch(r -> !r.path().endsWith(".sig")
        && !r.path().endsWith(".att")), "no tag-schema fallback");

    List<Descriptor> filtered = Await.result(client.referrers(pinned, image, Optional.of("application/spdx+json"),
        Await.deadline()));
    assertEquals(List.of(sbom), filtered.stream().map(Descriptor::digest).toList());
    assertTrue(fake.requests("/referrers/").get(2).query().contains("artifactType=application%2Fspdx%2Bjson"));
  }

  @Test
  void aRegistryWithoutTheReferrersApiFallsBackToTheTagSchema() {
    Digest image = manifest("fallback/web", "1.0");
    Digest bundle = referrer("fallback/web", image, MediaTypes.SIGSTORE_BUNDLE_V03, "{}".getBytes(StandardCharsets.UTF_8));
    String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + bundle + "\",\"size\":1,\"artifactType\":\""
        + MediaTypes.SIGSTORE_BUNDLE_V03 + "\"}]}";
    fake.putManifest("fallback/web", image.tagPrefix(), MediaTypes.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
    fake.when(path("/referrers/"), r -> r.response().putHeader("Content-Type", "text/html").end("<html>"));

    Attachments a = Await.result(client().attachments(fake.reference("fallback/web@" + image), Await.deadline()));

    assertEquals(Attachments.ReferrersSource.TAG_SCHEMA, a.referrersSource());
    assertEquals(bundle, a.referrers().get(0).manifest().digest());
  }

  @Test
  void aReferrers404WithAnErrorBodyMeansNoReferrersNotNoApi() {
    // An API-capable registry answers NAME_UNKNOWN for a repository it does not know. That must not
    // make promgate believe the whole registry lacks the API (and then miss bundles pushed there).
    Digest image = manifest("known/web", "1.0");
    fake.when(path("/v2/nope/web/referrers/"), r -> r.response().setStatusCode(404)
        .putHeader("Content-Type", "application/json")
        .end("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}"));
    RegistryClient shared = client();

    RegistryException unknown = Await.failure(shared.attachments(fake.reference("nope/web@" + image), Await.deadline()),
        RegistryException.class);
    assertEquals(RegistryException.Kind.NOT_FOUND, unknown.kind(), "only that image does not exist");

    Digest bundle = referrer("known/web", image, MediaTypes.SIGSTORE_BUNDLE_V03, "{}".getBytes(StandardCharsets.UTF_8));
    Attachments known = Await.result(shared.attachments(fake.reference("known/web@" + image), Await.deadline()));
    assertEquals(Attachments.ReferrersSource.API, known.referrersSource(), "the API is still used");
    assertEquals(bundle, known.referrers().get(0).manifest().digest());
  }

  @Test
  void aListedReferrerThatIsGoneIsReportedNotFatal() {
    Digest image = manifest("gone/web", "1.0");
    Digest missing = Digest.sha256Of("deleted".getBytes(StandardCharsets.UTF_8));
    String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + missing + "\",\"size\":10,\"artifactType\":\""
        + MediaTypes.SIGSTORE_BUNDLE_V03 + "\"}]}";
    fake.putManifest("gone/web", image.tagPrefix(), MediaTypes.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
    fake.referrersApi(false);

    Attachments a = Await.result(client().attachments(fake.reference("gone/web@" + image), Await.deadline()));

    assertTrue(a.referrers().isEmpty());
    assertEquals(missing, a.unavailable().get(0).descriptor().digest());
  }

  @Test
  void aTransportFailureInOneBranchFailsTheWholeAttachmentsCall() {
    Digest image = manifest("partial/web", "1.0");
    fake.when(path(".att"), r -> r.response().setStatusCode(500).end());

    RegistryException e = Await.failure(client().attachments(fake.reference("partial/web@" + image), Await.deadline()),
        RegistryException.class);

    assertEquals(RegistryException.Kind.SERVER_ERROR, e.kind());
    assertFalse(e.kind().imageFails(), "never mistaken for a missing signature");
  }

  @Test
  void tagListsArePaginatedThroughTheLinkHeader() {
    for (String t : List.of("a", "b", "c", "d", "e")) {
      manifest("pages/web", t);
    }

    List<String> tags = Await.result(client().tags(fake.reference("pages/web"), Await.deadline()));

    assertEquals(List.of("a", "b", "c", "d", "e"), tags);
    assertEquals(3, fake.requests("/tags/list").size());
  }
}
