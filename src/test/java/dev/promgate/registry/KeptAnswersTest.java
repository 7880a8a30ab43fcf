package dev.promgate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Host names resolved for registry requests are kept as long as the JVM keeps them, so a request to
 * a named registry costs no lookup (and no worker thread hop) each time: kept for their time, failures
 * never kept, the number of names bounded.
 */
class KeptAnswersTest {

  final AtomicLong nanos = new AtomicLong();
  final AtomicInteger lookups = new AtomicInteger();
  final AtomicInteger failing = new AtomicInteger();

  Destinations.Resolver resolver() {
    return Destinations.Resolver.kept(host -> {
      lookups.incrementAndGet();
      if (failing.get() > 0) {
        failing.decrementAndGet();
        return Future.failedFuture(new UnknownHostException(host));
      }
      try {
        return Future.succeededFuture(List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 1})));
      } catch (UnknownHostException e) {
        return Future.failedFuture(e);
      }
    }, Duration.ofSeconds(30), nanos::get);
  }

  @Test
  void anAnswerIsKeptForItsTimeThenAskedAgain() {
    Destinations.Resolver r = resolver();
    assertEquals("10.0.0.1", r.resolve("registry.acme.example").result().get(0).getHostAddress());
    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    r.resolve("registry.acme.example");
    assertEquals(1, lookups.get(), "kept");
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    r.resolve("registry.acme.example");
    assertEquals(2, lookups.get(), "asked again once its time is up");
  }

  @Test
  void aFailureIsNotKept() {
    Destinations.Resolver r = resolver();
    failing.set(1);
    assertTrue(r.resolve("registry.acme.example").failed());
    assertTrue(r.resolve("registry.acme.example").succeeded());
    assertEquals(2, lookups.get());
  }

  @Test
  void theNamesKeptAreBounded() {
    Destinations.Resolver r = resolver();
    int max = Destinations.Resolver.MAX_HOSTS;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < max; i++) {
        r.resolve("host-" + i + ".example");
      }
    }
    assertEquals(max, lookups.get(), "up to the bound, every name is kept");
    r.resolve("one-more.example");
    r.resolve("host-0.example");
    assertEquals(max + 2, lookups.get(), "past it, the names kept before are let go");
  }
}
