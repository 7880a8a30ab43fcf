package dev.promgate.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way tests wait: for a Vert.x future's result or failure, or for a condition to hold. The
 * timeout is a safety net against a hung test, never a measurement: nothing here expects to wait
 * for more than a moment, however loaded the machine.
 */
public final class Await {

  public static final Duration SAFETY = Duration.ofSeconds(90);

  private Await() {}

  /** A deadline comfortably in the future, for calls whose budget is not what is tested. */
  public static Instant deadline() {
    return Instant.now().plusSeconds(30);
  }

  /** The future's value; its failure, or no answer within {@link #SAFETY}, fails the test. */
  public static <T> T result(Future<T> future) {
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

  /** The future's failure, which must be a {@code type}; a value fails the test. */
  public static <E extends Throwable> E failure(Future<?> future, Class<E> type) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(SAFETY.toSeconds(), TimeUnit.SECONDS);
      return fail("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(type, e.getCause(), () -> "unexpected failure " + e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within the safety timeout of " + SAFETY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A state a test waits for; it may ask over the network, and may fail the test on the way. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Returns once {@code condition} holds, checking it every few milliseconds: for state that another
   * thread or a timer changes (a file watcher, a background refresh). {@code what} names the state
   * in the failure when the safety net runs out; an exception from the condition fails the test.
   */
  public static void until(String what, Condition condition) {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (!check(what, condition)) {
      if (System.nanoTime() > deadline) {
        fail("gave up waiting until " + what + " after " + SAFETY);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }

  private static boolean check(String what, Condition condition) {
    try {
      return condition.holds();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("failed waiting until " + what + ": " + e, e);
    }
  }
}
