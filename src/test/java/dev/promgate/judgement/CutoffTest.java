package dev.promgate.judgement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.ManualTime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CutoffTest {

  final ManualTime time = new ManualTime(Instant.parse("2026-11-26T10:00:00Z"));
  final Cutoff cutoff = new Cutoff(time.instant().plusSeconds(8), Duration.ofSeconds(8), time, time);

  @Test
  void finishedWorkIsReturnedAsItIsWithoutATimer() {
    Future<String> done = Future.succeededFuture("done");
    assertSame(done, cutoff.race(done, () -> "late"));
    assertEquals(0, time.timersSet());
  }

  @Test
  void workStillRunningAtTheCutoffIsAnsweredForAndLeftRunning() {
    Promise<String> work = Promise.promise();
    Future<String> raced = cutoff.race(work.future(), () -> "late");
    time.advance(Duration.ofSeconds(8));
    assertEquals("late", raced.result());
    assertFalse(work.future().isComplete());
    work.complete("finally");
    assertEquals("late", raced.result(), "the first answer stands");
  }

  @Test
  void oneTimerServesEveryStepOfTheRequest() {
    Future<String> a = cutoff.race(Promise.<String>promise().future(), () -> "a");
    Future<String> b = cutoff.race(Promise.<String>promise().future(), () -> "b");
    assertEquals(1, time.timersSet());
    time.advance(Duration.ofSeconds(8));
    assertEquals("a", a.result());
    assertEquals("b", b.result());
  }

  @Test
  void aFailingFallbackFailsTheStepRatherThanLeavingItHanging() {
    Future<String> raced = cutoff.race(Promise.<String>promise().future(), () -> {
      throw new IllegalStateException("broken");
    });
    time.advance(Duration.ofSeconds(8));
    assertTrue(raced.failed());
  }

  @Test
  void cancellingStopsTheTimer() {
    cutoff.race(Promise.<String>promise().future(), () -> "late");
    assertEquals(1, time.timersPending());
    cutoff.cancel();
    assertEquals(0, time.timersPending());
  }

  @Test
  void verificationMayRunAWholeBudgetFromItsStartAndNeverLessThanUntilTheCutoff() {
    time.advance(Duration.ofSeconds(3));
    assertEquals(time.instant().plusSeconds(8), cutoff.workDeadline());
    assertEquals(Instant.parse("2026-11-26T10:00:08Z"), Cutoff.none(Instant.parse("2026-11-26T10:00:08Z"))
        .workDeadline(), "without a timer, the deadline handed in is all there is");
  }

  @Test
  void withoutTimersNothingIsRaced() {
    Cutoff none = Cutoff.none(time.instant());
    Future<String> pending = Promise.<String>promise().future();
    assertSame(pending, none.race(pending, () -> "late"));
  }
}
