package dev.promgate.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code promgate status} over a release history on a real registry: three builds promoted through
 * preprod to prod, one of them forced into prod without preprod, and one promotion signed with a
 * key the policies do not name.
 */
class StatusCommandTest {

  static final ObjectMapper JSON = Mappers.JSON;
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @TempDir
  static Path directory;
  static LocalRegistry registry;
  static Release release;
  static ImageReference v1;
  static ImageReference v2;
  static ImageReference v3;
  static ImageReference stray;

  @BeforeAll
  static void history() {
    registry = LocalRegistry.start();
    release = new Release(registry, directory, "");
    v1 = release.signedImage("shop/web", "1.0").pinned();
    v2 = release.signedImage("shop/web", "1.1").pinned();
    TestImages.Pushed third = release.signedImage("shop/web", "1.2");
    release.images.pushManifest("shop/web", "latest", third.mediaType(), third.manifest());
    v3 = third.pinned();
    stray = release.signedImage("shop/web", null).pinned();

    promote(v1, "preprod", 9, "CHG-1");
    promote(v1, "prod", 8, "CHG-2");
    promote(v2, "prod", 5, "CHG-3", "--force", "--force-reason", "INC-7");
    promote(v3, "preprod", 3, "CHG-4");
    promote(v3, "prod", 2, "CHG-5");

    // A promotion signed with a key no policy names, pushed as cosign attest would push it (promote
    // itself refuses such a key before pushing anything).
    CosignSigner stranger = CosignSigner.generate();
    release.images.pushCosignAttestations(stray, List.of(stranger.attestation(stray, PromotionPredicate.TYPE,
        "{\"environment\":\"prod\",\"promotedAt\":\"" + at(1) + "\",\"approver\":\"mallory\"}")));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  static void promote(ImageReference image, String env, int daysAgo, String change, String... more) {
    List<String> args = new ArrayList<>(List.of("--promoted-at", at(daysAgo), "--change", change));
    args.addAll(List.of(more));
    Release.Run run = release.promote(image, env, args.toArray(String[]::new));
    assertEquals(0, run.exit(), run.toString());
  }

  static String at(int daysAgo) {
    return NOW.minus(Duration.ofDays(daysAgo)).toString();
  }

  @Test
  void theTableShowsEachEnvironmentNewestFirstWithCurrentAndRollbackTarget() {
    Release.Run run = release.status();
    assertEquals(0, run.exit(), run.toString());
    String out = run.out();
    assertTrue(out.startsWith("repository " + registry.host() + "/shop/web (admissibility as of "), out);
    String prod = section(out, "prod");
    List<String> rows = prod.lines().skip(2).limit(3).toList();
    assertTrue(rows.get(0).matches("\\s+current\\s+" + short_(v3) + "\\s+" + at(2) + "\\s+alice@acme.example\\s+CHG-5\\s+yes\\s+1\\.2,latest"),
        prod);
    assertTrue(rows.get(1).matches("\\s+" + short_(v2) + "\\s+" + at(5) + "\\s+alice@acme.example\\s+CHG-3\\s+no \\[1]\\s+1\\.1"),
        prod);
    assertTrue(rows.get(2).matches("\\s+rollback\\s+" + short_(v1) + "\\s+" + at(8) + "\\s+alice@acme.example\\s+CHG-2\\s+yes\\s+1\\.0"),
        prod);
    assertTrue(prod.contains("  current:  " + v3), prod);
    assertTrue(prod.contains("  rollback: " + v1 + " (previous known-good)"), prod);
    assertTrue(prod.contains("[1] " + v2.digest().shortForm() + ": has no promotion to preprod signed by release-managers"), prod);

    String preprod = section(out, "preprod");
    assertTrue(preprod.contains("  current:  " + v3), preprod);
    assertTrue(preprod.contains("  rollback: " + v1 + " (previous known-good)"), preprod);
    assertFalse(preprod.contains(v2.digest().shortForm()), "v2 was never promoted to preprod");

    assertTrue(out.contains("promotions that do not count:\n  " + stray.digest().shortForm() + "  prod  " + at(1) + "  mallory: not signed by release-managers"),
        out);
    assertTrue(out.indexOf("\npreprod\n") < out.indexOf("\nprod\n"), "environments follow the promotion chain");
  }

  @Test
  void jsonCarriesTheSameFactsInFull() throws Exception {
    Release.Run run = release.status("--output", "json", "--env", "prod");
    assertEquals(0, run.exit(), run.toString());
    JsonNode root = JSON.readTree(run.out());
    assertEquals(registry.host() + "/shop/web", root.path("repository").asText());
    assertEquals(1, root.path("environments").size(), "--env prod shows prod only");
    JsonNode prod = root.path("environments").get(0);
    assertEquals("prod", prod.path("environment").asText());
    assertEquals(v3.toString(), prod.path("current").asText());
    assertEquals(v1.toString(), prod.path("rollbackTarget").asText());
    JsonNode promotions = prod.path("promotions");
    assertEquals(3, promotions.size());
    JsonNode newest = promotions.get(0);
    assertEquals(v3.digest().toString(), newest.path("digest").asText());
    assertEquals("current", newest.path("state").asText());
    assertEquals(at(2), newest.path("promotedAt").asText());
    assertEquals("alice@acme.example", newest.path("approver").asText());
    assertEquals("preprod", newest.path("from").asText());
    assertEquals("CHG-5", newest.path("change").asText());
    assertEquals("release-managers", newest.path("signedBy").asText());
    assertTrue(newest.path("signer").asText().startsWith("key sha256:"));
    assertTrue(newest.path("admissible").asBoolean());
    assertEquals(List.of("1.2", "latest"), List.of(newest.path("tags").get(0).asText(), newest.path("tags").get(1).asText()));
    JsonNode forced = promotions.get(1);
    assertTrue(forced.path("force").asBoolean());
    assertFalse(forced.path("admissible").asBoolean());
    assertTrue(forced.path("reasons").get(0).asText().contains("has no promotion to preprod"), forced.toString());
    assertTrue(forced.path("state").isNull());
    assertEquals("rollback", promotions.get(2).path("state").asText());
    JsonNode unverified = root.path("unverified");
    assertEquals(1, unverified.size());
    assertEquals(stray.digest().toString(), unverified.get(0).path("digest").asText());
    assertTrue(unverified.get(0).path("problem").asText().startsWith("not signed by release-managers"));
  }

  @Test
  void badArgumentsAreExplained() {
    Release.Run tagged = Release.cli("status", registry.host() + "/shop/web:1.0", "--policies", release.policies.toString());
    assertEquals(2, tagged.exit());
    assertTrue(tagged.err().contains("give the repository without tag or digest"), tagged.err());
    Release.Run env = release.status("--env", "staging");
    assertEquals(2, env.exit());
    assertTrue(env.err().contains("environment \"staging\" is not defined by the policies"), env.err());
  }

  private static String section(String out, String environment) {
    int start = out.indexOf("\n" + environment + "\n");
    assertTrue(start >= 0, out);
    int end = out.indexOf("\n\n", start + 1);
    return end < 0 ? out.substring(start + 1) : out.substring(start + 1, end);
  }

  private static String short_(ImageReference image) {
    return java.util.regex.Pattern.quote(image.digest().shortForm());
  }
}
