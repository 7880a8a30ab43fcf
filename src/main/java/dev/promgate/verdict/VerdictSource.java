package dev.promgate.verdict;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/** Where the judgement step gets verdicts: a cache in front of a {@link Verifier}, or the verifier alone. */
@FunctionalInterface
public interface VerdictSource {

  Future<Lookup> lookup(VerificationRequest request, Instant deadline);

  /**
   * The answer when the admission request's time is up before {@link #lookup}'s: Unverifiable,
   * naming the budget — unless the source has a verified verdict it may still serve (the cache's
   * stale-if-error window). Must not block; the lookup goes on.
   */
  default Lookup unfinished(VerificationRequest request, Duration budget) {
    return new Lookup(Verdict.Unverifiable.overBudget(request.image(), budget), CacheSource.MISS);
  }

  /** Every lookup verifies anew. */
  static VerdictSource uncached(Verifier verifier) {
    return (request, deadline) -> verifier.verify(request, deadline).map(v -> new Lookup(v, CacheSource.MISS));
  }
}
