package dev.promgate.judgement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One image against the policies of one environment: each check, and what it says when it fails. */
class ImageJudgeTest {

  static final String DIGEST = "sha256:" + "ab12".repeat(16);
  static final Instant DEADLINE = Instant.parse("2026-11-26T10:00:05Z");

  final AtomicInteger lookups = new AtomicInteger();
  VerdictSource verdicts = (request, deadline) -> {
    lookups.incrementAndGet();
    return Future.succeededFuture(new Lookup(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", ""))),
        CacheSource.HIT));
  };
  TagResolver tags = TagResolver.NONE;
  final Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
  final PolicySet signed = TestPolicies.create().policy("shop", "registry.acme.example/shop/**", Map.of("ci", ci),
      Map.of("prod", TestPolicies.signedBy("prod", ci))).build();

  Judgement judge(String image, PolicySet set, String environment, Optional<Mode> override) {
    ImageJudge judge = new ImageJudge((r, d) -> verdicts.lookup(r, d), (t, d) -> tags.resolve(t, d));
    return judge.judge(image, new Scope(environment, set, override, DEADLINE)).result();
  }

  Judgement judge(String image) {
    return judge(image, signed, "prod", Optional.empty());
  }

  @Test
  void aVerifiedDigestIsAdmittedWithItsEvidenceAndWhereTheVerdictCameFrom() {
    var admitted = assertInstanceOf(Judgement.Admitted.class, judge("registry.acme.example/shop/web@" + DIGEST));
    assertEquals(Mode.ENFORCE, admitted.mode());
    assertEquals(Optional.of(Digest.parse(DIGEST)), admitted.digest());
    assertEquals(CacheSource.HIT, admitted.cache());
    assertEquals(List.of(new SignatureEvidence("ci", "key", "")), admitted.evidence());
    assertEquals(List.of(), admitted.problems());
  }

  @Test
  void rulesThatAskForNoEvidenceAdmitWithoutAVerdict() {
    var admitted = assertInstanceOf(Judgement.Admitted.class,
        judge("registry.acme.example/shop/web@" + DIGEST, TestPolicies.digestOnlyEverywhere(), "prod", Optional.empty()));
    assertEquals(CacheSource.NONE, admitted.cache());
    assertEquals(0, lookups.get());
  }

  @Test
  void aMutableTagIsNamedFirstWithTheDigestItPointsAtNow() {
    tags = (ref, deadline) -> Future.succeededFuture(Digest.parse(DIGEST));
    var denied = assertInstanceOf(Judgement.Denied.class, judge("registry.acme.example/other/web:1.4"));
    assertEquals(List.of(
        "uses the mutable tag \"1.4\"; images must be referenced by digest; fix: pin it as "
            + "registry.acme.example/other/web@" + DIGEST + " (what \"1.4\" points at now)",
        "matches no PromotionPolicy (repository registry.acme.example/other/web; globs tried: "
            + "registry.acme.example/shop/** (policy shop)); fix: add the repository to the "
            + "spec.images of a policy, or run it in an exempt namespace"), denied.reasons());
    assertEquals(Optional.empty(), denied.digest());
    assertEquals(CacheSource.NONE, denied.cache());
    assertEquals(0, lookups.get());
  }

  @Test
  void anImageNoPolicyMatchesTakesTheModeOfTheNamespacesEnvironment() {
    PolicySet set = TestPolicies.create().digestOnly("shop", "registry.acme.example/shop/**",
        Map.of("dev", Optional.of(Mode.AUDIT), "prod", Optional.empty())).build();
    var inDev = assertInstanceOf(Judgement.Denied.class, judge("quay.io/jetstack/cert-manager-controller@" + DIGEST,
        set, "dev", Optional.empty()));
    assertEquals(Mode.AUDIT, inDev.mode(), "an audit environment stays in audit for third-party images");
    assertTrue(inDev.reasons().contains("matches no PromotionPolicy (repository quay.io/jetstack/cert-manager-controller; "
        + "globs tried: registry.acme.example/shop/** (policy shop)); fix: add the repository to the spec.images of a "
        + "policy, or run it in an exempt namespace"), inDev.reasons().toString());
    var inProd = assertInstanceOf(Judgement.Denied.class, judge("quay.io/jetstack/cert-manager-controller@" + DIGEST,
        set, "prod", Optional.empty()));
    assertEquals(Mode.ENFORCE, inProd.mode());
  }

  @Test
  void aRegistryOutsideTheAllowListIsDeniedWithoutAskingIt() {
    tags = (ref, deadline) -> {
      throw new AssertionError("a registry outside the allow-list is never asked");
    };
    var denied = assertInstanceOf(Judgement.Denied.class, judge("evil.example/shop/web:1"));
    assertTrue(denied.reasons().get(0).endsWith("fix: pin it as evil.example/shop/web@sha256:<digest>"),
        denied.reasons().toString());
    assertTrue(denied.reasons().get(1).startsWith("is on registry evil.example, which is not in the GateConfig"
        + " registry allow-list ("), denied.reasons().toString());
  }

  @Test
  void aGoverningPolicyWithoutRulesForTheEnvironmentSaysWhereToAddThem() {
    var denied = assertInstanceOf(Judgement.Denied.class,
        judge("registry.acme.example/shop/web@" + DIGEST, signed, "preprod", Optional.empty()));
    assertEquals(List.of("is governed by policy shop, which has no rules for environment preprod; fix: add "
        + "spec.environments.preprod to policy shop (shop.yaml)"), denied.reasons());
  }

  @Test
  void anInvalidReferenceIsDeniedInTheEnvironmentsModeAcrossAllPolicies() {
    var denied = assertInstanceOf(Judgement.Denied.class,
        judge("Not A Reference", TestPolicies.digestOnlyEverywhere(), "dev", Optional.empty()));
    assertEquals(Mode.AUDIT, denied.mode());
    assertTrue(denied.reasons().get(0).startsWith("is not a valid image reference: "), denied.reasons().toString());
    assertTrue(denied.reasons().get(0).endsWith("; fix: write it as registry/repository@sha256:<digest>"));
  }

  @Test
  void theModeOverrideWinsOverThePolicies() {
    var denied = assertInstanceOf(Judgement.Denied.class, judge("registry.acme.example/shop/web:1", signed, "prod",
        Optional.of(Mode.AUDIT)));
    assertEquals(Mode.AUDIT, denied.mode());
  }

  @Test
  void aRejectionKeepsItsReasonsAndTheEvidenceThatHeld() {
    verdicts = (request, deadline) -> Future.succeededFuture(new Lookup(new Verdict.Rejected(
        List.of(new Verdict.Reason("has no promotion to prod", "promote it")),
        List.of(new SignatureEvidence("ci", "key", ""))), CacheSource.MISS));
    var denied = assertInstanceOf(Judgement.Denied.class, judge("registry.acme.example/shop/web@" + DIGEST));
    assertEquals(List.of("has no promotion to prod; fix: promote it"), denied.reasons());
    assertEquals(1, denied.evidence().size());
    assertEquals(CacheSource.MISS, denied.cache());
  }

  @Test
  void aVerdictSourceThatFailsGivesUnverifiableNeverAdmitted() {
    verdicts = (request, deadline) -> {
      throw new IllegalStateException("boom");
    };
    var unverifiable = assertInstanceOf(Judgement.Unverifiable.class,
        judge("registry.acme.example/shop/web@" + DIGEST));
    assertEquals(Verdict.Unverifiable.Category.INTERNAL, unverifiable.cause().category());
    assertTrue(unverifiable.problems().get(0).startsWith("could not be verified (internal): verifying "
        + "registry.acme.example/shop/web@" + DIGEST + " failed unexpectedly: boom"), unverifiable.problems().get(0));
  }

  @Test
  void theSameImageStringIsParsedOnceAndJudgedAlike() {
    ImageJudge judge = new ImageJudge(verdicts, tags);
    Scope scope = new Scope("prod", signed, Optional.empty(), DEADLINE);
    Judgement first = judge.judge("registry.acme.example/shop/web@" + DIGEST, scope).result();
    Judgement second = judge.judge(ImageReference.parse("registry.acme.example/shop/web@" + DIGEST), scope).result();
    assertEquals(first, second);
  }
}
