package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking helpers for tests: wait for a Vert.x future, with a generous safety timeout. */
final class Await {

  static final Duration SAFETY = Duration.ofSeconds(60);

  private Await() {}

  /** A deadline comfortably in the future, for calls whose budget is not what is tested. */
  static Instant deadline() {
    return Instant.now().plusSeconds(30);
  }

  static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(SAFETY.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, failed with: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within the safety timeout of " + SAFETY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static RegistryException failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(SAFETY.toSeconds(), TimeUnit.SECONDS);
      return fail("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(RegistryException.class, e.getCause(), () -> "unexpected failure " + e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within the safety timeout of " + SAFETY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
