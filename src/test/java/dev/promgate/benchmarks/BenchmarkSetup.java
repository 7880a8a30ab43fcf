package dev.promgate.benchmarks;

import dev.promgate.AdmissionPipeline;
import dev.promgate.decision.DecisionLog;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.AttestationEvidence;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.PromotionEvidence;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.Verifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The production pipeline with a warm verdict cache, as the benchmarks use it. */
final class BenchmarkSetup {

  private BenchmarkSetup() {}

  /** The ~6 KB review of a Deployment's pod: init container, app container, sidecar. */
  static byte[] podReview() {
    try (InputStream in = BenchmarkSetup.class.getResourceAsStream("/bench/pod-review.json")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ~1 KB review of a pod with the same three containers and nothing else. */
  static byte[] smallPodReview() {
    try (InputStream in = BenchmarkSetup.class.getResourceAsStream("/bench/small-pod-review.json")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String[] APPROVERS = {"alice@acme.example", "bob@acme.example", "carol@acme.example",
      "dave@acme.example", "erin@acme.example"};

  /**
   * Evidence as the evaluator leaves it for one digest: a signature (its source names the
   * digest's .sig tag), a preprod and a prod promotion (own times, change tickets and pipeline
   * runs), and SLSA provenance.
   */
  static Verdict.Verified typicalVerdict(dev.promgate.verdict.VerificationRequest request, Instant now) {
    String repo = request.image().name();
    String tag = request.image().digest().tagPrefix();
    int n = Math.floorMod(request.image().digest().hex().hashCode(), 1_000_000);
    Instant preprod = now.minus(Duration.ofMinutes(n % 40_000 + 600)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant prod = preprod.plus(Duration.ofHours(2));
    return new Verdict.Verified(List.of(
        new SignatureEvidence("ci", "key sha256:9f2c3a1b7e0d", repo + ":" + tag + ".sig layer 0 (signed as " + repo + ")"),
        new PromotionEvidence("release-managers", "key sha256:77ab01c4e9f2", "preprod", preprod,
            Optional.of(APPROVERS[n % 5]), Optional.of("dev"), Optional.of("CHG-" + n),
            Optional.of("https://ci.acme.example/runs/" + (n * 7)), false, Optional.of(preprod.plus(Duration.ofDays(30)))),
        new PromotionEvidence("release-managers", "key sha256:77ab01c4e9f2", "prod", prod,
            Optional.of(APPROVERS[(n + 1) % 5]), Optional.of("preprod"), Optional.of("CHG-" + (n + 1)),
            Optional.of("https://ci.acme.example/runs/" + (n * 7 + 1)), false, Optional.of(prod.plus(Duration.ofDays(30)))),
        new AttestationEvidence("ci", "key sha256:9f2c3a1b7e0d", "https://slsa.dev/provenance/v1",
            Optional.of("predicate.buildDefinition.buildType.startsWith(\"https://\")"))));
  }

  static PolicySet prodPolicies() {
    Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    Authority.Key release = TestPolicies.keyAuthority("release-managers", TestPolicies.newEcKey());
    EnvironmentRules prod = TestPolicies.promoted("prod", ci, release, Duration.ofHours(720));
    return TestPolicies.create().policy("shop", "registry.acme.example/**",
        Map.of("ci", ci, "release-managers", release), Map.of("prod", prod)).build();
  }

  static VerdictCache cache(Verifier verifier, PolicySet policies) {
    return new VerdictCache(verifier, policies.gate().cache(), com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
        Clock.systemUTC(), new SimpleMeterRegistry());
  }

  static AdmissionPipeline pipeline(PolicySet policies, VerdictCache cache, DecisionLog log) {
    return new AdmissionPipeline(() -> policies, new ImageJudge(cache, TagResolver.NONE), Optional.empty(),
        log, Clock.systemUTC(), new SimpleMeterRegistry());
  }

  static Verifier alwaysVerified() {
    Instant now = Instant.now();
    return (request, deadline) -> Future.succeededFuture(typicalVerdict(request, now));
  }
}
