package dev.promgate.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.AdmissionPipeline;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the API server carries of a decision for a big, badly failing pod, and what the log keeps. */
class ApiServerLimitsTest {

  final List<String> log = new CopyOnWriteArrayList<>();

  Decision admit(String environment, String... images) throws Exception {
    AdmissionPipeline pipeline = new AdmissionPipeline(TestPolicies::digestOnlyEverywhere,
        new ImageJudge((r, d) -> Future.failedFuture(new AssertionError("tags need no verdict")), TagResolver.NONE),
        Optional.empty(), new DecisionLog(log::add), Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC),
        new SimpleMeterRegistry());
    return Await.result(pipeline.admit(Reviews.call(Reviews.pod("shop", images)),
        new EnvironmentResolver.Named(environment)));
  }

  static String[] failingImages(int n, int pathLength) {
    String[] images = new String[n];
    for (int i = 0; i < n; i++) {
      images[i] = "registry.acme.example/team-" + i + "/" + "a".repeat(pathLength) + ":v" + i;
    }
    return images;
  }

  static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aThirtyContainerPodWithEveryImageFailingStillReadsWell() throws Exception {
    Decision d = admit("dev", failingImages(30, 40));
    assertTrue(d.allowed(), "dev audits");
    String uid = d.call().uid();
    List<String> warnings = d.warnings();
    int total = 0;
    for (String w : warnings) {
      assertTrue(bytes(w) <= 256, bytes(w) + ": " + w);
      total += bytes(w);
    }
    assertTrue(total <= 4096, "total " + total);
    assertTrue(warnings.size() > 5 && warnings.size() < 30, warnings.size() + " warnings");
    for (int i = 0; i < warnings.size() - 1; i++) {
      assertTrue(warnings.get(i).contains("container \"" + (i == 0 ? "web" : "c" + i) + "\""), warnings.get(i));
    }
    String last = warnings.get(warnings.size() - 1);
    assertEquals("promgate: …and " + (30 - (warnings.size() - 1)) + " more (all of it: promgate decision log, uid "
        + uid + ")", last);
    d.annotations().forEach((key, value) -> assertTrue(bytes(value) <= 2048, key + ": " + bytes(value)));
    assertTrue(d.annotations().get("reasons").endsWith("uid " + uid + ")"), d.annotations().get("reasons"));

    JsonNode line = Reviews.JSON.readTree(log.get(0));
    assertEquals(uid, line.path("uid").asText());
    assertEquals(30, line.path("images").size(), "the log line keeps every image and reason");
    line.path("images").forEach(i -> assertTrue(i.path("reasons").get(0).asText().contains("uses the mutable tag")));
  }

  @Test
  void theDenialMessageStaysCompleteUnderEightKilobytesAndPointsToTheLogWhenCut() throws Exception {
    Decision small = admit("prod", failingImages(30, 10));
    assertFalse(small.allowed());
    assertTrue(bytes(small.message()) < 8000);
    assertEquals(30, small.message().lines().filter(l -> l.contains("uses the mutable tag")).count(),
        "complete while it fits");

    Decision big = admit("prod", failingImages(30, 200));
    assertTrue(bytes(big.message()) < 8000, "under 8 KB: " + bytes(big.message()));
    assertTrue(big.message().startsWith("promgate denied Pod/web in environment prod: container \"web\""),
        big.message());
    assertTrue(big.message().matches("(?s).*\n…and \\d+ more \\(all of it: promgate decision log, uid "
        + big.call().uid() + "\\)"), big.message());
    assertTrue(big.warnings().stream().allMatch(w -> bytes(w) <= 256));
  }

  @Test
  void shortDecisionsAreUntouched() {
    assertEquals(List.of("promgate a", "promgate b"), ApiServerLimits.warnings(List.of("promgate a", "promgate b"), "u"));
    assertEquals("x", ApiServerLimits.message("x", "u"));
    String cut = ApiServerLimits.shorten("é".repeat(300), 256, "u");
    assertTrue(bytes(cut) <= 256 && cut.startsWith("éé") && cut.endsWith("uid u)"), cut);
  }

  @Test
  void sizesAreCountedAsTheUtf8EncodingIsLongAndCutsKeepWholeCodePoints() {
    java.util.Random random = new java.util.Random(13);
    int[] pool = {'a', 'é', '€', 0x1F600, 0xD800, 0xDC00, '\n'};
    for (int round = 0; round < 500; round++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        text.appendCodePoint(pool[random.nextInt(pool.length)]);
      }
      String t = text.toString();
      assertEquals(t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ApiServerLimits.bytes(t), t);
      String cut = ApiServerLimits.shorten(t, 60, "u");
      assertTrue(bytes(cut) <= 60 || cut.equals(t), cut);
      assertTrue(cut.equals(t) || t.startsWith(cut.substring(0, cut.indexOf("…" + ApiServerLimits.pointer("u")))));
    }
  }

  @Test
  void aCutKeepsTheLongestPrefixThatFitsWhetherOrNotItStartsInAscii() {
    String tail = "…" + ApiServerLimits.pointer("u");
    int room = 100 - bytes(tail);
    for (String head : List.of("", "a".repeat(10), "a".repeat(room - 1), "a".repeat(room), "a".repeat(300))) {
      for (String rest : List.of("", "é".repeat(200), "b".repeat(200), "\uD83D\uDE00".repeat(50))) {
        String text = head + rest;
        String cut = ApiServerLimits.shorten(text, 100, "u");
        if (bytes(text) <= 100) {
          assertEquals(text, cut);
          continue;
        }
        String kept = cut.substring(0, cut.length() - tail.length());
        assertTrue(text.startsWith(kept) && bytes(kept) <= room, cut);
        int next = text.codePointAt(kept.length());
        assertTrue(bytes(kept) + bytes(new String(Character.toChars(next))) > room,
            "a shorter cut than fits: " + kept.length() + " of " + text.length());
      }
    }
  }
}
