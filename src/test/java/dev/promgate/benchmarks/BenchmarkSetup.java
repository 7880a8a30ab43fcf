package dev.promgate.benchmarks;

import dev.promgate.AdmissionPipeline;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.ImageJudge;
import dev.promgate.decision.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.Verdict;
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

  /** Evidence as a real verification leaves it: a signature, two promotions, provenance. */
  static Verdict.Verified typicalVerdict(Instant now) {
    return new Verdict.Verified(List.of(
        new Evidence("signature", "ci", "sha256:9f2c…", "", Optional.empty()),
        new Evidence("promotion", "release-managers", "sha256:77ab…", "preprod, 2026-11-20T09:00:00Z, alice@acme.example",
            Optional.of(now.plus(Duration.ofDays(20)))),
        new Evidence("promotion", "release-managers", "sha256:77ab…", "prod, 2026-11-25T09:00:00Z, bob@acme.example",
            Optional.of(now.plus(Duration.ofDays(29)))),
        new Evidence("attestation", "ci", "sha256:9f2c…", "https://slsa.dev/provenance/v1", Optional.empty())));
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
    return (request, deadline) -> Future.succeededFuture(typicalVerdict(now));
  }
}
