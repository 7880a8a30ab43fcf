package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.decision.ImageResult;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.image.Digest;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.Judgement;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.Authority;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.ManualTime;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.SignatureEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictCache;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verdict.Verifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A request is answered by its arrival plus the verification budget, whatever is still pending:
 * images not judged by then are Unverifiable naming the budget (or served stale where the cache
 * may), tags lose only their hint, and the work goes on into the cache. Time is driven by hand
 * ({@link ManualTime}): the cutoff's timer rings when the test moves time past it, never by itself.
 */
class RequestCutoffTest {

  static final Duration BUDGET = GateConfig.Timeouts.defaults().verification();
  static final EnvironmentResolver.Route PROD = new EnvironmentResolver.Named("prod");

  final ManualTime time = new ManualTime(Instant.parse("2026-11-26T10:00:00Z"));
  final List<String> logLines = new CopyOnWriteArrayList<>();
  final Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
  final PolicySet signed = TestPolicies.create().policy("shop", "registry.acme.example/shop/**",
      Map.of("ci", ci), Map.of("prod", TestPolicies.signedBy("prod", ci))).build();

  static String image(String name) {
    return "registry.acme.example/shop/" + name + "@" + Digest.sha256Of(name.getBytes(StandardCharsets.UTF_8));
  }

  static Lookup verified(CacheSource source) {
    return new Lookup(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test"))), source);
  }

  /** Verdicts that are already known (the cached ones), and lookups left pending for the rest. */
  final class Verdicts implements VerdictSource {
    final Map<String, Lookup> known = new ConcurrentHashMap<>();
    final Map<String, Promise<Lookup>> pending = new ConcurrentHashMap<>();

    @Override
    public Future<Lookup> lookup(dev.promgate.verdict.VerificationRequest request, Instant deadline) {
      Lookup k = known.get(request.image().toString());
      if (k != null) {
        return Future.succeededFuture(k);
      }
      return pending.computeIfAbsent(request.image().toString(), i -> Promise.promise()).future();
    }
  }

  AdmissionPipeline pipeline(VerdictSource verdicts, TagResolver tags) {
    return new AdmissionPipeline(() -> signed, new ImageJudge(verdicts, tags), Optional.empty(),
        new DecisionLog(logLines::add), time, new SimpleMeterRegistry(), time);
  }

  static Judgement judgementOf(Decision d, String image) {
    return d.images().stream().filter(r -> r.container().image().equals(image)).map(ImageResult::judgement)
        .findFirst().orElseThrow(() -> new AssertionError(image + " not in " + d.images()));
  }

  @Test
  void anImageStillVerifyingAtTheCutoffIsUnverifiableNamingTheBudgetAndTheOthersAreDecided() {
    Verdicts verdicts = new Verdicts();
    verdicts.known.put(image("cached"), verified(CacheSource.HIT));
    Future<Decision> answer = pipeline(verdicts, TagResolver.NONE).admit(
        Reviews.call(Reviews.pod("shop-prod", image("cached"), image("slow"))), PROD);
    assertFalse(answer.isComplete(), "the slow image is still being verified");
    assertEquals(1, time.timersSet(), "one timer for the request");

    time.advance(BUDGET.minusMillis(1));
    assertFalse(answer.isComplete(), "not before the cutoff");
    time.advance(Duration.ofMillis(1));

    Decision d = answer.result();
    assertFalse(d.allowed(), d.message());
    Judgement.Unverifiable slow = assertInstanceOf(Judgement.Unverifiable.class, judgementOf(d, image("slow")));
    assertEquals(Verdict.Unverifiable.Category.TIMEOUT, slow.cause().category());
    assertTrue(d.message().contains("could not be verified (timeout): verifying " + image("slow")
        + " did not finish within the verification budget of 8s (GateConfig spec.timeouts.verification), "
        + "counted from the request's arrival"), d.message());
    assertInstanceOf(Judgement.Admitted.class, judgementOf(d, image("cached")));
    assertEquals(1, logLines.size(), "the decision is logged like any other");
    assertFalse(verdicts.pending.get(image("slow")).future().isComplete(), "the verification itself goes on");
  }

  @Test
  void theBudgetCountsFromTheRequestsArrivalNotFromTheStartOfTheDecision() {
    Verdicts verdicts = new Verdicts();
    verdicts.known.put(image("cached"), verified(CacheSource.HIT));
    // The body took longer than the whole budget to arrive.
    long arrived = System.nanoTime() - BUDGET.plusSeconds(1).toNanos();
    Future<Decision> answer = pipeline(verdicts, TagResolver.NONE).admit(
        Reviews.call(Reviews.pod("shop-prod", image("cached"), image("new"))), PROD, arrived);

    assertTrue(answer.isComplete(), "nothing is waited for once the budget is spent");
    assertEquals(0, time.timersSet());
    assertEquals(Verdict.Unverifiable.Category.TIMEOUT, assertInstanceOf(Judgement.Unverifiable.class,
        judgementOf(answer.result(), image("new"))).cause().category());
    assertInstanceOf(Judgement.Admitted.class, judgementOf(answer.result(), image("cached")),
        "a verdict already known is still used");
  }

  @Test
  void theCutoffOfALateRequestComesSoonerByTheTimeItWaited() {
    Verdicts verdicts = new Verdicts();
    long arrived = System.nanoTime() - Duration.ofSeconds(5).toNanos();
    Future<Decision> answer = pipeline(verdicts, TagResolver.NONE).admit(
        Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD, arrived);
    time.advance(BUDGET.minusSeconds(5));
    assertTrue(answer.isComplete(), "answered " + BUDGET.minusSeconds(5) + " after the decision began");
    assertFalse(answer.result().allowed());
    assertTrue(answer.result().message().contains("could not be verified (timeout): verifying " + image("new")
        + " did not finish within the verification budget of " + BUDGET.toSeconds() + "s"), answer.result().message());
  }

  @Test
  void aCachedDecisionSetsNoTimer() {
    Verdicts verdicts = new Verdicts();
    verdicts.known.put(image("a"), verified(CacheSource.HIT));
    verdicts.known.put(image("b"), verified(CacheSource.HIT));
    Future<Decision> answer = pipeline(verdicts, TagResolver.NONE).admit(
        Reviews.call(Reviews.pod("shop-prod", image("a"), image("b"))), PROD);
    assertTrue(answer.result().allowed(), answer.result().message());
    assertEquals(0, time.timersSet());
  }

  @Test
  void theTimerIsCancelledOnceEveryImageIsJudged() {
    Verdicts verdicts = new Verdicts();
    Future<Decision> answer = pipeline(verdicts, TagResolver.NONE).admit(
        Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    assertEquals(1, time.timersPending());
    verdicts.pending.get(image("new")).complete(verified(CacheSource.MISS));
    assertTrue(answer.result().allowed(), answer.result().message());
    assertEquals(0, time.timersPending(), "cancelled with the decision");
  }

  @Test
  void aTagWhoseDigestIsStillBeingResolvedAtTheCutoffIsDeniedWithoutTheHint() {
    Promise<Digest> never = Promise.promise();
    Future<Decision> answer = pipeline(new Verdicts(), (tagged, deadline) -> never.future()).admit(
        Reviews.call(Reviews.pod("shop-prod", "registry.acme.example/shop/web:1.4")), PROD);
    assertFalse(answer.isComplete());
    time.advance(BUDGET);
    Decision d = answer.result();
    assertFalse(d.allowed());
    assertInstanceOf(Judgement.Denied.class, d.images().get(0).judgement());
    assertTrue(d.message().contains("registry.acme.example/shop/web:1.4 uses the mutable tag \"1.4\""), d.message());
    assertTrue(d.message().contains("pin it as registry.acme.example/shop/web@sha256:<digest>"),
        "no digest to name: " + d.message());
  }

  /** A verifier that answers only when the test says so, recording the deadline it was given. */
  static final class HeldVerifier implements Verifier {
    final List<Promise<Verdict>> held = new CopyOnWriteArrayList<>();
    final List<Instant> deadlines = new CopyOnWriteArrayList<>();

    @Override
    public Future<Verdict> verify(dev.promgate.verdict.VerificationRequest request, Instant deadline) {
      Promise<Verdict> p = Promise.promise();
      held.add(p);
      deadlines.add(deadline);
      return p.future();
    }
  }

  VerdictCache cache(Verifier verifier) {
    return new VerdictCache(verifier, GateConfig.CacheSettings.defaults(), time, time, new SimpleMeterRegistry());
  }

  @Test
  void aRequestThatJoinsAVerificationUnderWayIsAnsweredByItsOwnCutoffAndTheVerdictStillReachesTheCache() {
    HeldVerifier verifier = new HeldVerifier();
    AdmissionPipeline pipeline = pipeline(cache(verifier), TagResolver.NONE);
    Future<Decision> first = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    assertEquals(1, verifier.held.size());
    assertEquals(time.instant().plus(BUDGET), verifier.deadlines.get(0),
        "the verification has one whole budget");

    time.advance(Duration.ofSeconds(2));
    // This one arrived long ago (its body was slow): its cutoff is 2 s away, before the first's.
    long arrived = System.nanoTime() - BUDGET.minusSeconds(2).toNanos();
    Future<Decision> joined = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD, arrived);
    assertEquals(1, verifier.held.size(), "joined the verification under way");

    time.advance(Duration.ofSeconds(2));
    assertTrue(joined.isComplete(), "answered at its own cutoff");
    assertFalse(first.isComplete(), "the first request still has time");
    assertEquals(Verdict.Unverifiable.Category.TIMEOUT, assertInstanceOf(Judgement.Unverifiable.class,
        joined.result().images().get(0).judgement()).cause().category());

    verifier.held.get(0).complete(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test"))));
    assertTrue(first.result().allowed(), first.result().message());
    Decision next = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD).result();
    assertTrue(next.allowed(), next.message());
    assertEquals(1, verifier.held.size(), "the next request is a cache hit");
  }

  /**
   * A verifier in front of a registry that holds its answers: like the registry verifier, it ends
   * Unverifiable (timeout) when the deadline it was handed passes, on the test's clock.
   */
  final class StalledRegistryVerifier implements Verifier {
    final List<Promise<Verdict>> held = new CopyOnWriteArrayList<>();
    final List<Instant> deadlines = new CopyOnWriteArrayList<>();

    @Override
    public Future<Verdict> verify(dev.promgate.verdict.VerificationRequest request, Instant deadline) {
      Promise<Verdict> p = Promise.promise();
      held.add(p);
      deadlines.add(deadline);
      time.schedule(Duration.between(time.instant(), deadline), () -> p.tryComplete(new Verdict.Unverifiable(
          Verdict.Unverifiable.Category.TIMEOUT, "verifying " + request.image() + " did not finish in time")));
      return p.future();
    }

    /** The registry answers again: every verification still waiting is verified. */
    void answer() {
      held.forEach(p -> p.tryComplete(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test")))));
    }
  }

  @Test
  void aRequestThatJoinsAVerificationIsNotCutShortByTheFirstRequestsDeadline() {
    StalledRegistryVerifier verifier = new StalledRegistryVerifier();
    AdmissionPipeline pipeline = pipeline(cache(verifier), TagResolver.NONE);
    Instant start = time.instant();
    Future<Decision> first = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    time.advance(Duration.ofSeconds(5));
    Future<Decision> joined = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    assertEquals(1, verifier.held.size(), "joined the verification under way");

    time.advance(BUDGET.minusSeconds(5));
    assertFalse(first.result().allowed(), "the first request's budget is spent");
    assertEquals(Verdict.Unverifiable.Category.TIMEOUT, assertInstanceOf(Judgement.Unverifiable.class,
        first.result().images().get(0).judgement()).cause().category());
    assertFalse(joined.isComplete(), "the joined request still has 5 s of its own budget");
    assertEquals(List.of(start.plus(BUDGET), start.plusSeconds(5).plus(BUDGET)), verifier.deadlines,
        "asked again, under the joined request's own deadline");

    time.advance(Duration.ofSeconds(1));
    verifier.answer();
    assertTrue(joined.result().allowed(), joined.result().message());
    Decision next = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD).result();
    assertTrue(next.allowed(), next.message());
    assertEquals(2, verifier.held.size(), "the verdict is cached; the timeout never was");
  }

  @Test
  void aRequestThatJoinsAndRunsOutOfTimeItselfIsNotAskedAgain() {
    StalledRegistryVerifier verifier = new StalledRegistryVerifier();
    AdmissionPipeline pipeline = pipeline(cache(verifier), TagResolver.NONE);
    Future<Decision> first = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    // Arrived long ago: its cutoff comes before the first request's.
    long arrived = System.nanoTime() - BUDGET.minusSeconds(2).toNanos();
    Future<Decision> joined = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD, arrived);
    time.advance(BUDGET);
    assertFalse(first.result().allowed());
    assertFalse(joined.result().allowed());
    assertEquals(1, verifier.held.size(), "a verification no caller outlasts is not repeated");
  }

  @Test
  void aVerificationLeftBehindByItsRequestFinishesIntoTheCache() {
    HeldVerifier verifier = new HeldVerifier();
    AdmissionPipeline pipeline = pipeline(cache(verifier), TagResolver.NONE);
    Future<Decision> timedOut = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD);
    time.advance(BUDGET);
    assertFalse(timedOut.result().allowed());
    assertTrue(timedOut.result().message().contains("could not be verified (timeout)"), timedOut.result().message());

    verifier.held.get(0).complete(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test"))));
    Decision retry = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new"))), PROD).result();
    assertTrue(retry.allowed(), retry.message());
    assertEquals(1, verifier.held.size(), "no second verification");
  }

  @Test
  void atTheCutoffAVerifiedVerdictPastItsTtlIsServedStaleRatherThanDenied() {
    HeldVerifier verifier = new HeldVerifier();
    AdmissionPipeline pipeline = pipeline(cache(verifier), TagResolver.NONE);
    Future<Decision> first = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("known"))), PROD);
    verifier.held.get(0).complete(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "test"))));
    assertTrue(first.result().allowed());

    time.advance(GateConfig.CacheSettings.defaults().ttl().plusSeconds(1));
    Future<Decision> later = pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("known"))), PROD);
    assertEquals(2, verifier.held.size(), "re-verifying after the TTL");
    time.advance(BUDGET);

    Decision d = later.result();
    assertTrue(d.allowed(), d.message());
    Judgement.Admitted admitted = assertInstanceOf(Judgement.Admitted.class, d.images().get(0).judgement());
    assertEquals(CacheSource.STALE, admitted.cache());
  }

  @Test
  void manyRequestsAtTheCutoffAllGetTheirAnswer() {
    Verdicts verdicts = new Verdicts();
    AdmissionPipeline pipeline = pipeline(verdicts, TagResolver.NONE);
    AtomicInteger answered = new AtomicInteger();
    for (int i = 0; i < 50; i++) {
      pipeline.admit(Reviews.call(Reviews.pod("shop-prod", image("new" + i), image("new" + (i + 1)))), PROD)
          .onSuccess(d -> answered.incrementAndGet());
    }
    assertEquals(0, answered.get());
    time.advance(BUDGET);
    assertEquals(50, answered.get());
    assertEquals(0, time.timersPending());
  }
}
