package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.admission.AdmissionReviews;
import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.AttestationEvidence;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.PromotionEvidence;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Evidence whose texts hold the separators a packed form could trip over — commas, quotes,
 * non-ASCII — reads the same whether the verdict was verified just now or came from the cache.
 */
class EvidenceRoundTripTest {

  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  static final String DIGEST = "sha256:" + "ab12".repeat(16);
  static final String IMAGE = "registry.acme.example/shop/web@" + DIGEST;
  static final String APPROVER = "Doe, John \"JD\" Ærøskøbing";
  static final String CHANGE = "CHG-1234, \"urgent\", Ünïcode";
  static final String PIPELINE = "https://ci.acme.example/runs/42?stage=deploy,prod&by=\"bot\"・本番";

  final List<String> logLines = new CopyOnWriteArrayList<>();
  final AtomicInteger verifications = new AtomicInteger();

  static final Verdict.Verified VERIFIED = new Verdict.Verified(List.of(
      new SignatureEvidence("ci", "key sha256:9f2c", "registry.acme.example/shop/web:sha256-"
          + DIGEST.substring(7) + ".sig layer 0 (signed as registry.acme.example/shop/web, \"v1\")"),
      new PromotionEvidence("release-managers", "key sha256:77ab", "prod", Instant.parse("2026-11-25T09:00:00.250Z"),
          Optional.of(APPROVER), Optional.of("preprod, \"staging\""), Optional.of(CHANGE), Optional.of(PIPELINE), true,
          Optional.of(Instant.parse("2026-12-25T09:00:00.250Z"))),
      new AttestationEvidence("ci", "https://token.actions.githubusercontent.com, repo:acme/web",
          "https://slsa.dev/provenance/v1", Optional.of("predicate.buildType == \"https://acme.example/b, v2\""))));

  @Test
  void theCachedDecisionReportsTheVerifiedDecisionsEvidenceByteForByte() throws Exception {
    Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    PolicySet set = TestPolicies.create().policy("shop", "registry.acme.example/shop/**", Map.of("ci", ci),
            Map.of("prod", TestPolicies.signedBy("prod", ci))).build();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    VerdictCache cache = new VerdictCache((request, deadline) -> {
      verifications.incrementAndGet();
      return Future.succeededFuture(VERIFIED);
    }, set.gate().cache(), () -> 0L, clock, new SimpleMeterRegistry());
    AdmissionPipeline pipeline = new AdmissionPipeline(() -> set, new ImageJudge(cache, TagResolver.NONE),
        Optional.empty(), new DecisionLog(logLines::add), clock, new SimpleMeterRegistry());

    Decision first = admit(pipeline);
    Decision second = admit(pipeline);

    assertEquals(1, verifications.get(), "the second decision comes from the cache");
    assertEquals(CacheSource.MISS, first.images().get(0).judgement().cache());
    assertEquals(CacheSource.HIT, second.images().get(0).judgement().cache());
    assertEquals(first.images().get(0).judgement().evidence(), second.images().get(0).judgement().evidence());

    String annotation = first.annotations().get("evidence");
    assertTrue(annotation.contains("promotion by release-managers (key sha256:77ab): prod, 2026-11-25T09:00:00.250Z, "
        + APPROVER + ", from preprod, \"staging\", " + CHANGE + ", " + PIPELINE + ", forced"), annotation);
    assertEquals(annotation, second.annotations().get("evidence"), "audit annotation");

    JsonNode firstResponse = response(first);
    assertEquals(annotation, firstResponse.path("response").path("auditAnnotations").path("evidence").asText());
    assertEquals(firstResponse.path("response").path("auditAnnotations").path("evidence").toString(),
        response(second).path("response").path("auditAnnotations").path("evidence").toString(), "response");

    assertEquals(2, logLines.size());
    JsonNode firstLogged = Reviews.JSON.readTree(logLines.get(0)).path("images").path(0);
    JsonNode secondLogged = Reviews.JSON.readTree(logLines.get(1)).path("images").path(0);
    assertEquals("miss", firstLogged.path("cache").asText());
    assertEquals("hit", secondLogged.path("cache").asText());
    List<String> texts = new ArrayList<>();
    firstLogged.path("evidence").forEach(e -> texts.add(e.asText()));
    assertEquals(VERIFIED.evidence().stream().map(e -> e.text()).toList(), texts);
    assertEquals(firstLogged.path("evidence").toString(), secondLogged.path("evidence").toString(), "log line");
  }

  private Decision admit(AdmissionPipeline pipeline) throws Exception {
    return Await.result(pipeline.admit(Reviews.call(Reviews.pod("shop", IMAGE)), new EnvironmentResolver.Named("prod")));
  }

  private static JsonNode response(Decision d) throws Exception {
    return Reviews.JSON.readTree(AdmissionReviews.write(d.call().uid(), d.allowed(), 403, d.message(),
        d.warnings(), d.annotations()));
  }
}
