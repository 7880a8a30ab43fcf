package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-registry limiter: never more than its slots in flight, freed slots handed to waiting
 * calls in turn (one call's hundred requests do not hold up another call's one), waiters that run
 * out of time leave the line.
 */
class LimiterTest {

  static final Duration LONG = Duration.ofMinutes(5);
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static RegistryException timedOut() {
    return RegistryException.of(RegistryException.Kind.TIMEOUT, "r", "test", "timed out", "");
  }

  @Test
  void atMostMaxSlotsAreTakenAndAFreedSlotGoesToAWaiter() {
    Limiter limiter = new Limiter(vertx, 2);
    Object call = new Object();
    Future<Limiter.Permit> a = limiter.acquire(call, LONG, LimiterTest::timedOut);
    Future<Limiter.Permit> b = limiter.acquire(call, LONG, LimiterTest::timedOut);
    Future<Limiter.Permit> c = limiter.acquire(call, LONG, LimiterTest::timedOut);
    assertTrue(a.succeeded() && b.succeeded());
    assertFalse(c.isComplete());
    assertEquals(2, limiter.inFlight());
    assertEquals(1, limiter.waiting());

    a.result().release();
    assertTrue(c.succeeded(), "handed over");
    assertEquals(2, limiter.inFlight(), "the slot changed hands");
    a.result().release();
    assertEquals(2, limiter.inFlight(), "a second release of the same permit is ignored");
    b.result().release();
    c.result().release();
    assertEquals(0, limiter.inFlight());
  }

  @Test
  void freedSlotsGoToWaitingCallsInTurnNotToTheCallWithTheLongestLine() {
    Limiter limiter = new Limiter(vertx, 1);
    Object busy = new Object();
    Object other = new Object();
    Limiter.Permit held = limiter.acquire(busy, LONG, LimiterTest::timedOut).result();
    List<Future<Limiter.Permit>> busyLine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      busyLine.add(limiter.acquire(busy, LONG, LimiterTest::timedOut));
    }
    Future<Limiter.Permit> otherOne = limiter.acquire(other, LONG, LimiterTest::timedOut);

    held.release();
    assertTrue(busyLine.get(0).succeeded(), "the busy call asked first");
    busyLine.get(0).result().release();
    assertTrue(otherOne.succeeded(), "then the other call's turn, not the busy call's second request");
    assertFalse(busyLine.get(1).isComplete());
    otherOne.result().release();
    assertTrue(busyLine.get(1).succeeded(), "in order within a call");
  }

  @Test
  void aWaiterWhoseTimeRunsOutFailsAndLeavesTheLine() throws Exception {
    Limiter limiter = new Limiter(vertx, 1);
    Limiter.Permit held = limiter.acquire("a", LONG, LimiterTest::timedOut).result();
    RegistryException expected = timedOut();
    Future<Limiter.Permit> late = limiter.acquire("b", Duration.ofMillis(1), () -> expected);
    Throwable failure = late.toCompletionStage().toCompletableFuture().handle((p, e) -> e).get(30, TimeUnit.SECONDS);
    assertSame(expected, failure.getCause() == null ? failure : failure.getCause());
    assertEquals(0, limiter.waiting());
    held.release();
    assertEquals(0, limiter.inFlight());
  }

  @Test
  void aLongQueueOfCallbacksThatReleaseAtOnceDoesNotOverflowTheStack() throws Exception {
    Limiter limiter = new Limiter(vertx, 1);
    Limiter.Permit first = limiter.acquire("a", LONG, LimiterTest::timedOut).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    int waiters = 50_000;
    AtomicInteger served = new AtomicInteger();
    for (int i = 0; i < waiters; i++) {
      limiter.acquire("a", LONG, LimiterTest::timedOut).onSuccess(permit -> {
        served.incrementAndGet();
        permit.release();
      });
    }
    first.release(); // each waiter's callback releases at once, handing over to the next
    assertEquals(waiters, served.get());
    assertEquals(0, limiter.inFlight());
    assertEquals(0, limiter.waiting());
  }

  @Test
  void underConcurrentCallsTheBoundHolds() throws Exception {
    int max = 3;
    Limiter limiter = new Limiter(vertx, max);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    int threads = 8;
    int rounds = 500;
    CountDownLatch done = new CountDownLatch(threads * rounds);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Object call = new Object();
      Thread thread = new Thread(() -> {
        for (int i = 0; i < rounds; i++) {
          limiter.acquire(call, LONG, LimiterTest::timedOut).onSuccess(permit -> {
            most.accumulateAndGet(holding.incrementAndGet(), Math::max);
            holding.decrementAndGet();
            permit.release();
            done.countDown();
          });
        }
      });
      started.add(thread);
      thread.start();
    }
    for (Thread t : started) {
      t.join();
    }
    assertTrue(done.await(60, TimeUnit.SECONDS), "every request got its slot");
    assertTrue(most.get() <= max, "at most " + max + " at once, saw " + most.get());
    assertEquals(0, limiter.inFlight());
    assertEquals(0, limiter.waiting());
  }
}
