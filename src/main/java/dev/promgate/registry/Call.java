package dev.promgate.registry;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One public call of {@link RegistryClient}: its deadline (the admission request's budget), the
 * Vert.x context it runs on, the count of HTTP exchanges it made, and whether it was given up
 * (a parallel branch failed, so the other branches need not go on).
 */
final class Call {

  private final Instant deadline;
  private final Clock clock;
  private final Context context;
  private final AtomicInteger roundTrips = new AtomicInteger();
  private final AtomicLong reservedBytes = new AtomicLong();
  private volatile RegistryException abandonedBecause;

  Call(Instant deadline, Clock clock, Context context) {
    this.deadline = deadline;
    this.clock = clock;
    this.context = context;
  }

  Instant now() {
    return clock.instant();
  }

  /** Time left before the deadline; zero or negative when it has passed. */
  Duration remaining() {
    return Duration.between(clock.instant(), deadline);
  }

  Context context() {
    return context;
  }

  void countRoundTrip() {
    roundTrips.incrementAndGet();
  }

  int roundTrips() {
    return roundTrips.get();
  }

  /** Counts {@code bytes} against {@code max} for this call; false (and nothing counted) when over. */
  boolean reserveBytes(long bytes, long max) {
    while (true) {
      long current = reservedBytes.get();
      if (current + bytes > max) {
        return false;
      }
      if (reservedBytes.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /** Stops further requests of this call: a sibling branch failed with {@code cause}. */
  void abandon(RegistryException cause) {
    if (abandonedBecause == null) {
      abandonedBecause = cause;
    }
  }

  RegistryException abandonedBecause() {
    return abandonedBecause;
  }

  /**
   * The same outcome, delivered on this call's context: a result shared between calls (a token
   * fetch, a credentials reload, a free request slot) may complete on another event loop.
   */
  <T> Future<T> onContext(Future<T> shared) {
    if (shared.isComplete() || context == null) {
      return shared;
    }
    Promise<T> promise = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }
}
