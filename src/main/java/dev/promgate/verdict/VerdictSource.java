package dev.promgate.verdict;

import io.vertx.core.Future;
import java.time.Instant;

/** Where the judgement step gets verdicts: a cache in front of a {@link Verifier}, or the verifier alone. */
@FunctionalInterface
public interface VerdictSource {

  Future<Lookup> lookup(VerificationRequest request, Instant deadline);

  /** Every lookup verifies anew. */
  static VerdictSource uncached(Verifier verifier) {
    return (request, deadline) -> verifier.verify(request, deadline).map(v -> new Lookup(v, CacheSource.MISS));
  }
}
