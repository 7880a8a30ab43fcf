package dev.promgate.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.promgate.image.Digest;
import dev.promgate.judgement.Judgement;
import dev.promgate.policy.Mode;
import dev.promgate.testing.Reviews;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.PromotionEvidence;
import dev.promgate.verdict.RenderedEvidence;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.workload.ContainerImage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The decision log line: what each image shows, however much of it was rendered before. */
class DecisionLogTest {

  static final String IMAGE = "registry.acme.example/shop/web@sha256:" + "ab".repeat(32);
  static final RenderedEvidence EVIDENCE = RenderedEvidence.of(List.of(
      new SignatureEvidence("ci", "key sha256:9f2c", "web.sig \"layer\" 0"),
      new PromotionEvidence("release-managers", "key sha256:77ab", "prod", Instant.parse("2026-11-20T09:00:00Z"),
          Optional.of("jürgen@acme.example"), Optional.empty(), Optional.empty(), Optional.empty(), false,
          Optional.empty())));

  static JsonNode logged(String container, CacheSource cache) throws Exception {
    ImageResult r = new ImageResult(new ContainerImage(container, "spec.containers[0].image", IMAGE),
        new Judgement.Admitted(Mode.ENFORCE, Optional.of(Digest.parse("sha256:" + "ab".repeat(32))), EVIDENCE, cache));
    Decision d = Decisions.judged(Reviews.call(Reviews.pod("shop-prod", IMAGE)), "prod", 3, List.of(r));
    return Reviews.JSON.readTree(DecisionLog.line(d, Instant.parse("2026-11-26T10:00:00.25Z"), Duration.ofMillis(2)));
  }

  @Test
  void eachImageShowsItsOwnContainerAndCacheWithTheEvidenceOfItsVerdict() throws Exception {
    for (int i = 0; i < 3; i++) {
      for (String container : List.of("web", "sidecar")) {
        for (CacheSource cache : List.of(CacheSource.HIT, CacheSource.MISS)) {
          JsonNode line = logged(container, cache);
          JsonNode image = line.path("images").path(0);
          assertEquals(container, image.path("container").asText());
          assertEquals(cache.wireName(), image.path("cache").asText());
          assertEquals(IMAGE, image.path("image").asText());
          assertEquals("sha256:" + "ab".repeat(32), image.path("digest").asText());
          assertEquals("allowed", image.path("verdict").asText());
          assertEquals(EVIDENCE.texts(), Reviews.JSON.convertValue(image.path("evidence"), List.class));
          assertEquals("2026-11-26T10:00:00.250Z", line.path("time").asText());
          assertEquals(2, line.path("durationMs").asInt());
          assertEquals(container + ": " + String.join("; " + container + ": ", EVIDENCE.texts()),
              annotation(container));
        }
      }
    }
  }

  static String annotation(String container) {
    return EVIDENCE.annotation(container);
  }
}
