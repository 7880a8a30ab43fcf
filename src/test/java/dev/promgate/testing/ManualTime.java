package dev.promgate.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.promgate.judgement.Cutoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * One time, advanced by hand, for a clock, a Caffeine ticker and the timers of request cutoffs:
 * {@link #advance} rings every timer that has come due, in order, on the calling thread.
 */
public final class ManualTime extends Clock implements Ticker, Cutoff.Timers {

  private record Timer(long due, Runnable action) {}

  private final Instant start;
  private long nanos;
  private final List<Timer> pending = new ArrayList<>();
  private int set;

  public ManualTime(Instant start) {
    this.start = start;
  }

  /** Moves time on and rings what has come due. */
  public void advance(Duration d) {
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      nanos += d.toNanos();
      pending.sort((a, b) -> Long.compare(a.due(), b.due()));
      while (!pending.isEmpty() && pending.get(0).due() <= nanos) {
        due.add(pending.remove(0).action());
      }
    }
    due.forEach(Runnable::run);
  }

  @Override
  public synchronized Runnable schedule(Duration delay, Runnable action) {
    Timer timer = new Timer(nanos + delay.toNanos(), action);
    pending.add(timer);
    set++;
    return () -> {
      synchronized (this) {
        pending.remove(timer);
      }
    };
  }

  /** How many timers were ever set. */
  public synchronized int timersSet() {
    return set;
  }

  /** How many timers are set and have neither rung nor been cancelled. */
  public synchronized int timersPending() {
    return pending.size();
  }

  @Override
  public synchronized long read() {
    return nanos;
  }

  @Override
  public synchronized Instant instant() {
    return start.plusNanos(nanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
