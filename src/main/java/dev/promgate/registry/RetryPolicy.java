package dev.promgate.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a request is tried when the registry answers 429 or 5xx or the connection is
 * refused or reset. The wait before attempt n+1 is {@code initialBackoff * 2^(n-1)}, capped at
 * {@code maxBackoff}, with "equal jitter" (a random half of it), or the registry's
 * {@code Retry-After} when that is longer. No wait goes past the call's deadline: when the next
 * attempt cannot start in time, the last failure is reported at once.
 *
 * @param maxAttempts    attempts in total, at least 1 (1 = no retries)
 * @param initialBackoff the base wait before the second attempt
 * @param maxBackoff     the longest computed wait (a {@code Retry-After} may ask for more)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, found " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoff durations must not be negative");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
          + initialBackoff);
    }
  }

  /** Three attempts, 200 ms then 400 ms (halved at random), waits capped at 2 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  /** One attempt, no retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** The jittered backoff before attempt {@code attempt + 1}; {@code random} in [0, 1). */
  Duration backoff(int attempt, double random) {
    long base = initialBackoff.toMillis();
    long computed = base << Math.min(attempt - 1, 20);
    long capped = Math.min(computed < 0 ? Long.MAX_VALUE : computed, maxBackoff.toMillis());
    long half = capped / 2;
    return Duration.ofMillis(half + (long) (random * (capped - half)));
  }
}
