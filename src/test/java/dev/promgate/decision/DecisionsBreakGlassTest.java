package dev.promgate.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.judgement.Judgement;
import dev.promgate.policy.Mode;
import dev.promgate.testing.Reviews;
import dev.promgate.verdict.CacheSource;
import dev.promgate.workload.BreakGlass;
import dev.promgate.workload.ContainerImage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecisionsBreakGlassTest {

  static final String IMAGE = "registry.acme.example/shop/web@sha256:" + "ab".repeat(32);

  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  static final String UNTIL = "2026-11-26T14:00:00Z";

  static Decision denied() {
    ImageResult failed = new ImageResult(new ContainerImage("web", "spec.template.spec.containers[0].image", IMAGE),
        new Judgement.Denied(Mode.ENFORCE, Optional.of(Digest.parse("sha256:" + "ab".repeat(32))),
            List.of("has no promotion to prod signed by release-managers"), List.of(), CacheSource.NONE));
    return Decisions.judged(Reviews.call(Reviews.deployment("shop-prod", IMAGE)), "prod", 7, List.of(failed));
  }

  @Test
  void honouredWhereTheGateConfigAllowsIt() {
    Decision d = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42: payments down",
        "spec.template.metadata.annotations", true, UNTIL), Set.of("prod"), NOW);
    assertTrue(d.allowed());
    assertEquals(Outcome.BREAK_GLASS, d.outcome());
    assertEquals("break-glass", d.annotations().get("decision"));
    assertEquals("INC-42: payments down", d.annotations().get("break-glass-reason"));
    assertEquals("alice@acme.example", d.annotations().get("break-glass-user"));
    assertTrue(d.annotations().get("reasons").contains("has no promotion to prod"), d.annotations().toString());
    assertEquals("7", d.annotations().get("policy-generation"));
    assertEquals(1, d.warnings().size());
    assertTrue(d.warnings().get(0).startsWith("promgate break-glass in prod (reason: \"INC-42: payments down\", "
        + "requested by alice@acme.example): admitted although container \"web\": " + IMAGE
        + " has no promotion to prod"), d.warnings().get(0));
    String line = DecisionLog.line(d, Instant.EPOCH, Duration.ZERO);
    assertTrue(line.contains("\"level\":\"WARN\""), line);
    assertTrue(line.contains("\"decision\":\"break-glass\""), line);
    assertTrue(line.contains("\"breakGlassReason\":\"INC-42: payments down\""), line);
    assertTrue(line.contains("\"user\":\"alice@acme.example\""), line);
  }

  @Test
  void onAnObjectsOwnMetadataItWarnsThatPodsWillBeDenied() {
    Decision d = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-1", "metadata.annotations", false, UNTIL),
        Set.of("prod"), NOW);
    assertTrue(d.allowed());
    assertEquals(2, d.warnings().size());
    assertTrue(d.warnings().get(1).contains("only on the Deployment's metadata.annotations; the Pods it creates"),
        d.warnings().get(1));
  }

  @Test
  void ignoredWhereTheGateConfigDoesNotAllowItAndTheDenialSaysSo() {
    Decision d = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "spec.template.metadata.annotations",
        true, UNTIL), Set.of("preprod", "dev"), NOW);
    assertFalse(d.allowed());
    assertEquals(Outcome.DENY, d.outcome());
    assertTrue(d.message().startsWith(denied().message()), d.message());
    assertTrue(d.message().endsWith("the promgate.dev/break-glass annotation (spec.template.metadata.annotations) was "
        + "ignored: break-glass is not allowed in environment prod (GateConfig spec.breakGlass.environments: dev, "
        + "preprod)"), d.message());
    assertTrue(d.annotations().get("break-glass-ignored").contains("not allowed in environment prod"));
    String line = DecisionLog.line(d, Instant.EPOCH, Duration.ZERO);
    assertTrue(line.contains("\"breakGlassIgnored\":"), line);
  }

  @Test
  void offByDefaultAndAReasonIsRequired() {
    Decision off = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true, UNTIL), Set.of(), NOW);
    assertFalse(off.allowed());
    assertTrue(off.message().contains("GateConfig spec.breakGlass.environments: none"), off.message());
    Decision blank = Decisions.breakGlass(denied(), new BreakGlass.Request("", "metadata.annotations", true, UNTIL),
        Set.of("prod"), NOW);
    assertFalse(blank.allowed());
    assertTrue(blank.message().contains("was ignored: it gives no reason"), blank.message());
  }

  @Test
  void itMustSayUntilWhenAndThatIsAtMostADay() {
    Decision none = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true, ""),
        Set.of("prod"), NOW);
    assertFalse(none.allowed());
    assertTrue(none.message().contains("it has no promgate.dev/break-glass-until annotation"), none.message());
    Decision expired = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true,
        "2026-11-26T09:59:59Z"), Set.of("prod"), NOW);
    assertFalse(expired.allowed());
    assertTrue(expired.message().contains("it expired at 2026-11-26T09:59:59Z"), expired.message());
    Decision tooLong = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true,
        "2026-12-31T00:00:00Z"), Set.of("prod"), NOW);
    assertFalse(tooLong.allowed());
    assertTrue(tooLong.message().contains("lies more than 24h ahead"), tooLong.message());
    Decision garbage = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true,
        "tomorrow"), Set.of("prod"), NOW);
    assertTrue(garbage.message().contains("is not an RFC 3339 time"), garbage.message());
    Decision offset = Decisions.breakGlass(denied(), new BreakGlass.Request("INC-42", "metadata.annotations", true,
        "2026-11-26T12:00:00+01:00"), Set.of("prod"), NOW);
    assertTrue(offset.allowed(), offset.message());
    assertEquals("2026-11-26T12:00:00+01:00", offset.annotations().get("break-glass-until"));
  }
}
