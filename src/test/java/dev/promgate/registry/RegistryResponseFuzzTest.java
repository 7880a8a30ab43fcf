package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.promgate.image.Digest;
import dev.promgate.testing.FuzzSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes what a registry sends: manifests, indexes and referrers lists (one reader), token answers,
 * error bodies and {@code WWW-Authenticate} challenges. Invariants: nothing but a
 * {@link Wire.MalformedException} comes out of the readers; a manifest read is identified by the
 * digest of the bytes it was read from, and its descriptors carry valid digests and sizes; a
 * challenge's scheme is lower case and a realm that leaves the registry is never allowed by default.
 */
class RegistryResponseFuzzTest {

  private static final List<String> CONTENT_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
      "application/vnd.docker.distribution.manifest.v2+json", "application/json", "");

  @FuzzTest(maxDuration = "30s")
  void registryAnswer(byte[] body) {
    check(body);
  }

  static Stream<Arguments> seeds() {
    return FuzzSeeds.of(List.of(Path.of("src/test/resources/fuzz/www-authenticate")),
        List.of("**/manifests/*.json", "**/index.json", "**/*manifest*.json", "**/*referrers*.json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCorpus(String name, byte[] body) {
    check(body);
  }

  static void check(byte[] body) {
    Digest digest = Digest.sha256Of(body);
    String contentType = CONTENT_TYPES.get(body.length % CONTENT_TYPES.size());
    try {
      Manifest m = Wire.manifest(body, digest, contentType);
      assertEquals(digest, m.digest());
    } catch (Wire.MalformedException e) {
      assertTrue(!e.getMessage().isBlank());
    }
    try {
      Wire.read(body, Wire.TokenWire.class, "the token answer");
    } catch (Wire.MalformedException e) {
      assertTrue(!e.getMessage().isBlank());
    }
    Wire.firstError(body);
    String header = new String(body, StandardCharsets.ISO_8859_1);
    for (Challenge c : Challenge.parse(header)) {
      assertEquals(c.scheme().toLowerCase(Locale.ROOT), c.scheme());
      c.realm().ifPresent(realm -> {
        try {
          java.net.URI uri = new java.net.URI(realm);
          if (uri.getHost() != null && !uri.getHost().equalsIgnoreCase("registry.acme.example")) {
            assertTrue(Destinations.notAllowed(ACME_SETTINGS, "https://registry.acme.example", realm, Destinations.Purpose.TOKEN).isPresent(),
                "a realm on " + uri.getHost() + " is allowed for registry.acme.example by default");
          }
        } catch (java.net.URISyntaxException e) {
          assertTrue(Destinations.notAllowed(ACME_SETTINGS, "https://registry.acme.example", realm, Destinations.Purpose.TOKEN).isPresent());
        }
      });
    }
    Challenge.best(List.of(header));
  }

  private static final dev.promgate.policy.GateConfig.RegistrySettings ACME_SETTINGS =
      new dev.promgate.policy.GateConfig.RegistrySettings("registry.acme.example", false, java.util.Optional.empty());
}
