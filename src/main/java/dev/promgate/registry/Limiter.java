package dev.promgate.registry;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * At most {@code max} requests in flight to one registry; the others wait (they are not failed)
 * until a slot frees up or their call's deadline passes. A slot handed to a waiter is delivered on
 * the waiter's own context.
 *
 * <p>Waiters are served in turn by owner (one public call of the registry client: one digest's
 * verification), first come first served within an owner: a digest that lists a hundred
 * attachments takes one freed slot in turn with the digest verified beside it, instead of queueing
 * it behind all hundred.
 */
final class Limiter {

  private final Vertx vertx;
  private final int max;
  /** Waiters by owner, owners in the order they are served next. */
  private final Map<Object, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();
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
    final Object owner;
    final Promise<Permit> promise = Promise.promise();
    final AtomicBoolean settled = new AtomicBoolean();
    final Context context;
    long timer = -1;

    Waiter(Object owner, Context context) {
      this.owner = owner;
      this.context = context;
    }
  }

  /**
   * A slot now, or when one frees up and it is {@code owner}'s turn; fails with {@code onTimeout}
   * when {@code remaining} runs out first.
   */
  Future<Permit> acquire(Object owner, Duration remaining, Supplier<RegistryException> onTimeout) {
    Waiter waiter;
    synchronized (this) {
      if (inFlight < max) {
        inFlight++;
        return Future.succeededFuture(new Permit());
      }
      waiter = new Waiter(owner, Vertx.currentContext());
      waiting.computeIfAbsent(owner, o -> new ArrayDeque<>()).add(waiter);
    }
    long delay = Math.max(1, remaining.toMillis());
    waiter.timer = vertx.setTimer(delay, id -> {
      if (waiter.settled.compareAndSet(false, true)) {
        synchronized (this) {
          ArrayDeque<Waiter> queue = waiting.get(waiter.owner);
          if (queue != null && queue.remove(waiter) && queue.isEmpty()) {
            waiting.remove(waiter.owner);
          }
        }
        waiter.promise.fail(onTimeout.get());
      }
    });
    return waiter.promise.future();
  }

  /** How many wait for a slot; for tests. */
  synchronized int waiting() {
    return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  /** How many slots are taken; for tests. */
  synchronized int inFlight() {
    return inFlight;
  }

  private void handOver() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = nextInTurn();
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
          completeInTurn(() -> next.promise.complete(permit));
        }
        return;
      }
    }
  }

  /** Completions waiting on this thread while an outer one runs its callbacks. */
  private static final ThreadLocal<ArrayDeque<Runnable>> COMPLETING = new ThreadLocal<>();

  /**
   * Completes on this thread, but one after another rather than nested: a waiter whose callback
   * releases its permit at once would otherwise complete the next waiter inside that callback, and
   * a long queue would overflow the stack.
   */
  private static void completeInTurn(Runnable completion) {
    ArrayDeque<Runnable> pending = COMPLETING.get();
    if (pending != null) {
      pending.add(completion);
      return;
    }
    pending = new ArrayDeque<>();
    COMPLETING.set(pending);
    try {
      for (Runnable next = completion; next != null; next = pending.poll()) {
        next.run();
      }
    } finally {
      COMPLETING.remove();
    }
  }

  /** The first waiter of the owner whose turn it is; that owner goes to the back of the line. */
  private Waiter nextInTurn() {
    Iterator<Map.Entry<Object, ArrayDeque<Waiter>>> owners = waiting.entrySet().iterator();
    if (!owners.hasNext()) {
      return null;
    }
    Map.Entry<Object, ArrayDeque<Waiter>> first = owners.next();
    Waiter next = first.getValue().poll();
    owners.remove();
    if (!first.getValue().isEmpty()) {
      waiting.put(first.getKey(), first.getValue());
    }
    return next;
  }
}
