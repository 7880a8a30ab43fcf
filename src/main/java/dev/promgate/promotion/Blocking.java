package dev.promgate.promotion;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for Vert.x futures. The promotion tools run as command-line steps, one after the other, so
 * they read like a checklist; they must never run on an event loop, which this refuses.
 */
final class Blocking {

  /** A safety net only: every registry call has its own deadline well before this. */
  private static final long SAFETY_NET_MINUTES = 10;

  private Blocking() {}

  /** The future's value; its failure is rethrown (a RegistryException stays one). */
  static <T> T await(Future<T> future) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("the promotion tools block; do not call them on an event loop");
    }
    try {
      return future.toCompletionStage().toCompletableFuture().get(SAFETY_NET_MINUTES, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + SAFETY_NET_MINUTES + " minutes", e);
    }
  }
}
