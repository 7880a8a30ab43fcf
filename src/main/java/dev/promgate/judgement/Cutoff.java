package dev.promgate.judgement;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The moment one admission request must be answered, whatever is still pending: its arrival plus
 * the GateConfig's verification budget ({@code spec.timeouts.verification}, below the webhook's
 * {@code timeoutSeconds}). A step that has not finished by then is answered for on the spot — an
 * image's verdict as Unverifiable naming the budget, a tag's "pin it as" hint left out — and goes
 * on without the request waiting for it: a verification finishes into the verdict cache, for the
 * next request.
 *
 * <p>One timer per request, set only when a step is still pending when the judgement asks (a
 * cached decision sets none), cancelled when the decision is made.
 */
public final class Cutoff {

  /** One-shot timers: Vert.x's on the request's event loop in the webhook; driven by hand in tests. */
  @FunctionalInterface
  public interface Timers {
    /**
     * Runs {@code action} once, {@code delay} from now.
     *
     * @return cancels it
     */
    Runnable schedule(Duration delay, Runnable action);

    /** No timer: only the deadline handed to each step bounds it (the offline commands). */
    Timers NONE = (delay, action) -> () -> { };
  }

  private final Instant at;
  private final Duration budget;
  private final Clock clock;
  private final Timers timers;
  /** Completed when the cutoff comes; null until a step waits for it. */
  private Promise<Void> reached;
  private Runnable cancelTimer;
  private boolean done;

  /**
   * @param at     when the request must be answered: its arrival plus {@code budget}
   * @param budget the verification budget, named in what a late step is answered with
   */
  public Cutoff(Instant at, Duration budget, Clock clock, Timers timers) {
    this.at = at;
    this.budget = budget;
    this.clock = clock;
    this.timers = timers;
  }

  /** A deadline without a timer of its own: each step is bounded by what it is handed, nothing more. */
  public static Cutoff none(Instant deadline) {
    return new Cutoff(deadline, Duration.ZERO, Clock.systemUTC(), Timers.NONE);
  }

  /** When the request must be answered. */
  public Instant at() {
    return at;
  }

  /** The verification budget. */
  public Duration budget() {
    return budget;
  }

  /**
   * The deadline for work that may outlive the request (a verification that others will read from
   * the cache): a whole budget from now, and never before the cutoff.
   */
  public Instant workDeadline() {
    if (timers == Timers.NONE) {
      return at;
    }
    Instant full = clock.instant().plus(budget);
    return full.isAfter(at) ? full : at;
  }

  /**
   * {@code work}'s answer, or {@code late}'s if the cutoff comes first. Finished work is returned as
   * it is; work still running is not cancelled.
   */
  public <T> Future<T> race(Future<T> work, Supplier<T> late) {
    if (work.isComplete() || timers == Timers.NONE) {
      return work;
    }
    Promise<T> answer = Promise.promise();
    work.onComplete(ar -> {
      if (ar.succeeded()) {
        answer.tryComplete(ar.result());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    reached().onComplete(ignored -> {
      if (answer.future().isComplete()) {
        return;
      }
      try {
        answer.tryComplete(late.get());
      } catch (RuntimeException e) {
        answer.tryFail(e);
      }
    });
    return answer.future();
  }

  /** The decision is made: the timer, if any, is not needed any more. */
  public void cancel() {
    Runnable cancel;
    synchronized (this) {
      done = true;
      cancel = cancelTimer;
      cancelTimer = null;
    }
    if (cancel != null) {
      cancel.run();
    }
  }

  private Future<Void> reached() {
    Promise<Void> promise;
    Duration left;
    synchronized (this) {
      if (reached != null) {
        return reached.future();
      }
      reached = promise = Promise.promise();
      left = Duration.between(clock.instant(), at);
      if (done || left.isNegative() || left.isZero()) {
        promise.complete();
        return promise.future();
      }
    }
    Runnable cancel = timers.schedule(left, promise::tryComplete);
    synchronized (this) {
      if (!done) {
        cancelTimer = cancel;
        return promise.future();
      }
    }
    cancel.run();
    return promise.future();
  }
}
