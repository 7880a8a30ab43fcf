package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.Outcome;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.image.Digest;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.Judgement;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class AdmissionPipelineTest {

  static final String DIGEST = "sha256:" + "ab12".repeat(16);
  final List<String> logLines = new CopyOnWriteArrayList<>();
  final AtomicInteger verifications = new AtomicInteger();
  VerdictSource verdicts = (request, deadline) -> {
    verifications.incrementAndGet();
    return Future.succeededFuture(new Lookup(new Verdict.Verified(List.of(
        new SignatureEvidence("ci", "key", ""))), CacheSource.MISS));
  };
  TagResolver tags = TagResolver.NONE;

  AdmissionPipeline pipeline(PolicySet set, Optional<Mode> override) {
    return new AdmissionPipeline(() -> set, new ImageJudge((r, d) -> verdicts.lookup(r, d), (t, d) -> tags.resolve(t, d)), override,
        new DecisionLog(logLines::add), Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC),
        new SimpleMeterRegistry());
  }

  static EnvironmentResolver.Route path(String env) {
    return new EnvironmentResolver.Named(env);
  }

  @Test
  void aMutableTagIsDeniedInProdNamingContainerAndFix() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.deployment("shop-prod", "shop/web:1.4")), path("prod")));
    assertFalse(d.allowed());
    assertEquals(Outcome.DENY, d.outcome());
    assertTrue(d.message().contains("container \"web\": shop/web:1.4 uses the mutable tag \"1.4\""), d.message());
    assertTrue(d.message().contains("pin it as docker.io/shop/web@sha256:<digest>"), d.message());
    assertEquals("deny", d.annotations().get("decision"));
    assertEquals("1", d.annotations().get("policy-generation"));
    assertTrue(logLines.get(0).contains("\"decision\":\"deny\""), logLines.get(0));
  }

  @Test
  void theTagHintNamesTheDigestTheTagResolvesToNow() throws Exception {
    tags = (ref, deadline) -> Future.succeededFuture(Digest.parse(DIGEST));
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.deployment("shop", "registry.acme.example/shop/web:1.4")), path("prod")));
    assertTrue(d.message().contains("pin it as registry.acme.example/shop/web@" + DIGEST), d.message());
  }

  @Test
  void auditModeAdmitsWithWarningsAndAnnotations() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.of(Mode.AUDIT))
        .admit(Reviews.call(Reviews.deployment("shop-prod", "shop/web:1.4")), path("prod")));
    assertTrue(d.allowed());
    assertEquals(Outcome.AUDIT_DENY, d.outcome());
    assertEquals(1, d.warnings().size());
    assertTrue(d.warnings().get(0).startsWith("promgate (audit) container \"web\": shop/web:1.4 uses the mutable tag"),
        d.warnings().get(0));
    assertEquals("audit-deny", d.annotations().get("decision"));
    assertTrue(d.annotations().get("reasons").contains("mutable tag"));
  }

  @Test
  void anEnvironmentInAuditModeAdmitsWithWarnings() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.deployment("shop", "shop/web:1.4")), path("dev")));
    assertTrue(d.allowed());
    assertEquals(Outcome.AUDIT_DENY, d.outcome());
  }

  @Test
  void pinnedImagesAreAdmittedAndTagPlusDigestCountsAsPinned() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.pod("shop", "registry.acme.example/shop/web@" + DIGEST,
            "registry.acme.example/shop/side:1.2@" + DIGEST)), path("prod")));
    assertTrue(d.allowed(), d.message());
    assertEquals(Outcome.ALLOW, d.outcome());
  }

  @Test
  void everyFailingContainerIsListedNotOnlyTheFirst() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.pod("shop", "registry.acme.example/shop/web:1", "evil.example/x@" + DIGEST,
            "registry.acme.example/shop/side:2", "Not A Reference")), path("prod")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("container \"web\""), d.message());
    assertTrue(d.message().contains("container \"c1\": evil.example/x@" + DIGEST
        + " is on registry evil.example, which is not in the GateConfig registry allow-list"), d.message());
    assertTrue(d.message().contains("container \"c2\""), d.message());
    assertTrue(d.message().contains("container \"c3\": \"Not A Reference\" is not a valid image reference"), d.message());
  }

  @Test
  void unknownEnvironmentIsAConfigurationErrorThatDenies() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.pod("shop", "registry.acme.example/shop/web@" + DIGEST)), path("staging")));
    assertFalse(d.allowed());
    assertTrue(d.message().startsWith("configuration error: environment \"staging\""), d.message());
    Decision label = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.pod("shop", "registry.acme.example/shop/web@" + DIGEST)),
            new EnvironmentResolver.UnknownLabel()));
    assertFalse(label.allowed());
    assertTrue(label.message().contains("labelled promgate.dev/environment with an environment no policy defines"));
  }

  @Test
  void withoutPathTheNamespaceRulesThenTheDefaultChooseTheEnvironment() throws Exception {
    var p = pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty());
    Decision prod = Await.result(p.admit(Reviews.call(Reviews.pod("shop-prod", "shop/web:1")),
        new EnvironmentResolver.Unnamed()));
    assertEquals("prod", prod.environment());
    assertFalse(prod.allowed());
    Decision dev = Await.result(p.admit(Reviews.call(Reviews.pod("shop", "shop/web:1")),
        new EnvironmentResolver.Unnamed()));
    assertEquals("dev", dev.environment());
    assertTrue(dev.allowed());
  }

  @Test
  void exemptNamespacesAreAdmittedAndLogged() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.pod("kube-system", "anything:latest")), path("prod")));
    assertTrue(d.allowed());
    assertEquals(Outcome.EXEMPT, d.outcome());
    assertTrue(logLines.get(0).contains("\"decision\":\"exempt\""));
  }

  /**
   * A namespace that opted in with the environment label but matches an exemption glob runs
   * everything unchecked: admitted (the exemption holds), but with a warning the deployer sees.
   */
  @Test
  void aLabelledNamespaceExemptedByAGlobIsAdmittedWithAWarning() throws Exception {
    AdmissionPipeline p = pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty());
    Decision labelled = Await.result(p.admit(Reviews.call(Reviews.pod("promgate-canary", "anything:latest")), path("prod")));
    assertTrue(labelled.allowed());
    assertEquals(Outcome.EXEMPT, labelled.outcome());
    assertEquals(List.of("promgate nothing was checked: namespace promgate-canary is labelled"
        + " promgate.dev/environment=prod, but GateConfig exemptNamespaces \"promgate-*\" exempts it; remove the"
        + " label or narrow the entry"), labelled.warnings());
    Decision unknownLabel = Await.result(p.admit(Reviews.call(Reviews.pod("promgate-canary", "anything:latest")),
        new EnvironmentResolver.UnknownLabel()));
    assertTrue(unknownLabel.warnings().get(0).contains("is labelled promgate.dev/environment, but"),
        unknownLabel.warnings()::toString);
    // without the label (a catch-all webhook, unlabelledNamespaces: gate) it is just exempt
    Decision unlabelled = Await.result(p.admit(Reviews.call(Reviews.pod("promgate-canary", "anything:latest")),
        new EnvironmentResolver.Unnamed()));
    assertEquals(Outcome.EXEMPT, unlabelled.outcome());
    assertEquals(List.of(), unlabelled.warnings());
  }

  @Test
  void imagesNoPolicyGovernsAreDenied() throws Exception {
    PolicySet set = TestPolicies.create().digestOnly("shop", "registry.acme.example/shop/**",
        Map.of("prod", Optional.empty())).build();
    Decision d = Await.result(pipeline(set, Optional.empty())
        .admit(Reviews.call(Reviews.pod("shop", "registry.acme.example/other/web@" + DIGEST)), path("prod")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("matches no PromotionPolicy (repository registry.acme.example/other/web; globs tried: "
        + "registry.acme.example/shop/** (policy shop))"), d.message());
  }

  @Test
  void deleteAndConnectAndNonWorkloadsAreAllowed() throws Exception {
    var p = pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty());
    ObjectNode review = Reviews.pod("shop", "shop/web:1");
    ((ObjectNode) review.path("request")).put("operation", "DELETE");
    assertEquals(Outcome.SKIP, Await.result(p.admit(Reviews.call(review), path("prod"))).outcome());
    Decision role = Await.result(p.admit(Reviews.call(Reviews.connaisseurAsV1("11_role.json")), path("prod")));
    assertTrue(role.allowed());
    assertEquals(Outcome.SKIP, role.outcome());
  }

  @Test
  void aPodWithoutSpecIsDenied() throws Exception {
    Decision d = Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.connaisseurAsV1("12_err_pod.json")), path("prod")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("no pod spec"), d.message());
  }

  @Test
  void anAdmissionRecordsTheEvidenceItRestsOnForAuditors() throws Exception {
    KeyedPolicies k = new KeyedPolicies();
    Decision d = Await.result(pipeline(k.set, Optional.empty()).admit(Reviews.call(Reviews.pod("shop",
        "registry.acme.example/shop/web@" + DIGEST)), path("prod")));
    assertTrue(d.allowed(), d.message());
    assertEquals("web: signature by ci (key)", d.annotations().get("evidence"));
  }

  @Test
  void theEvidenceOfAPodTooBigForTheAnnotationIsItsLongestStartThatFits() throws Exception {
    KeyedPolicies k = new KeyedPolicies();
    String[] images = new String[120];
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < images.length; i++) {
      images[i] = "registry.acme.example/shop/web@sha256:" + String.format("%064x", i);
      all.append(i == 0 ? "" : "; ").append(i == 0 ? "web" : "c" + i).append(": signature by ci (key)");
    }
    Decision d = Await.result(pipeline(k.set, Optional.empty()).admit(Reviews.call(Reviews.pod("shop", images)),
        path("prod")));
    assertTrue(d.allowed(), d.message());
    String evidence = d.annotations().get("evidence");
    String tail = "… (all of it: promgate decision log, uid " + d.call().uid() + ")";
    assertTrue(all.length() > 2048 && evidence.endsWith(tail), evidence);
    String kept = evidence.substring(0, evidence.length() - tail.length());
    assertEquals(all.substring(0, 2048 - tail.getBytes(java.nio.charset.StandardCharsets.UTF_8).length), kept);
  }

  @Test
  void aThousandIdenticalContainersAreJudgedOnce() throws Exception {
    KeyedPolicies k = new KeyedPolicies();
    String[] images = new String[1000];
    java.util.Arrays.fill(images, "registry.acme.example/shop/web@" + DIGEST);
    Decision d = Await.result(pipeline(k.set, Optional.empty()).admit(Reviews.call(Reviews.pod("shop", images)),
        path("prod")));
    assertTrue(d.allowed(), d.message());
    assertEquals(1000, d.images().size());
    assertEquals(1, verifications.get());
  }

  @Test
  void rejectedAndUnverifiableVerdictsDenyWithTheirReasons() throws Exception {
    KeyedPolicies k = new KeyedPolicies();
    verdicts = (request, deadline) -> Future.succeededFuture(new Lookup(
        request.image().repository().endsWith("web")
            ? Verdict.Rejected.because("has no signature by ci", "cosign sign --key ci.key …")
            : new Verdict.Unverifiable(Verdict.Unverifiable.Category.UNREACHABLE, "registry.acme.example did not answer"), CacheSource.MISS));
    Decision d = Await.result(pipeline(k.set, Optional.empty()).admit(Reviews.call(Reviews.pod("shop",
        "registry.acme.example/shop/web@" + DIGEST, "registry.acme.example/shop/api@" + DIGEST)), path("prod")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("container \"web\": registry.acme.example/shop/web@" + DIGEST
        + " has no signature by ci; fix: cosign sign --key ci.key …"), d.message());
    assertTrue(d.message().contains("could not be verified (unreachable): registry.acme.example did not answer"),
        d.message());
    assertInstanceOf(Judgement.Unverifiable.class, d.images().get(1).judgement());
  }

  @Test
  void aFailingVerdictSourceDeniesNeverAllows() throws Exception {
    KeyedPolicies k = new KeyedPolicies();
    verdicts = (request, deadline) -> Future.failedFuture(new IllegalStateException("boom"));
    Decision d = Await.result(pipeline(k.set, Optional.empty()).admit(Reviews.call(Reviews.pod("shop",
        "registry.acme.example/shop/web@" + DIGEST)), path("prod")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("could not be verified (internal): verifying registry.acme.example/shop/web@"
        + DIGEST + " failed unexpectedly: boom"), d.message());
  }

  @Test
  void eachDecisionIsOneJsonLogLine() throws Exception {
    Await.result(pipeline(TestPolicies.digestOnlyEverywhere(), Optional.empty())
        .admit(Reviews.call(Reviews.deployment("shop-prod", "shop/web:1.4")), path("prod")));
    assertEquals(1, logLines.size());
    var line = Reviews.JSON.readTree(logLines.get(0));
    for (String field : List.of("time", "uid", "namespace", "kind", "name", "user", "environment",
        "policyGeneration", "decision", "images", "durationMs")) {
      assertTrue(line.has(field), field + " missing in " + line);
    }
    ArrayNode images = (ArrayNode) line.path("images");
    assertEquals("denied", images.path(0).path("verdict").asText());
    assertEquals("spec.template.spec.containers[0].image", images.path(0).path("field").asText());
  }

  /** A policy set whose prod needs a signature, so that the verdict source is consulted. */
  static final class KeyedPolicies {
    final Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    final PolicySet set = TestPolicies.create().policy("shop", "registry.acme.example/shop/**",
        Map.of("ci", ci), Map.of("prod", TestPolicies.signedBy("prod", ci))).build();
  }
}
