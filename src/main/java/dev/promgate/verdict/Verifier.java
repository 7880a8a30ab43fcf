package dev.promgate.verdict;

import io.vertx.core.Future;
import java.time.Instant;

/**
 * Decides whether an image digest satisfies its requirements. Implementations never block the
 * calling thread, never fail the future (a problem is a {@link Verdict.Unverifiable} or
 * {@link Verdict.Rejected} value), and answer by {@code deadline}.
 */
@FunctionalInterface
public interface Verifier {

  Future<Verdict> verify(VerificationRequest request, Instant deadline);
}
