package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.decision.Decision;
import dev.promgate.decision.DecisionLog;
import dev.promgate.environment.EnvironmentResolver;
import dev.promgate.judgement.ImageJudge;
import dev.promgate.judgement.Judgement;
import dev.promgate.judgement.Scope;
import dev.promgate.judgement.TagResolver;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.Await;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestPolicies;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One pod creator must not be able to fill the heap: an image string is attacker-sized (the API
 * server does not limit its length), so nothing may keep one after its decision unless it is a
 * valid reference, whose length the distribution grammar bounds.
 */
class OversizedImageMemoryTest {

  private static final PolicySet POLICIES = TestPolicies.digestOnlyEverywhere();

  private final ImageJudge judge = new ImageJudge(
      (request, deadline) -> Future.succeededFuture(new Lookup(
          new Verdict.Unverifiable(Verdict.Unverifiable.Category.INTERNAL, "no registry"), CacheSource.MISS)),
      TagResolver.NONE);

  @Test
  void anOversizedImageStringIsNotKeptAfterItsDenial() throws Exception {
    WeakReference<String> image = judgeAndForget(hostile(0, 1 << 20));
    assertTrue(collected(image), "a 1 MiB invalid image string is still reachable after its denial");
  }

  @Test
  void aShortInvalidImageStringIsNotKeptEither() throws Exception {
    WeakReference<String> image = judgeAndForget(new String("Registry.Example/UPPER/case:" + System.nanoTime()));
    assertTrue(collected(image), "a parse failure is still reachable after its denial");
  }

  @Test
  void anOversizedImageIsDeniedAsTooLongWithoutTheWholeStringInTheMessage() throws Exception {
    String image = hostile(7, 100_000);
    Judgement r = judge(image);
    assertFalse(r.problems().isEmpty());
    String reason = String.join("; ", r.problems());
    assertTrue(reason.contains("100000 characters long"), reason);
    assertTrue(reason.length() < 1_000, "the denial repeats the oversized image: " + reason.length() + " characters");
  }

  /** Thousands of distinct oversized images in a row, as one pod creator could send them: live heap stays flat. */
  @Test
  void thousandsOfDistinctOversizedImagesLeaveLiveHeapFlat() throws Exception {
    AdmissionPipeline pipeline = new AdmissionPipeline(() -> POLICIES, judge, Optional.empty(),
        new DecisionLog(line -> { }), Clock.systemUTC(), new SimpleMeterRegistry());
    long before = liveHeap();
    int images = 1_000;
    int size = 64 * 1024;
    for (int i = 0; i < images; i++) {
      Decision d = Await.result(pipeline.admit(Reviews.call(Reviews.pod("shop-prod", hostile(i, size))),
          new EnvironmentResolver.Named("prod")));
      assertFalse(d.allowed());
      assertTrue(d.message().contains("is not a valid image reference: the normalised repository name is "),
          d.message());
    }
    long grown = liveHeap() - before;
    // 1,000 × 64 KiB is 64 MiB of image text; a flat heap keeps none of it.
    assertTrue(grown < 16L << 20, "live heap grew by " + (grown >> 20) + " MiB over " + images + " requests");
  }

  private WeakReference<String> judgeAndForget(String image) throws Exception {
    WeakReference<String> ref = new WeakReference<>(image);
    Judgement r = judge(image);
    assertFalse(r.problems().isEmpty(), "the invalid image was not denied");
    return ref;
  }

  private Judgement judge(String image) throws Exception {
    return Await.result(judge.judge(image, new Scope("prod", POLICIES, Optional.empty(), Instant.now().plusSeconds(5))));
  }

  /** A distinct invalid image: upper-case repository path, padded to {@code length} characters. */
  static String hostile(int n, int length) {
    StringBuilder s = new StringBuilder(length).append("registry.example/X").append(n).append('/');
    while (s.length() < length) {
      s.append('A');
    }
    return s.toString();
  }

  /** Whether the referent is gone after full collections; a reference still held survives them all. */
  private static boolean collected(WeakReference<?> ref) {
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc();
    }
    return ref.get() == null;
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
