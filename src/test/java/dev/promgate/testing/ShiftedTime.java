package dev.promgate.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system's time, moved forward by hand: a clock and a Caffeine ticker that run as the real
 * ones do, plus whatever {@link #advance} added. For a server that must keep doing real I/O (its
 * timeouts run on real time) while a test ages what it has cached: a lifetime runs out when the
 * test says so, not when the machine gets round to it.
 */
public final class ShiftedTime extends Clock implements Ticker {

  private final AtomicLong shiftNanos = new AtomicLong();

  public void advance(Duration by) {
    shiftNanos.addAndGet(by.toNanos());
  }

  @Override
  public long read() {
    return System.nanoTime() + shiftNanos.get();
  }

  @Override
  public Instant instant() {
    return Instant.now().plusNanos(shiftNanos.get());
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
