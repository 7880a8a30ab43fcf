package dev.promgate.registry;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * At most {@code max} requests in flight to one registry; the others wait in a FIFO queue (they
 * are not failed) until a slot frees up or their call's deadline passes. A slot handed to a waiter
 * is delivered on the waiter's own context.
 */
final class Limiter {

  private final Vertx vertx;
  private final int max;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int inFlight;

  Limiter(Vertx vertx, int max) {
    this.vertx = vertx;
    this.max = max;
  }

  /** A slot; release it exactly once (further releases are ignored). */
  final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        handOver();
      }
    }
  }

  private static final class Waiter {
    final Promise<Permit> promise = Promise.promise();
    final AtomicBoolean settled = new AtomicBoolean();
    final Context context;
    long timer = -1;

    Waiter(Context context) {
      this.context = context;
    }
  }

  /**
   * A slot now, or when one frees up; fails with {@code onTimeout} when {@code remaining} runs out
   * first.
   */
  Future<Permit> acquire(Duration remaining, Supplier<RegistryException> onTimeout) {
    Waiter waiter;
    synchronized (this) {
      if (inFlight < max) {
        inFlight++;
        return Future.succeededFuture(new Permit());
      }
      waiter = new Waiter(Vertx.currentContext());
      queue.add(waiter);
    }
    long delay = Math.max(1, remaining.toMillis());
    waiter.timer = vertx.setTimer(delay, id -> {
      if (waiter.settled.compareAndSet(false, true)) {
        synchronized (this) {
          queue.remove(waiter);
        }
        waiter.promise.fail(onTimeout.get());
      }
    });
    return waiter.promise.future();
  }

  private void handOver() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          inFlight--;
          return;
        }
      }
      if (next.settled.compareAndSet(false, true)) {
        vertx.cancelTimer(next.timer);
        Permit permit = new Permit();
        if (next.context != null && Vertx.currentContext() != next.context) {
          next.context.runOnContext(v -> next.promise.complete(permit));
        } else {
          next.promise.complete(permit);
        }
        return;
      }
    }
  }
}
