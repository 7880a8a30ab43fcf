package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.Outcome;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The break-glass annotation in the whole flow: honoured only where the GateConfig allows it. */
class AdmissionPipelineBreakGlassTest {

  static final String IMAGE = "registry.acme.example/shop/web@sha256:" + "ab12".repeat(16);
  final List<String> log = new CopyOnWriteArrayList<>();

  AdmissionPipeline pipeline(Set<String> breakGlass) {
    GateConfig base = TestPolicies.create().gate();
    GateConfig gate = new GateConfig(base.mode(), base.defaultEnvironment(), base.namespaces(), base.exemptNamespaces(),
        base.registries(), base.cache(), base.credentials(), base.timeouts(), breakGlass, base.limits());
    var ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    PolicySet set = TestPolicies.create().gate(gate).policy("shop", "registry.acme.example/shop/**", Map.of("ci", ci),
        Map.of("prod", TestPolicies.signedBy("prod", ci), "preprod", TestPolicies.signedBy("preprod", ci))).build();
    ImageJudge judge = new ImageJudge((request, deadline) -> Future.succeededFuture(new Lookup(
        Verdict.Rejected.because("is not signed by ci", "cosign sign --key ci.key …"), CacheSource.MISS)), TagResolver.NONE);
    return new AdmissionPipeline(() -> set, judge, Optional.empty(), new DecisionLog(log::add), Clock.systemUTC(),
        new SimpleMeterRegistry());
  }

  static ObjectNode deploymentWithBreakGlass(String reason) {
    ObjectNode review = Reviews.deployment("shop", IMAGE);
    ((ObjectNode) review.path("request").path("object").path("spec").path("template"))
        .putObject("metadata").putObject("annotations").put("promgate.dev/break-glass", reason)
        .put("promgate.dev/break-glass-until", java.time.Instant.now().plus(java.time.Duration.ofHours(2))
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return review;
  }

  @Test
  void honouredInAnAllowedEnvironment() throws Exception {
    Decision d = Await.result(pipeline(Set.of("preprod")).admit(Reviews.call(deploymentWithBreakGlass("INC-7")),
        new EnvironmentResolver.Named("preprod")));
    assertTrue(d.allowed(), d.message());
    assertEquals(Outcome.BREAK_GLASS, d.outcome());
    assertTrue(d.warnings().get(0).contains("break-glass in preprod (reason: \"INC-7\", requested by alice@acme.example)"),
        d.warnings().toString());
    assertEquals("INC-7", d.annotations().get("break-glass-reason"));
    assertTrue(log.get(0).contains("\"level\":\"WARN\""), log.get(0));
    assertTrue(log.get(0).contains("\"decision\":\"break-glass\""), log.get(0));
    assertTrue(log.get(0).contains("\"breakGlassReason\":\"INC-7\""), log.get(0));
  }

  @Test
  void ignoredElsewhereAndTheDenialSaysSo() throws Exception {
    Decision d = Await.result(pipeline(Set.of("preprod")).admit(Reviews.call(deploymentWithBreakGlass("INC-7")),
        new EnvironmentResolver.Named("prod")));
    assertFalse(d.allowed());
    assertEquals(Outcome.DENY, d.outcome());
    assertTrue(d.message().contains("is not signed by ci"), d.message());
    assertTrue(d.message().contains("was ignored: break-glass is not allowed in environment prod"), d.message());
  }

  @Test
  void offByDefault() throws Exception {
    Decision d = Await.result(pipeline(Set.of()).admit(Reviews.call(deploymentWithBreakGlass("INC-7")),
        new EnvironmentResolver.Named("preprod")));
    assertFalse(d.allowed());
    assertEquals(Outcome.DENY, d.outcome());
    assertTrue(d.message().contains("was ignored: break-glass is not allowed in environment preprod (GateConfig "
        + "spec.breakGlass.environments: none)"), d.message());
  }

  @Test
  void anAdmittedRequestIsLeftAsItIs() throws Exception {
    ObjectNode review = deploymentWithBreakGlass("INC-7");
    ((ObjectNode) review.path("request")).put("namespace", "kube-system");
    Decision d = Await.result(pipeline(Set.of("preprod")).admit(Reviews.call(review),
        new EnvironmentResolver.Named("preprod")));
    assertEquals(Outcome.EXEMPT, d.outcome());
  }
}
