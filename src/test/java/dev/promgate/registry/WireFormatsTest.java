package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The small parsers: challenges, Retry-After, backoff, manifests, error bodies. */
class WireFormatsTest {

  @Test
  void parsesBearerChallengesAsDockerHubSendsThem() {
    Challenge c = Challenge.best(List.of("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        + "scope=\"repository:library/nginx:pull\",error=\"insufficient_scope\"")).orElseThrow();

    assertTrue(c.isBearer());
    assertEquals(Optional.of("https://auth.docker.io/token"), c.realm());
    assertEquals(Optional.of("registry.docker.io"), c.service());
    assertEquals(Optional.of("repository:library/nginx:pull"), c.scope());
    assertEquals(Optional.of("insufficient_scope"), c.error());
  }

  @Test
  void prefersBearerAmongSeveralChallengesAndReadsQuotedCommas() {
    Challenge c = Challenge.best(List.of("Basic realm=\"a, b\", Bearer realm=\"https://x/token\",scope=\"repository:a:pull,push\""))
        .orElseThrow();

    assertTrue(c.isBearer());
    assertEquals(Optional.of("repository:a:pull,push"), c.scope());
    assertEquals("basic", Challenge.parse("Basic realm=\"a, b\"").get(0).scheme());
    assertEquals(Optional.of("a, b"), Challenge.parse("Basic realm=\"a, b\"").get(0).realm());
    assertTrue(Challenge.best(List.of("Negotiate")).isEmpty());
  }

  @Test
  void readsRetryAfterAsSecondsOrHttpDate() {
    Instant now = Instant.parse("2026-11-26T10:00:00Z");

    assertEquals(Optional.of(Duration.ofSeconds(7)), RetryAfter.parse(" 7 ", now));
    assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Thu, 26 Nov 2026 10:01:30 GMT", now));
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Thu, 26 Nov 2026 09:00:00 GMT", now));
    assertEquals(Optional.of(Duration.ofDays(1)), RetryAfter.parse("99999999999999999999", now));
    assertEquals(Optional.empty(), RetryAfter.parse("soon", now));
    assertEquals(Optional.empty(), RetryAfter.parse(null, now));
  }

  @Test
  void backoffDoublesWithJitterUpToTheCap() {
    RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(300));

    assertEquals(Duration.ofMillis(50), p.backoff(1, 0.0));
    assertEquals(Duration.ofMillis(99), p.backoff(1, 0.999));
    assertEquals(Duration.ofMillis(100), p.backoff(2, 0.0));
    assertEquals(Duration.ofMillis(150), p.backoff(4, 0.0), "capped at 300, halved");
    assertEquals(Duration.ofMillis(150), p.backoff(60, 0.0), "no overflow");
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
  }

  @Test
  void parsesAnIndexWithPlatformsAndAnArtifactWithSubject() throws Exception {
    String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "a".repeat(64)
        + "\",\"size\":10,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}";
    byte[] bytes = index.getBytes(StandardCharsets.UTF_8);

    Manifest m = Wire.manifest(bytes, Digest.sha256Of(bytes), null);

    assertTrue(m.isIndex());
    assertEquals("linux/arm64/v8", m.manifests().get(0).platform().orElseThrow().toString());

    String artifact = "{\"schemaVersion\":2,\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:" + "b".repeat(64)
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"digest\":\"sha256:"
        + "c".repeat(64) + "\",\"size\":3,\"annotations\":{\"k\":\"v\"}}],\"subject\":{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "d".repeat(64) + "\",\"size\":4},"
        + "\"annotations\":{\"org.opencontainers.image.created\":\"2026-01-01T00:00:00Z\"}}";
    byte[] a = artifact.getBytes(StandardCharsets.UTF_8);

    Manifest am = Wire.manifest(a, Digest.sha256Of(a), "application/vnd.oci.image.manifest.v1+json");

    assertEquals(MediaTypes.OCI_MANIFEST, am.mediaType(), "from the Content-Type when the body names none");
    assertEquals(Optional.of(MediaTypes.SIGSTORE_BUNDLE_V03), am.effectiveArtifactType());
    assertEquals(Map.of("k", "v"), am.layers().get(0).annotations());
    assertEquals("d".repeat(64), am.subject().orElseThrow().digest().hex());
  }

  @Test
  void refusesDuplicateKeysAndBadDescriptors() {
    byte[] duplicate = "{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    Wire.MalformedException e = assertThrows(Wire.MalformedException.class,
        () -> Wire.manifest(duplicate, Digest.sha256Of(duplicate), null));
    assertTrue(e.getMessage().contains("Duplicate Object property \"schemaVersion\""), e.getMessage());

    byte[] badDigest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
        + "{\"mediaType\":\"x\",\"digest\":\"md5:abc\",\"size\":1},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    Wire.MalformedException d = assertThrows(Wire.MalformedException.class,
        () -> Wire.manifest(badDigest, Digest.sha256Of(badDigest), null));
    assertTrue(d.getMessage().startsWith("the manifest's descriptor config: ") && d.getMessage().contains("md5"),
        d.getMessage());
  }

  @Test
  void theReferrersTagCutsLongDigestsAsTheSpecSays() {
    Digest sha256 = Digest.sha256Of(new byte[1]);
    Digest sha512 = Digest.of("sha512", new byte[1]);

    assertEquals("sha256-" + sha256.hex(), AttachmentDiscovery.referrersTag(sha256));
    assertEquals("sha512-" + sha512.hex().substring(0, 64), AttachmentDiscovery.referrersTag(sha512));
  }

  @Test
  void readsDistributionErrorBodies() {
    byte[] body = " {\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}"
        .getBytes(StandardCharsets.UTF_8);

    Wire.ErrorWire e = Wire.firstError(body).orElseThrow();

    assertEquals(DistributionErrorCode.NAME_UNKNOWN, DistributionErrorCode.fromCode(e.code()));
    assertEquals(DistributionErrorCode.UNKNOWN, DistributionErrorCode.fromCode("SOMETHING_NEW"));
    assertTrue(Wire.firstError("404 page not found".getBytes(StandardCharsets.UTF_8)).isEmpty());
    assertTrue(Wire.firstError("{\"errors\":[]}".getBytes(StandardCharsets.UTF_8)).isEmpty());
  }
}
