package dev.promgate.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.GateConfig;
import dev.promgate.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  static final GateConfig.CacheSettings SETTINGS = new GateConfig.CacheSettings(
      Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(1), 1000);
  static final Instant FAR = T0.plus(Duration.ofDays(1));

  final FakeTime time = new FakeTime(T0);
  final AtomicInteger calls = new AtomicInteger();
  Function<VerificationRequest, Future<Verdict>> answer = r -> Future.succeededFuture(verified());
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final VerdictCache cache = new VerdictCache((r, d) -> {
    calls.incrementAndGet();
    return answer.apply(r);
  }, SETTINGS, time, time, meters);

  static Verdict verified() {
    return new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "")));
  }

  static VerificationRequest request(String repo, String digestHex, String env, String fingerprint) {
    EnvironmentRules rules = new EnvironmentRules(env, Optional.empty(), List.of(), List.of(), List.of(), fingerprint);
    return new VerificationRequest(
        ImageReference.of("registry.acme.example", repo, Digest.parse("sha256:" + digestHex.repeat(64 / digestHex.length()))),
        env, List.of(new VerificationRequest.PolicyRules("shop", rules)));
  }

  static VerificationRequest web() {
    return request("shop/web", "a", "prod", "fp1");
  }

  Lookup get(VerificationRequest r) throws Exception {
    return Await.result(cache.lookup(r, FAR));
  }

  @Test
  void aRepeatLookupIsAHitAndNeverCallsTheVerifier() throws Exception {
    assertEquals(CacheSource.MISS, get(web()).source());
    for (int i = 0; i < 100; i++) {
      assertEquals(CacheSource.HIT, get(web()).source());
    }
    assertEquals(1, calls.get());
    assertEquals(100.0, meters.get("promgate_cache_lookups_total").tag("result", "hit").counter().count());
  }

  @Test
  void concurrentMissesShareOneVerification() throws Exception {
    Promise<Verdict> slow = Promise.promise();
    answer = r -> slow.future();
    List<Future<Lookup>> waiting = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      waiting.add(cache.lookup(web(), FAR));
    }
    assertEquals(1, calls.get());
    slow.complete(verified());
    for (Future<Lookup> f : waiting) {
      assertInstanceOf(Verdict.Verified.class, Await.result(f).verdict());
    }
    assertEquals(1, calls.get());
    assertEquals(49.0, meters.get("promgate_cache_lookups_total").tag("result", "coalesced").counter().count());
  }

  @Test
  void keysNeverMixDigestsRepositoriesEnvironmentsOrRequirements() throws Exception {
    get(web());
    get(request("shop/web", "b", "prod", "fp1"));
    get(request("shop/api", "a", "prod", "fp1"));
    get(request("shop/web", "a", "preprod", "fp1"));
    get(request("shop/web", "a", "prod", "fp2"));
    assertEquals(5, calls.get());
    assertEquals(CacheSource.HIT, get(web()).source());
  }

  @Test
  void aVerifiedVerdictIsReverifiedAfterItsTtl() throws Exception {
    get(web());
    time.advance(Duration.ofMinutes(9));
    assertEquals(CacheSource.HIT, get(web()).source());
    time.advance(Duration.ofMinutes(2));
    assertEquals(CacheSource.MISS, get(web()).source());
    assertEquals(2, calls.get());
  }

  @Test
  void evidenceExpiryCapsTheLifetimeAndTheStaleWindow() throws Exception {
    Instant promotionEnds = T0.plus(Duration.ofMinutes(3));
    answer = r -> Future.succeededFuture(new Verdict.Verified(List.of(
        new PromotionEvidence("release", "key", "prod", T0, Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), false, Optional.of(promotionEnds)))));
    get(web());
    time.advance(Duration.ofMinutes(2));
    assertEquals(CacheSource.HIT, get(web()).source());
    time.advance(Duration.ofMinutes(2));
    answer = r -> Future.succeededFuture(new Verdict.Unverifiable(Verdict.Unverifiable.Category.UNREACHABLE, "registry down"));
    Lookup after = get(web());
    assertInstanceOf(Verdict.Unverifiable.class, after.verdict(), "stale must not outlive evidence");
  }

  @Test
  void rejectionsLiveOnlyTheNegativeTtl() throws Exception {
    answer = r -> Future.succeededFuture(Verdict.Rejected.because("unpromoted", "promote it"));
    get(web());
    time.advance(Duration.ofSeconds(29));
    assertEquals(CacheSource.HIT, get(web()).source());
    time.advance(Duration.ofSeconds(2));
    answer = r -> Future.succeededFuture(verified());
    assertInstanceOf(Verdict.Verified.class, get(web()).verdict());
    assertEquals(2, calls.get());
  }

  @Test
  void unverifiableIsNeverCached() throws Exception {
    answer = r -> Future.succeededFuture(new Verdict.Unverifiable(Verdict.Unverifiable.Category.TIMEOUT, "slow"));
    get(web());
    get(web());
    assertEquals(2, calls.get());
    cache.cleanUp();
    assertEquals(0, cache.size());
  }

  @Test
  void staleIfErrorServesAKnownGoodDigestDuringAnOutage() throws Exception {
    get(web());
    time.advance(Duration.ofMinutes(11));
    answer = r -> Future.succeededFuture(new Verdict.Unverifiable(Verdict.Unverifiable.Category.UNREACHABLE, "registry down"));
    Lookup stale = get(web());
    assertInstanceOf(Verdict.Verified.class, stale.verdict());
    assertEquals(CacheSource.STALE, stale.source());
    int attempts = calls.get();
    time.advance(Duration.ofSeconds(5));
    assertEquals(CacheSource.STALE, get(web()).source());
    assertEquals(attempts, calls.get(), "between retries the stale verdict is served without asking the registry");
    time.advance(Duration.ofMinutes(30));
    assertEquals(CacheSource.STALE, get(web()).source());
    assertEquals(attempts + 1, calls.get(), "after the retry interval the registry is asked again");
    time.advance(Duration.ofMinutes(40));
    assertInstanceOf(Verdict.Unverifiable.class, get(web()).verdict(), "past ttl + staleIfError");
  }

  @Test
  void aDefiniteAnswerReplacesAStaleVerdict() throws Exception {
    get(web());
    time.advance(Duration.ofMinutes(11));
    answer = r -> Future.succeededFuture(Verdict.Rejected.because("signature revoked", "re-sign"));
    assertEquals(List.of(new Verdict.Reason("signature revoked", "re-sign")),
        assertInstanceOf(Verdict.Rejected.class, get(web()).verdict()).reasons());
  }

  @Test
  void theBoundIsEnforced() throws Exception {
    cache.update(new GateConfig.CacheSettings(SETTINGS.ttl(), SETTINGS.negativeTtl(), SETTINGS.staleIfError(), 10));
    for (int i = 0; i < 100; i++) {
      get(request("shop/web", String.format("%064x", i), "prod", "fp1"));
    }
    cache.cleanUp();
    assertTrue(cache.size() <= 10, "size " + cache.size());
  }

  @Test
  void aThrowingVerifierBecomesUnverifiable() throws Exception {
    answer = r -> { throw new IllegalStateException("bug"); };
    assertInstanceOf(Verdict.Unverifiable.class, get(web()).verdict());
  }


  @Test
  void aHitIsAnsweredWithTheAnswerMadeAtTheFirstHitUntilTheEntryGoes() throws Exception {
    assertEquals(CacheSource.MISS, get(web()).source());
    Lookup first = get(web());
    Lookup second = get(web());
    assertSame(first, second, "no unpacking and no rendering on a repeat hit");
    assertEquals(CacheSource.HIT, second.source());
    assertEquals(List.of("signature by ci (key)"), second.evidence().texts());
    assertEquals(((Verdict.Verified) verified()).evidence(), ((Verdict.Verified) second.verdict()).evidence());
    assertTrue(cache.renderedWeight() > 0);

    time.advance(SETTINGS.ttl().plus(SETTINGS.staleIfError()).plusSeconds(1));
    cache.cleanUp();
    assertEquals(0, cache.size());
    assertEquals(0, cache.renderedWeight(), "the kept answer went with its entry");
  }

  @Test
  void theAnswersKeptStayWithinTheirBudget() throws Exception {
    cache.renderedBudget(2_000);
    List<VerificationRequest> requests = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      requests.add(request("shop/web", String.format("%064x", i), "prod", "fp1"));
    }
    for (VerificationRequest r : requests) {
      get(r);
      get(r);
    }
    assertTrue(cache.renderedWeight() > 0 && cache.renderedWeight() <= 2_000, "kept: " + cache.renderedWeight());
    VerificationRequest last = requests.get(99);
    Lookup a = get(last);
    Lookup b = get(last);
    assertNotSame(a, b, "past the budget every hit makes its answer anew");
    assertEquals(a.evidence(), b.evidence());
    assertEquals(CacheSource.HIT, b.source());
  }

  @Test
  void aReplacedEntryGivesBackItsWeight() throws Exception {
    get(web());
    get(web());
    long kept = cache.renderedWeight();
    assertTrue(kept > 0);
    time.advance(SETTINGS.ttl().plusSeconds(1));
    answer = r -> Future.succeededFuture(new Verdict.Verified(List.of(new SignatureEvidence("ci", "key", "again"))));
    assertEquals(CacheSource.MISS, get(web()).source());
    assertEquals(0, cache.renderedWeight());
    assertEquals(List.of("signature by ci (key): again"), get(web()).evidence().texts());
  }
}
